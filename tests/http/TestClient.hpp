#pragma once
// Blocking Beast clients for the HTTP/WebSocket tests. Every operation has a deadline instead of hanging.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace cityops::http::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace bws = boost::beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

/// Runs one asynchronous operation to completion on `ioc`. On the deadline closes `socket` (so the operation
/// finishes) and returns timed_out.
template <class Socket, class Start>
beast::error_code await(asio::io_context& ioc, Socket& socket, Start&& start,
                        std::chrono::milliseconds deadline = 10s) {
  std::optional<beast::error_code> result;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run_for(deadline);
  if (!result) {
    beast::error_code ignored;
    socket.close(ignored);
    ioc.restart();
    ioc.run();
    return asio::error::timed_out;
  }
  return *result;
}

inline tcp::endpoint loopback(uint16_t port) { return {asio::ip::make_address("127.0.0.1"), port}; }

class HttpConn {
 public:
  explicit HttpConn(uint16_t port) : socket_(ioc_) {
    ec_ = await(ioc_, socket_, [&](auto h) { socket_.async_connect(loopback(port), h); });
  }
  bool connected() const { return !ec_; }
  tcp::socket& socket() { return socket_; }

  static bhttp::request<bhttp::string_body> make(bhttp::verb verb, std::string target, std::string body = {},
                                                 std::string contentType = {}) {
    bhttp::request<bhttp::string_body> req{verb, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    if (!contentType.empty()) req.set(bhttp::field::content_type, contentType);
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
  }

  beast::error_code write(const bhttp::request<bhttp::string_body>& req) {
    return await(ioc_, socket_, [&](auto h) { bhttp::async_write(socket_, req, h); });
  }
  beast::error_code writeRaw(const std::string& bytes) {
    return await(ioc_, socket_, [&](auto h) { asio::async_write(socket_, asio::buffer(bytes), h); });
  }
  beast::error_code read(bhttp::response<bhttp::string_body>& res, bool head = false) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    parser.skip(head);
    auto ec = await(ioc_, socket_, [&](auto h) { bhttp::async_read(socket_, buffer_, parser, h); });
    if (!ec) res = parser.release();
    return ec;
  }
  /// Sends and reads one exchange; a transport error leaves status 0 and the error in the body.
  bhttp::response<bhttp::string_body> roundTrip(const bhttp::request<bhttp::string_body>& req) {
    bhttp::response<bhttp::string_body> res;
    res.result(0u);
    if (auto ec = write(req)) {
      res.body() = "write: " + ec.message();
      return res;
    }
    if (auto ec = read(res, req.method() == bhttp::verb::head)) {
      res.result(0u);
      res.body() = "read: " + ec.message();
    }
    return res;
  }
  bhttp::response<bhttp::string_body> get(std::string target) {
    return roundTrip(make(bhttp::verb::get, std::move(target)));
  }
  /// True when the server closed the connection (EOF or reset) within the deadline.
  bool peerClosed() {
    char c;
    auto ec = await(ioc_, socket_, [&](auto h) { socket_.async_read_some(asio::buffer(&c, 1), h); });
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }
  void close() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  beast::error_code ec_;
};

class WsConn {
 public:
  WsConn() : ws_(ioc_) {}

  beast::error_code connect(uint16_t port, const std::string& target) {
    auto& sock = beast::get_lowest_layer(ws_);
    if (auto ec = await(ioc_, sock, [&](auto h) { sock.async_connect(loopback(port), h); })) return ec;
    return await(ioc_, sock, [&](auto h) { ws_.async_handshake("127.0.0.1", target, h); });
  }
  beast::error_code write(const std::string& text) {
    ws_.text(true);
    return await(ioc_, beast::get_lowest_layer(ws_), [&](auto h) { ws_.async_write(asio::buffer(text), h); });
  }
  beast::error_code read(std::string& out, std::chrono::milliseconds deadline = 10s) {
    beast::flat_buffer buf;
    auto ec = await(
        ioc_, beast::get_lowest_layer(ws_), [&](auto h) { ws_.async_read(buf, h); }, deadline);
    out = beast::buffers_to_string(buf.data());
    return ec;
  }
  beast::error_code close(bws::close_code code = bws::close_code::normal) {
    return await(ioc_, beast::get_lowest_layer(ws_), [&](auto h) { ws_.async_close(code, h); });
  }
  bws::stream<tcp::socket>& stream() { return ws_; }
  const bws::close_reason& reason() const { return ws_.reason(); }

 private:
  asio::io_context ioc_;
  bws::stream<tcp::socket> ws_;
};

}  // namespace cityops::http::test
