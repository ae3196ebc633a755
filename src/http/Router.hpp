#pragma once
// Routes "METHOD /pattern/{param}" to handlers. Unknown path -> 404, known path with another method -> 405.
#include "http/Message.hpp"
#include "http/WebSocketHandler.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cityops::http {

class Router {
 public:
  /// pattern: literal segments and {name} segments, e.g. "/api/v1/entities/{id}/observations". The last segment
  /// may be {*name}: it captures the rest of the path, one or more non-empty segments joined with '/' (e.g.
  /// "/assets/{*path}" matches "/assets/app.js" and "/assets/img/x.png", not "/assets" or "/assets/"). Routes
  /// with fewer wildcards win over routes with more.
  void add(std::string method, std::string pattern, Handler handler);
  /// A WebSocket endpoint (GET with Upgrade).
  void addWebSocket(std::string pattern, std::shared_ptr<WebSocketHandler> handler);

  struct Match {
    const Handler* handler = nullptr;                     // null when not found / wrong method
    std::shared_ptr<WebSocketHandler> websocket;          // set for WebSocket routes
    std::string route;                                    // the pattern, used as the metrics label
    int status = 200;                                     // 404 or 405 when handler == nullptr
    std::vector<std::string> allowed;                     // for 405: the methods that exist
  };
  /// Fills req.params on success.
  Match match(Request& req, bool upgrade = false) const;

  /// Every (method, pattern) registered, in order; used to check OpenAPI coverage.
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    std::shared_ptr<WebSocketHandler> websocket;
  };
  std::vector<Route> routes_;
};

}  // namespace cityops::http
