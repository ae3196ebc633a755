#pragma once
// Request and Response as the rest of cityops sees them: no Beast types leak out of src/http/.
#include "auth/Principal.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cityops::http {

struct Request {
  std::string method;                              // "GET", "POST", ...
  std::string target;                              // raw target, path + query
  std::string path;                                // percent-decoded path, no query
  std::map<std::string, std::string> query;        // percent-decoded query parameters (last one wins)
  std::map<std::string, std::string> params;       // path parameters from the route pattern, e.g. {id}
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote;                              // client IP address ("127.0.0.1", "::1")
  /// Who is calling, once the server's Gate has authenticated the request; null for anonymous requests.
  std::shared_ptr<const auth::Principal> principal;

  /// Case-insensitive header lookup; empty when absent.
  std::string_view header(std::string_view name) const;
  /// Media type of Content-Type without parameters, lower-cased ("application/json").
  std::string contentType() const;
};

/// A response body produced piece by piece for as long as the client stays (an MJPEG stream, say). The server
/// writes the header, then on the connection's strand calls next() at once and then every interval() until it
/// returns nullopt, the client goes away (a write fails or times out) or the server stops; each piece is written
/// as it comes: as one chunk in HTTP/1.1 (Transfer-Encoding: chunked; the connection is kept alive after the end),
/// as raw bytes until the connection closes in HTTP/1.0. next() must not block. The object is released when the
/// stream ends, whichever way.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  /// The next piece to write; "" for nothing this time (asked again after interval()); nullopt at the end.
  virtual std::optional<std::string> next() = 0;
  virtual std::chrono::milliseconds interval() const = 0;
};

struct Response {
  int status = 200;
  std::string contentType = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  /// When set (with status 200 and a GET), the body comes from the stream instead of `body`; HEAD gets the header.
  std::shared_ptr<BodyStream> stream = nullptr;

  static Response json(int status, const boost::json::value& v);
  static Response text(int status, std::string body, std::string contentType = "text/plain; charset=utf-8");
  /// {"error": code, "message": message}
  static Response error(int status, std::string_view code, std::string_view message);
  /// 200 with a streamed body (see BodyStream).
  static Response streaming(std::string contentType, std::shared_ptr<BodyStream> stream);
};

/// Called exactly once, from any thread; the server posts it back to the connection's executor.
using Reply = std::function<void(Response)>;
using Handler = std::function<void(Request&&, Reply)>;

}  // namespace cityops::http
