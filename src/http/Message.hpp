#pragma once
// Request and Response as the rest of cityops sees them: no Beast types leak out of src/http/.
#include "auth/Principal.hpp"

#include <boost/json/value.hpp>

#include <functional>
#include <map>
#include <memory>
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

struct Response {
  int status = 200;
  std::string contentType = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response json(int status, const boost::json::value& v);
  static Response text(int status, std::string body, std::string contentType = "text/plain; charset=utf-8");
  /// {"error": code, "message": message}
  static Response error(int status, std::string_view code, std::string_view message);
};

/// Called exactly once, from any thread; the server posts it back to the connection's executor.
using Reply = std::function<void(Response)>;
using Handler = std::function<void(Request&&, Reply)>;

}  // namespace cityops::http
