#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <stdexcept>

namespace load {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {
std::string g_bearer;         // the token
std::string g_bearer_header;  // "Authorization: Bearer <token>\r\n", or ""
}  // namespace

void set_bearer_token(std::string token) {
  g_bearer = std::move(token);
  g_bearer_header = g_bearer.empty() ? std::string() : "Authorization: Bearer " + g_bearer + "\r\n";
}

const std::string& bearer_token() { return g_bearer; }

Url parse_url(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (url.substr(0, scheme.size()) != scheme)
    throw std::invalid_argument("only http:// URLs are supported: " + std::string(url));
  url.remove_prefix(scheme.size());
  if (auto slash = url.find('/'); slash != std::string_view::npos) url = url.substr(0, slash);
  auto colon = url.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == url.size())
    throw std::invalid_argument("URL needs an explicit port: http://HOST:PORT");
  Url u;
  u.host = std::string(url.substr(0, colon));
  u.port = std::string(url.substr(colon + 1));
  return u;
}

std::string build_request(std::string_view method, std::string_view target, const Url& url,
                          std::string_view content_type, std::string_view body) {
  std::string r;
  r.reserve(body.size() + 160 + g_bearer_header.size());
  r.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ");
  r.append(url.hostport()).append("\r\n");
  r.append(g_bearer_header);
  if (!content_type.empty()) r.append("Content-Type: ").append(content_type).append("\r\n");
  if (method != "GET" || !body.empty())
    r.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  r.append("\r\n");
  r.append(body);
  return r;
}

Connection::Connection(Url url) : url_(std::move(url)), sock_(ioc_) {
  host_header_ = url_.hostport();
}

Connection::~Connection() { close(); }

void Connection::close() {
  if (open_) {
    boost::system::error_code ec;
    sock_.shutdown(tcp::socket::shutdown_both, ec);
    sock_.close(ec);
  }
  open_ = false;
  buf_.clear();
}

void Connection::ensure_open() {
  if (open_) return;
  tcp::resolver resolver(ioc_);
  auto eps = resolver.resolve(url_.host, url_.port);
  asio::connect(sock_, eps);
  sock_.set_option(tcp::no_delay(true));
  open_ = true;
  if (opens_++ > 0) ++reconnects_;
}

Response Connection::roundtrip(std::string_view raw, int retries) {
  Response out;
  for (int attempt = 0;; ++attempt) {
    try {
      ensure_open();
      asio::write(sock_, asio::buffer(raw.data(), raw.size()));
      http::response_parser<http::string_body> p;
      p.body_limit(std::uint64_t{1} << 32);
      p.header_limit(64 * 1024);
      http::read(sock_, buf_, p);
      auto& msg = p.get();
      out.status = msg.result_int();
      out.body = std::move(msg.body());
      out.error.clear();
      if (!msg.keep_alive()) close();
      return out;
    } catch (const std::exception& e) {
      close();
      out.status = 0;
      out.error = e.what();
      if (attempt >= retries) return out;
    }
  }
}

Response Connection::get(std::string_view target) {
  std::string req;
  req.reserve(target.size() + 64 + g_bearer_header.size());
  req.append("GET ").append(target).append(" HTTP/1.1\r\nHost: ").append(host_header_).append("\r\n");
  req.append(g_bearer_header).append("\r\n");
  return roundtrip(req);
}

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string o;
  o.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      o.push_back(static_cast<char>(c));
    } else {
      o.push_back('%');
      o.push_back(hex[c >> 4]);
      o.push_back(hex[c & 15]);
    }
  }
  return o;
}

}  // namespace load
