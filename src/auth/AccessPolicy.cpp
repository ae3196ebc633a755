#include "auth/AccessPolicy.hpp"

#include <algorithm>
#include <cstdlib>

namespace cityops::auth {

int httpStatus(Decision d) {
  switch (d) {
    case Decision::Allow: return 200;
    case Decision::Unauthenticated: return 401;
    case Decision::Forbidden: return 403;
  }
  return 403;
}

std::string_view decisionName(Decision d) {
  switch (d) {
    case Decision::Allow: return "allow";
    case Decision::Unauthenticated: return "unauthenticated";
    case Decision::Forbidden: return "forbidden";
  }
  return "forbidden";
}

Result<AccessPolicy> AccessPolicy::fromRules(std::vector<AccessRule> rules) {
  AccessPolicy p;
  for (size_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    if (r.method.empty() || r.pattern.empty() || r.pattern.front() != '/')
      return BadRequest("access rule " + std::to_string(i) + " needs a method and a pattern starting with '/'");
    if (!p.index_.emplace(std::make_pair(r.method, r.pattern), i).second)
      return BadRequest("duplicate access rule for " + r.method + " " + r.pattern);
  }
  p.rules_ = std::move(rules);
  return p;
}

const AccessRule* AccessPolicy::find(std::string_view method, std::string_view pattern) const {
  // std::less<> on pairs is not transparent across pair<string_view,...>, so build the key.
  auto it = index_.find(std::make_pair(std::string(method), std::string(pattern)));
  return it == index_.end() ? nullptr : &rules_[it->second];
}

Decision AccessPolicy::decide(std::string_view method, std::string_view pattern, const Principal* who) const {
  const AccessRule* rule = find(method, pattern);
  if (!rule) return Decision::Forbidden;  // deny by default, whoever asks
  const auto listed = [&](Role r) { return std::find(rule->roles.begin(), rule->roles.end(), r) != rule->roles.end(); };
  if (who && who->kind == Principal::Kind::Device) {
    // A device key is only ever allowed where Device is listed, public rules included.
    return who->role == Role::Device && listed(Role::Device) ? Decision::Allow : Decision::Forbidden;
  }
  if (rule->isPublic) return Decision::Allow;
  if (!who) return rule->tokenInMessage ? Decision::Allow : Decision::Unauthenticated;
  if (who->role == Role::Device) return Decision::Forbidden;  // a "user" can never carry the Device role
  return listed(who->role) ? Decision::Allow : Decision::Forbidden;
}

const AccessPolicy& AccessPolicy::cityopsDefault() {
  static const AccessPolicy policy = [] {
    using R = Role;
    const std::vector<Role> viewerUp = {R::Admin, R::Operator, R::Viewer};
    const std::vector<Role> operatorUp = {R::Admin, R::Operator};
    const std::vector<Role> admin = {R::Admin};
    // The web dashboard's pages and assets (web::StaticSite): public, since the login happens in the page.
    const auto page = [](std::string pattern) { return AccessRule{"GET", std::move(pattern), {}, true, false, true}; };
    std::vector<AccessRule> rules = {
        page("/"),
        page("/public"),
        page("/assets/{*path}"),
        {"GET", "/api/v1/ui/config", {}, true},  // map centre, basemap, languages: the login and public pages need it
        // public
        {"GET", "/healthz", {}, true},
        {"GET", "/readyz", {}, true},
        {"POST", "/api/v1/auth/login", {}, true},
        {"GET", "/api/v1/public/air", {}, true},
        {"GET", "/api/v1/alerts/{id}/cap", {}, true},  // warnings to the population (CAP 1.2)
        {"GET", "/api/v1/cap/feed.atom", {}, true},
        {"GET", "/api/v1/public/warnings", {}, true},
        // any logged-in user
        {"POST", "/api/v1/auth/logout", viewerUp, false},
        {"GET", "/api/v1/auth/me", {R::Admin, R::Operator, R::Viewer, R::Device}, false},
        // operations
        {"GET", "/metrics", admin, false},
        {"GET", "/api/v1/openapi.json", viewerUp, false},
        // entities
        {"GET", "/api/v1/entities", viewerUp, false},
        {"GET", "/api/v1/entities/{id}", viewerUp, false},
        {"POST", "/api/v1/entities", operatorUp, false},
        {"PATCH", "/api/v1/entities/{id}", operatorUp, false},
        {"DELETE", "/api/v1/entities/{id}", operatorUp, false},
        // observations
        {"POST", "/api/v1/observations", {R::Admin, R::Operator, R::Device}, false},
        {"GET", "/api/v1/entities/{id}/observations", viewerUp, false},
        {"GET", "/api/v1/latest", viewerUp, false},
        {"GET", "/api/v1/stream", viewerUp, false, true},  // WebSocket upgrade; token in the query or 1st message
        // rules and alerts
        {"GET", "/api/v1/rules", viewerUp, false},
        {"POST", "/api/v1/rules", operatorUp, false},
        {"GET", "/api/v1/rules/{id}", viewerUp, false},
        {"PUT", "/api/v1/rules/{id}", operatorUp, false},
        {"DELETE", "/api/v1/rules/{id}", operatorUp, false},
        {"GET", "/api/v1/alerts", viewerUp, false},
        {"GET", "/api/v1/alerts/{id}", viewerUp, false},
        {"POST", "/api/v1/alerts/{id}/ack", operatorUp, false},
        {"POST", "/api/v1/alerts/{id}/resolve", operatorUp, false},
        {"POST", "/api/v1/alerts/{id}/comment", operatorUp, false},
        // flood
        {"GET", "/api/v1/flood/stations", viewerUp, false},
        {"GET", "/api/v1/flood/zones", viewerUp, false},
        {"GET", "/api/v1/flood/stations/{id}", viewerUp, false},
        {"GET", "/api/v1/flood/stations/{id}/forecast", viewerUp, false},
        // live traffic cameras
        {"GET", "/api/v1/cameras", viewerUp, false},
        {"GET", "/api/v1/cameras/{id}", viewerUp, false},
        {"GET", "/api/v1/cameras/{id}/snapshot.jpg", viewerUp, false},
        {"GET", "/api/v1/cameras/{id}/stream.mjpeg", viewerUp, false},
        {"GET", "/api/v1/cameras/{id}/incidents/{file}", viewerUp, false},
        // environment
        {"POST", "/api/v1/environment/aqi/compute", viewerUp, false},
        {"GET", "/api/v1/environment/aqi", viewerUp, false},
        // webhook subscriptions (they hold a secret and point the server at a URL)
        {"GET", "/api/v1/subscriptions", admin, false},
        {"POST", "/api/v1/subscriptions", admin, false},
        {"GET", "/api/v1/subscriptions/{id}", admin, false},
        {"DELETE", "/api/v1/subscriptions/{id}", admin, false},
        // users
        {"GET", "/api/v1/users", admin, false},
        {"POST", "/api/v1/users", admin, false},
        {"GET", "/api/v1/users/{id}", admin, false},
        {"PATCH", "/api/v1/users/{id}", admin, false},
        {"DELETE", "/api/v1/users/{id}", admin, false},
        {"DELETE", "/api/v1/users/{id}/sessions", admin, false},
        // device keys
        {"GET", "/api/v1/devices/keys", admin, false},
        {"POST", "/api/v1/devices/keys", admin, false},
        {"DELETE", "/api/v1/devices/keys/{id}", admin, false},
        // audit
        {"GET", "/api/v1/audit", admin, false},
    };
    auto p = fromRules(std::move(rules));
    if (!p) std::abort();  // a programming error in the table above; covered by the unit tests
    return std::move(p).value();
  }();
  return policy;
}

}  // namespace cityops::auth
