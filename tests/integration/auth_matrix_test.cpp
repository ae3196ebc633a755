// The authorization matrix: every rule of the route table (auth::AccessPolicy::cityopsDefault) x every kind of
// caller (anonymous, device key, viewer, operator, admin), the expected allow/deny computed from the table and
// checked against the running server. Allowed calls use ids that do not exist or bodies that do not decode, so they
// answer 400/404 without changing anything; what matters is that they are neither 401 nor 403.
#include "Support.hpp"

#include <set>
#include "auth/AccessPolicy.hpp"

#include <map>

namespace cityops::it {
namespace {

namespace json = boost::json;
using auth::Decision;
using auth::Role;

struct Caller {
  std::string name;
  std::string token;                           // "" anonymous
  std::optional<auth::Principal> principal;    // what the table is asked about
};

std::string concrete(const std::string& pattern) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '{') {
      const size_t close = pattern.find('}', i);
      const std::string name = pattern.substr(i + 1, close - i - 1);
      // Numeric ids for users and keys, an entity id otherwise; none of them exist.
      out += pattern.find("/users/") != std::string::npos || pattern.find("/keys/") != std::string::npos
                 ? "987654"
                 : "matrix.absent";
      i = close + 1;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

std::string login(uint16_t port, const std::string& user, const std::string& password) {
  HttpClient c(port);
  c.setToken("");
  auto r = c.postJson("/api/v1/auth/login",
                      json::serialize(json::object{{"username", user}, {"password", password}}));
  EXPECT_EQ(r.status, 200) << r.describe();
  if (r.status != 200) return {};
  return std::string(r.json().at("token").as_string());
}

class AuthMatrix : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(startServer(server_, dir_.path(), 2));
    HttpClient admin(server_.port());
    ASSERT_NO_FATAL_FAILURE(createEntities(admin, {{"matrix.gauge", "WaterLevelStation"}}));
    for (const auto& [name, role] : std::vector<std::pair<std::string, std::string>>{{"mx-operator", "operator"},
                                                                                     {"mx-viewer", "viewer"}}) {
      auto r = admin.postJson("/api/v1/users", json::serialize(json::object{
                                                   {"username", name}, {"role", role}, {"password", password(name)}}));
      ASSERT_EQ(r.status, 201) << r.describe();
    }
    auto key = admin.postJson("/api/v1/devices/keys", R"({"name":"matrix-gauge","scope":["matrix.gauge"]})");
    ASSERT_EQ(key.status, 201) << key.describe();
    deviceKey_ = std::string(key.json().at("key").as_string());
  }
  void TearDown() override {
    const int st = server_.terminate();
    EXPECT_TRUE(ServerProcess::exitedCleanly(st)) << ServerProcess::describeStatus(st) << "\n" << server_.tail();
  }
  static std::string password(const std::string& user) { return user + "-password-123"; }

  /// Fresh credentials for every kind of caller (a logout test consumes its session).
  std::vector<Caller> callers() {
    auto user = [](Role r, const std::string& name) {
      auth::Principal p;
      p.kind = auth::Principal::Kind::User;
      p.role = r;
      p.name = name;
      return p;
    };
    auth::Principal device;
    device.kind = auth::Principal::Kind::Device;
    device.role = Role::Device;
    return {
        {"anonymous", "", std::nullopt},
        {"device", deviceKey_, device},
        {"viewer", login(server_.port(), "mx-viewer", password("mx-viewer")), user(Role::Viewer, "mx-viewer")},
        {"operator", login(server_.port(), "mx-operator", password("mx-operator")), user(Role::Operator, "mx-operator")},
        {"admin", server_.adminToken(), user(Role::Admin, "admin")},
    };
  }

  TempDir dir_;
  ServerProcess server_;
  std::string deviceKey_;
};

TEST_F(AuthMatrix, EveryRouteTimesEveryCaller) {
  const auto& policy = auth::AccessPolicy::cityopsDefault();
  auto all = callers();
  ASSERT_FALSE(HasFailure());
  size_t checked = 0, allowed = 0, unauthenticated = 0, forbidden = 0;
  std::vector<const auth::AccessRule*> logoutRules;
  for (const auto& rule : policy.rules()) {
    if (rule.pattern == "/api/v1/auth/logout") {
      logoutRules.push_back(&rule);  // last: it ends the sessions the other checks use
      continue;
    }
    for (const auto& caller : all) {
      const Decision expected = policy.decide(rule.method, rule.pattern, caller.principal);
      SCOPED_TRACE(rule.method + " " + rule.pattern + " as " + caller.name + ", expected " +
                   std::string(auth::decisionName(expected)));
      if (rule.pattern == "/api/v1/stream") {
        if (expected == Decision::Allow) {
          WsClient ws;
          ws.setToken(caller.token);
          const auto ec = ws.connect(server_.port(), "/api/v1/stream", 20s);
          EXPECT_FALSE(ec) << "the upgrade was refused: " << ec.message();
        } else {
          // The refusal of the upgrade request itself, read over plain HTTP with the same credential.
          HttpClient c(server_.port());
          c.setToken(caller.token);
          Headers h = {{"Connection", "Upgrade"}, {"Upgrade", "websocket"}, {"Sec-WebSocket-Version", "13"},
                       {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
          auto r = c.request("GET", "/api/v1/stream", {}, {}, h);
          EXPECT_EQ(r.status, auth::httpStatus(expected)) << r.describe();
        }
      } else {
        HttpClient c(server_.port());
        c.setToken(caller.token);
        const bool hasBody = rule.method == "POST" || rule.method == "PATCH" || rule.method == "PUT";
        auto r = c.request(rule.method, concrete(rule.pattern), hasBody ? "{}" : "",
                           hasBody ? "application/json" : "");
        const int status = r.status;
        if (expected == Decision::Allow) {
          EXPECT_NE(status, 401) << r.describe();
          EXPECT_NE(status, 403) << r.describe();
          EXPECT_NE(status, 429) << r.describe();
          EXPECT_GT(status, 0) << r.describe();
        } else {
          EXPECT_EQ(status, auth::httpStatus(expected)) << r.describe();
          EXPECT_TRUE(isError(r, auth::httpStatus(expected),
                              expected == Decision::Unauthenticated ? "unauthenticated" : "forbidden"));
        }
      }
      ++checked;
      if (expected == Decision::Allow) ++allowed;
      else if (expected == Decision::Unauthenticated) ++unauthenticated;
      else ++forbidden;
    }
  }
  for (const auto* rule : logoutRules) {
    for (const auto& caller : callers()) {
      const Decision expected = policy.decide(rule->method, rule->pattern, caller.principal);
      SCOPED_TRACE(rule->method + " " + rule->pattern + " as " + caller.name);
      HttpClient c(server_.port());
      c.setToken(caller.token);
      auto r = c.request(rule->method, rule->pattern);
      if (expected == Decision::Allow) {
        EXPECT_EQ(r.status, 204) << r.describe();
        // The session is over.
        EXPECT_EQ(c.request("GET", "/api/v1/auth/me").status, 401);
      } else {
        EXPECT_EQ(r.status, auth::httpStatus(expected)) << r.describe();
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, policy.rules().size() * 5);
  // The table itself: anonymous callers reach only the public routes (and the stream, which asks for the token
  // in its first message); every /api/v1 route needs a credential but these, each public on purpose: login, what
  // residents see (air quality, flood warnings as CAP and their feed) and the dashboard's map settings.
  const std::set<std::string> publicApi = {"POST /api/v1/auth/login", "GET /api/v1/public/air",
                                           "GET /api/v1/alerts/{id}/cap", "GET /api/v1/cap/feed.atom", "GET /api/v1/public/warnings",
                                           "GET /api/v1/ui/config"};
  for (const auto& rule : policy.rules()) {
    if (rule.pattern.starts_with("/api/v1/")) {
      EXPECT_EQ(rule.isPublic, publicApi.count(rule.method + " " + rule.pattern) == 1) << rule.method << " " << rule.pattern;
    }
  }
  EXPECT_GT(allowed, 0u);
  EXPECT_GT(unauthenticated, 0u);
  EXPECT_GT(forbidden, 0u);
}

}  // namespace
}  // namespace cityops::it
