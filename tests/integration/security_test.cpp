// Security against the running server: secrets never stored or printed in clear, brute-force throttling, immediate
// revocation, request rate limits, the WebSocket token, the audit trail, response headers, the command line.
#include "Support.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

namespace cityops::it {
namespace {

namespace json = boost::json;

std::string readAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string loginBody(const std::string& user, const std::string& password) {
  return json::serialize(json::object{{"username", user}, {"password", password}});
}

class Security : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_.running()) {
      const int st = server_.terminate();
      EXPECT_TRUE(ServerProcess::exitedCleanly(st)) << ServerProcess::describeStatus(st) << "\n" << server_.tail();
    }
  }
  void start(ServerProcess::Options o = {}) {
    o.dataDir = dir_.path();
    if (o.threads == 4) o.threads = 2;
    ASSERT_TRUE(server_.start(o)) << server_.error();
  }
  uint16_t port() const { return server_.port(); }

  /// POST /api/v1/auth/login without any token; the whole response.
  HttpResponse login(const std::string& user, const std::string& password) {
    HttpClient c(port());
    c.setToken("");
    return c.postJson("/api/v1/auth/login", loginBody(user, password));
  }
  std::string tokenOf(const HttpResponse& r) {
    EXPECT_EQ(r.status, 200) << r.describe();
    return r.status == 200 ? std::string(r.json().at("token").as_string()) : std::string();
  }
  HttpResponse createUser(const std::string& name, const std::string& role, const std::string& password) {
    HttpClient admin(port());
    return admin.postJson("/api/v1/users", json::serialize(json::object{
                                               {"username", name}, {"role", role}, {"password", password}}));
  }

  TempDir dir_;
  ServerProcess server_;
};

TEST_F(Security, PasswordsTokensAndKeysNeverAppearInClear) {
  ServerProcess::Options o;
  o.logLevel = "trace";
  ASSERT_NO_FATAL_FAILURE(start(o));
  HttpClient admin(port());
  ASSERT_NO_FATAL_FAILURE(createEntities(admin, {{"sec.gauge", "WaterLevelStation"}}));

  std::vector<std::string> secrets = {kAdminPassword, server_.adminToken()};
  const std::string apiPassword = "Zq8-api-user-secret";
  ASSERT_EQ(createUser("sec-api", "operator", apiPassword).status, 201);
  secrets.push_back(apiPassword);

  // The command line, while the server runs.
  const std::string cliPassword = "Kw3-cli-user-secret";
  const auto pwFile = std::filesystem::path(dir_.path()) / "pw.txt";
  std::ofstream(pwFile) << cliPassword << "\n";
  const std::string cmd = "'" + cityopsBinary() + "' user add sec-cli --role viewer --data '" + dir_.path() +
                          "' --password-file '" + pwFile.string() + "' > '" + dir_.path() + "/cli.out' 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << readAll(std::filesystem::path(dir_.path()) / "cli.out");
  std::filesystem::remove(pwFile);
  secrets.push_back(cliPassword);

  const std::string apiToken = tokenOf(login("sec-api", apiPassword));
  const std::string cliToken = tokenOf(login("sec-cli", cliPassword));
  secrets.push_back(apiToken);
  secrets.push_back(cliToken);
  auto wrong = login("sec-api", "Wrong-guess-secret-77");  // a failed attempt is audited: never its password
  EXPECT_EQ(wrong.status, 401);
  secrets.push_back("Wrong-guess-secret-77");

  auto key = admin.postJson("/api/v1/devices/keys", R"({"name":"sec-key","scope":["sec.gauge"]})");
  ASSERT_EQ(key.status, 201) << key.describe();
  const std::string deviceKey(key.json().at("key").as_string());
  secrets.push_back(deviceKey);
  HttpClient device(port());
  device.setToken(deviceKey);
  EXPECT_EQ(device.postJson("/api/v1/observations",
                            R"([{"entity":"sec.gauge","metric":"water_level_m","time":1700000000000,"value":1.5}])")
                .status,
            200);
  // A password change (audited) and a device key listing (no secrets in it).
  auto users = admin.get("/api/v1/users");
  ASSERT_EQ(users.status, 200);
  int64_t apiId = 0;
  const auto usersJson = users.json();
  for (const auto& u : usersJson.as_array())
    if (u.at("username") == "sec-api") apiId = u.at("id").as_int64();
  const std::string newPassword = "Vt5-changed-secret";
  EXPECT_EQ(admin.request("PATCH", "/api/v1/users/" + std::to_string(apiId),
                          json::serialize(json::object{{"password", newPassword}}), "application/json")
                .status,
            200);
  secrets.push_back(newPassword);

  auto keys = admin.get("/api/v1/devices/keys");
  auto audit = admin.get("/api/v1/audit?limit=1000");
  ASSERT_EQ(audit.status, 200);
  EXPECT_GE(audit.json().as_array().size(), 6u);
  const int st = server_.terminate();
  EXPECT_TRUE(ServerProcess::exitedCleanly(st));

  std::string files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_.path()))
    if (e.is_regular_file() && e.path().filename() != "cli.out") files += readAll(e.path());
  const std::string cliOut = readAll(std::filesystem::path(dir_.path()) / "cli.out");
  for (const auto& s : secrets) {
    ASSERT_FALSE(s.empty());
    EXPECT_EQ(files.find(s), std::string::npos) << "a secret is stored in clear in the data directory";
    EXPECT_EQ(server_.output().find(s), std::string::npos) << "a secret is in the server's output";
    EXPECT_EQ(audit.body.find(s), std::string::npos) << "a secret is in the audit log";
    EXPECT_EQ(keys.body.find(s), std::string::npos) << "a secret is in the key listing";
    EXPECT_EQ(cliOut.find(s), std::string::npos) << "a secret is in the command's output";
  }
}

TEST_F(Security, BruteForceIsThrottledPerUserAndAddress) {
  ASSERT_NO_FATAL_FAILURE(start());
  ASSERT_EQ(createUser("bf-target", "viewer", "bf-target-password").status, 201);
  ASSERT_EQ(createUser("bf-other", "viewer", "bf-other-password").status, 201);
  for (int i = 1; i <= 5; ++i) {
    auto r = login("bf-target", "guess-number-" + std::to_string(i));
    EXPECT_TRUE(isError(r, 401, "unauthenticated")) << "attempt " << i;
  }
  // Locked now: even the right password waits, and so does another account from the same address.
  auto locked = login("bf-target", "bf-target-password");
  EXPECT_TRUE(isError(locked, 429, "too_many_requests"));
  const int retry = std::atoi(locked.header("Retry-After").c_str());
  EXPECT_GE(retry, 1);
  EXPECT_TRUE(isError(login("bf-other", "bf-other-password"), 429, "too_many_requests"));
  std::this_thread::sleep_for(std::chrono::seconds(retry) + 200ms);
  EXPECT_EQ(login("bf-target", "bf-target-password").status, 200);
  // The sixth failure doubles the wait.
  EXPECT_EQ(login("bf-target", "guess-number-6").status, 401);
  auto again = login("bf-target", "bf-target-password");
  EXPECT_TRUE(isError(again, 429, "too_many_requests"));
  EXPECT_GE(std::atoi(again.header("Retry-After").c_str()), 2);
}

TEST_F(Security, RevocationTakesEffectOnTheNextRequest) {
  ASSERT_NO_FATAL_FAILURE(start());
  HttpClient admin(port());
  ASSERT_NO_FATAL_FAILURE(createEntities(admin, {{"rv.gauge", "WaterLevelStation"}, {"rv.other", "WaterLevelStation"}}));
  auto key = admin.postJson("/api/v1/devices/keys", R"({"name":"rv-key","scope":["rv.gauge"]})");
  ASSERT_EQ(key.status, 201);
  const auto id = key.json().at("id").as_int64();
  HttpClient device(port());
  device.setToken(std::string(key.json().at("key").as_string()));
  const std::string obs = R"([{"entity":"rv.gauge","metric":"water_level_m","time":1700000000000,"value":1}])";
  EXPECT_EQ(device.postJson("/api/v1/observations", obs).status, 200);
  // Out of scope: the whole batch refused, nothing stored.
  auto foreign = device.postJson(
      "/api/v1/observations",
      R"([{"entity":"rv.gauge","metric":"water_level_m","time":1700000060000,"value":2},)"
      R"({"entity":"rv.other","metric":"water_level_m","time":1700000060000,"value":3}])");
  EXPECT_TRUE(isError(foreign, 403, "forbidden", "rv.other"));
  EXPECT_EQ(queryRaw(admin, "rv.gauge", "water_level_m", 1700000000000, 1700000100000).size(), 1u);
  EXPECT_TRUE(isError(device.get("/api/v1/entities"), 403, "forbidden"));

  EXPECT_EQ(admin.request("DELETE", "/api/v1/devices/keys/" + std::to_string(id)).status, 204);
  EXPECT_TRUE(isError(device.postJson("/api/v1/observations", obs), 401, "unauthenticated"));

  ASSERT_EQ(createUser("rv-user", "viewer", "rv-user-password").status, 201);
  HttpClient user(port());
  user.setToken(tokenOf(login("rv-user", "rv-user-password")));
  EXPECT_EQ(user.get("/api/v1/entities").status, 200);
  EXPECT_EQ(user.request("POST", "/api/v1/auth/logout").status, 204);
  EXPECT_TRUE(isError(user.get("/api/v1/entities"), 401, "unauthenticated"));

  // An admin ends every session of a user; disabling an account does too.
  const std::string t1 = tokenOf(login("rv-user", "rv-user-password"));
  user.setToken(t1);
  EXPECT_EQ(user.get("/api/v1/entities").status, 200);
  auto me = user.get("/api/v1/auth/me");
  ASSERT_EQ(me.status, 200);
  const auto uid = me.json().at("id").as_int64();
  auto revoked = admin.request("DELETE", "/api/v1/users/" + std::to_string(uid) + "/sessions");
  EXPECT_EQ(revoked.status, 200) << revoked.describe();
  EXPECT_TRUE(isError(user.get("/api/v1/entities"), 401, "unauthenticated"));
  user.setToken(tokenOf(login("rv-user", "rv-user-password")));
  EXPECT_EQ(admin.request("PATCH", "/api/v1/users/" + std::to_string(uid), R"({"disabled":true})", "application/json")
                .status,
            200);
  EXPECT_TRUE(isError(user.get("/api/v1/entities"), 401, "unauthenticated"));
  EXPECT_TRUE(isError(login("rv-user", "rv-user-password"), 401, "unauthenticated"));
}

TEST_F(Security, RequestRateIsLimitedWith429AndRetryAfter) {
  const auto config = std::filesystem::path(dir_.path()) / "limits.toml";
  std::ofstream(config) << "[security]\nrate_limit = 1\nrate_burst = 5\nanonymous_rate_limit = 1\n"
                           "anonymous_burst = 5\n";
  ServerProcess::Options o;
  o.unlimitedRates = false;
  o.extraArgs = {"--config", config.string()};
  ASSERT_NO_FATAL_FAILURE(start(o));
  HttpClient admin(port());
  int ok = 0;
  HttpResponse last;
  for (int i = 0; i < 20; ++i) {
    last = admin.get("/api/v1/entities");
    if (last.status != 200) break;
    ++ok;
  }
  // start() itself spent at most a few requests of the burst (login is anonymous; /readyz too).
  EXPECT_GE(ok, 1);
  EXPECT_LE(ok, 5);
  EXPECT_TRUE(isError(last, 429, "too_many_requests"));
  EXPECT_GE(std::atoi(last.header("Retry-After").c_str()), 1);
  HttpClient anon(port());
  anon.setToken("");
  int anonOk = 0;
  for (int i = 0; i < 10 && anon.get("/healthz").status == 200; ++i) ++anonOk;
  EXPECT_LE(anonOk, 5);
}

TEST_F(Security, StreamNeedsATokenAndOnlyForReaders) {
  ASSERT_NO_FATAL_FAILURE(start());
  HttpClient admin(port());
  ASSERT_NO_FATAL_FAILURE(createEntities(admin, {{"ws.gauge", "WaterLevelStation"}}));

  // Without a token: the upgrade passes, a subscription without authenticating first closes the connection.
  {
    WsClient ws;
    ws.setToken("");
    ASSERT_FALSE(ws.connect(port()));
    ASSERT_FALSE(ws.send(R"({"subscribe":["observations:entity:ws.gauge"]})"));
    std::string text;
    ASSERT_FALSE(ws.read(text));
    EXPECT_EQ(json::parse(text).at("error"), "unauthenticated") << text;
    EXPECT_TRUE(ws.read(text));  // closed
  }
  // A wrong token as the first message: the same.
  {
    WsClient ws;
    ws.setToken("");
    ASSERT_FALSE(ws.connect(port()));
    ASSERT_FALSE(ws.send(R"({"token":"cos_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})"));
    std::string text;
    ASSERT_FALSE(ws.read(text));
    EXPECT_EQ(json::parse(text).at("error"), "unauthenticated") << text;
  }
  // The token as the first message, then events flow.
  ASSERT_EQ(createUser("ws-viewer", "viewer", "ws-viewer-password").status, 201);
  const std::string viewer = tokenOf(login("ws-viewer", "ws-viewer-password"));
  {
    WsClient ws;
    ws.setToken("");
    ASSERT_FALSE(ws.connect(port()));
    ASSERT_FALSE(ws.send(json::serialize(json::object{{"token", viewer}})));
    std::string text;
    ASSERT_FALSE(ws.read(text));
    EXPECT_EQ(json::parse(text), json::parse(R"({"authenticated":true,"role":"viewer"})")) << text;
    std::string ack;
    ASSERT_FALSE(ws.subscribe({"observations:entity:ws.gauge"}, ack));
    EXPECT_EQ(admin.postJson("/api/v1/observations",
                             R"([{"entity":"ws.gauge","metric":"water_level_m","time":1700000000000,"value":4.5}])")
                  .status,
              200);
    ASSERT_FALSE(ws.read(text));
    EXPECT_NE(text.find("ws.gauge"), std::string::npos) << text;
  }
  // The token in the query string.
  {
    WsClient ws;
    ws.setToken("");
    ASSERT_FALSE(ws.connect(port(), "/api/v1/stream?access_token=" + viewer));
    std::string ack;
    ASSERT_FALSE(ws.subscribe({"alerts"}, ack));
  }
  // Logging out ends the open stream of that session at once.
  {
    const std::string session = tokenOf(login("ws-viewer", "ws-viewer-password"));
    WsClient ws;
    ws.setToken(session);
    ASSERT_FALSE(ws.connect(port()));
    std::string ack;
    ASSERT_FALSE(ws.subscribe({"observations:entity:ws.gauge"}, ack));
    HttpClient self(port());
    self.setToken(session);
    ASSERT_EQ(self.request("POST", "/api/v1/auth/logout").status, 204);
    std::string text;
    ASSERT_FALSE(ws.read(text));
    EXPECT_EQ(json::parse(text).at("error"), "unauthenticated") << text;
    EXPECT_TRUE(ws.read(text));  // closed
  }
  // A device key may not read the stream: refused at the upgrade.
  auto key = admin.postJson("/api/v1/devices/keys", R"({"name":"ws-key","scope":["ws.gauge"]})");
  ASSERT_EQ(key.status, 201);
  WsClient ws;
  ws.setToken(std::string(key.json().at("key").as_string()));
  EXPECT_TRUE(ws.connect(port()));
}

TEST_F(Security, AuditRecordsChangesWithActorAddressAndBeforeAfter) {
  ASSERT_NO_FATAL_FAILURE(start());
  HttpClient admin(port());
  ASSERT_NO_FATAL_FAILURE(createEntities(admin, {{"au.gauge", "WaterLevelStation"}}));
  ASSERT_EQ(admin.request("PATCH", "/api/v1/entities/au.gauge", R"({"name":"Trạm Tam Kỳ"})", "application/json").status,
            200);
  ASSERT_EQ(admin.request("DELETE", "/api/v1/entities/au.gauge").status, 204);
  auto r = admin.get("/api/v1/audit?action=entity.update");
  ASSERT_EQ(r.status, 200) << r.describe();
  const auto rowsJson = r.json();
  const auto& rows = rowsJson.as_array();
  ASSERT_EQ(rows.size(), 1u) << r.body;
  const auto& row = rows[0].as_object();
  EXPECT_EQ(row.at("actor"), "admin");
  EXPECT_EQ(row.at("role"), "admin");
  EXPECT_EQ(row.at("target"), "entity:au.gauge");
  EXPECT_EQ(row.at("address"), "127.0.0.1");
  EXPECT_TRUE(row.at("before").at("name").is_null() || row.at("before").at("name") != "Trạm Tam Kỳ") << r.body;
  EXPECT_EQ(row.at("after").at("name"), "Trạm Tam Kỳ") << r.body;
  auto all = admin.get("/api/v1/audit?actor=admin");
  ASSERT_EQ(all.status, 200);
  std::vector<std::string> actions;
  const auto allJson = all.json();
  for (const auto& e : allJson.as_array()) actions.emplace_back(e.at("action").as_string());
  // Newest first.
  ASSERT_GE(actions.size(), 3u);
  EXPECT_EQ(actions[0], "entity.delete");
  EXPECT_EQ(actions[1], "entity.update");
  EXPECT_EQ(actions[2], "entity.create");
  // Not editable through the API.
  EXPECT_EQ(admin.request("DELETE", "/api/v1/audit").status, 405);
  EXPECT_EQ(admin.request("PATCH", "/api/v1/audit", "{}", "application/json").status, 405);
  // Admins only, with filters checked.
  EXPECT_TRUE(isError(admin.get("/api/v1/audit?limit=0"), 400, "bad_request"));
  EXPECT_TRUE(isError(admin.get("/api/v1/audit?colour=red"), 400, "bad_request"));
}

TEST_F(Security, HeadersAndCors) {
  ASSERT_NO_FATAL_FAILURE(start());
  HttpClient admin(port());
  auto r = admin.request("GET", "/api/v1/entities", {}, {}, {{"Origin", "https://elsewhere.example"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  EXPECT_NE(r.header("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(r.header("Access-Control-Allow-Origin"), "");
  auto pre = admin.request("OPTIONS", "/api/v1/entities", {}, {},
                           {{"Origin", "https://elsewhere.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_TRUE(isError(pre, 403, "forbidden"));
  // Errors carry the headers too.
  HttpClient anon(port());
  anon.setToken("");
  auto denied = anon.get("/api/v1/entities");
  EXPECT_TRUE(isError(denied, 401, "unauthenticated"));
  EXPECT_EQ(denied.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(denied.header("WWW-Authenticate"), "Bearer");
}

TEST_F(Security, CorsAllowListAndSeparateMetricsListener) {
  const auto config = std::filesystem::path(dir_.path()) / "cors.toml";
  std::ofstream(config) << "[server]\ncors_origins = [\"https://ioc.tamky.example\"]\nmetrics_listen = \"127.0.0.1:0\"\n"
                           "[security]\nrate_limit = 0\nanonymous_rate_limit = 0\n";
  ServerProcess::Options o;
  o.unlimitedRates = false;
  o.extraArgs = {"--config", config.string()};
  ASSERT_NO_FATAL_FAILURE(start(o));
  HttpClient anon(port());
  anon.setToken("");
  auto pre = anon.request("OPTIONS", "/api/v1/entities", {}, {},
                          {{"Origin", "https://ioc.tamky.example"}, {"Access-Control-Request-Method", "GET"},
                           {"Access-Control-Request-Headers", "authorization"}});
  EXPECT_EQ(pre.status, 204) << pre.describe();
  EXPECT_EQ(pre.header("Access-Control-Allow-Origin"), "https://ioc.tamky.example");
  EXPECT_NE(pre.header("Access-Control-Allow-Headers").find("Authorization"), std::string::npos);
  HttpClient admin(port());
  auto r = admin.request("GET", "/api/v1/entities", {}, {}, {{"Origin", "https://ioc.tamky.example"}});
  EXPECT_EQ(r.header("Access-Control-Allow-Origin"), "https://ioc.tamky.example");

  // /metrics: admin-only on the main listener, open on its own.
  EXPECT_TRUE(isError(anon.get("/metrics"), 401, "unauthenticated"));
  EXPECT_EQ(admin.get("/metrics").status, 200);
  const std::string out = server_.output();
  const auto at = out.find("metrics on http://127.0.0.1:");
  ASSERT_NE(at, std::string::npos) << server_.tail();
  const int metricsPort = std::atoi(out.c_str() + at + std::string("metrics on http://127.0.0.1:").size());
  ASSERT_GT(metricsPort, 0);
  auto m = httpGet(static_cast<uint16_t>(metricsPort), "/metrics");
  EXPECT_EQ(m.status, 200) << m.describe();
  EXPECT_NE(m.body.find("cityops_http_requests_total"), std::string::npos);
  EXPECT_EQ(httpGet(static_cast<uint16_t>(metricsPort), "/api/v1/entities").status, 404);
}

}  // namespace
}  // namespace cityops::it
