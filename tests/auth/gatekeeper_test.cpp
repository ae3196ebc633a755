// The Gate between routing and handlers: credentials, the route table, rate limits, CORS and response headers,
// on a real AccountStore (SQLite file) with an injected clock.
#include "AuthFixture.hpp"
#include "auth/FirstRun.hpp"
#include "auth/Gatekeeper.hpp"
#include "auth/PasswordHasher.hpp"
#include "auth/Tokens.hpp"

#include <boost/json.hpp>

using namespace cityops;
using namespace cityops::auth;
using cityops::auth::testing::AuthFixture;
using cityops::auth::testing::kNow;

namespace {

std::string headerOf(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

std::string errorCode(const http::Response& r) {
  return std::string(boost::json::parse(r.body).at("error").as_string());
}

class GatekeeperTest : public AuthFixture {
 protected:
  void SetUp() override {
    AuthFixture::SetUp();
    ASSERT_TRUE(accounts_->createUser("ada", Role::Admin, "admin-password-1").ok());
    ASSERT_TRUE(accounts_->createUser("otto", Role::Operator, "operator-password-1").ok());
    ASSERT_TRUE(accounts_->createUser("vera", Role::Viewer, "viewer-password-1").ok());
    makeGate({});
  }
  void makeGate(Gatekeeper::Options o) {
    gate_ = std::make_unique<Gatekeeper>(*accounts_, AccessPolicy::cityopsDefault(), clock_, registry_, std::move(o));
  }
  std::string login(const std::string& user, const std::string& password) {
    auto r = accounts_->login(user, password, clock_.nowMs(), 3600 * 1000);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->token : std::string();
  }
  static http::Request request(std::string method, std::string token = {}, std::string remote = "10.0.0.7") {
    http::Request req;
    req.method = std::move(method);
    req.remote = std::move(remote);
    if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
    return req;
  }
  /// Status of admit(): 0 when admitted.
  int admit(const std::string& method, const std::string& route, const std::string& token = {},
            const std::string& remote = "10.0.0.7") {
    auto req = request(method, token, remote);
    auto r = gate_->admit(req, route);
    return r ? r->status : 0;
  }

  metrics::Registry registry_;
  std::unique_ptr<Gatekeeper> gate_;
};

TEST_F(GatekeeperTest, AnonymousGets401OnProtectedAndPassesOnPublicRoutes) {
  auto req = request("GET");
  auto r = gate_->admit(req, "/api/v1/entities");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(errorCode(*r), "unauthenticated");
  EXPECT_EQ(headerOf(*r, "WWW-Authenticate"), "Bearer");
  EXPECT_EQ(admit("GET", "/healthz"), 0);
  EXPECT_EQ(admit("GET", "/readyz"), 0);
  EXPECT_EQ(admit("POST", "/api/v1/auth/login"), 0);
  EXPECT_EQ(admit("GET", "/metrics"), 401);
}

TEST_F(GatekeeperTest, RolesFollowTheTable) {
  const auto admin = login("ada", "admin-password-1");
  const auto op = login("otto", "operator-password-1");
  const auto viewer = login("vera", "viewer-password-1");
  EXPECT_EQ(admit("GET", "/api/v1/entities", viewer), 0);
  EXPECT_EQ(admit("POST", "/api/v1/entities", viewer), 403);
  EXPECT_EQ(admit("POST", "/api/v1/entities", op), 0);
  EXPECT_EQ(admit("GET", "/api/v1/users", op), 403);
  EXPECT_EQ(admit("GET", "/api/v1/users", admin), 0);
  EXPECT_EQ(admit("GET", "/metrics", op), 403);
  EXPECT_EQ(admit("GET", "/metrics", admin), 0);
}

TEST_F(GatekeeperTest, AdmittedRequestCarriesThePrincipal) {
  const auto op = login("otto", "operator-password-1");
  auto req = request("POST", op);
  ASSERT_FALSE(gate_->admit(req, "/api/v1/observations"));
  ASSERT_TRUE(req.principal);
  EXPECT_EQ(req.principal->name, "otto");
  EXPECT_EQ(req.principal->role, Role::Operator);
  EXPECT_EQ(req.principal->expiresMs, kNow + 3600 * 1000);
}

TEST_F(GatekeeperTest, RouteWithoutRuleIsRefusedToEveryone) {
  const auto admin = login("ada", "admin-password-1");
  EXPECT_EQ(admit("GET", "/api/v1/not-in-the-table"), 403);
  EXPECT_EQ(admit("GET", "/api/v1/not-in-the-table", admin), 403);
  EXPECT_EQ(admit("PUT", "/api/v1/entities/{id}", admin), 403);  // a method the table does not list
}

TEST_F(GatekeeperTest, HeadIsJudgedAsGet) {
  const auto viewer = login("vera", "viewer-password-1");
  EXPECT_EQ(admit("HEAD", "/api/v1/entities", viewer), 0);
  EXPECT_EQ(admit("HEAD", "/api/v1/users", viewer), 403);
}

TEST_F(GatekeeperTest, BadTokensGet401WithInvalidTokenButPublicRoutesStillPass) {
  const std::string forged = std::string(Tokens::kSessionPrefix) + std::string(Tokens::kEncodedLength, 'A');
  auto req = request("GET", forged);
  auto r = gate_->admit(req, "/api/v1/entities");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(headerOf(*r, "WWW-Authenticate"), "Bearer error=\"invalid_token\"");
  EXPECT_EQ(admit("GET", "/api/v1/entities", "not-a-token"), 401);
  http::Request basic = request("GET");
  basic.headers.emplace_back("Authorization", "Basic YWRhOnB3");
  auto rb = gate_->admit(basic, "/api/v1/entities");
  ASSERT_TRUE(rb);
  EXPECT_EQ(rb->status, 401);
  // A stale token does not stop anyone from logging in again.
  EXPECT_EQ(admit("POST", "/api/v1/auth/login", forged), 0);
}

TEST_F(GatekeeperTest, SessionExpiresOnTheClock) {
  const auto viewer = login("vera", "viewer-password-1");  // valid for one hour
  EXPECT_EQ(admit("GET", "/api/v1/entities", viewer), 0);
  clock_.advance(3600 * 1000 - 1);
  EXPECT_EQ(admit("GET", "/api/v1/entities", viewer), 0);
  clock_.advance(1);  // the cached authentication must not outlive the session
  EXPECT_EQ(admit("GET", "/api/v1/entities", viewer), 401);
}

TEST_F(GatekeeperTest, LogoutAndRevocationTakeEffectOnTheNextRequest) {
  const auto viewer = login("vera", "viewer-password-1");
  EXPECT_EQ(admit("GET", "/api/v1/entities", viewer), 0);  // now cached
  ASSERT_TRUE(accounts_->logout(viewer).ok());
  gate_->invalidate();
  EXPECT_EQ(admit("GET", "/api/v1/entities", viewer), 401);

  auto key = accounts_->createDeviceKey("gauge-1", {"wl.tamky"});
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(admit("POST", "/api/v1/observations", key->key), 0);
  ASSERT_TRUE(accounts_->revokeDeviceKey(key->id).ok());
  gate_->invalidate();
  EXPECT_EQ(admit("POST", "/api/v1/observations", key->key), 401);
}

TEST_F(GatekeeperTest, CachedAuthenticationIsReVerifiedWithinTheCacheWindow) {
  // Without invalidate() (a change made by another process), the cache holds at most kCacheMs.
  const auto viewer = login("vera", "viewer-password-1");
  EXPECT_EQ(admit("GET", "/api/v1/entities", viewer), 0);
  ASSERT_TRUE(accounts_->logout(viewer).ok());
  clock_.advance(Gatekeeper::kCacheMs);
  EXPECT_EQ(admit("GET", "/api/v1/entities", viewer), 401);
}

TEST_F(GatekeeperTest, DeviceKeysOnlyWhereDevicesAreListed) {
  auto key = accounts_->createDeviceKey("gauge-1", {"wl.tamky"});
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(admit("POST", "/api/v1/observations", key->key), 0);
  EXPECT_EQ(admit("GET", "/api/v1/entities", key->key), 403);
  EXPECT_EQ(admit("GET", "/healthz", key->key), 403);  // public rules do not list devices
  EXPECT_EQ(admit("GET", "/api/v1/stream", key->key), 403);
}

TEST_F(GatekeeperTest, WebSocketTakesTheTokenFromTheQueryOrLetsTheEndpointAsk) {
  const auto viewer = login("vera", "viewer-password-1");
  auto req = request("GET");
  req.query["access_token"] = viewer;
  ASSERT_FALSE(gate_->admit(req, "/api/v1/stream"));
  ASSERT_TRUE(req.principal);
  EXPECT_EQ(req.principal->name, "vera");

  auto anon = request("GET");
  EXPECT_FALSE(gate_->admit(anon, "/api/v1/stream"));  // the endpoint asks for the token in the first message
  EXPECT_FALSE(anon.principal);

  auto elsewhere = request("GET");  // query tokens are for WebSocket upgrades only
  elsewhere.query["access_token"] = viewer;
  auto r = gate_->admit(elsewhere, "/api/v1/entities");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
}

TEST_F(GatekeeperTest, RateLimitsPerCredentialAndPerAddress) {
  Gatekeeper::Options o;
  o.perCredential = {1, 3, 1000};
  o.perAddress = {1, 2, 1000};
  makeGate(o);
  const auto viewer = login("vera", "viewer-password-1");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(admit("GET", "/api/v1/entities", viewer), 0) << i;
  auto req = request("GET", viewer);
  auto r = gate_->admit(req, "/api/v1/entities");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(errorCode(*r), "too_many_requests");
  EXPECT_EQ(headerOf(*r, "Retry-After"), "1");
  // Another user from the same address is not affected; anonymous requests count per address.
  const auto op = login("otto", "operator-password-1");
  EXPECT_EQ(admit("GET", "/api/v1/entities", op), 0);
  EXPECT_EQ(admit("GET", "/healthz", "", "10.0.0.9"), 0);
  EXPECT_EQ(admit("GET", "/healthz", "", "10.0.0.9"), 0);
  EXPECT_EQ(admit("GET", "/healthz", "", "10.0.0.9"), 429);
  EXPECT_EQ(admit("GET", "/healthz", "", "10.0.0.10"), 0);
  clock_.advance(1000);  // one request per second refills
  EXPECT_EQ(admit("GET", "/api/v1/entities", viewer), 0);
  EXPECT_EQ(admit("GET", "/healthz", "", "10.0.0.9"), 0);
}

TEST_F(GatekeeperTest, ZeroRateTurnsLimitsOff) {
  Gatekeeper::Options o;
  o.perCredential.ratePerSecond = 0;
  o.perAddress.ratePerSecond = 0;
  makeGate(o);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(admit("GET", "/healthz"), 0) << i;
}

TEST_F(GatekeeperTest, SecurityHeadersOnEveryResponse) {
  http::Response res = http::Response::json(200, {{"ok", true}});
  gate_->decorate("", res);
  EXPECT_EQ(headerOf(res, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(headerOf(res, "X-Frame-Options"), "DENY");
  EXPECT_EQ(headerOf(res, "Cache-Control"), "no-store");
  const auto csp = headerOf(res, "Content-Security-Policy");
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_EQ(headerOf(res, "Access-Control-Allow-Origin"), "");
  EXPECT_EQ(headerOf(res, "Strict-Transport-Security"), "");
}

TEST_F(GatekeeperTest, CorsClosedByDefaultOpenForListedOrigins) {
  http::Request pre = request("OPTIONS");
  pre.headers.emplace_back("Origin", "https://evil.example");
  pre.headers.emplace_back("Access-Control-Request-Method", "POST");
  auto refused = gate_->preflight(pre);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  http::Response res = http::Response::json(200, {{"ok", true}});
  gate_->decorate("https://evil.example", res);
  EXPECT_EQ(headerOf(res, "Access-Control-Allow-Origin"), "");

  Gatekeeper::Options o;
  o.corsOrigins = {"https://ioc.tamky.example"};
  makeGate(o);
  http::Request ok = request("OPTIONS");
  ok.headers.emplace_back("Origin", "https://ioc.tamky.example");
  ok.headers.emplace_back("Access-Control-Request-Method", "PATCH");
  auto answer = gate_->preflight(ok);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 204);
  EXPECT_NE(headerOf(*answer, "Access-Control-Allow-Methods").find("PATCH"), std::string::npos);
  EXPECT_NE(headerOf(*answer, "Access-Control-Allow-Headers").find("Authorization"), std::string::npos);
  gate_->decorate("https://ioc.tamky.example", *answer);
  EXPECT_EQ(headerOf(*answer, "Access-Control-Allow-Origin"), "https://ioc.tamky.example");
  http::Response other = http::Response::json(200, {{"ok", true}});
  gate_->decorate("https://ioc.tamky.example.evil", other);
  EXPECT_EQ(headerOf(other, "Access-Control-Allow-Origin"), "");
}

TEST_F(GatekeeperTest, RefusalsAreCounted) {
  (void)admit("GET", "/api/v1/entities");
  (void)admit("GET", "/api/v1/users", login("vera", "viewer-password-1"));
  const auto text = registry_.render();
  EXPECT_NE(text.find("cityops_auth_refused_total{reason=\"unauthenticated\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("cityops_auth_refused_total{reason=\"forbidden\"} 1"), std::string::npos) << text;
}

// --- first run ---

class FirstRunTest : public AuthFixture {};

TEST_F(FirstRunTest, AdminFromTheEnvironmentOnce) {
  auto r = FirstRun::ensureAdmin(*accounts_, "chosen-admin-password");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->created);
  EXPECT_TRUE(r->generatedPassword.empty());
  EXPECT_TRUE(accounts_->login("admin", "chosen-admin-password", kNow).ok());
  auto again = FirstRun::ensureAdmin(*accounts_, "another-password-22");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);  // an admin exists: the environment is ignored
  EXPECT_FALSE(accounts_->login("admin", "another-password-22", kNow).ok());
}

TEST_F(FirstRunTest, GeneratedAdminPasswordWorksAndIsNotStored) {
  auto r = FirstRun::ensureAdmin(*accounts_, nullptr);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->created);
  ASSERT_GE(r->generatedPassword.size(), PasswordHasher::kMinLength);
  EXPECT_TRUE(accounts_->login("admin", r->generatedPassword, kNow).ok());
  EXPECT_EQ(allBytes().find(r->generatedPassword), std::string::npos);
  EXPECT_NE(FirstRun::randomPassword(), FirstRun::randomPassword());
}

TEST_F(FirstRunTest, TooShortEnvironmentPasswordIsAnError) {
  auto r = FirstRun::ensureAdmin(*accounts_, "qz7pw");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "bad_request");
  EXPECT_EQ(r.error().message.find("qz7pw"), std::string::npos);  // never echoes the password
}

TEST_F(FirstRunTest, DemoOperatorIsCreatedOnceAndItsLoginKept) {
  auto first = FirstRun::ensureDemoOperator(*accounts_, dir_.string());
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());
  auto login = accounts_->login("operator", **first, kNow);
  ASSERT_TRUE(login.ok());
  EXPECT_EQ(login->role, Role::Operator);
  auto second = FirstRun::ensureDemoOperator(*accounts_, dir_.string());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(**second, **first);
  std::filesystem::remove(dir_ / "demo-login.txt");
  auto third = FirstRun::ensureDemoOperator(*accounts_, dir_.string());
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(third->has_value());
}

}  // namespace

// The dashboard's basemap: the tile server's origin joins img-src, nothing else changes.
TEST_F(GatekeeperTest, TileOriginsJoinImgSrcOnly) {
  Gatekeeper::Options o;
  o.imgSources = {"https://tile.openstreetmap.org"};
  makeGate(o);
  http::Response res = http::Response::text(200, "<!doctype html>", "text/html; charset=utf-8");
  gate_->decorate("", res);
  const auto csp = headerOf(res, "Content-Security-Policy");
  EXPECT_NE(csp.find("img-src 'self' data: blob: https://tile.openstreetmap.org;"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << csp;
  EXPECT_NE(csp.find("style-src 'self';"), std::string::npos) << csp;
  EXPECT_NE(csp.find("connect-src 'self';"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_EQ(headerOf(res, "Cache-Control"), "") << "not JSON: the page sets its own";
}

// The dashboard's pages are public (the login is in the page); device keys are refused there as everywhere else.
TEST_F(GatekeeperTest, DashboardPagesArePublic) {
  for (const char* route : {"/", "/public", "/assets/{*path}", "/api/v1/ui/config"}) {
    EXPECT_EQ(admit("GET", route), 0) << route;
    EXPECT_EQ(admit("HEAD", route), 0) << route;
    EXPECT_EQ(admit("POST", route), 403) << route;
    EXPECT_EQ(admit("GET", route, login("vera", "viewer-password-1")), 0) << route;
  }
}
