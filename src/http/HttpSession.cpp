#include "http/HttpSession.hpp"

#include "http/WebSocketSession.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <exception>

namespace cityops::http::detail {

namespace {

using namespace std::chrono_literals;

constexpr auto kIdleTimeout = 60s;       // waiting for (the header of) the next request
constexpr auto kBodyTimeout = 120s;      // reading a request body
constexpr auto kWriteTimeout = 60s;      // writing a response
constexpr auto kLingerTimeout = 2s;      // draining unread input before closing after an error
constexpr auto kHandshakeTimeout = 30s;  // the TLS handshake, before the first request

using beast::iequals;

bool validHeader(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c <= ' ' || c == ':' || c == 127) return false;
  }
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  // Framing headers are the server's.
  return !iequals(name, "content-length") && !iequals(name, "transfer-encoding") && !iequals(name, "connection") &&
         !iequals(name, "server");
}

std::string methodLabel(const bhttp::request<bhttp::string_body>& req) {
  // Unknown verbs are client-controlled strings: keep them out of metric labels.
  return req.method() == bhttp::verb::unknown ? std::string("other") : std::string(req.method_string());
}

}  // namespace

/// Shared by all copies of one Reply callback. Delivers exactly one response, from any thread.
template <class Conn>
class ReplyState {
 public:
  ReplyState(std::shared_ptr<ServerCore> core, std::shared_ptr<Conn> session)
      : core_(std::move(core)), session_(std::move(session)) {}
  ReplyState(const ReplyState&) = delete;
  ReplyState& operator=(const ReplyState&) = delete;

  ~ReplyState() {
    // Every copy of the Reply was dropped without a call: answer anyway so the connection is not stuck.
    if (!done_.exchange(true)) {
      try {
        post(Response::error(500, "internal", "the handler did not reply"));
      } catch (...) {
      }
    }
  }

  void complete(Response res) {
    if (done_.exchange(true)) return;  // exactly once; later calls are ignored
    post(std::move(res));
  }

 private:
  void post(Response res) {
    // core_ keeps the io_context alive; if the server has stopped the handler is queued and never runs.
    auto ex = session_->executor();
    asio::post(ex, [s = std::move(session_), r = std::move(res)]() mutable { s->deliver(std::move(r)); });
  }

  std::shared_ptr<ServerCore> core_;  // declared first: released last
  std::shared_ptr<Conn> session_;
  std::atomic<bool> done_{false};
};

namespace {

template <class Stream>
Stream makeStream(tcp::socket socket, ServerCore& core) {
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    return Stream(std::move(socket), *core.tls);
  } else {
    return Stream(std::move(socket));
  }
}

}  // namespace

template <class Stream>
HttpSession<Stream>::HttpSession(tcp::socket socket, ServerCore& core)
    : core_(core),
      executor_(socket.get_executor()),
      stream_(makeStream<Stream>(std::move(socket), core)),
      streamTimer_(executor_) {}

template <class Stream>
void HttpSession<Stream>::start() {
  id_ = core_.add(shared_from_this());
  asio::post(executor_, [self = shared_from_this()] {
    if (self->id_ == 0) return self->closeNow();  // server is stopping
    if constexpr (kTls) {
      self->lowest().expires_after(kHandshakeTimeout);
      self->stream_.async_handshake(asio::ssl::stream_base::server,
                                    [self](beast::error_code ec) { self->onHandshake(ec); });
    } else {
      self->doRead();
    }
  });
}

template <class Stream>
void HttpSession<Stream>::onHandshake(beast::error_code ec) {
  if (ec) {
    // Plain HTTP on the TLS port, scanners, clients that reject the certificate, the timeout: nothing to answer.
    const uint64_t n = core_.tlsHandshakeFailures.fetch_add(1, std::memory_order_relaxed) + 1;
    beast::error_code ignored;
    const auto peer = lowest().socket().remote_endpoint(ignored);
    spdlog::debug("http: TLS handshake with {} failed ({} so far): {}", ignored ? "?" : peer.address().to_string(),
                  n, ec.message());
    return closeNow();
  }
  doRead();
}

template <class Stream>
void HttpSession<Stream>::shutdown() {
  asio::post(executor_, [self = shared_from_this()] { self->closeNow(); });
}

template <class Stream>
void HttpSession<Stream>::doRead() {
  if (closed_) return;
  parser_.emplace();
  parser_->body_limit(core_.options.bodyLimit);
  parser_->header_limit(static_cast<std::uint32_t>(core_.options.headerLimit));
  route_ = "unmatched";
  method_ = "other";
  version_ = 11;
  keepAlive_ = false;
  head_ = false;
  origin_.clear();
  lowest().expires_after(kIdleTimeout);
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onHeader(ec); });
}

template <class Stream>
void HttpSession<Stream>::onHeader(beast::error_code ec) {
  started_ = std::chrono::steady_clock::now();
  if (ec) return readFailed(ec);
  const auto& req = parser_->get();
  method_ = methodLabel(req);
  version_ = req.version();
  if (parser_->is_done()) return handle();
  if (iequals(req[bhttp::field::expect], "100-continue")) {
    continue_ = {};
    continue_.version(11);
    continue_.result(bhttp::status::continue_);
    lowest().expires_after(kWriteTimeout);
    bhttp::async_write(stream_, continue_, [self = shared_from_this()](beast::error_code wec, std::size_t) {
      if (wec) return self->closeNow();
      self->readBody();
    });
    return;
  }
  readBody();
}

template <class Stream>
void HttpSession<Stream>::readBody() {
  if (closed_) return;
  lowest().expires_after(kBodyTimeout);
  bhttp::async_read(stream_, buffer_, *parser_,
                    [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
}

template <class Stream>
void HttpSession<Stream>::onRead(beast::error_code ec) {
  if (ec) return readFailed(ec);
  handle();
}

template <class Stream>
void HttpSession<Stream>::readFailed(beast::error_code ec) {
  if (closed_) return;
  const auto& httpCategory = bhttp::make_error_code(bhttp::error::bad_target).category();
  if (ec == bhttp::error::body_limit) {
    method_ = methodLabel(parser_->get());
    send(Response::error(413, "too_large",
                         "request body exceeds " + std::to_string(core_.options.bodyLimit) + " bytes"),
         After::linger);
  } else if (ec == bhttp::error::header_limit) {
    send(Response::error(431, "too_large",
                         "request header exceeds " + std::to_string(core_.options.headerLimit) + " bytes"),
         After::linger);
  } else if (ec.category() == httpCategory && ec != bhttp::error::end_of_stream &&
             ec != bhttp::error::partial_message) {
    send(Response::error(400, "bad_request", "malformed HTTP request: " + ec.message()), After::linger);
  } else {
    closeNow();  // disconnect, timeout or cancellation
  }
}

template <class Stream>
void HttpSession<Stream>::handle() {
  if (closed_) return;
  bhttp::request<bhttp::string_body> req = parser_->release();
  keepAlive_ = req.keep_alive();
  head_ = req.method() == bhttp::verb::head;

  Request r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  {
    auto url = !r.target.empty() && r.target.front() == '/' ? boost::urls::parse_origin_form(r.target)
                                                             : boost::urls::parse_absolute_uri(r.target);
    if (!url) return send(Response::error(400, "bad_request", "malformed request target"), After::keepAlive);
    r.path = url->path();
    if (r.path.empty()) r.path = "/";
    for (auto p : url->params()) r.query[p.key] = p.has_value ? p.value : std::string();
  }
  r.headers.reserve(static_cast<std::size_t>(std::distance(req.begin(), req.end())));
  for (const auto& f : req) r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  {
    beast::error_code ec;
    const auto peer = lowest().socket().remote_endpoint(ec);
    if (!ec) r.remote = peer.address().to_string();
  }
  Gate* const gate = core_.options.gate;
  origin_ = std::string(r.header("Origin"));
  if (gate && req.method() == bhttp::verb::options && !origin_.empty() &&
      !r.header("Access-Control-Request-Method").empty()) {
    route_ = "preflight";
    if (auto res = gate->preflight(r)) return send(std::move(*res), After::keepAlive);
  }

  const bool isUpgrade = ws::is_upgrade(req);
  const Router::Match m = core_.router.match(r, isUpgrade);
  if (gate && (m.handler || (m.websocket && isUpgrade))) {
    route_ = m.route;
    if (auto refused = gate->admit(r, m.route)) return send(std::move(*refused), After::keepAlive);
  }
  if (m.websocket && isUpgrade) {
    route_ = m.route;
    return upgrade(m.websocket, std::move(req), std::move(r));
  }
  if (!m.handler) {
    if (m.status == 405) {
      std::string allow;
      for (const auto& a : m.allowed) allow += (allow.empty() ? "" : ", ") + a;
      Response res = Response::error(405, "method_not_allowed", r.method + " is not allowed on " + r.path);
      res.headers.emplace_back("Allow", allow);
      return send(std::move(res), After::keepAlive);
    }
    if (m.status == 426) {
      route_ = m.route;
      Response res = Response::error(426, "upgrade_required", r.path + " is a WebSocket endpoint");
      res.headers.emplace_back("Upgrade", "websocket");
      return send(std::move(res), After::keepAlive);
    }
    return send(Response::error(404, "not_found", "no route for " + r.path), After::keepAlive);
  }

  route_ = m.route;
  r.body = std::move(req.body());
  auto state = std::make_shared<ReplyState<HttpSession>>(core_.shared_from_this(), shared_from_this());
  Reply reply = [state](Response res) { state->complete(std::move(res)); };
  try {
    (*m.handler)(std::move(r), std::move(reply));
  } catch (const std::exception& e) {
    spdlog::error("http: handler for {} {} threw: {}", method_, route_, e.what());
    state->complete(Response::error(500, "internal", "internal server error"));
  } catch (...) {
    spdlog::error("http: handler for {} {} threw a non-standard exception", method_, route_);
    state->complete(Response::error(500, "internal", "internal server error"));
  }
}

template <class Stream>
void HttpSession<Stream>::upgrade(std::shared_ptr<WebSocketHandler> handler, bhttp::request<bhttp::string_body> req,
                                  Request request) {
  record(101);
  closed_ = true;  // from here on nothing touches stream_: it moves to the WebSocket session (TLS state included)
  core_.remove(id_);
  id_ = 0;
  lowest().expires_never();  // the WebSocket stream has its own timeouts
  auto session = std::make_shared<WebSocketSession<Stream>>(std::move(stream_), core_, std::move(handler));
  session->start(std::move(req), std::move(request));
}

template <class Stream>
void HttpSession<Stream>::deliver(Response res) {
  if (closed_) {
    record(res.status);  // the client is gone; still count the request
    return;
  }
  send(std::move(res), After::keepAlive);
}

template <class Stream>
void HttpSession<Stream>::send(Response r, After after) {
  const int status = (r.status >= 200 && r.status <= 599) ? r.status : 500;
  record(status);
  if (after == After::keepAlive && (!keepAlive_ || core_.stopping())) after = After::close;
  if (Gate* gate = core_.options.gate) {
    try {
      gate->decorate(origin_, r);
    } catch (...) {  // headers never fail a response
    }
  }

  res_ = {};
  res_.version(version_);
  res_.result(static_cast<unsigned>(status));
  res_.set(bhttp::field::server, "cityops");
  for (const auto& [k, v] : r.headers) {
    if (validHeader(k, v)) res_.insert(k, v);
  }
  res_.keep_alive(after == After::keepAlive);
  if (r.stream && status == 200 && !head_) {
    if (!r.contentType.empty()) res_.set(bhttp::field::content_type, r.contentType);
    return startStream(std::move(r.stream), after);
  }
  if (status == 204 || status == 304) {
    res_.body().clear();
  } else {
    if (!r.contentType.empty()) res_.set(bhttp::field::content_type, r.contentType);
    res_.content_length(r.body.size());
    if (!head_) res_.body() = std::move(r.body);
  }
  lowest().expires_after(kWriteTimeout);
  bhttp::async_write(stream_, res_, [self = shared_from_this(), after](beast::error_code ec, std::size_t) {
    self->onWrite(ec, after);
  });
}

template <class Stream>
void HttpSession<Stream>::startStream(std::shared_ptr<BodyStream> source, After after) {
  // HTTP/1.1: chunked, and the connection can serve the next request after the last chunk. HTTP/1.0 has no
  // chunks: the body ends when the connection closes.
  chunked_ = version_ >= 11;
  if (!chunked_) {
    after = After::close;
    res_.keep_alive(false);
  }
  streamAfter_ = after;
  source_ = std::move(source);
  streamRes_.emplace(std::move(res_.base()));
  res_ = {};
  if (chunked_) streamRes_->chunked(true);
  streamSr_.emplace(*streamRes_);
  lowest().expires_after(kWriteTimeout);
  bhttp::async_write_header(stream_, *streamSr_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec || self->closed_) return self->closeNow();
    self->pumpStream();
  });
}

template <class Stream>
void HttpSession<Stream>::pumpStream() {
  if (closed_ || !source_) return;
  std::optional<std::string> piece;
  try {
    piece = source_->next();
  } catch (const std::exception& e) {
    spdlog::error("http: the body stream of {} {} threw: {}", method_, route_, e.what());
    piece.reset();
  } catch (...) {
    piece.reset();
  }
  if (!piece || core_.stopping()) return finishStream();
  if (piece->empty()) return waitStream();
  piece_ = std::move(*piece);
  lowest().expires_after(kWriteTimeout);
  auto done = [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec || self->closed_) return self->closeNow();  // the client went away (or stopped reading)
    self->waitStream();
  };
  if (chunked_) asio::async_write(stream_, bhttp::make_chunk(asio::buffer(piece_)), std::move(done));
  else asio::async_write(stream_, asio::buffer(piece_), std::move(done));
}

template <class Stream>
void HttpSession<Stream>::waitStream() {
  if (closed_ || !source_) return;
  streamTimer_.expires_after(source_->interval());
  streamTimer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->closed_) return;
    self->pumpStream();
  });
}

template <class Stream>
void HttpSession<Stream>::finishStream() {
  source_.reset();
  piece_.clear();
  After after = streamAfter_;
  if (core_.stopping()) after = After::close;
  if (!chunked_) {
    streamSr_.reset();
    streamRes_.reset();
    return onWrite({}, After::close);
  }
  lowest().expires_after(kWriteTimeout);
  asio::async_write(stream_, bhttp::make_chunk_last(), [self = shared_from_this(), after](beast::error_code ec, std::size_t) {
    self->streamSr_.reset();
    self->streamRes_.reset();
    self->onWrite(ec, after);
  });
}

template <class Stream>
void HttpSession<Stream>::onWrite(beast::error_code ec, After after) {
  res_ = {};
  if (ec || closed_) return closeNow();
  switch (after) {
    case After::keepAlive:
      return doRead();
    case After::linger:
      return lingerClose();
    case After::close:
      return closeGracefully();
  }
}

// The response said "Connection: close": tell the client we are done, then close.
template <class Stream>
void HttpSession<Stream>::closeGracefully() {
  if constexpr (kTls) {
    // close_notify, so the client can tell the end of the connection from a truncation. Asio's shutdown also
    // waits for the client's close_notify; the deadline bounds that for clients that just drop the connection.
    lowest().expires_after(kLingerTimeout);
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->closeNow(); });
  } else {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    closeNow();
  }
}

// After an error reply with unread input: half-close and discard what the client still sends, so closing
// does not reset the connection before the client has read the reply.
template <class Stream>
void HttpSession<Stream>::lingerClose() {
  lowest().expires_after(kLingerTimeout);  // one deadline for the whole drain (the TLS close_notify included)
  if constexpr (kTls) {
    // close_notify first. OpenSSL fails the shutdown as soon as more application data arrives (the rest of an
    // oversized body): that is expected, the TCP half-close and the raw drain below take over.
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->halfCloseAndDrain(); });
  } else {
    halfCloseAndDrain();
  }
}

template <class Stream>
void HttpSession<Stream>::halfCloseAndDrain() {
  if (closed_) return;
  beast::error_code ignored;
  lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
  drain();
}

// Reads below TLS: after close_notify the client's records need no decrypting, only discarding.
template <class Stream>
void HttpSession<Stream>::drain() {
  if (closed_) return;
  lowest().async_read_some(asio::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) return self->closeNow();
    self->drain();
  });
}

template <class Stream>
void HttpSession<Stream>::closeNow() {
  if (closed_) return;
  closed_ = true;
  source_.reset();
  streamTimer_.cancel();
  beast::error_code ignored;
  lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
  lowest().close();
  core_.remove(id_);
  id_ = 0;
}

template <class Stream>
void HttpSession<Stream>::record(int status) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  try {
    core_.recordRequest(route_, method_, status, seconds);
  } catch (...) {  // metrics never fail a request
  }
}

template class HttpSession<PlainStream>;
template class HttpSession<TlsStream>;

}  // namespace cityops::http::detail
