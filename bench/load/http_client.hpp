// Minimal blocking HTTP/1.1 keep-alive client for the load generator.
//
// Requests are written as raw, pre-serialised bytes (so batch bodies can be
// built before the clock starts and sending costs one write); responses are
// parsed with Boost.Beast. One Connection per thread; not thread-safe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace load {

struct Url {
  std::string host;  // e.g. 127.0.0.1
  std::string port;  // e.g. 8428
  std::string hostport() const { return host + ":" + port; }
};

// Parses http://HOST:PORT[/...]; throws std::invalid_argument on anything else.
Url parse_url(std::string_view url);

// The bearer token sent as `Authorization: Bearer <token>` by build_request() and Connection::get() from now on
// ("" = none, the default). Set once, before any thread starts.
void set_bearer_token(std::string token);
const std::string& bearer_token();

// Builds a complete HTTP/1.1 request (keep-alive) with the given body (and the bearer token, if any).
std::string build_request(std::string_view method, std::string_view target, const Url& url,
                          std::string_view content_type, std::string_view body);

struct Response {
  int status = 0;  // 0 = transport error (see error)
  std::string body;
  std::string error;
  bool ok() const { return status >= 200 && status < 300; }
};

class Connection {
 public:
  explicit Connection(Url url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends raw request bytes and reads one response. On a transport error the
  // connection is re-opened and the request retried (up to `retries` times);
  // reconnects are counted.
  Response roundtrip(std::string_view raw_request, int retries = 2);

  // Convenience GET on this keep-alive connection.
  Response get(std::string_view target);

  std::uint64_t reconnects() const { return reconnects_; }

 private:
  void ensure_open();
  void close();

  Url url_;
  std::string host_header_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket sock_;
  boost::beast::flat_buffer buf_;
  bool open_ = false;
  std::uint64_t reconnects_ = 0;
  std::uint64_t opens_ = 0;
};

// Percent-encodes a query-string component.
std::string url_encode(std::string_view s);

}  // namespace load
