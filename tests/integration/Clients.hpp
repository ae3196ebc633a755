#pragma once
// Small blocking HTTP/1.1 and WebSocket clients for the integration tests (Boost.Beast). Every operation
// has a deadline; on expiry the socket is closed and the call fails instead of hanging the suite.
// Authentication: unless told otherwise (setToken), every request carries `Authorization: Bearer <token>` with
// the default token of the port (defaultToken(port), ServerProcess.hpp: the admin's, once start() logged in).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cityops::it {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;      // 0: transport failure, see error
  std::string error;   // transport failure
  std::string body;
  Headers headers;
  bool keepAlive = true;

  /// Case-insensitive; empty when absent.
  std::string header(std::string_view name) const;
  /// The body parsed as JSON; null when it is not JSON.
  boost::json::value json() const;
  /// "HTTP 400 {...}" or "transport error: ..." for failure messages.
  std::string describe() const;
};

class HttpClient {
 public:
  explicit HttpClient(uint16_t port, std::chrono::milliseconds timeout = 60s);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// One exchange on the kept-alive connection (connects, or reconnects after the server closed it).
  /// Never retries: a POST that failed in transport may or may not have been processed.
  HttpResponse request(std::string_view method, const std::string& target, const std::string& body = {},
                       const std::string& contentType = {}, const Headers& extra = {});
  HttpResponse get(const std::string& target) { return request("GET", target); }
  HttpResponse postJson(const std::string& target, const std::string& body) {
    return request("POST", target, body, "application/json");
  }
  void close();
  uint16_t port() const { return port_; }
  /// The bearer token of the following requests: nullopt (the default) = defaultToken(port()), read at each
  /// request; "" = none (anonymous); anything else = that token. An Authorization header in `extra` wins.
  void setToken(std::optional<std::string> token) { token_ = std::move(token); }

 private:
  bool connect(std::string& error);

  uint16_t port_;
  std::optional<std::string> token_;
  std::chrono::milliseconds timeout_;
  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

/// One-shot helpers on a fresh connection. `token` as HttpClient::setToken (nullopt: the port's default).
HttpResponse httpGet(uint16_t port, const std::string& target, std::chrono::milliseconds timeout = 30s,
                     std::optional<std::string> token = std::nullopt);

class WsClient {
 public:
  WsClient();
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  /// The token sent as `Authorization: Bearer` on the upgrade request of the next connect(), as
  /// HttpClient::setToken: nullopt (the default) = defaultToken(port), "" = none, else that token.
  void setToken(std::optional<std::string> token) { token_ = std::move(token); }
  /// `receiveBuffer` > 0 fixes SO_RCVBUF (no autotuning): a client that never reads then buffers little.
  beast::error_code connect(uint16_t port, const std::string& target = "/api/v1/stream",
                            std::chrono::milliseconds timeout = 30s, int receiveBuffer = 0);
  beast::error_code send(const std::string& text, std::chrono::milliseconds timeout = 30s);
  /// Reads one message. On the deadline the connection is closed and timed_out returned.
  beast::error_code read(std::string& out, std::chrono::milliseconds timeout = 30s);
  /// Sends {"subscribe": topics} and reads the acknowledgement; returns the acknowledgement text.
  beast::error_code subscribe(const std::vector<std::string>& topics, std::string& ack,
                              std::chrono::milliseconds timeout = 30s);
  const beast::websocket::close_reason& closeReason() const { return ws_.reason(); }
  /// Local TCP port of the connection (to find it in /proc/net/tcp).
  uint16_t localPort() const;
  void abort();

 private:
  asio::io_context ioc_;
  beast::websocket::stream<tcp::socket> ws_;
  std::optional<std::string> token_;
};

}  // namespace cityops::it
