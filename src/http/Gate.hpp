#pragma once
// What stands between routing and the handlers: authentication, authorization, rate limits, CORS and the headers
// every response carries. The server calls it on its I/O threads; implementations are thread-safe and quick (no
// password hashing here: that belongs to a handler).
#include "http/Message.hpp"

#include <optional>
#include <string_view>

namespace cityops::http {

class Gate {
 public:
  virtual ~Gate() = default;
  /// An OPTIONS request carrying Origin and Access-Control-Request-Method (a CORS preflight), before routing.
  /// nullopt: route it as usual.
  virtual std::optional<Response> preflight(const Request& req) = 0;
  /// After routing (`route` is the matched pattern), before the handler runs or the WebSocket upgrade is
  /// answered. May set req.principal. A Response refuses the request with it.
  virtual std::optional<Response> admit(Request& req, std::string_view route) = 0;
  /// Every response, just before it is written. `origin` is the request's Origin header ("" when none or when the
  /// request could not be read).
  virtual void decorate(std::string_view origin, Response& res) = 0;
};

}  // namespace cityops::http
