#include "Clients.hpp"

#include "ServerProcess.hpp"

#include <boost/asio/connect.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>

#include <optional>

namespace cityops::it {

namespace bhttp = beast::http;
namespace bws = beast::websocket;

namespace {

/// Runs one asynchronous operation on `ioc` for at most `deadline`; on expiry closes `socket` so the operation
/// completes, and returns timed_out.
template <class Socket, class Start>
beast::error_code await(asio::io_context& ioc, Socket& socket, Start&& start, std::chrono::milliseconds deadline) {
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

tcp::endpoint loopback(uint16_t port) { return {asio::ip::make_address("127.0.0.1"), port}; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto l = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (l(a[i]) != l(b[i])) return false;
  }
  return true;
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return {};
}

boost::json::value HttpResponse::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec) return nullptr;
  return v;
}

std::string HttpResponse::describe() const {
  if (status == 0) return "transport error: " + error;
  return "HTTP " + std::to_string(status) + " " + body.substr(0, 600) + (body.size() > 600 ? "..." : "");
}

HttpClient::HttpClient(uint16_t port, std::chrono::milliseconds timeout)
    : port_(port), timeout_(timeout), socket_(ioc_) {}

HttpClient::~HttpClient() { close(); }

void HttpClient::close() {
  beast::error_code ignored;
  if (socket_.is_open()) {
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }
  connected_ = false;
  buffer_.clear();
}

bool HttpClient::connect(std::string& error) {
  close();
  beast::error_code ec = await(ioc_, socket_, [&](auto h) { socket_.async_connect(loopback(port_), h); }, timeout_);
  if (ec) {
    error = "connect: " + ec.message();
    close();
    return false;
  }
  socket_.set_option(tcp::no_delay(true), ec);
  connected_ = true;
  return true;
}

HttpResponse HttpClient::request(std::string_view method, const std::string& target, const std::string& body,
                                 const std::string& contentType, const Headers& extra) {
  HttpResponse out;
  if (!connected_ && !connect(out.error)) return out;
  bhttp::request<bhttp::string_body> req;
  const auto verb = bhttp::string_to_verb(method);
  if (verb == bhttp::verb::unknown) req.method_string(method);
  else req.method(verb);
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port_));
  if (!contentType.empty()) req.set(bhttp::field::content_type, contentType);
  const std::string token = token_ ? *token_ : defaultToken(port_);
  if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
  for (const auto& [k, v] : extra) req.set(k, v);
  req.body() = body;
  req.prepare_payload();

  beast::error_code ec = await(ioc_, socket_, [&](auto h) { bhttp::async_write(socket_, req, h); }, timeout_);
  if (ec) {
    out.error = "write: " + ec.message();
    close();
    return out;
  }
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(512u * 1024 * 1024);
  parser.skip(method == "HEAD");
  ec = await(ioc_, socket_, [&](auto h) { bhttp::async_read(socket_, buffer_, parser, h); }, timeout_);
  if (ec) {
    out.error = "read: " + ec.message();
    close();
    return out;
  }
  auto res = parser.release();
  out.status = static_cast<int>(res.result_int());
  out.keepAlive = res.keep_alive();
  for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  out.body = std::move(res.body());
  if (!out.keepAlive) close();
  return out;
}

HttpResponse httpGet(uint16_t port, const std::string& target, std::chrono::milliseconds timeout,
                     std::optional<std::string> token) {
  HttpClient c(port, timeout);
  c.setToken(std::move(token));
  return c.get(target);
}

WsClient::WsClient() : ws_(ioc_) {}

WsClient::~WsClient() { abort(); }

void WsClient::abort() {
  beast::error_code ignored;
  auto& s = ws_.next_layer();
  if (s.is_open()) {
    s.shutdown(tcp::socket::shutdown_both, ignored);
    s.close(ignored);
  }
}

beast::error_code WsClient::connect(uint16_t port, const std::string& target, std::chrono::milliseconds timeout,
                                    int receiveBuffer) {
  auto& sock = ws_.next_layer();
  if (receiveBuffer > 0) {
    beast::error_code ec;
    sock.open(tcp::v4(), ec);
    if (!ec) sock.set_option(asio::socket_base::receive_buffer_size(receiveBuffer), ec);
    if (ec) return ec;
  }
  if (auto ec = await(ioc_, sock, [&](auto h) { sock.async_connect(loopback(port), h); }, timeout)) return ec;
  const std::string token = token_ ? *token_ : defaultToken(port);
  ws_.set_option(bws::stream_base::decorator([token](bws::request_type& req) {
    if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
  }));
  return await(ioc_, sock, [&](auto h) { ws_.async_handshake("127.0.0.1:" + std::to_string(port), target, h); },
               timeout);
}

beast::error_code WsClient::send(const std::string& text, std::chrono::milliseconds timeout) {
  ws_.text(true);
  return await(ioc_, ws_.next_layer(), [&](auto h) { ws_.async_write(asio::buffer(text), h); }, timeout);
}

beast::error_code WsClient::read(std::string& out, std::chrono::milliseconds timeout) {
  beast::flat_buffer buf;
  auto ec = await(ioc_, ws_.next_layer(), [&](auto h) { ws_.async_read(buf, h); }, timeout);
  out = beast::buffers_to_string(buf.data());
  return ec;
}

beast::error_code WsClient::subscribe(const std::vector<std::string>& topics, std::string& ack,
                                      std::chrono::milliseconds timeout) {
  boost::json::array a;
  for (const auto& t : topics) a.emplace_back(t);
  boost::json::object o;
  o["subscribe"] = std::move(a);
  if (auto ec = send(boost::json::serialize(o), timeout)) return ec;
  return read(ack, timeout);
}

uint16_t WsClient::localPort() const {
  beast::error_code ec;
  auto ep = ws_.next_layer().local_endpoint(ec);
  return ec ? 0 : ep.port();
}

}  // namespace cityops::it
