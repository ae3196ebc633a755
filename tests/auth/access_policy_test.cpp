#include "auth/AccessPolicy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace cityops::auth {
namespace {

Principal user(Role r) {
  Principal p;
  p.kind = Principal::Kind::User;
  p.id = 1;
  p.name = std::string(roleName(r));
  p.role = r;
  return p;
}
Principal device() {
  Principal p;
  p.kind = Principal::Kind::Device;
  p.id = 7;
  p.name = "gauge";
  p.role = Role::Device;
  p.scope = {"gauge-1"};
  return p;
}

const std::optional<Principal> kAnon;
const AccessPolicy& policy() { return AccessPolicy::cityopsDefault(); }
Decision as(Role r, const char* m, const char* path) { return policy().decide(m, path, user(r)); }

TEST(AccessPolicy, UnknownRouteIsDeniedForEveryone) {
  for (const auto& [m, p] : std::vector<std::pair<const char*, const char*>>{
           {"GET", "/api/v1/secret"}, {"PUT", "/api/v1/entities/{id}"}, {"get", "/healthz"},
           {"DELETE", "/api/v1/audit"}, {"GET", "/api/v1/entities/"}, {"GET", "/api/v1/entities/abc"}}) {
    EXPECT_EQ(policy().decide(m, p, kAnon), Decision::Forbidden) << m << " " << p;
    EXPECT_EQ(policy().decide(m, p, device()), Decision::Forbidden) << m << " " << p;
    for (Role r : {Role::Admin, Role::Operator, Role::Viewer})
      EXPECT_EQ(policy().decide(m, p, user(r)), Decision::Forbidden) << m << " " << p << " " << roleName(r);
  }
  auto empty = AccessPolicy::fromRules({});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->decide("GET", "/healthz", user(Role::Admin)), Decision::Forbidden);
}

TEST(AccessPolicy, UnauthenticatedVersusForbidden) {
  EXPECT_EQ(policy().decide("GET", "/api/v1/users", kAnon), Decision::Unauthenticated);
  EXPECT_EQ(httpStatus(policy().decide("GET", "/api/v1/users", kAnon)), 401);
  EXPECT_EQ(as(Role::Viewer, "GET", "/api/v1/users"), Decision::Forbidden);
  EXPECT_EQ(httpStatus(as(Role::Viewer, "GET", "/api/v1/users")), 403);
  EXPECT_EQ(as(Role::Admin, "GET", "/api/v1/users"), Decision::Allow);
  EXPECT_EQ(httpStatus(Decision::Allow), 200);
}

TEST(AccessPolicy, HandWrittenCases) {
  // public
  EXPECT_EQ(policy().decide("GET", "/healthz", kAnon), Decision::Allow);
  EXPECT_EQ(policy().decide("GET", "/readyz", kAnon), Decision::Allow);
  EXPECT_EQ(policy().decide("POST", "/api/v1/auth/login", kAnon), Decision::Allow);
  EXPECT_EQ(as(Role::Viewer, "GET", "/healthz"), Decision::Allow);
  // logout: any logged-in user
  EXPECT_EQ(policy().decide("POST", "/api/v1/auth/logout", kAnon), Decision::Unauthenticated);
  EXPECT_EQ(as(Role::Viewer, "POST", "/api/v1/auth/logout"), Decision::Allow);
  // metrics: admin only
  EXPECT_EQ(as(Role::Admin, "GET", "/metrics"), Decision::Allow);
  EXPECT_EQ(as(Role::Operator, "GET", "/metrics"), Decision::Forbidden);
  EXPECT_EQ(policy().decide("GET", "/metrics", kAnon), Decision::Unauthenticated);
  // entities
  EXPECT_EQ(as(Role::Viewer, "GET", "/api/v1/entities"), Decision::Allow);
  EXPECT_EQ(as(Role::Viewer, "GET", "/api/v1/entities/{id}"), Decision::Allow);
  EXPECT_EQ(as(Role::Viewer, "POST", "/api/v1/entities"), Decision::Forbidden);
  EXPECT_EQ(as(Role::Viewer, "PATCH", "/api/v1/entities/{id}"), Decision::Forbidden);
  EXPECT_EQ(as(Role::Operator, "DELETE", "/api/v1/entities/{id}"), Decision::Allow);
  EXPECT_EQ(as(Role::Admin, "PATCH", "/api/v1/entities/{id}"), Decision::Allow);
  // observations
  EXPECT_EQ(as(Role::Operator, "POST", "/api/v1/observations"), Decision::Allow);
  EXPECT_EQ(as(Role::Admin, "POST", "/api/v1/observations"), Decision::Allow);
  EXPECT_EQ(as(Role::Viewer, "POST", "/api/v1/observations"), Decision::Forbidden);
  EXPECT_EQ(policy().decide("POST", "/api/v1/observations", device()), Decision::Allow);
  EXPECT_EQ(as(Role::Viewer, "GET", "/api/v1/entities/{id}/observations"), Decision::Allow);
  EXPECT_EQ(as(Role::Viewer, "GET", "/api/v1/latest"), Decision::Allow);
  EXPECT_EQ(as(Role::Viewer, "GET", "/api/v1/stream"), Decision::Allow);
  // admin-only areas
  EXPECT_EQ(as(Role::Operator, "POST", "/api/v1/users"), Decision::Forbidden);
  EXPECT_EQ(as(Role::Operator, "POST", "/api/v1/devices/keys"), Decision::Forbidden);
  EXPECT_EQ(as(Role::Admin, "DELETE", "/api/v1/devices/keys/{id}"), Decision::Allow);
  EXPECT_EQ(as(Role::Operator, "GET", "/api/v1/audit"), Decision::Forbidden);
  EXPECT_EQ(as(Role::Admin, "GET", "/api/v1/audit"), Decision::Allow);
  // devices
  EXPECT_EQ(policy().decide("GET", "/api/v1/entities", device()), Decision::Forbidden);
  EXPECT_EQ(policy().decide("GET", "/healthz", device()), Decision::Forbidden);
  EXPECT_EQ(policy().decide("POST", "/api/v1/auth/logout", device()), Decision::Forbidden);
}

TEST(AccessPolicy, DevicesOnlyOnObservationsPostAndWhoAmI) {
  int allowed = 0;
  for (const auto& r : policy().rules()) {
    const Decision d = policy().decide(r.method, r.pattern, device());
    if ((r.method == "POST" && r.pattern == "/api/v1/observations") ||
        (r.method == "GET" && r.pattern == "/api/v1/auth/me")) {
      EXPECT_EQ(d, Decision::Allow);
      ++allowed;
    } else {
      EXPECT_EQ(d, Decision::Forbidden) << r.method << " " << r.pattern;
    }
  }
  EXPECT_EQ(allowed, 2);
}

TEST(AccessPolicy, EveryRoleOnEveryDefaultRuleMatchesItsRoleList) {
  ASSERT_FALSE(policy().rules().empty());
  for (const auto& r : policy().rules()) {
    const auto listed = [&](Role x) { return std::find(r.roles.begin(), r.roles.end(), x) != r.roles.end(); };
    EXPECT_EQ(policy().decide(r.method, r.pattern, kAnon),
              r.isPublic || r.tokenInMessage ? Decision::Allow : Decision::Unauthenticated)
        << r.method << " " << r.pattern;
    for (Role role : {Role::Admin, Role::Operator, Role::Viewer}) {
      const Decision want = (r.isPublic || listed(role)) ? Decision::Allow : Decision::Forbidden;
      EXPECT_EQ(policy().decide(r.method, r.pattern, user(role)), want)
          << r.method << " " << r.pattern << " as " << roleName(role);
    }
    EXPECT_EQ(policy().decide(r.method, r.pattern, device()), listed(Role::Device) ? Decision::Allow : Decision::Forbidden)
        << r.method << " " << r.pattern << " as device";
  }
}

TEST(AccessPolicy, CoversEveryRouteTheServerRegisters) {
  // As registered by src/api/Api.cpp, src/api/AuthApi.cpp and src/app/main.cpp (WebSocket); the OpenAPI test
  // checks the table against the real router too.
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"GET", "/healthz"},
      {"GET", "/readyz"},
      {"GET", "/metrics"},
      {"GET", "/api/v1/openapi.json"},
      {"POST", "/api/v1/entities"},
      {"GET", "/api/v1/entities"},
      {"GET", "/api/v1/entities/{id}"},
      {"PATCH", "/api/v1/entities/{id}"},
      {"DELETE", "/api/v1/entities/{id}"},
      {"POST", "/api/v1/observations"},
      {"GET", "/api/v1/entities/{id}/observations"},
      {"GET", "/api/v1/latest"},
      {"GET", "/api/v1/stream"},
      {"POST", "/api/v1/auth/login"},
      {"POST", "/api/v1/auth/logout"},
      {"GET", "/api/v1/auth/me"},
      {"GET", "/api/v1/users"},
      {"POST", "/api/v1/users"},
      {"GET", "/api/v1/users/{id}"},
      {"PATCH", "/api/v1/users/{id}"},
      {"DELETE", "/api/v1/users/{id}"},
      {"DELETE", "/api/v1/users/{id}/sessions"},
      {"GET", "/api/v1/rules"},
      {"POST", "/api/v1/rules"},
      {"GET", "/api/v1/rules/{id}"},
      {"PUT", "/api/v1/rules/{id}"},
      {"DELETE", "/api/v1/rules/{id}"},
      {"GET", "/api/v1/alerts"},
      {"GET", "/api/v1/alerts/{id}"},
      {"POST", "/api/v1/alerts/{id}/ack"},
      {"POST", "/api/v1/alerts/{id}/resolve"},
      {"POST", "/api/v1/alerts/{id}/comment"},
      {"GET", "/api/v1/subscriptions"},
      {"POST", "/api/v1/subscriptions"},
      {"GET", "/api/v1/subscriptions/{id}"},
      {"DELETE", "/api/v1/subscriptions/{id}"},
      {"GET", "/api/v1/devices/keys"},
      {"POST", "/api/v1/devices/keys"},
      {"DELETE", "/api/v1/devices/keys/{id}"},
      {"GET", "/api/v1/audit"},
      // flood and environment (src/api/FloodApi.cpp, src/api/EnvironmentApi.cpp)
      {"GET", "/api/v1/flood/stations"},
      {"GET", "/api/v1/flood/stations/{id}"},
      {"GET", "/api/v1/flood/stations/{id}/forecast"},
      {"GET", "/api/v1/flood/zones"},
      {"GET", "/api/v1/public/warnings"},
      {"GET", "/api/v1/alerts/{id}/cap"},
      {"GET", "/api/v1/cap/feed.atom"},
      {"POST", "/api/v1/environment/aqi/compute"},
      {"GET", "/api/v1/environment/aqi"},
      {"GET", "/api/v1/public/air"},
      // live traffic cameras (src/api/CamerasApi.cpp)
      {"GET", "/api/v1/cameras"},
      {"GET", "/api/v1/cameras/{id}"},
      {"GET", "/api/v1/cameras/{id}/snapshot.jpg"},
      {"GET", "/api/v1/cameras/{id}/stream.mjpeg"},
      {"GET", "/api/v1/cameras/{id}/incidents/{file}"},
      // the web dashboard (src/web/StaticSite.cpp, src/api/UiApi.cpp)
      {"GET", "/"},
      {"GET", "/public"},
      {"GET", "/assets/{*path}"},
      {"GET", "/api/v1/ui/config"},
  };
  for (const auto& [m, p] : routes) EXPECT_NE(policy().find(m, p), nullptr) << m << " " << p;
  EXPECT_EQ(policy().rules().size(), routes.size());
  // The public rules: health, login, the warnings and air quality for residents, and the dashboard's pages.
  std::set<std::string> pub, pages;
  for (const auto& r : policy().rules()) {
    if (r.isPublic) pub.insert(r.method + " " + r.pattern);
    if (r.page) pages.insert(r.method + " " + r.pattern);
  }
  EXPECT_EQ(pub, (std::set<std::string>{"GET /healthz", "GET /readyz", "POST /api/v1/auth/login",
                                        "GET /api/v1/alerts/{id}/cap", "GET /api/v1/cap/feed.atom",
                                        "GET /api/v1/public/air", "GET /api/v1/public/warnings", "GET /", "GET /public",
                                        "GET /assets/{*path}",
                                        "GET /api/v1/ui/config"}));
  EXPECT_EQ(pages, (std::set<std::string>{"GET /", "GET /public", "GET /assets/{*path}"}));
}

TEST(AccessPolicy, FromRulesRejectsDuplicatesAndEmptyParts) {
  auto dup = AccessPolicy::fromRules({{"GET", "/a", {Role::Admin}, false}, {"GET", "/a", {Role::Viewer}, false}});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, "bad_request");
  EXPECT_FALSE(AccessPolicy::fromRules({{"", "/a", {Role::Admin}, false}}).ok());
  EXPECT_FALSE(AccessPolicy::fromRules({{"GET", "", {Role::Admin}, false}}).ok());
  EXPECT_FALSE(AccessPolicy::fromRules({{"GET", "a", {Role::Admin}, false}}).ok());
  auto ok = AccessPolicy::fromRules({{"GET", "/a", {Role::Admin}, false}, {"POST", "/a", {Role::Device}, false}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->decide("POST", "/a", device()), Decision::Allow);
  EXPECT_EQ(ok->decide("POST", "/a", user(Role::Admin)), Decision::Forbidden);
}

TEST(AccessPolicy, AUserPrincipalCarryingDeviceRoleIsRefused) {
  Principal odd = user(Role::Viewer);
  odd.role = Role::Device;  // cannot come out of AccountStore; the policy still refuses it
  EXPECT_EQ(policy().decide("GET", "/api/v1/entities", odd), Decision::Forbidden);
}

}  // namespace
}  // namespace cityops::auth
