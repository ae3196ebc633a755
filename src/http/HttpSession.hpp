#pragma once
// Private to src/http/: one HTTP/1.1 connection over plain TCP or TLS. All members are touched only on the
// connection's strand, except executor() and shutdown().
#include "http/ServerCore.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <chrono>
#include <optional>
#include <type_traits>

namespace cityops::http::detail {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

/// `Stream` is PlainStream or TlsStream (both instantiated in HttpSession.cpp). The TLS variant shakes hands
/// before the first read and sends close_notify before closing; the rest is shared.
template <class Stream>
class HttpSession : public Session, public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  /// TLS sessions use core.tls (set when the server was started with a certificate).
  HttpSession(tcp::socket socket, ServerCore& core);

  /// Registers with the core and starts (the TLS handshake, then) reading; call once, right after construction.
  void start();
  void shutdown() override;
  /// Writes the handler's response. Runs on the strand (posted there by the Reply callback).
  void deliver(Response res);
  const asio::any_io_executor& executor() const { return executor_; }

 private:
  enum class After { keepAlive, close, linger };
  using std::enable_shared_from_this<HttpSession<Stream>>::shared_from_this;

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  void onHandshake(beast::error_code ec);
  void doRead();
  void onHeader(beast::error_code ec);
  void readBody();
  void onRead(beast::error_code ec);
  void readFailed(beast::error_code ec);
  void handle();
  void upgrade(std::shared_ptr<WebSocketHandler> handler, bhttp::request<bhttp::string_body> req, Request request);
  void send(Response res, After after);
  void onWrite(beast::error_code ec, After after);
  // A streamed body (Response::stream): the header, then pieces until the stream or the client ends.
  void startStream(std::shared_ptr<BodyStream> source, After after);
  void pumpStream();
  void waitStream();
  void finishStream();
  void closeGracefully();
  void lingerClose();
  void halfCloseAndDrain();
  void drain();
  void closeNow();
  void record(int status);

  ServerCore& core_;
  const asio::any_io_executor executor_;  // the connection's strand
  Stream stream_;                         // moved into the WebSocket session on upgrade (closed_ is set then)
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;             // alive during async_write
  bhttp::response<bhttp::empty_body> continue_;         // "100 Continue", alive during async_write
  std::array<char, 4096> scratch_{};                    // lingering close drain
  std::shared_ptr<BodyStream> source_;                  // the streamed body in progress, if any
  std::optional<bhttp::response<bhttp::empty_body>> streamRes_;
  std::optional<bhttp::response_serializer<bhttp::empty_body>> streamSr_;
  std::string piece_;                                   // the piece being written
  asio::steady_timer streamTimer_;                      // the pause between pieces
  bool chunked_ = false;
  After streamAfter_ = After::close;
  uint64_t id_ = 0;
  bool closed_ = false;

  // The request in flight.
  std::chrono::steady_clock::time_point started_{};
  unsigned version_ = 11;
  bool keepAlive_ = false;
  bool head_ = false;
  std::string route_ = "unmatched";
  std::string method_ = "other";
  std::string origin_;  // the request's Origin header, for Gate::decorate
};

using PlainHttpSession = HttpSession<PlainStream>;
using TlsHttpSession = HttpSession<TlsStream>;
extern template class HttpSession<PlainStream>;
extern template class HttpSession<TlsStream>;

}  // namespace cityops::http::detail
