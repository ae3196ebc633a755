#pragma once
// Private to src/http/: one HTTP/1.1 connection. All members are touched only on the connection's strand,
// except executor() and shutdown().
#include "http/ServerCore.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <chrono>
#include <optional>

namespace cityops::http::detail {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

class HttpSession : public Session, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, ServerCore& core);

  /// Registers with the core and starts reading; call once, right after construction.
  void start();
  void shutdown() override;
  /// Writes the handler's response. Runs on the strand (posted there by the Reply callback).
  void deliver(Response res);
  const asio::any_io_executor& executor() const { return executor_; }

 private:
  enum class After { keepAlive, close, linger };

  void doRead();
  void onHeader(beast::error_code ec);
  void readBody();
  void onRead(beast::error_code ec);
  void readFailed(beast::error_code ec);
  void handle();
  void upgrade(std::shared_ptr<WebSocketHandler> handler, bhttp::request<bhttp::string_body> req, Request request);
  void send(Response res, After after);
  void onWrite(beast::error_code ec, After after);
  void lingerClose();
  void drain();
  void closeNow();
  void record(int status);

  ServerCore& core_;
  const asio::any_io_executor executor_;  // the connection's strand
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;             // alive during async_write
  bhttp::response<bhttp::empty_body> continue_;         // "100 Continue", alive during async_write
  std::array<char, 4096> scratch_{};                    // lingering close drain
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

}  // namespace cityops::http::detail
