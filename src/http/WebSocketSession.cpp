#include "http/WebSocketSession.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/websocket/error.hpp>
#include <spdlog/spdlog.h>

#include <exception>

namespace cityops::http::detail {

namespace {

using namespace std::chrono_literals;

constexpr auto kCloseTimeout = 5s;  // a peer that does not finish the close handshake is cut off

/// What the application holds. Does not own the session (no cycle through peer_); owns the core so that
/// posting to the io_context stays valid for as long as the application keeps the peer.
template <class WsSession>
class Peer final : public WebSocketPeer {
 public:
  Peer(std::shared_ptr<ServerCore> core, std::weak_ptr<WsSession> session)
      : core_(std::move(core)), session_(std::move(session)) {}

  bool send(std::string text) override {
    auto s = session_.lock();
    return s && s->enqueue(std::move(text));
  }
  void close(std::string reason) override {
    if (auto s = session_.lock()) s->requestClose(std::move(reason));
  }
  bool isOpen() const override {
    auto s = session_.lock();
    return s && s->isOpen();
  }

 private:
  std::shared_ptr<ServerCore> core_;
  std::weak_ptr<WsSession> session_;
};

}  // namespace

template <class Stream>
WebSocketSession<Stream>::WebSocketSession(Stream stream, ServerCore& core, std::shared_ptr<WebSocketHandler> handler)
    : core_(core),
      executor_(stream.get_executor()),
      ws_(std::move(stream)),
      closeTimer_(executor_),
      handler_(std::move(handler)) {}

template <class Stream>
void WebSocketSession<Stream>::start(bhttp::request<bhttp::string_body> req, Request request) {
  id_ = core_.add(shared_from_this());
  if (id_ == 0) return closeSocket();
  req_ = std::move(req);
  request_ = std::move(request);
  ws_.set_option(ws::stream_base::timeout::suggested(beast::role_type::server));
  ws_.set_option(ws::stream_base::decorator([](ws::response_type& res) { res.set(bhttp::field::server, "cityops"); }));
  ws_.read_message_max(core_.options.wsMessageLimit);
  ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) { self->onAccept(ec); });
}

template <class Stream>
void WebSocketSession<Stream>::shutdown() {
  asio::post(executor_, [self = shared_from_this()] { self->closeSocket(); });
}

template <class Stream>
void WebSocketSession<Stream>::onAccept(beast::error_code ec) {
  req_ = {};
  if (ec) return finish();
  peer_ = std::make_shared<Peer<WebSocketSession>>(core_.shared_from_this(), weak_from_this());
  {
    std::lock_guard lock(mu_);
    open_.store(true, std::memory_order_release);
  }
  opened_ = true;
  const Request request = std::move(request_);
  request_ = {};
  try {
    handler_->onOpen(peer_, request);
  } catch (const std::exception& e) {
    spdlog::error("websocket: onOpen threw: {}", e.what());
    requestClose("internal error");
  } catch (...) {
    requestClose("internal error");
  }
  doRead();
}

template <class Stream>
void WebSocketSession<Stream>::doRead() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
}

template <class Stream>
void WebSocketSession<Stream>::onRead(beast::error_code ec) {
  if (ec) return finish();
  if (ws_.got_text() && isOpen()) {
    const auto data = buffer_.data();
    const std::string_view text(static_cast<const char*>(data.data()), data.size());
    try {
      handler_->onMessage(peer_, text);
    } catch (const std::exception& e) {
      spdlog::error("websocket: onMessage threw: {}", e.what());
      requestClose("internal error");
    } catch (...) {
      requestClose("internal error");
    }
  }
  buffer_.consume(buffer_.size());
  doRead();
}

template <class Stream>
bool WebSocketSession<Stream>::enqueue(std::string text) {
  std::unique_lock lock(mu_);
  if (!open_.load(std::memory_order_relaxed) || closing_) return false;
  if (queue_.size() >= core_.options.wsQueueLimit) {
    // Slow consumer: drop everything not yet on the wire and close with 1008.
    closing_ = true;
    open_.store(false, std::memory_order_release);
    if (writing_) {
      queue_.erase(queue_.begin() + 1, queue_.end());  // the front is being written
    } else {
      queue_.clear();
    }
    pendingClose_ = ws::close_reason(ws::close_code::policy_error, "slow consumer: queue overflow");
    const bool post = !writing_;
    lock.unlock();
    if (post) asio::post(executor_, [self = shared_from_this()] { self->beginClose(); });
    // A client that reads nothing never lets the frame on the wire finish: the deadline starts now, not after it.
    else asio::post(executor_, [self = shared_from_this()] { self->armCloseDeadline(); });
    return false;
  }
  queue_.push_back(std::move(text));
  if (!writing_) {
    writing_ = true;
    lock.unlock();
    asio::post(executor_, [self = shared_from_this()] { self->doWrite(); });
  }
  return true;
}

template <class Stream>
void WebSocketSession<Stream>::requestClose(std::string reason) {
  std::unique_lock lock(mu_);
  if (closing_) return;
  closing_ = true;
  open_.store(false, std::memory_order_release);
  pendingClose_ = ws::close_reason(ws::close_code::normal, reason);
  const bool post = !writing_;  // otherwise onWrite closes once the queue has drained
  lock.unlock();
  if (post) asio::post(executor_, [self = shared_from_this()] { self->beginClose(); });
}

template <class Stream>
void WebSocketSession<Stream>::doWrite() {
  const std::string* front = nullptr;
  {
    std::lock_guard lock(mu_);
    if (finished_ || queue_.empty()) {
      writing_ = false;
      queue_.clear();
      return;
    }
    front = &queue_.front();  // deque elements stay put while others are pushed
  }
  ws_.text(true);
  ws_.async_write(asio::buffer(*front),
                  [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onWrite(ec); });
}

template <class Stream>
void WebSocketSession<Stream>::onWrite(beast::error_code ec) {
  bool more = false;
  bool close = false;
  {
    std::lock_guard lock(mu_);
    queue_.pop_front();
    if (ec || finished_) {
      writing_ = false;
      closing_ = true;
      open_.store(false, std::memory_order_release);
      queue_.clear();
    } else if (!queue_.empty()) {
      more = true;
    } else {
      writing_ = false;
      close = pendingClose_.has_value();
    }
  }
  if (ec) return closeSocket();
  if (more) return doWrite();
  if (close) beginClose();
}

template <class Stream>
void WebSocketSession<Stream>::armCloseDeadline() {
  if (deadlineArmed_ || finished_) return;
  deadlineArmed_ = true;
  closeTimer_.expires_after(kCloseTimeout);
  closeTimer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->closeSocket();
  });
}

template <class Stream>
void WebSocketSession<Stream>::beginClose() {
  if (closeStarted_ || finished_) return;
  closeStarted_ = true;
  ws::close_reason reason;
  {
    std::lock_guard lock(mu_);
    if (pendingClose_) reason = *pendingClose_;
  }
  armCloseDeadline();
  ws_.async_close(reason, [self = shared_from_this()](beast::error_code ec) {
    if (ec) self->closeSocket();
    // On success the pending read ends with websocket::error::closed and finish() runs.
  });
}

template <class Stream>
void WebSocketSession<Stream>::closeSocket() {
  beast::error_code ignored;
  auto& sock = beast::get_lowest_layer(ws_).socket();
  if (!sock.is_open()) return;
  sock.shutdown(tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(ws_).close();
}

template <class Stream>
void WebSocketSession<Stream>::finish() {
  if (finished_) return;
  finished_ = true;
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    open_.store(false, std::memory_order_release);
    // Keep the frame an async_write may still reference; onWrite pops it.
    if (writing_ && !queue_.empty()) {
      queue_.erase(queue_.begin() + 1, queue_.end());
    } else {
      queue_.clear();
    }
  }
  closeTimer_.cancel();
  closeSocket();
  core_.remove(id_);
  id_ = 0;
  if (opened_) {
    try {
      handler_->onClose(peer_);
    } catch (const std::exception& e) {
      spdlog::error("websocket: onClose threw: {}", e.what());
    } catch (...) {
    }
  }
  peer_.reset();
}

template class WebSocketSession<PlainStream>;
template class WebSocketSession<TlsStream>;

}  // namespace cityops::http::detail
