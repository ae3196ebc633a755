#include "http/HttpServer.hpp"

#include "http/HttpSession.hpp"
#include "http/ServerCore.hpp"
#include "http/TlsContext.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <optional>
#include <thread>
#include <vector>

namespace cityops::http {

namespace {
using namespace std::chrono_literals;
constexpr auto kDrainTimeout = 5s;  // stop(): how long closed connections get to unwind before a hard stop
}  // namespace

using detail::asio::ip::tcp;
namespace asio = detail::asio;

class HttpServer::Impl {
 public:
  Impl(Options options, const Router& router, metrics::Registry& registry) {
    const int threads = std::max(1, options.threads);
    core_ = std::make_shared<detail::ServerCore>(std::move(options), router, registry, threads);
  }
  ~Impl() { stop(); }

  Status start();
  uint16_t port() const { return port_.load(); }
  void stop();

 private:
  void stopLocked();  // stateMu_ held
  Status listen();
  void doAccept();
  void onAccept(boost::system::error_code ec, tcp::socket socket);

  std::shared_ptr<detail::ServerCore> core_;
  std::optional<tcp::acceptor> acceptor_;  // on its own strand
  std::optional<asio::steady_timer> retry_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::mutex stateMu_;
  enum class State { idle, running, stopped } state_ = State::idle;
  std::atomic<uint16_t> port_{0};
};

Status HttpServer::Impl::listen() {
  const auto& o = core_->options;
  const std::string where = o.host + ":" + std::to_string(o.port);
  boost::system::error_code ec;
  tcp::endpoint endpoint;
  const auto address = asio::ip::make_address(o.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, o.port);
  } else {
    tcp::resolver resolver(core_->ioc);
    auto results = resolver.resolve(o.host, std::to_string(o.port), ec);
    if (ec || results.empty()) return Unavailable("cannot resolve " + where + ": " + ec.message());
    endpoint = *results.begin();
  }
  acceptor_.emplace(asio::make_strand(core_->ioc));
  retry_.emplace(acceptor_->get_executor());
  if (acceptor_->open(endpoint.protocol(), ec); ec) return Unavailable("cannot open " + where + ": " + ec.message());
  acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (acceptor_->bind(endpoint, ec); ec) return Unavailable("cannot bind " + where + ": " + ec.message());
  if (acceptor_->listen(asio::socket_base::max_listen_connections, ec); ec) {
    return Unavailable("cannot listen on " + where + ": " + ec.message());
  }
  const auto local = acceptor_->local_endpoint(ec);
  if (ec) return Unavailable("cannot read the bound port of " + where + ": " + ec.message());
  port_ = local.port();
  return Status::Ok();
}

Status HttpServer::Impl::start() {
  std::lock_guard lock(stateMu_);
  if (state_ != State::idle) return Conflict("server already started or stopped");
  const auto& o = core_->options;
  if (o.tlsCert.empty() != o.tlsKey.empty()) {
    return BadRequest(o.tlsCert.empty() ? "a TLS key was given without a certificate"
                                        : "a TLS certificate was given without a key");
  }
  if (!o.tlsCert.empty()) {
    // Before listening: a bad certificate must not leave a port that accepts and then fails every handshake.
    auto tls = detail::makeTlsContext(o.tlsCert, o.tlsKey);
    if (!tls) return tls.error();
    core_->tls = std::move(*tls);
  }
  try {
    if (Status s = listen(); !s.ok()) {
      acceptor_.reset();
      retry_.reset();
      return s;
    }
    work_.emplace(asio::make_work_guard(core_->ioc));
    doAccept();
    const int n = std::max(1, core_->options.threads);
    {
      std::lock_guard runLock(core_->runMu);
      core_->running = n;
    }
    state_ = State::running;  // from here stop() unwinds whatever was started
    for (int i = 0; i < n; ++i) {
      threads_.emplace_back([core = core_] {
        for (;;) {
          try {
            core->ioc.run();
            break;
          } catch (const std::exception& e) {
            spdlog::error("http: I/O thread caught: {}", e.what());
          } catch (...) {
            spdlog::error("http: I/O thread caught a non-standard exception");
          }
        }
        std::lock_guard runLock(core->runMu);
        --core->running;
        core->runCv.notify_all();
      });
    }
  } catch (const std::exception& e) {
    // Typically std::system_error from std::thread. No thread has exited yet (the work guard holds them).
    if (state_ == State::running) {
      {
        std::lock_guard runLock(core_->runMu);
        core_->running = static_cast<int>(threads_.size());
      }
      stopLocked();
    }
    state_ = State::stopped;
    return Internal(std::string("cannot start server: ") + e.what());
  }
  return Status::Ok();
}

void HttpServer::Impl::doAccept() {
  acceptor_->async_accept(asio::make_strand(core_->ioc), [this](boost::system::error_code ec, tcp::socket socket) {
    onAccept(ec, std::move(socket));
  });
}

void HttpServer::Impl::onAccept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_->is_open()) return;
  if (ec) {
    // E.g. out of file descriptors: back off briefly instead of spinning.
    spdlog::warn("http: accept failed: {}", ec.message());
    retry_->expires_after(50ms);
    retry_->async_wait([this](boost::system::error_code wec) {
      if (!wec && acceptor_->is_open()) doAccept();
    });
    return;
  }
  try {
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (core_->tls) {
      std::make_shared<detail::TlsHttpSession>(std::move(socket), *core_)->start();
    } else {
      std::make_shared<detail::PlainHttpSession>(std::move(socket), *core_)->start();
    }
  } catch (const std::exception& e) {
    spdlog::error("http: cannot start a session: {}", e.what());
  }
  doAccept();
}

void HttpServer::Impl::stop() {
  std::lock_guard lock(stateMu_);
  stopLocked();
}

void HttpServer::Impl::stopLocked() {
  if (state_ != State::running) {
    state_ = State::stopped;
    return;
  }
  state_ = State::stopped;

  auto sessions = core_->beginStop();
  asio::post(acceptor_->get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_->close(ignored);
    retry_->cancel();
  });
  for (auto& s : sessions) s->shutdown();
  sessions.clear();
  work_.reset();

  // Closed connections unwind on the I/O threads (WebSocket onClose runs there); then the threads run out
  // of work. Called from an I/O thread, that thread cannot wait for itself: stop hard instead.
  const auto self = std::this_thread::get_id();
  const bool onIoThread =
      std::any_of(threads_.begin(), threads_.end(), [&](const std::thread& t) { return t.get_id() == self; });
  bool drained = false;
  if (!onIoThread) {
    std::unique_lock runLock(core_->runMu);
    drained = core_->runCv.wait_for(runLock, kDrainTimeout, [&] { return core_->running == 0; });
  }
  if (!drained) {
    if (!onIoThread) spdlog::warn("http: connections did not close within the drain timeout; stopping hard");
    core_->ioc.stop();
  }
  for (auto& t : threads_) {
    if (t.get_id() == self) {
      t.detach();  // it owns a reference to the core and exits when run() returns
    } else if (t.joinable()) {
      t.join();
    }
  }
  threads_.clear();
  core_->ioc.stop();  // anything posted from now on (late replies, sends) is queued and never runs
  if (!onIoThread) {
    acceptor_.reset();
    retry_.reset();
  }
}

HttpServer::HttpServer(Options options, const Router& router, metrics::Registry& registry)
    : impl_(std::make_unique<Impl>(std::move(options), router, registry)) {}

HttpServer::~HttpServer() = default;

Status HttpServer::start() { return impl_->start(); }

uint16_t HttpServer::port() const { return impl_->port(); }

void HttpServer::stop() { impl_->stop(); }

}  // namespace cityops::http
