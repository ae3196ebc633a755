#pragma once
// Who may call which route: one table of (method, route pattern) -> allowed roles, deny by default.
//  - a (method, pattern) not in the table: Forbidden for everyone, anonymous included;
//  - a public rule: Allow without credentials (and for users); a device key is allowed only if the rule lists Device;
//  - otherwise: no principal -> Unauthenticated (401), except on tokenInMessage rules (the endpoint authenticates);
//    principal whose role is not listed -> Forbidden (403).
// Roles are listed explicitly per rule; there is no implicit hierarchy.
#include "auth/Principal.hpp"
#include "auth/Role.hpp"
#include "common/Result.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cityops::auth {

enum class Decision { Allow, Unauthenticated, Forbidden };

/// 200 for Allow (meaning: go on), 401, 403.
int httpStatus(Decision d);
std::string_view decisionName(Decision d);

struct AccessRule {
  std::string method;       // "GET", "POST", ...
  std::string pattern;      // exactly as registered with http::Router, e.g. "/api/v1/entities/{id}"
  std::vector<Role> roles;  // who may call it when authenticated
  bool isPublic = false;    // callable without credentials
  /// WebSocket routes: an anonymous upgrade is let through because the client may send its token as the first
  /// message (browsers cannot set headers on a WebSocket); the endpoint then authenticates and checks `roles`.
  bool tokenInMessage = false;
  /// A page or asset of the web dashboard (web::StaticSite), not an API operation: not in the OpenAPI document.
  bool page = false;
};

class AccessPolicy {
 public:
  /// "bad_request" on an empty method/pattern or a duplicate (method, pattern).
  static Result<AccessPolicy> fromRules(std::vector<AccessRule> rules);

  /// The table for the cityops routes (see AccessPolicy.cpp).
  static const AccessPolicy& cityopsDefault();

  /// `pattern` is the matched route pattern (http::Router::Match::route), not the concrete path.
  Decision decide(std::string_view method, std::string_view pattern, const std::optional<Principal>& who) const {
    return decide(method, pattern, who ? &*who : nullptr);
  }
  /// The same; `who` null for anonymous requests.
  Decision decide(std::string_view method, std::string_view pattern, const Principal* who) const;

  /// The rule for (method, pattern), or null.
  const AccessRule* find(std::string_view method, std::string_view pattern) const;
  const std::vector<AccessRule>& rules() const { return rules_; }

 private:
  AccessPolicy() = default;
  std::vector<AccessRule> rules_;
  std::map<std::pair<std::string, std::string>, size_t, std::less<>> index_;
};

}  // namespace cityops::auth
