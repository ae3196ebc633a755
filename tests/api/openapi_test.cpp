// The OpenAPI document (src/api/openapi.json, served at GET /api/v1/openapi.json) against the routes and
// responses of the code: every registered route is documented and every documented operation is registered,
// query parameters match what the handlers accept, each operation's x-roles and security are the access policy's,
// and the document's own examples hold when played against the API with a real store and real accounts.
#include "alerts/AlertJson.hpp"
#include "alerts/AlertManager.hpp"
#include "api/Api.hpp"
#include "api/Auditor.hpp"
#include "api/AuthApi.hpp"
#include "api/CamerasApi.hpp"
#include "api/OpenApi.hpp"
#include "api/EnvironmentApi.hpp"
#include "api/FloodApi.hpp"
#include "api/RulesApi.hpp"
#include "api/StreamEndpoint.hpp"
#include "api/SubscriptionsApi.hpp"
#include "api/UiApi.hpp"
#include "auth/AccessPolicy.hpp"
#include "auth/AccountStore.hpp"
#include "auth/FirstRun.hpp"
#include "auth/Gatekeeper.hpp"
#include "auth/LoginThrottle.hpp"
#include "auth/Tokens.hpp"
#include "common/Clock.hpp"
#include "common/JsonText.hpp"
#include "common/Time.hpp"
#include "metrics/Registry.hpp"
#include "notify/AlertNotifier.hpp"
#include "notify/Outbox.hpp"
#include "notify/Signature.hpp"
#include "notify/SubscriptionStore.hpp"
#include "rules/RuleEngine.hpp"
#include "rules/RuleStore.hpp"
#include "rules/Severity.hpp"
#include "store/SqliteDb.hpp"
#include "store/SqliteStore.hpp"
#include "stream/Hub.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace cityops;
namespace json = boost::json;

namespace {

constexpr int64_t kNow = 1761739200000;        // 2025-10-29T12:00:00Z, just after the examples' observations
constexpr int64_t kInstalled = 1761616800000;  // 2025-10-28T02:00:00Z: first start (the first admin)

const std::set<std::string> kHttpMethods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

json::value parseDocument() {
  boost::system::error_code ec;
  json::value v = json::parse(api::OpenApi::document(), ec);
  EXPECT_FALSE(ec) << "src/api/openapi.json is not valid JSON: " << ec.message();
  return v;
}

/// A local JSON pointer ("#/components/schemas/Entity"); null when it does not resolve.
const json::value* pointer(const json::value& root, std::string_view ref) {
  if (!ref.starts_with("#")) return nullptr;
  ref.remove_prefix(1);
  const json::value* cur = &root;
  while (!ref.empty()) {
    if (ref.front() != '/') return nullptr;
    ref.remove_prefix(1);
    const size_t slash = ref.find('/');
    const std::string_view raw = ref.substr(0, slash);
    ref = slash == std::string_view::npos ? std::string_view{} : ref.substr(slash);
    std::string token;  // RFC 6901 unescaping: ~1 is '/', ~0 is '~'
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token += raw[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        token += raw[i];
      }
    }
    const auto* o = cur->if_object();
    if (!o) return nullptr;
    cur = o->if_contains(token);
    if (!cur) return nullptr;
  }
  return cur;
}

/// Follows $ref until a value without one.
const json::value& resolve(const json::value& root, const json::value& v) {
  const json::value* cur = &v;
  for (int i = 0; i < 32; ++i) {
    const auto* o = cur->if_object();
    const json::value* ref = o ? o->if_contains("$ref") : nullptr;
    if (!ref || !ref->is_string()) return *cur;
    const json::value* next = pointer(root, ref->get_string());
    if (!next) {
      ADD_FAILURE() << "unresolved $ref " << ref->get_string();
      return *cur;
    }
    cur = next;
  }
  ADD_FAILURE() << "$ref cycle";
  return *cur;
}

/// Required and declared property names of an object schema, through $ref and allOf.
struct ObjectShape {
  std::set<std::string> required, properties;
};

void collectShape(const json::value& root, const json::value& schema, ObjectShape& out) {
  const auto& s = resolve(root, schema).as_object();
  if (const auto* all = s.if_contains("allOf"))
    for (const auto& part : all->as_array()) collectShape(root, part, out);
  if (const auto* req = s.if_contains("required"))
    for (const auto& r : req->as_array()) out.required.emplace(r.as_string());
  if (const auto* props = s.if_contains("properties"))
    for (const auto& kv : props->as_object()) out.properties.emplace(kv.key());
}

ObjectShape shapeOf(const json::value& root, const std::string& schemaName) {
  ObjectShape shape;
  const json::value* s = pointer(root, "#/components/schemas/" + schemaName);
  EXPECT_NE(s, nullptr) << "no components.schemas." << schemaName;
  if (s) collectShape(root, *s, shape);
  return shape;
}

/// Every key the code sent is declared and every required key is present.
void expectMatches(const json::value& root, const std::string& schemaName, const json::value& actual,
                   const std::string& where) {
  SCOPED_TRACE(where + " vs components.schemas." + schemaName);
  ASSERT_TRUE(actual.is_object()) << json::serialize(actual);
  const auto shape = shapeOf(root, schemaName);
  std::set<std::string> keys;
  for (const auto& kv : actual.as_object()) keys.emplace(kv.key());
  for (const auto& k : keys) EXPECT_TRUE(shape.properties.count(k)) << "the code sends '" << k << "', undocumented";
  for (const auto& r : shape.required) EXPECT_TRUE(keys.count(r)) << "documented as required, not sent: '" << r << "'";
}

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out;
}

/// "/api/v1/entities/{id}/observations" -> "/api/v1/entities/wl.tamky/observations".
std::string concretePath(const std::string& pattern) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '{') {
      const size_t close = pattern.find('}', i);
      out += "wl.tamky";
      i = close == std::string::npos ? pattern.size() : close + 1;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

std::set<std::string> templateParams(const std::string& pattern) {
  std::set<std::string> out;
  for (size_t open = pattern.find('{'); open != std::string::npos; open = pattern.find('{', open + 1)) {
    const size_t close = pattern.find('}', open);
    if (close == std::string::npos) break;
    out.emplace(pattern.substr(open + 1, close - open - 1));
  }
  return out;
}

/// Parameters of one operation: the path item's plus the operation's (the latter win), resolved.
std::map<std::pair<std::string, std::string>, const json::object*> parametersOf(const json::value& root,
                                                                                const json::object& pathItem,
                                                                                const json::object& op) {
  std::map<std::pair<std::string, std::string>, const json::object*> out;
  for (const json::object* holder : {&pathItem, &op})
    if (const auto* ps = holder->if_contains("parameters"))
      for (const auto& p : ps->as_array()) {
        const auto& r = resolve(root, p).as_object();
        out[{std::string(r.at("in").as_string()), std::string(r.at("name").as_string())}] = &r;
      }
  return out;
}

std::string headerOf(const http::Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (lower(k) == lower(name)) return v;
  return {};
}

std::set<std::string> roleNames(const std::vector<auth::Role>& roles) {
  std::set<std::string> out;
  for (auto r : roles) out.emplace(auth::roleName(r));
  return out;
}

/// A WebSocket client as the stream endpoint sees it: records what it is sent.
class RecordingPeer final : public http::WebSocketPeer {
 public:
  bool send(std::string text) override {
    std::lock_guard lock(mu_);
    frames_.push_back(std::move(text));
    return open_;
  }
  void close(std::string reason) override {
    std::lock_guard lock(mu_);
    open_ = false;
    closeReason_ = std::move(reason);
  }
  bool isOpen() const override {
    std::lock_guard lock(mu_);
    return open_;
  }
  std::vector<std::string> frames() const {
    std::lock_guard lock(mu_);
    return frames_;
  }
  std::string closeReason() const {
    std::lock_guard lock(mu_);
    return closeReason_;
  }

 private:
  mutable std::mutex mu_;
  bool open_ = true;
  std::vector<std::string> frames_;
  std::string closeReason_;
};

std::string uniqueDir() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  std::ostringstream name;
  name << "cityops-openapi-test-" << ::getpid() << "-" << counter++ << "-" << std::hex << rd();
  return (std::filesystem::temp_directory_path() / name.str()).string();
}

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = uniqueDir();
    store::SqliteStore::Options options;
    options.dataDir = dir_;
    options.readers = 2;
    auto opened = store::SqliteStore::open(options, clock_, registry_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    store_->addSink(&hub_);

    // As in src/app/main.cpp: the accounts on a connection of their own to the same database file.
    auto db = store::SqliteDb::open((std::filesystem::path(dir_) / "cityops.db").string(), false, false);
    ASSERT_TRUE(db) << db.error().message;
    accountsDb_ = std::move(*db);
    auto migrated = auth::AccountStore::migrate(*accountsDb_);
    ASSERT_TRUE(migrated) << migrated.error().message;
    accounts_ = std::make_unique<auth::AccountStore>(*accountsDb_, clock_);
    auditor_ = std::make_unique<api::Auditor>(*accounts_);
    gate_ = std::make_unique<auth::Gatekeeper>(*accounts_, policy(), clock_, registry_, auth::Gatekeeper::Options{});
    throttle_ = std::make_unique<auth::LoginThrottle>(clock_);

    // As in src/app/main.cpp: rules and alerts each on a connection of their own to the same file; the engine
    // listens to committed observations and reports verdict changes to the alert manager, whose changes go to the
    // stream's "alerts" topic.
    for (auto* slot : {&rulesDb_, &alertsDb_}) {
      auto opened = store::SqliteDb::open((std::filesystem::path(dir_) / "cityops.db").string(), false, false);
      ASSERT_TRUE(opened) << opened.error().message;
      *slot = std::move(*opened);
    }
    auto rulesMigrated = rules::RuleStore::migrate(*rulesDb_);
    ASSERT_TRUE(rulesMigrated) << rulesMigrated.error().message;
    auto alertsMigrated = alerts::AlertManager::migrate(*alertsDb_);
    ASSERT_TRUE(alertsMigrated) << alertsMigrated.error().message;
    ruleStore_ = std::make_unique<rules::RuleStore>(*rulesDb_);
    auto manager = alerts::AlertManager::open(*alertsDb_, clock_);
    ASSERT_TRUE(manager) << manager.error().message;
    alertManager_ = std::move(*manager);
    // As in src/app/main.cpp: the webhook subscriptions on a connection of their own to the same file, and every
    // alert change that matches a subscription written to the outbox in the alert's own transaction. No Deliverer
    // here: the outbox rows stay pending, and the tests look at them.
    auto notifyOpened = store::SqliteDb::open((std::filesystem::path(dir_) / "cityops.db").string(), false, false);
    ASSERT_TRUE(notifyOpened) << notifyOpened.error().message;
    notifyDb_ = std::move(*notifyOpened);
    auto notifyMigrated = notify::Outbox::migrate(*notifyDb_);
    ASSERT_TRUE(notifyMigrated) << notifyMigrated.error().message;
    auto subscriptions = notify::SubscriptionStore::open(*notifyDb_, clock_);
    ASSERT_TRUE(subscriptions) << subscriptions.error().message;
    subscriptions_ = std::move(*subscriptions);
    notifier_ = std::make_unique<notify::AlertNotifier>(*subscriptions_, *store_, clock_);
    notifier_->attach(*alertManager_);
    alertManager_->addListener([this](const alerts::Alert& a, const alerts::HistoryEntry& t) {
      auto data = alerts::alertJson(a, false);
      data["transition"] = t.action;
      hub_.publish("alerts", data);
    });
    engine_ = std::make_unique<rules::RuleEngine>(*store_, clock_, [this](const rules::Change& c) {
      auto r = alertManager_->apply(
          alerts::Condition{c.rule, c.entity, c.metric, c.severity, c.value, c.timeMs, c.message});
      EXPECT_TRUE(r) << "alerts: cannot apply " << c.rule << " on " << c.entity << ": " << r.error().message;
    });
    auto stored = ruleStore_->list();
    ASSERT_TRUE(stored) << stored.error().message;
    for (const auto& r : *stored) engine_->upsert(r);
    for (const auto& a : alertManager_->openAlerts()) engine_->resume(a.rule, a.entity, a.severity, a.value, a.updatedMs);
    store_->addSink(engine_.get());
    engine_->start();

    api_ = std::make_unique<api::Api>(*store_, hub_, registry_, clock_);
    api_->setAuditor(auditor_.get());
    authApi_ = std::make_unique<api::AuthApi>(*accounts_, *gate_, *throttle_, *auditor_, clock_, api::AuthApi::Options{});
    rulesApi_ = std::make_unique<api::RulesApi>(*ruleStore_, *engine_, *alertManager_, *store_, auditor_.get(), clock_);
    subscriptionsApi_ = std::make_unique<api::SubscriptionsApi>(*subscriptions_, auditor_.get(), std::function<void()>{});
    api_->registerRoutes(router_);
    authApi_->registerRoutes(router_);
    rulesApi_->registerRoutes(router_);
    subscriptionsApi_->registerRoutes(router_);
    environmentApi_ = std::make_unique<api::EnvironmentApi>(*store_, clock_, 420);
    environmentApi_->registerRoutes(router_);
    floodQc_ = std::make_unique<flood::QualityControl>(std::map<std::string, flood::QcLimits>{});
    floodApi_ = std::make_unique<api::FloodApi>(*store_, *alertManager_, *floodQc_, clock_, flood::CapSettings{},
                                                flood::AtomSettings{});
    floodApi_->registerRoutes(router_);
    cameraManager_ = std::make_unique<cameras::CameraManager>(*store_, clock_, cameras::WorkerOptions{});
    camerasApi_ = std::make_unique<api::CamerasApi>(*store_, *cameraManager_, *alertManager_, clock_);
    camerasApi_->registerRoutes(router_);
    uiApi_ = std::make_unique<api::UiApi>(api::UiSettings{"Tam Kỳ", 15.5736, 108.474, 13,
                                                          "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                                                          "© OpenStreetMap contributors", "Asia/Ho_Chi_Minh", 420, "vi"});
    uiApi_->registerRoutes(router_);
    // As in src/app/main.cpp: the WebSocket route is registered next to the Api's routes.
    const auto* streamRule = policy().find("GET", "/api/v1/stream");
    router_.addWebSocket("/api/v1/stream",
                         std::make_shared<api::StreamEndpoint>(
                             hub_, [this](std::string_view token) { return gate_->authenticate(token); },
                             streamRule ? streamRule->roles : std::vector<auth::Role>{}));
    doc_ = parseDocument();
  }

  void TearDown() override {
    authApi_.reset();  // waits for queued password hashing
    rulesApi_.reset();
    if (cameraManager_) cameraManager_->stop();  // no camera writes past this point
    if (engine_) engine_->stop();  // before the store closes: no evaluation runs past this point
    api_.reset();
    gate_.reset();
    throttle_.reset();
    auditor_.reset();
    accounts_.reset();
    accountsDb_.reset();
    if (store_) store_->close();
    engine_.reset();
    alertManager_.reset();  // its transaction hook uses the subscriptions
    subscriptionsApi_.reset();
    subscriptions_.reset();
    notifyDb_.reset();
    ruleStore_.reset();
    alertsDb_.reset();
    rulesDb_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  static const auth::AccessPolicy& policy() { return auth::AccessPolicy::cityopsDefault(); }

  static http::Request request(const std::string& method, const std::string& path,
                               const std::map<std::string, std::string>& query = {}, std::string body = {},
                               std::string contentType = "application/json") {
    http::Request req;
    req.method = method;
    req.path = path;
    req.target = path;
    req.query = query;
    req.remote = "127.0.0.1";
    if (!contentType.empty()) req.headers.emplace_back("Content-Type", contentType);
    req.body = std::move(body);
    return req;
  }

  /// Dispatches like the HTTP server does, minus the sockets and the Gate: the caller sets req.principal (what the
  /// Gate would have set) when a handler needs it.
  http::Response dispatch(http::Request req) {
    const std::string method = req.method, path = req.path;
    auto m = router_.match(req);
    if (!m.handler) return http::Response::error(m.status, "routing", "no handler");
    auto done = std::make_shared<std::promise<http::Response>>();
    auto answered = std::make_shared<std::atomic<bool>>(false);
    auto future = done->get_future();
    (*m.handler)(std::move(req), [done, answered](http::Response r) {
      if (!answered->exchange(true)) done->set_value(std::move(r));
    });
    if (future.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
      ADD_FAILURE() << method << " " << path << ": no reply within 60 s";
      return http::Response::error(599, "timeout", "no reply");
    }
    return future.get();
  }

  /// An anonymous request.
  http::Response call(const std::string& method, const std::string& path,
                      const std::map<std::string, std::string>& query = {}, std::string body = {},
                      std::string contentType = "application/json") {
    return dispatch(request(method, path, query, std::move(body), std::move(contentType)));
  }

  /// A request the Gate has admitted as `who`.
  http::Response callAs(const auth::Principal& who, const std::string& method, const std::string& path,
                        const std::map<std::string, std::string>& query = {}, std::string body = {}) {
    auto req = request(method, path, query, std::move(body));
    req.principal = std::make_shared<const auth::Principal>(who);
    return dispatch(std::move(req));
  }

  static json::value bodyJson(const http::Response& r) {
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    EXPECT_FALSE(ec) << "response body is not JSON: " << r.body;
    return v;
  }

  const json::object& operation(const std::string& path, const std::string& method) {
    return doc_.at("paths").at(path).at(method).as_object();
  }

  /// components/.../examples/<name>/value of a media type of an operation's request body or response.
  const json::value& example(const json::object& media, const std::string& name) {
    return media.at("examples").at(name).at("value");
  }
  const json::object& requestMedia(const std::string& path, const std::string& method,
                                   const std::string& type = "application/json") {
    return operation(path, method).at("requestBody").at("content").at(type).as_object();
  }
  const json::object& responseMedia(const std::string& path, const std::string& method, const std::string& status,
                                    const std::string& type = "application/json") {
    const auto& r = resolve(doc_, operation(path, method).at("responses").at(status)).as_object();
    return r.at("content").at(type).as_object();
  }
  /// The example of a response header.
  std::string responseHeader(const std::string& path, const std::string& method, const std::string& status,
                             const std::string& header) {
    const auto& r = resolve(doc_, operation(path, method).at("responses").at(status)).as_object();
    return std::string(r.at("headers").at(header).at("example").as_string());
  }
  /// components/responses/<name>/.../examples/<example>/value
  const json::value& sharedErrorExample(const std::string& name, const std::string& exampleName) {
    return doc_.at("components").at("responses").at(name).at("content").at("application/json").at("examples")
        .at(exampleName).at("value");
  }

  std::string dir_;
  ManualClock clock_{kNow};
  metrics::Registry registry_;
  stream::Hub hub_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::SqliteDb> accountsDb_;
  std::unique_ptr<auth::AccountStore> accounts_;
  std::unique_ptr<api::Auditor> auditor_;
  std::unique_ptr<auth::Gatekeeper> gate_;
  std::unique_ptr<auth::LoginThrottle> throttle_;
  std::unique_ptr<api::Api> api_;
  std::unique_ptr<api::AuthApi> authApi_;
  std::unique_ptr<store::SqliteDb> rulesDb_;
  std::unique_ptr<store::SqliteDb> alertsDb_;
  std::unique_ptr<rules::RuleStore> ruleStore_;
  std::unique_ptr<alerts::AlertManager> alertManager_;
  std::unique_ptr<rules::RuleEngine> engine_;
  std::unique_ptr<api::RulesApi> rulesApi_;
  std::unique_ptr<api::EnvironmentApi> environmentApi_;
  std::unique_ptr<flood::QualityControl> floodQc_;
  std::unique_ptr<api::FloodApi> floodApi_;
  std::unique_ptr<cameras::CameraManager> cameraManager_;
  std::unique_ptr<api::CamerasApi> camerasApi_;
  std::unique_ptr<api::UiApi> uiApi_;
  std::unique_ptr<store::SqliteDb> notifyDb_;
  std::unique_ptr<notify::SubscriptionStore> subscriptions_;
  std::unique_ptr<notify::AlertNotifier> notifier_;
  std::unique_ptr<api::SubscriptionsApi> subscriptionsApi_;
  http::Router router_;
  json::value doc_;
};

}  // namespace

TEST_F(OpenApiTest, DocumentIsOpenApi30) {
  ASSERT_TRUE(doc_.is_object());
  const auto& o = doc_.as_object();
  ASSERT_TRUE(o.contains("openapi"));
  ASSERT_TRUE(o.at("openapi").is_string());
  EXPECT_TRUE(std::string_view(o.at("openapi").as_string()).starts_with("3.0.")) << o.at("openapi");
  ASSERT_TRUE(o.contains("info"));
  EXPECT_TRUE(o.at("info").at("title").is_string());
  EXPECT_TRUE(o.at("info").at("version").is_string());
  ASSERT_TRUE(o.contains("paths"));
  EXPECT_TRUE(o.at("paths").is_object());
  EXPECT_FALSE(o.at("paths").as_object().empty());
}

TEST_F(OpenApiTest, EveryRegisteredRouteIsDocumented) {
  const auto routes = router_.routes();
  ASSERT_FALSE(routes.empty());
  const auto& paths = doc_.at("paths").as_object();
  for (const auto& [method, pattern] : routes) {
    const auto* item = paths.if_contains(pattern);
    EXPECT_TRUE(item && item->is_object()) << "route " << method << " " << pattern << " has no path in openapi.json";
    if (!item || !item->is_object()) continue;
    EXPECT_TRUE(item->as_object().contains(lower(method)))
        << "route " << method << " " << pattern << " is not documented (path present, method missing)";
  }
}

TEST_F(OpenApiTest, EveryDocumentedOperationIsRegistered) {
  std::set<std::pair<std::string, std::string>> registered;
  for (const auto& r : router_.routes()) registered.insert(r);
  for (const auto& [path, item] : doc_.at("paths").as_object()) {
    size_t operations = 0;
    for (const auto& [key, op] : item.as_object()) {
      if (!kHttpMethods.count(std::string(key))) continue;
      ++operations;
      EXPECT_TRUE(registered.count({upper(std::string(key)), std::string(path)}))
          << "openapi.json documents " << upper(std::string(key)) << " " << path << ", which is not registered";
    }
    EXPECT_GT(operations, 0u) << "path " << path << " has no operation";
  }
}

TEST_F(OpenApiTest, ServedDocumentIsTheCompiledOne) {
  auto r = call("GET", "/api/v1/openapi.json");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.contentType, "application/json");
  EXPECT_EQ(r.body, api::OpenApi::document());
}

TEST_F(OpenApiTest, EveryRefResolves) {
  std::vector<const json::value*> todo{&doc_};
  size_t refs = 0;
  while (!todo.empty()) {
    const json::value* v = todo.back();
    todo.pop_back();
    if (const auto* o = v->if_object()) {
      for (const auto& kv : *o) {
        if (kv.key() == "$ref" && kv.value().is_string()) {
          ++refs;
          EXPECT_NE(pointer(doc_, kv.value().get_string()), nullptr) << "unresolved $ref " << kv.value();
        }
        todo.push_back(&kv.value());
      }
    } else if (const auto* a = v->if_array()) {
      for (const auto& x : *a) todo.push_back(&x);
    }
  }
  EXPECT_GT(refs, 0u);
  for (const char* name : {"Entity", "EntityInput", "EntityPatch", "Geometry", "Observation",
                           "ObservationQueryResult", "LatestValue", "Error", "LoginRequest", "LoginResult", "Me", "User",
                           "UserInput", "UserPatch", "SessionsRevoked", "DeviceKeyInput", "DeviceKeyCreated",
                           "DeviceKey", "AuditEntry", "StreamAuth", "StreamAuthenticated", "Severity", "Duration",
                           "RuleScope", "RuleLevel", "RuleCommon", "Rule", "ThresholdRule", "RateRule",
                           "AccumulationRule", "StaleRule", "ExpressionRule", "Alert", "AlertHistoryEntry",
                           "AlertDetail", "AlertAction", "StreamAlert", "StreamAlertFrame", "Subscription",
                           "NewSubscription", "SubscriptionFilter", "DeliveryStatus"})
    EXPECT_NE(pointer(doc_, std::string("#/components/schemas/") + name), nullptr) << "missing schema " << name;
}

TEST_F(OpenApiTest, OperationsDeclareTheirPathParametersAndResponses) {
  std::set<std::string> operationIds;
  for (const auto& [path, itemValue] : doc_.at("paths").as_object()) {
    const auto& item = itemValue.as_object();
    const auto expected = templateParams(std::string(path));
    for (const auto& [key, opValue] : item) {
      if (!kHttpMethods.count(std::string(key))) continue;
      SCOPED_TRACE(upper(std::string(key)) + " " + std::string(path));
      const auto& op = opValue.as_object();
      ASSERT_TRUE(op.contains("operationId"));
      EXPECT_TRUE(operationIds.insert(std::string(op.at("operationId").as_string())).second) << "duplicate operationId";

      std::set<std::string> declared;
      for (const auto& [where, p] : parametersOf(doc_, item, op)) {
        if (where.first != "path") continue;
        declared.insert(where.second);
        EXPECT_TRUE(p->contains("required") && p->at("required").as_bool()) << "path parameter must be required";
      }
      EXPECT_EQ(join(declared), join(expected)) << "path parameters differ from the template";

      const auto& responses = op.at("responses").as_object();
      EXPECT_TRUE(responses.contains("405")) << "every operation documents 405 for the other methods";
      bool success = false;
      for (const auto& [code, resp] : responses) {
        const std::string c(code);
        success = success || c.starts_with("2") || c == "101";
        EXPECT_TRUE(resolve(doc_, resp).as_object().contains("description")) << "response " << c;
      }
      EXPECT_TRUE(success) << "no success response";
    }
  }
}

// The handlers reject unknown query parameters naming the ones they accept: that list must be the documented one.
TEST_F(OpenApiTest, QueryParametersAreTheOnesTheHandlersAccept) {
  const auto& paths = doc_.at("paths").as_object();
  for (const auto& [method, pattern] : router_.routes()) {
    SCOPED_TRACE(method + " " + pattern);
    const auto* item = paths.if_contains(pattern);
    if (!item || !item->as_object().contains(lower(method))) continue;  // reported by EveryRegisteredRouteIsDocumented
    std::set<std::string> documented;
    for (const auto& [where, p] : parametersOf(doc_, item->as_object(), item->as_object().at(lower(method)).as_object()))
      if (where.first == "query") documented.insert(where.second);

    http::Request probe;
    probe.method = method;
    probe.path = probe.target = concretePath(pattern);
    if (router_.match(probe).websocket) {
      // The Gate reads ?access_token= on the WebSocket routes whose rule lets the token come later; nothing else.
      const auto* rule = policy().find(method, pattern);
      const std::set<std::string> expected =
          rule && rule->tokenInMessage ? std::set<std::string>{"access_token"} : std::set<std::string>{};
      EXPECT_EQ(join(documented), join(expected)) << "query parameters of a WebSocket route";
      continue;
    }
    EXPECT_FALSE(documented.count("access_token")) << "access_token is only read on WebSocket upgrades";
    auto r = call(method, concretePath(pattern), {{"cityops_probe", "1"}});
    std::set<std::string> accepted;
    if (r.status == 400) {
      const std::string message(bodyJson(r).at("message").as_string());
      const auto open = message.find("(allowed: ");
      if (open != std::string::npos) {
        std::string list = message.substr(open + 10, message.rfind(')') - open - 10);
        std::stringstream ss(list);
        for (std::string name; std::getline(ss, name, ',');) {
          name.erase(0, name.find_first_not_of(' '));
          accepted.insert(name);
        }
      }
    }
    EXPECT_EQ(join(documented), join(accepted)) << "documented query parameters vs accepted by the handler";
  }
}

// Every error example's code gives the status it is documented under.
TEST_F(OpenApiTest, ErrorExamplesUseTheStatusOfTheirCode) {
  const std::map<std::string, int> httpLayer = {{"method_not_allowed", 405}, {"upgrade_required", 426}};
  const auto& errorCodes = doc_.at("components").at("schemas").at("Error").at("properties").at("error").at("enum");
  size_t checked = 0;
  for (const auto& [path, item] : doc_.at("paths").as_object())
    for (const auto& [key, op] : item.as_object()) {
      if (!kHttpMethods.count(std::string(key))) continue;
      for (const auto& [code, respValue] : op.at("responses").as_object()) {
        const int status = std::stoi(std::string(code));
        if (status < 400) continue;
        const auto& resp = resolve(doc_, respValue).as_object();
        const auto* content = resp.if_contains("content");
        const auto* media = content ? content->as_object().if_contains("application/json") : nullptr;
        if (!media) continue;
        std::vector<const json::value*> examples;
        if (const auto* e = media->as_object().if_contains("example")) examples.push_back(e);
        if (const auto* es = media->as_object().if_contains("examples"))
          for (const auto& kv : es->as_object()) examples.push_back(&resolve(doc_, kv.value()).at("value"));
        for (const auto* e : examples) {
          SCOPED_TRACE(upper(std::string(key)) + " " + std::string(path) + " " + std::string(code));
          const std::string errorCode(e->at("error").as_string());
          EXPECT_NE(std::find(errorCodes.as_array().begin(), errorCodes.as_array().end(), json::value(errorCode)),
                    errorCodes.as_array().end())
              << errorCode << " is not in Error.error's enum";
          const auto it = httpLayer.find(errorCode);
          const int expected =
              it != httpLayer.end() ? it->second : api::Api::errorResponse({errorCode, "x"}).status;
          EXPECT_EQ(expected, status) << "example code " << errorCode;
          ++checked;
        }
      }
    }
  EXPECT_GT(checked, 10u);
}

// Plays the document's request examples against the API and compares what comes back with the schemas and the
// documented response examples.
TEST_F(OpenApiTest, ExamplesHoldAgainstTheApi) {
  const std::string entities = "/api/v1/entities";

  // Create one entity, then several.
  const auto& createMedia = requestMedia(entities, "post");
  auto created = call("POST", entities, {}, json::serialize(example(createMedia, "one")));
  ASSERT_EQ(created.status, 201) << created.body;
  expectMatches(doc_, "Entity", bodyJson(created), "POST /api/v1/entities (object)");
  const auto& oneResponse = example(responseMedia(entities, "post", "201"), "one").as_object();
  auto createdJson = bodyJson(created).as_object();
  for (const char* k : {"id", "type", "name", "geometry", "attributes", "tags"})
    EXPECT_EQ(createdJson.at(k), oneResponse.at(k)) << "201 example field " << k;

  auto many = call("POST", entities, {}, json::serialize(example(createMedia, "many")));
  ASSERT_EQ(many.status, 201) << many.body;
  const auto manyJson = bodyJson(many);
  for (const auto& e : manyJson.as_array()) expectMatches(doc_, "Entity", e, "POST /api/v1/entities (array)");

  auto again = call("POST", entities, {}, json::serialize(example(createMedia, "one")));
  EXPECT_EQ(again.status, 409);
  expectMatches(doc_, "Error", bodyJson(again), "409");
  EXPECT_EQ(bodyJson(again), example(responseMedia(entities, "post", "409"), "exists"));

  // Ingest the batch example; the documented series examples are what it produces.
  const auto& ingestMedia = requestMedia("/api/v1/observations", "post");
  auto ingested = call("POST", "/api/v1/observations", {}, json::serialize(example(ingestMedia, "batch")));
  ASSERT_EQ(ingested.status, 200) << ingested.body;
  expectMatches(doc_, "IngestResult", bodyJson(ingested), "POST /api/v1/observations");
  EXPECT_EQ(bodyJson(ingested), responseMedia("/api/v1/observations", "post", "200").at("example"));

  const auto& ndjson = requestMedia("/api/v1/observations", "post", "application/x-ndjson").at("example");
  auto fromNdjson = call("POST", "/api/v1/observations", {}, std::string(ndjson.as_string()), "application/x-ndjson");
  EXPECT_EQ(fromNdjson.status, 200) << fromNdjson.body;

  const std::string series = "/api/v1/entities/wl.tamky/observations";
  const auto& seriesMedia = responseMedia("/api/v1/entities/{id}/observations", "get", "200");
  for (const char* name : {"raw", "aggregated"}) {
    SCOPED_TRACE(name);
    const auto& ex = example(seriesMedia, name).as_object();
    std::map<std::string, std::string> q{{"metric", std::string(ex.at("metric").as_string())},
                                         {"from", std::string(ex.at("from").as_string())},
                                         {"to", std::string(ex.at("to").as_string())},
                                         {"interval", std::string(ex.at("interval").as_string())}};
    if (ex.contains("agg")) q["agg"] = std::string(ex.at("agg").as_string());
    auto r = call("GET", series, q);
    ASSERT_EQ(r.status, 200) << r.body;
    auto got = bodyJson(r);
    expectMatches(doc_, "ObservationQueryResult", got, "GET observations");
    for (const auto& p : got.at("points").as_array()) expectMatches(doc_, "SeriesPoint", p, "GET observations point");
    EXPECT_EQ(got, json::value(ex)) << "the documented example differs from the response";
  }

  // One entity, with metrics; the list.
  auto one = call("GET", "/api/v1/entities/wl.tamky");
  ASSERT_EQ(one.status, 200) << one.body;
  expectMatches(doc_, "EntityDetail", bodyJson(one), "GET /api/v1/entities/{id}");
  EXPECT_EQ(bodyJson(one).at("metrics"), json::value(json::array{"water_level_m"}));

  auto list = call("GET", entities, {{"type", "WaterLevelStation"}});
  ASSERT_EQ(list.status, 200) << list.body;
  const auto listJson = bodyJson(list);
  ASSERT_EQ(listJson.as_array().size(), 1u);
  for (const auto& e : listJson.as_array()) expectMatches(doc_, "Entity", e, "GET /api/v1/entities");

  auto latest = call("GET", "/api/v1/latest", {{"entity", "wl.tamky"}});
  ASSERT_EQ(latest.status, 200) << latest.body;
  const auto latestValues = bodyJson(latest).as_array();
  ASSERT_EQ(latestValues.size(), 1u);
  expectMatches(doc_, "LatestValue", latestValues[0], "GET /api/v1/latest");
  const auto& latestExample = responseMedia("/api/v1/latest", "get", "200").at("example").as_array();
  EXPECT_NE(std::find(latestExample.begin(), latestExample.end(), latestValues[0]), latestExample.end())
      << json::serialize(latestValues[0]) << " is not among the documented latest values";

  // Patch with the example: attributes merged, tags replaced.
  const auto& patchExample = requestMedia("/api/v1/entities/{id}", "patch").at("example");
  auto patched = call("PATCH", "/api/v1/entities/wl.tamky", {}, json::serialize(patchExample));
  ASSERT_EQ(patched.status, 200) << patched.body;
  expectMatches(doc_, "Entity", bodyJson(patched), "PATCH /api/v1/entities/{id}");
  const auto& patchedExample = responseMedia("/api/v1/entities/{id}", "patch", "200").at("example");
  EXPECT_EQ(bodyJson(patched).at("attributes"), patchedExample.at("attributes"));
  EXPECT_EQ(bodyJson(patched).at("tags"), patchedExample.at("tags"));

  // The unknown-entity example of ingest.
  auto unknown = call("POST", "/api/v1/observations", {},
                      R"([{"entity":"wl.tamky","metric":"water_level_m","time":"2025-10-29T18:20:00+07:00","value":2.6},)"
                      R"({"entity":"wl.hoi-an","metric":"water_level_m","time":"2025-10-29T18:20:00+07:00","value":1.2}])");
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(bodyJson(unknown), example(responseMedia("/api/v1/observations", "post", "422"), "unknown"));

  // Delete: 204, then 404 with the Error shape.
  EXPECT_EQ(call("DELETE", "/api/v1/entities/wl.tamky").status, 204);
  auto gone = call("GET", "/api/v1/entities/wl.tamky");
  EXPECT_EQ(gone.status, 404);
  expectMatches(doc_, "Error", bodyJson(gone), "404");
}

// Each operation's x-roles and security are the access policy's: the roles of its rule, `security: []` exactly on
// the public rules, an anonymous alternative ({}) exactly where the token may come in a message; and every
// operation documents the refusals the Gate can answer with.
TEST_F(OpenApiTest, RolesAndSecurityAreTheAccessPolicys) {
  const auto& root = doc_.as_object();
  ASSERT_TRUE(root.contains("security"));
  EXPECT_EQ(root.at("security"), json::parse(R"([{"bearer": []}])")) << "protected by default";
  const auto& bearer = doc_.at("components").at("securitySchemes").at("bearer").as_object();
  EXPECT_EQ(bearer.at("type"), "http");
  EXPECT_EQ(bearer.at("scheme"), "bearer");

  const std::set<std::string> knownRoles = roleNames({auth::kAllRoles.begin(), auth::kAllRoles.end()});
  size_t operations = 0, publicOperations = 0;
  for (const auto& [path, item] : doc_.at("paths").as_object())
    for (const auto& [key, opValue] : item.as_object()) {
      if (!kHttpMethods.count(std::string(key))) continue;
      const std::string method = upper(std::string(key));
      SCOPED_TRACE(method + " " + std::string(path));
      ++operations;
      const auto& op = opValue.as_object();
      const auth::AccessRule* rule = policy().find(method, std::string(path));
      ASSERT_NE(rule, nullptr) << "documented, but the access policy has no rule: refused to everyone";

      ASSERT_TRUE(op.contains("x-roles")) << "every operation lists the roles that may call it";
      std::set<std::string> documented;
      for (const auto& r : op.at("x-roles").as_array()) {
        const std::string name(r.as_string());
        EXPECT_TRUE(knownRoles.count(name)) << "unknown role " << name;
        EXPECT_TRUE(documented.insert(name).second) << "role listed twice: " << name;
      }
      EXPECT_EQ(join(documented), join(roleNames(rule->roles))) << "x-roles vs AccessPolicy::cityopsDefault()";

      const json::value* security = op.if_contains("security");
      const bool documentedPublic = security && security->as_array().empty();
      EXPECT_EQ(documentedPublic, rule->isPublic) << "security: [] must be exactly on the public rules";
      if (documentedPublic) ++publicOperations;
      bool anonymousAlternative = false;
      if (security && !documentedPublic) {
        bool usesBearer = false;
        for (const auto& requirement : security->as_array()) {
          const auto& o = requirement.as_object();
          anonymousAlternative = anonymousAlternative || o.empty();
          usesBearer = usesBearer || o.contains("bearer");
        }
        EXPECT_TRUE(usesBearer) << "a protected operation's security must offer the bearer scheme";
      }
      EXPECT_EQ(anonymousAlternative, rule->tokenInMessage)
          << "an anonymous alternative ({}) only where the token may come as the first message";

      const auto& responses = op.at("responses").as_object();
      if (!rule->isPublic) {
        EXPECT_TRUE(responses.contains("401")) << "protected: documents 401";
      }
      EXPECT_TRUE(responses.contains("403")) << "every operation can answer 403 (roles, or a device key)";
      EXPECT_TRUE(responses.contains("429")) << "every operation is rate-limited";
    }
  // The dashboard's pages and assets (AccessRule::page, served by web::StaticSite) are not API operations.
  const auto& all = policy().rules();
  EXPECT_EQ(operations, static_cast<size_t>(std::count_if(all.begin(), all.end(),
                                                          [](const auth::AccessRule& r) { return !r.page; })));
  EXPECT_EQ(publicOperations, static_cast<size_t>(std::count_if(all.begin(), all.end(), [](const auth::AccessRule& r) {
              return r.isPublic && !r.page;
            })));
}

// Deny by default must not deny a route by mistake: every route has a rule, and every rule has a route.
TEST_F(OpenApiTest, AccessTableCoversExactlyTheRoutes) {
  std::set<std::pair<std::string, std::string>> registered;
  for (const auto& [method, pattern] : router_.routes()) {
    registered.emplace(method, pattern);
    SCOPED_TRACE(method + " " + pattern);
    const auth::AccessRule* rule = policy().find(method, pattern);
    EXPECT_NE(rule, nullptr) << "registered route without an access rule: refused to everyone";
    if (!rule) continue;
    http::Request probe;
    probe.method = method;
    probe.path = probe.target = concretePath(pattern);
    EXPECT_EQ(rule->tokenInMessage, router_.match(probe).websocket != nullptr)
        << "only WebSocket routes may take their token as a message";
  }
  for (const auto& rule : policy().rules()) {
    if (rule.page) continue;  // the dashboard's pages: web::StaticSite, checked by tests/web and tests/browser
    EXPECT_TRUE(registered.count({rule.method, rule.pattern}))
        << "access rule " << rule.method << " " << rule.pattern << " has no route (a typo in the table?)";
  }
}

// The shared 401/403/429 responses are what the Gate answers.
TEST_F(OpenApiTest, RefusalsAreTheDocumentedOnes) {
  auto admit = [](auth::Gatekeeper& gate, const std::string& method, const std::string& route,
                  const std::string& token) -> std::optional<http::Response> {
    auto req = request(method, concretePath(route));
    if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
    return gate.admit(req, route);
  };
  auto key = accounts_->createDeviceKey("gateway tamky-01", {"wl.tamky"});
  ASSERT_TRUE(key) << key.error().message;

  // 401 without a token, and with a well-formed token the server never issued.
  auto missing = admit(*gate_, "GET", "/api/v1/entities", "");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(bodyJson(*missing), sharedErrorExample("Unauthenticated", "missing"));
  EXPECT_EQ(headerOf(*missing, "WWW-Authenticate"), "Bearer");
  const std::string unknownToken = std::string(auth::Tokens::kSessionPrefix) + std::string(43, 'A');
  auto invalid = admit(*gate_, "GET", "/api/v1/entities", unknownToken);
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->status, 401);
  EXPECT_EQ(bodyJson(*invalid), sharedErrorExample("Unauthenticated", "invalid"));
  const auto& unauthenticated = doc_.at("components").at("responses").at("Unauthenticated").as_object();
  EXPECT_EQ(headerOf(*invalid, "WWW-Authenticate"),
            std::string(unauthenticated.at("headers").at("WWW-Authenticate").at("example").as_string()));
  auto streamInvalid = admit(*gate_, "GET", "/api/v1/stream", unknownToken);
  ASSERT_TRUE(streamInvalid);
  EXPECT_EQ(bodyJson(*streamInvalid), example(responseMedia("/api/v1/stream", "get", "401"), "invalid"));
  EXPECT_FALSE(admit(*gate_, "GET", "/api/v1/stream", "")) << "an anonymous upgrade is let through";

  // 403: a device key on an operation whose x-roles lacks device (the example's route).
  auto refused = admit(*gate_, "DELETE", "/api/v1/entities/{id}", key->key);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(bodyJson(*refused), sharedErrorExample("Forbidden", "role"));
  auto healthz = admit(*gate_, "GET", "/healthz", key->key);
  ASSERT_TRUE(healthz) << "device keys are refused on public operations too";
  EXPECT_EQ(healthz->status, 403);
  EXPECT_FALSE(admit(*gate_, "GET", "/healthz", "")) << "public";
  EXPECT_FALSE(admit(*gate_, "POST", "/api/v1/observations", key->key));

  // 429 per address (anonymous) and per user, with Retry-After.
  auth::Gatekeeper::Options strict;
  strict.perAddress = {1, 1, 100};
  strict.perCredential = {1, 1, 100};
  auth::Gatekeeper tight(*accounts_, policy(), clock_, registry_, strict);
  EXPECT_FALSE(admit(tight, "GET", "/healthz", ""));
  auto byAddress = admit(tight, "GET", "/healthz", "");
  ASSERT_TRUE(byAddress);
  EXPECT_EQ(byAddress->status, 429);
  EXPECT_EQ(bodyJson(*byAddress), sharedErrorExample("TooManyRequests", "address"));
  EXPECT_EQ(headerOf(*byAddress, "Retry-After"), "1");
  auto user = accounts_->createUser("lan.nguyen", auth::Role::Viewer, "tamky-flood-watch-2025");
  ASSERT_TRUE(user) << user.error().message;
  auto session = accounts_->login("lan.nguyen", "tamky-flood-watch-2025", kNow);
  ASSERT_TRUE(session) << session.error().message;
  EXPECT_FALSE(admit(tight, "GET", "/api/v1/entities", session->token));
  auto byUser = admit(tight, "GET", "/api/v1/entities", session->token);
  ASSERT_TRUE(byUser);
  EXPECT_EQ(byUser->status, 429);
  EXPECT_EQ(bodyJson(*byUser), sharedErrorExample("TooManyRequests", "user"));
  EXPECT_EQ(headerOf(*byUser, "Retry-After"), "1");
}

// Plays the account examples against the handlers: the first admin, a user created with the documented example,
// logging in with it, listing, patching, a device key created, listed without its secret and revoked, the audit trail.
TEST_F(OpenApiTest, AccountExamplesHoldAgainstTheApi) {
  // First start, as in src/app/main.cpp.
  clock_.set(kInstalled);
  auto first = auth::FirstRun::ensureAdmin(*accounts_, "first-run-admin-password");
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(first->created);
  auditor_->recordAs("cityops", "", "user.create", "user:admin", {},
                     R"({"username":"admin","role":"admin","via":"first run"})");
  clock_.set(kNow);
  auto adminUser = accounts_->getUserByName("admin");
  ASSERT_TRUE(adminUser);
  auth::Principal admin;
  admin.id = adminUser->id;
  admin.name = "admin";
  admin.role = auth::Role::Admin;
  auto bodyOf = [](const char* text) { return std::string(text); };

  // --- users: create with the documented example ---
  const std::string users = "/api/v1/users";
  auto created = callAs(admin, "POST", users, {}, json::serialize(example(requestMedia(users, "post"), "operator")));
  ASSERT_EQ(created.status, 201) << created.body;
  expectMatches(doc_, "User", bodyJson(created), "POST /api/v1/users");
  EXPECT_EQ(bodyJson(created), responseMedia(users, "post", "201").at("example"));
  EXPECT_EQ(headerOf(created, "Location"), responseHeader(users, "post", "201", "Location"));
  auto again = callAs(admin, "POST", users, {}, json::serialize(example(requestMedia(users, "post"), "operator")));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(bodyJson(again), example(responseMedia(users, "post", "409"), "exists"));
  const std::map<std::string, std::string> badNewUsers = {
      {"username", R"({"username":"lan nguyen","role":"operator","password":"tamky-flood-watch-2025"})"},
      {"role", R"({"username":"lan.nguyen","role":"device","password":"tamky-flood-watch-2025"})"},
      {"password", R"({"username":"lan.nguyen","role":"operator","password":"short"})"},
      {"unknown", R"({"username":"lan.nguyen","email":"lan@example.org","role":"operator","password":"x"})"}};
  for (const auto& [name, body] : badNewUsers) {
    SCOPED_TRACE("POST /api/v1/users 400 " + name);
    auto r = callAs(admin, "POST", users, {}, body);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(bodyJson(r), example(responseMedia(users, "post", "400"), name));
  }

  // --- login with the documented example ---
  const std::string login = "/api/v1/auth/login";
  const auto& loginExample = requestMedia(login, "post").at("example");
  auto loggedIn = call("POST", login, {}, json::serialize(loginExample));
  ASSERT_EQ(loggedIn.status, 200) << loggedIn.body;
  const auto session = bodyJson(loggedIn);
  expectMatches(doc_, "LoginResult", session, "POST /api/v1/auth/login");
  const auto& loginResult = responseMedia(login, "post", "200").at("example").as_object();
  for (const char* k : {"expires_at", "role", "username"})
    EXPECT_EQ(session.at(k), loginResult.at(k)) << "200 example field " << k;
  const std::string token(session.at("token").as_string());
  EXPECT_TRUE(token.starts_with(auth::Tokens::kSessionPrefix) && auth::Tokens::wellFormed(token)) << token;
  const std::string exampleToken(loginResult.at("token").as_string());
  EXPECT_TRUE(exampleToken.starts_with(auth::Tokens::kSessionPrefix) && auth::Tokens::wellFormed(exampleToken));

  auto wrong = call("POST", login, {}, bodyOf(R"({"username":"lan.nguyen","password":"not-her-password"})"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(bodyJson(wrong), example(responseMedia(login, "post", "401"), "wrong"));
  EXPECT_EQ(headerOf(wrong, "WWW-Authenticate"), responseHeader(login, "post", "401", "WWW-Authenticate"));
  const std::map<std::string, std::string> badLogins = {
      {"empty", ""}, {"missing", R"({"username":"lan.nguyen"})"}, {"unknown", R"({"user":"lan.nguyen","password":"x"})"}};
  for (const auto& [name, body] : badLogins) {
    SCOPED_TRACE("POST /api/v1/auth/login 400 " + name);
    auto r = call("POST", login, {}, body);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(bodyJson(r), example(responseMedia(login, "post", "400"), name));
  }

  // --- who am I, then log out ---
  auto lan = gate_->authenticate(token);
  ASSERT_TRUE(lan) << lan.error().message;
  auto me = callAs(*lan, "GET", "/api/v1/auth/me");
  ASSERT_EQ(me.status, 200) << me.body;
  expectMatches(doc_, "Me", bodyJson(me), "GET /api/v1/auth/me (user)");
  EXPECT_EQ(bodyJson(me), example(responseMedia("/api/v1/auth/me", "get", "200"), "user"));
  {
    auto req = request("POST", "/api/v1/auth/logout");
    req.headers.emplace_back("Authorization", "Bearer " + token);
    req.principal = std::make_shared<const auth::Principal>(*lan);
    auto out = dispatch(std::move(req));
    EXPECT_EQ(out.status, 204) << out.body;
    EXPECT_FALSE(gate_->authenticate(token)) << "the token works after logout";
  }
  auto relogin = call("POST", login, {}, json::serialize(loginExample));
  ASSERT_EQ(relogin.status, 200) << relogin.body;
  const std::string token2(bodyJson(relogin).at("token").as_string());

  // --- list, get, patch ---
  auto list = callAs(admin, "GET", users);
  ASSERT_EQ(list.status, 200) << list.body;
  const auto listJson = bodyJson(list);
  for (const auto& u : listJson.as_array()) expectMatches(doc_, "User", u, "GET /api/v1/users");
  EXPECT_EQ(bodyJson(list), responseMedia(users, "get", "200").at("example"));
  auto one = callAs(admin, "GET", users + "/2");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(bodyJson(one), responseMedia(users + "/{id}", "get", "200").at("example"));
  auto missing = callAs(admin, "GET", users + "/99");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(bodyJson(missing), example(responseMedia(users + "/{id}", "get", "404"), "missing"));
  auto notNumber = callAs(admin, "GET", users + "/lan.nguyen");
  EXPECT_EQ(notNumber.status, 404);
  EXPECT_EQ(bodyJson(notNumber), example(responseMedia(users + "/{id}", "get", "404"), "notNumber"));

  auto patched = callAs(admin, "PATCH", users + "/2", {},
                        json::serialize(example(requestMedia(users + "/{id}", "patch"), "role")));
  ASSERT_EQ(patched.status, 200) << patched.body;
  expectMatches(doc_, "User", bodyJson(patched), "PATCH /api/v1/users/{id}");
  EXPECT_EQ(bodyJson(patched), responseMedia(users + "/{id}", "patch", "200").at("example"));
  const std::map<std::string, std::string> badPatches = {
      {"empty", "{}"}, {"disabled", R"({"disabled":"yes"})"}, {"unknown", R"({"username":"lan"})"}};
  for (const auto& [name, body] : badPatches) {
    SCOPED_TRACE("PATCH /api/v1/users/{id} 400 " + name);
    auto r = callAs(admin, "PATCH", users + "/2", {}, body);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(bodyJson(r), example(responseMedia(users + "/{id}", "patch", "400"), name));
  }
  auto demote = callAs(admin, "PATCH", users + "/1", {}, R"({"role":"viewer"})");
  EXPECT_EQ(demote.status, 409);
  EXPECT_EQ(bodyJson(demote), example(responseMedia(users + "/{id}", "patch", "409"), "lastAdmin"));
  auto deleteAdmin = callAs(admin, "DELETE", users + "/1");
  EXPECT_EQ(deleteAdmin.status, 409);
  EXPECT_EQ(bodyJson(deleteAdmin), example(responseMedia(users + "/{id}", "delete", "409"), "lastAdmin"));

  // --- the stream, token as the first message: the session now belongs to a viewer ---
  {
    http::Request probe = request("GET", "/api/v1/stream");
    auto endpoint = router_.match(probe, true).websocket;
    ASSERT_NE(endpoint, nullptr);
    const auto& frames = responseMedia("/api/v1/stream", "get", "101");
    auto peer = std::make_shared<RecordingPeer>();
    endpoint->onOpen(peer, request("GET", "/api/v1/stream"));
    endpoint->onMessage(peer, json::serialize(json::object{{"token", token2}}));
    ASSERT_EQ(peer->frames().size(), 1u);
    EXPECT_EQ(json::parse(peer->frames()[0]), example(frames, "authenticated"));
    EXPECT_TRUE(peer->isOpen());
    endpoint->onClose(peer);

    auto stranger = std::make_shared<RecordingPeer>();
    endpoint->onOpen(stranger, request("GET", "/api/v1/stream"));
    endpoint->onMessage(stranger, R"({"subscribe":["alerts"]})");
    ASSERT_EQ(stranger->frames().size(), 1u);
    EXPECT_EQ(json::parse(stranger->frames()[0]), example(frames, "unauthenticated"));
    EXPECT_FALSE(stranger->isOpen());
    EXPECT_EQ(stranger->closeReason(), "unauthenticated");
    endpoint->onClose(stranger);
  }

  // --- log the user out everywhere ---
  auto revoked = callAs(admin, "DELETE", users + "/2/sessions");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  expectMatches(doc_, "SessionsRevoked", bodyJson(revoked), "DELETE /api/v1/users/{id}/sessions");
  EXPECT_EQ(bodyJson(revoked), responseMedia(users + "/{id}/sessions", "delete", "200").at("example"));
  EXPECT_FALSE(gate_->authenticate(token2)) << "the token works after its sessions were revoked";

  // --- device keys ---
  const std::string keys = "/api/v1/devices/keys";
  auto made = callAs(admin, "POST", keys, {}, json::serialize(example(requestMedia(keys, "post"), "gateway")));
  ASSERT_EQ(made.status, 201) << made.body;
  const auto madeJson = bodyJson(made);
  expectMatches(doc_, "DeviceKeyCreated", madeJson, "POST /api/v1/devices/keys");
  const auto& madeExample = responseMedia(keys, "post", "201").at("example").as_object();
  for (const char* k : {"id", "name", "scope"}) EXPECT_EQ(madeJson.at(k), madeExample.at(k)) << "201 example field " << k;
  EXPECT_EQ(headerOf(made, "Location"), responseHeader(keys, "post", "201", "Location"));
  const std::string deviceKey(madeJson.at("key").as_string());
  EXPECT_TRUE(deviceKey.starts_with(auth::Tokens::kDeviceKeyPrefix) && auth::Tokens::wellFormed(deviceKey));
  const std::string exampleKey(madeExample.at("key").as_string());
  EXPECT_TRUE(exampleKey.starts_with(auth::Tokens::kDeviceKeyPrefix) && auth::Tokens::wellFormed(exampleKey));
  const std::map<std::string, std::string> badKeys = {
      {"scope", R"({"name":"gateway tamky-01","scope":[]})"},
      {"entity", R"({"name":"gateway tamky-01","scope":["wl.tamky","wl tamky"]})"},
      {"name", R"({"name":"","scope":["wl.tamky"]})"}};
  for (const auto& [name, body] : badKeys) {
    SCOPED_TRACE("POST /api/v1/devices/keys 400 " + name);
    auto r = callAs(admin, "POST", keys, {}, body);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(bodyJson(r), example(responseMedia(keys, "post", "400"), name));
  }

  auto listed = callAs(admin, "GET", keys);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.body.find(deviceKey), std::string::npos) << "the key is shown again";
  const auto listedJson = bodyJson(listed);
  for (const auto& k : listedJson.as_array()) {
    expectMatches(doc_, "DeviceKey", k, "GET /api/v1/devices/keys");
    EXPECT_FALSE(k.as_object().contains("key"));
  }
  EXPECT_EQ(bodyJson(listed), responseMedia(keys, "get", "200").at("example"));

  // The key at work: who am I, and writes outside its scope.
  auto device = gate_->authenticate(deviceKey);
  ASSERT_TRUE(device) << device.error().message;
  auto deviceMe = callAs(*device, "GET", "/api/v1/auth/me");
  ASSERT_EQ(deviceMe.status, 200) << deviceMe.body;
  expectMatches(doc_, "Me", bodyJson(deviceMe), "GET /api/v1/auth/me (device)");
  EXPECT_EQ(bodyJson(deviceMe), example(responseMedia("/api/v1/auth/me", "get", "200"), "device"));
  auto outside = callAs(*device, "POST", "/api/v1/observations", {},
                        R"([{"entity":"wl.tamky","metric":"water_level_m","time":"2025-10-29T18:20:00+07:00","value":2.6},)"
                        R"({"entity":"wl.hoi-an","metric":"water_level_m","time":"2025-10-29T18:20:00+07:00","value":1.2}])");
  EXPECT_EQ(outside.status, 403);
  EXPECT_EQ(bodyJson(outside), example(responseMedia("/api/v1/observations", "post", "403"), "scope"));

  EXPECT_EQ(callAs(admin, "DELETE", keys + "/1").status, 204);
  EXPECT_EQ(callAs(admin, "DELETE", keys + "/1").status, 204) << "revoking twice is fine";
  auto noKey = callAs(admin, "DELETE", keys + "/9");
  EXPECT_EQ(noKey.status, 404);
  EXPECT_EQ(bodyJson(noKey), example(responseMedia(keys + "/{id}", "delete", "404"), "missing"));
  EXPECT_FALSE(gate_->authenticate(deviceKey)) << "the key works after its revocation";
  auto afterRevoke = callAs(admin, "GET", keys);
  ASSERT_EQ(afterRevoke.status, 200);
  EXPECT_EQ(bodyJson(afterRevoke).as_array().at(0).at("revoked"), json::value(true));

  // --- the audit trail ---
  const std::string audit = "/api/v1/audit";
  auto creations = callAs(admin, "GET", audit, {{"action", "user.create"}});
  ASSERT_EQ(creations.status, 200) << creations.body;
  EXPECT_EQ(bodyJson(creations), responseMedia(audit, "get", "200").at("example"));
  auto everything = callAs(admin, "GET", audit, {{"limit", "1000"}});
  ASSERT_EQ(everything.status, 200) << everything.body;
  const auto& actions = doc_.at("components").at("schemas").at("AuditEntry").at("properties").at("action").at("enum");
  std::set<std::string> seen;
  const auto trail = bodyJson(everything);
  for (const auto& e : trail.as_array()) {
    expectMatches(doc_, "AuditEntry", e, "GET /api/v1/audit");
    seen.emplace(e.at("action").as_string());
    EXPECT_NE(std::find(actions.as_array().begin(), actions.as_array().end(), e.at("action")), actions.as_array().end())
        << "undocumented audit action " << e.at("action");
  }
  for (const char* a : {"user.create", "login.success", "login.failure", "logout", "user.update",
                        "user.sessions.revoke", "device_key.create", "device_key.revoke"})
    EXPECT_TRUE(seen.count(a)) << "no " << a << " in the trail";
  const std::map<std::string, std::map<std::string, std::string>> badQueries = {
      {"unknown", {{"user", "admin"}}},
      {"limit", {{"limit", "0"}}},
      {"range", {{"from", "2025-10-30T00:00:00Z"}, {"to", "2025-10-29T00:00:00Z"}}}};
  for (const auto& [name, query] : badQueries) {
    SCOPED_TRACE("GET /api/v1/audit 400 " + name);
    auto r = callAs(admin, "GET", audit, query);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(bodyJson(r), example(responseMedia(audit, "get", "400"), name));
  }

  // --- delete the user ---
  EXPECT_EQ(callAs(admin, "DELETE", users + "/2").status, 204);
  EXPECT_EQ(callAs(admin, "GET", users + "/2").status, 404);
}

// Plays the rule and alert examples against the handlers, with the rule engine and the alert manager of
// src/app/main.cpp: the rule of docs/rules.md created, read back, changed; the other kinds' examples accepted; a
// flood evening of observations that raises, escalates, de-escalates and resolves an alert, with an operator's
// acknowledgement; a second alert commented on and resolved by the operator; the conflicts; the stream's `alerts`
// frames; the audit trail; the rule deleted.
TEST_F(OpenApiTest, RuleAndAlertExamplesHoldAgainstTheApi) {
  auto at = [](const char* text) {
    auto t = parseTime(text);
    EXPECT_TRUE(t) << text;
    return t ? *t : int64_t{0};
  };
  auto drained = [this] { engine_->drain(); };
  auth::Principal lan;  // the operator of the examples
  lan.id = 2;
  lan.name = "lan.nguyen";
  lan.role = auth::Role::Operator;
  auth::Principal admin;
  admin.id = 1;
  admin.name = "admin";
  admin.role = auth::Role::Admin;
  auto ingest = [&](const json::value& observations) {
    auto r = call("POST", "/api/v1/observations", {}, json::serialize(observations));
    EXPECT_EQ(r.status, 200) << r.body;
    drained();
  };
  auto reading = [](const char* time, double value) {
    return json::object{{"entity", "wl.tamky"}, {"metric", "water_level_m"}, {"time", time}, {"value", value}};
  };
  // The schema of a rule's kind, through Rule's discriminator (which must name every kind).
  auto ruleSchema = [this](const json::value& rule) -> std::string {
    const auto& mapping = doc_.at("components").at("schemas").at("Rule").at("discriminator").at("mapping");
    const auto* ref = mapping.as_object().if_contains(rule.at("kind").as_string());
    if (!ref) {
      ADD_FAILURE() << "Rule.discriminator.mapping lacks " << rule.at("kind");
      return "Rule";
    }
    const std::string_view s = ref->as_string();
    return std::string(s.substr(s.rfind('/') + 1));
  };
  auto expectRule = [&](const json::value& rule, const std::string& where) {
    const auto schema = ruleSchema(rule);
    expectMatches(doc_, schema, rule, where);
    if (const auto* levels = rule.as_object().if_contains("levels"))
      for (const auto& l : levels->as_array()) expectMatches(doc_, "RuleLevel", l, where + " level");
  };
  auto expectAlertDetail = [&](const json::value& alert, const std::string& where) {
    expectMatches(doc_, "AlertDetail", alert, where);
    for (const auto& h : alert.at("history").as_array()) expectMatches(doc_, "AlertHistoryEntry", h, where + " history");
  };

  // The entity the examples watch.
  clock_.set(at("2025-10-29T08:00:00Z"));
  auto entity = call("POST", "/api/v1/entities", {},
                     json::serialize(example(requestMedia("/api/v1/entities", "post"), "one")));
  ASSERT_EQ(entity.status, 201) << entity.body;

  // Live alert frames, from here on.
  http::Request probe = request("GET", "/api/v1/stream");
  auto endpoint = router_.match(probe, true).websocket;
  ASSERT_NE(endpoint, nullptr);
  auto peer = std::make_shared<RecordingPeer>();
  {
    auto upgrade = request("GET", "/api/v1/stream");
    upgrade.principal = std::make_shared<const auth::Principal>(lan);
    endpoint->onOpen(peer, upgrade);
    endpoint->onMessage(peer, R"({"subscribe":["alerts"]})");
    ASSERT_EQ(peer->frames().size(), 1u);
    EXPECT_EQ(json::parse(peer->frames()[0]), json::parse(R"({"subscribed":["alerts"]})"));
  }

  // --- rules: every kind's example is accepted and comes back with its defaults ---
  const std::string rules = "/api/v1/rules";
  const auto& createMedia = requestMedia(rules, "post");
  for (const char* kind : {"rate", "accumulation", "stale", "expression"}) {
    SCOPED_TRACE(std::string("POST /api/v1/rules ") + kind);
    const auto& sent = example(createMedia, kind).as_object();
    EXPECT_EQ(sent.at("kind"), json::value(kind)) << "the example named " << kind << " is of another kind";
    auto r = callAs(lan, "POST", rules, {}, json::serialize(sent));
    ASSERT_EQ(r.status, 201) << r.body;
    const auto got = bodyJson(r);
    expectRule(got, std::string("POST ") + kind);
    for (const auto& [k, v] : sent) EXPECT_EQ(got.at(k), v) << "member " << k << " not echoed";
    EXPECT_EQ(got.at("suspect_triggers"), json::value(false));
    EXPECT_EQ(got.at("enabled"), json::value(true));
    EXPECT_EQ(headerOf(r, "Location"), rules + "/" + std::string(sent.at("id").as_string()));
    // Gone again before any observation or tick could make it fire.
    EXPECT_EQ(callAs(lan, "DELETE", rules + "/" + std::string(sent.at("id").as_string())).status, 204);
  }

  // --- the Tam Kỳ alarm levels: create, read back, refuse a duplicate ---
  const auto& tamky = example(createMedia, "threshold");
  auto created = callAs(lan, "POST", rules, {}, json::serialize(tamky));
  ASSERT_EQ(created.status, 201) << created.body;
  expectRule(bodyJson(created), "POST /api/v1/rules");
  EXPECT_EQ(bodyJson(created), responseMedia(rules, "post", "201").at("example"));
  EXPECT_EQ(headerOf(created, "Location"), responseHeader(rules, "post", "201", "Location"));
  auto readBack = callAs(lan, "GET", rules + "/tamky-levels");
  ASSERT_EQ(readBack.status, 200) << readBack.body;
  expectRule(bodyJson(readBack), "GET /api/v1/rules/{id}");
  EXPECT_EQ(bodyJson(readBack), responseMedia(rules + "/{id}", "get", "200").at("example"));
  auto duplicate = callAs(lan, "POST", rules, {}, json::serialize(tamky));
  EXPECT_EQ(duplicate.status, 409);
  EXPECT_EQ(bodyJson(duplicate), example(responseMedia(rules, "post", "409"), "exists"));

  // The documented refusals of a rule body.
  auto edited = [&](std::initializer_list<std::pair<const char*, json::value>> changes,
                    std::initializer_list<const char*> removed = {}) {
    json::object o = tamky.as_object();
    for (const auto& [k, v] : changes) o[k] = v;
    for (const char* k : removed) o.erase(k);
    return json::serialize(o);
  };
  const std::map<std::string, std::string> badRules = {
      {"empty", ""},
      {"kind", edited({}, {"kind"})},
      {"id", edited({{"id", "tamky levels"}})},
      {"wrongKind", edited({{"severity", "major"}})},
      {"unknown", edited({{"hysteresis_m", 0.05}}, {"hysteresis"})},
      {"levels", edited({{"levels", json::parse(R"([{"above":2.2,"severity":"major"},{"above":1.7,"severity":"critical"}])")}})},
      {"hysteresis", edited({{"hysteresis", 0.6}})},
      {"scope", edited({{"scope", json::parse(R"({"entity":"wl.tamky","type":"WaterLevelStation"})")}})},
      {"duration", edited({{"for", "1.5h"}})},
      {"metric", R"({"id":"tamky-rising","scope":{"entity":"wl.tamky"},"kind":"rate","per_hour_above":0.3,"window":"1h","severity":"major"})"},
      {"expr", R"({"id":"flooded-road","scope":{"entity":"wl.tamky"},"kind":"expression","expr":"wl.tamky.water_level_m >> 2.2","severity":"critical"})"}};
  for (const auto& [name, body] : badRules) {
    SCOPED_TRACE("POST /api/v1/rules 400 " + name);
    auto r = callAs(lan, "POST", rules, {}, body);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(bodyJson(r), example(responseMedia(rules, "post", "400"), name));
  }
  auto noRule = callAs(lan, "GET", rules + "/tamky-level");
  EXPECT_EQ(noRule.status, 404);
  EXPECT_EQ(bodyJson(noRule), example(responseMedia(rules + "/{id}", "get", "404"), "missing"));

  // --- PUT: change it; create another by PUT; the path's id rules ---
  clock_.set(at("2025-10-29T09:00:00Z"));
  const auto& putMedia = requestMedia(rules + "/{id}", "put");
  auto changed = callAs(lan, "PUT", rules + "/tamky-levels", {}, json::serialize(example(putMedia, "change")));
  ASSERT_EQ(changed.status, 200) << changed.body;
  expectRule(bodyJson(changed), "PUT /api/v1/rules/{id}");
  EXPECT_EQ(bodyJson(changed), responseMedia(rules + "/{id}", "put", "200").at("example"));
  auto putBack = callAs(lan, "PUT", rules + "/tamky-levels", {}, changed.body);  // a GET body can be PUT back
  ASSERT_EQ(putBack.status, 200) << putBack.body;
  EXPECT_EQ(bodyJson(putBack), bodyJson(changed));
  const auto& putCreate = example(putMedia, "create");
  const std::string putCreatePath = rules + "/" + std::string(putCreate.at("id").as_string());
  auto createdByPut = callAs(lan, "PUT", putCreatePath, {}, json::serialize(putCreate));
  ASSERT_EQ(createdByPut.status, 201) << createdByPut.body;
  expectRule(bodyJson(createdByPut), "PUT /api/v1/rules/{id} (new)");
  EXPECT_EQ(bodyJson(createdByPut), responseMedia(rules + "/{id}", "put", "201").at("example"));
  EXPECT_EQ(callAs(lan, "DELETE", putCreatePath).status, 204);
  auto otherId = callAs(lan, "PUT", rules + "/tamky-alarm", {}, json::serialize(example(putMedia, "change")));
  EXPECT_EQ(otherId.status, 400);
  EXPECT_EQ(bodyJson(otherId), example(responseMedia(rules + "/{id}", "put", "400"), "id"));

  auto listed = callAs(lan, "GET", rules);
  ASSERT_EQ(listed.status, 200) << listed.body;
  const auto listedJson = bodyJson(listed);
  for (const auto& r : listedJson.as_array()) expectRule(r, "GET /api/v1/rules");
  EXPECT_EQ(bodyJson(listed), responseMedia(rules, "get", "200").at("example"));
  EXPECT_EQ(engine_->ruleCount(), 1u);

  // --- a flood evening on the Tam Kỳ river ---
  const std::string alerts = "/api/v1/alerts";
  clock_.set(at("2025-10-29T10:30:00Z"));
  ingest(json::array{reading("2025-10-29T17:00:00+07:00", 1.62), reading("2025-10-29T17:30:00+07:00", 1.78)});
  clock_.set(at("2025-10-29T11:15:00Z"));
  ingest(example(requestMedia("/api/v1/observations", "post"), "batch"));  // 2.41 and 2.47; bad and suspect ignored
  auto raised = alertManager_->openAlert("tamky-levels", "wl.tamky");
  ASSERT_TRUE(raised) << "the levels raised no alert";
  ASSERT_EQ(raised->id, 1);

  // The operator acknowledges it (and cannot twice).
  clock_.set(at("2025-10-29T11:20:00Z"));
  const auto& ackMedia = requestMedia(alerts + "/{id}/ack", "post");
  auto acked = callAs(lan, "POST", alerts + "/1/ack", {}, json::serialize(example(ackMedia, "comment")));
  ASSERT_EQ(acked.status, 200) << acked.body;
  expectAlertDetail(bodyJson(acked), "POST /api/v1/alerts/{id}/ack");
  EXPECT_EQ(bodyJson(acked), responseMedia(alerts + "/{id}/ack", "post", "200").at("example"));
  auto ackedTwice = callAs(lan, "POST", alerts + "/1/ack");
  EXPECT_EQ(ackedTwice.status, 409);
  EXPECT_EQ(bodyJson(ackedTwice), example(responseMedia(alerts + "/{id}/ack", "post", "409"), "acknowledged"));

  // Critical: active again; the hysteresis keeps it there at 2.63; down to major, then below BĐ I.
  clock_.set(at("2025-10-29T11:30:00Z"));
  ingest(json::array{reading("2025-10-29T11:30:00Z", 2.74)});
  clock_.set(at("2025-10-29T12:30:00Z"));
  ingest(json::array{reading("2025-10-29T12:30:00Z", 2.63)});
  clock_.set(at("2025-10-29T13:00:00Z"));
  ingest(json::array{reading("2025-10-29T13:00:00Z", 2.55)});
  clock_.set(at("2025-10-29T15:00:00Z"));
  ingest(json::array{reading("2025-10-29T15:00:00Z", 1.52)});
  EXPECT_FALSE(alertManager_->openAlert("tamky-levels", "wl.tamky")) << "not resolved below BĐ I - hysteresis";

  auto first = callAs(lan, "GET", alerts + "/1");
  ASSERT_EQ(first.status, 200) << first.body;
  expectAlertDetail(bodyJson(first), "GET /api/v1/alerts/{id}");
  EXPECT_EQ(bodyJson(first), responseMedia(alerts + "/{id}", "get", "200").at("example"));
  auto ackResolved = callAs(lan, "POST", alerts + "/1/ack");
  EXPECT_EQ(ackResolved.status, 409);
  EXPECT_EQ(bodyJson(ackResolved), example(responseMedia(alerts + "/{id}/ack", "post", "409"), "resolved"));

  // A second rise in the early morning: a new alert (the first stays resolved).
  clock_.set(at("2025-10-29T23:00:00Z"));
  ingest(json::array{reading("2025-10-30T06:00:00+07:00", 1.76)});
  const auto& listExample = responseMedia(alerts, "get", "200").at("example");
  for (const auto& query : std::vector<std::map<std::string, std::string>>{
           {}, {{"entity", "wl.tamky"}}, {{"rule", "tamky-levels"}}, {{"type", "WaterLevelStation"}},
           {{"from", "2025-10-29T00:00:00+07:00"}, {"to", "2025-10-31T00:00:00+07:00"}, {"severity", "minor"}}}) {
    SCOPED_TRACE("GET /api/v1/alerts " + std::to_string(query.size()) + " parameters");
    auto r = callAs(lan, "GET", alerts, query);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto got = bodyJson(r);
    for (const auto& a : got.as_array()) expectMatches(doc_, "Alert", a, "GET /api/v1/alerts");
    EXPECT_EQ(bodyJson(r), listExample);
  }
  const auto& both = listExample.as_array();
  ASSERT_EQ(both.size(), 2u);
  const std::vector<std::pair<std::map<std::string, std::string>, json::array>> filtered = {
      {{{"state", "active"}}, {both[0]}},
      {{{"state", "resolved"}}, {both[1]}},
      {{{"severity", "major"}}, {both[1]}},
      {{{"type", "RainGauge"}}, {}},
      {{{"entity", "wl.hoi-an"}}, {}},
      {{{"from", "2025-10-29T20:00:00Z"}}, {both[0]}},
      {{{"to", "2025-10-29T20:00:00Z"}}, {both[1]}},
      {{{"limit", "1"}}, {both[0]}}};
  for (const auto& [query, expected] : filtered) {
    SCOPED_TRACE("GET /api/v1/alerts?" + query.begin()->first + "=" + query.begin()->second);
    auto r = callAs(lan, "GET", alerts, query);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(bodyJson(r), json::value(expected));
  }
  const std::map<std::string, std::map<std::string, std::string>> badQueries = {
      {"unknown", {{"status", "open"}}},
      {"state", {{"state", "open"}}},
      {"severity", {{"severity", "high"}}},
      {"time", {{"from", "yesterday"}}},
      {"limit", {{"limit", "0"}}}};
  for (const auto& [name, query] : badQueries) {
    SCOPED_TRACE("GET /api/v1/alerts 400 " + name);
    auto r = callAs(lan, "GET", alerts, query);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(bodyJson(r), example(responseMedia(alerts, "get", "400"), name));
  }

  // The operator comments, then resolves it; it cannot be resolved or acknowledged again.
  clock_.set(at("2025-10-29T23:10:00Z"));
  auto commented = callAs(lan, "POST", alerts + "/2/comment", {},
                          json::serialize(requestMedia(alerts + "/{id}/comment", "post").at("example")));
  ASSERT_EQ(commented.status, 200) << commented.body;
  expectAlertDetail(bodyJson(commented), "POST /api/v1/alerts/{id}/comment");
  EXPECT_EQ(bodyJson(commented), responseMedia(alerts + "/{id}/comment", "post", "200").at("example"));
  clock_.set(at("2025-10-29T23:40:00Z"));
  auto resolved = callAs(lan, "POST", alerts + "/2/resolve", {},
                         json::serialize(example(requestMedia(alerts + "/{id}/resolve", "post"), "comment")));
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  expectAlertDetail(bodyJson(resolved), "POST /api/v1/alerts/{id}/resolve");
  EXPECT_EQ(bodyJson(resolved), responseMedia(alerts + "/{id}/resolve", "post", "200").at("example"));
  auto resolvedTwice = callAs(lan, "POST", alerts + "/2/resolve", {}, "{}");
  EXPECT_EQ(resolvedTwice.status, 409);
  EXPECT_EQ(bodyJson(resolvedTwice), example(responseMedia(alerts + "/{id}/resolve", "post", "409"), "resolved"));
  auto ackedAfter = callAs(lan, "POST", alerts + "/2/ack");
  EXPECT_EQ(ackedAfter.status, 409);
  // The same condition holding on does not raise again: the rule's verdict has not changed.
  ingest(json::array{reading("2025-10-29T23:30:00Z", 1.79)});
  EXPECT_FALSE(alertManager_->openAlert("tamky-levels", "wl.tamky"));

  // Refused actions.
  const std::map<std::string, std::string> badActions = {
      {"unknown", R"({"note":"crew on the way"})"},
      {"type", R"({"comment":5})"},
      {"notObject", R"(["crew on the way"])"},
      {"long", json::serialize(json::object{{"comment", std::string(2001, 'x')}})}};
  for (const char* action : {"ack", "resolve", "comment"}) {
    const std::string path = alerts + "/{id}/" + action;
    for (const auto& [name, body] : badActions) {
      SCOPED_TRACE("POST " + path + " 400 " + name);
      auto r = callAs(lan, "POST", alerts + "/2/" + action, {}, body);
      EXPECT_EQ(r.status, 400);
      EXPECT_EQ(bodyJson(r), example(responseMedia(path, "post", "400"), name));
    }
    auto missing = callAs(lan, "POST", alerts + "/99/" + action, {}, action == std::string("comment") ? R"({"comment":"x"})" : "");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(bodyJson(missing), example(responseMedia(path, "post", "404"), "missing"));
  }
  for (const char* body : {"", "{}", R"({"comment":""})"}) {
    SCOPED_TRACE(std::string("POST /api/v1/alerts/{id}/comment 400 missing: ") + body);
    auto r = callAs(lan, "POST", alerts + "/2/comment", {}, body);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(bodyJson(r), example(responseMedia(alerts + "/{id}/comment", "post", "400"), "missing"));
  }
  auto noAlert = callAs(lan, "GET", alerts + "/99");
  EXPECT_EQ(noAlert.status, 404);
  EXPECT_EQ(bodyJson(noAlert), example(responseMedia(alerts + "/{id}", "get", "404"), "missing"));
  auto notNumber = callAs(lan, "GET", alerts + "/wl.tamky");
  EXPECT_EQ(notNumber.status, 404);
  EXPECT_EQ(bodyJson(notNumber), example(responseMedia(alerts + "/{id}", "get", "404"), "notNumber"));

  // --- delete the rule: its alerts stay ---
  EXPECT_EQ(callAs(lan, "DELETE", rules + "/tamky-levels").status, 204);
  drained();
  EXPECT_EQ(callAs(lan, "DELETE", rules + "/tamky-levels").status, 404) << "deleted twice";
  auto deletedRule = callAs(lan, "DELETE", rules + "/tamky-level");
  EXPECT_EQ(deletedRule.status, 404);
  EXPECT_EQ(bodyJson(deletedRule), example(responseMedia(rules + "/{id}", "delete", "404"), "missing"));
  EXPECT_EQ(callAs(lan, "GET", rules + "/tamky-levels").status, 404);
  EXPECT_EQ(bodyJson(callAs(lan, "GET", rules)), json::value(json::array{}));
  EXPECT_EQ(engine_->ruleCount(), 0u);
  auto kept = callAs(lan, "GET", alerts);
  ASSERT_EQ(kept.status, 200);
  EXPECT_EQ(bodyJson(kept).as_array().size(), 2u);

  // --- the stream saw every transition, in order, in the documented frame ---
  {
    const auto frames = peer->frames();
    std::vector<std::string> transitions;
    const auto& frameExamples = responseMedia("/api/v1/stream", "get", "101");
    bool documentedSeen = false;
    for (size_t i = 1; i < frames.size(); ++i) {
      const auto frame = json::parse(frames[i]);
      expectMatches(doc_, "StreamAlertFrame", frame, "alerts frame");
      expectMatches(doc_, "StreamAlert", frame.at("data"), "alerts frame data");
      transitions.emplace_back(std::to_string(frame.at("data").at("id").as_int64()) + ":" +
                               std::string(frame.at("data").at("transition").as_string()));
      documentedSeen = documentedSeen || frame == example(frameExamples, "alert");
    }
    EXPECT_EQ(::testing::PrintToString(transitions),
              ::testing::PrintToString(std::vector<std::string>{"1:raise", "1:escalate", "1:ack", "1:escalate",
                                                                "1:deescalate", "1:resolve", "2:raise", "2:comment",
                                                                "2:resolve"}));
    EXPECT_TRUE(documentedSeen) << "the documented alerts frame was not sent";
    endpoint->onClose(peer);
  }

  // --- the audit trail: rule changes and operator actions, with documented actions ---
  auto trail = callAs(admin, "GET", "/api/v1/audit", {{"limit", "1000"}});
  ASSERT_EQ(trail.status, 200) << trail.body;
  const auto& actions = doc_.at("components").at("schemas").at("AuditEntry").at("properties").at("action").at("enum");
  std::set<std::string> seen;
  const auto trailJson = bodyJson(trail);
  for (const auto& e : trailJson.as_array()) {
    expectMatches(doc_, "AuditEntry", e, "GET /api/v1/audit");
    seen.emplace(e.at("action").as_string());
    EXPECT_NE(std::find(actions.as_array().begin(), actions.as_array().end(), e.at("action")), actions.as_array().end())
        << "undocumented audit action " << e.at("action");
  }
  for (const char* a : {"rule.create", "rule.update", "rule.delete", "alert.ack", "alert.comment", "alert.resolve"})
    EXPECT_TRUE(seen.count(a)) << "no " << a << " in the trail";
  auto ackAudit = callAs(admin, "GET", "/api/v1/audit", {{"action", "alert.ack"}});
  ASSERT_EQ(ackAudit.status, 200) << ackAudit.body;
  const auto ackEntries = bodyJson(ackAudit);
  ASSERT_EQ(ackEntries.as_array().size(), 1u);
  EXPECT_EQ(ackEntries.at(0).at("actor"), json::value("lan.nguyen"));
  EXPECT_EQ(ackEntries.at(0).at("target"), json::value("alert:1"));
  EXPECT_EQ(ackEntries.at(0).at("after"),
            json::parse(R"({"state":"acknowledged","severity":"major","comment":"crew on the way"})"));
}

// Plays the webhook subscription examples against the handlers, with the outbox hook of src/app/main.cpp: the
// documented subscription created (the secret never shown again), the flood evening of the examples writing the
// matching alert changes to the outbox (the documented notification, its signature and delivery id), the delivery
// status after the deliverer's bookkeeping, listed and read back, the refusals, deletion, the audit trail.
TEST_F(OpenApiTest, SubscriptionExamplesHoldAgainstTheApi) {
  auto at = [](const char* text) {
    auto t = parseTime(text);
    EXPECT_TRUE(t) << text;
    return t ? *t : int64_t{0};
  };
  auth::Principal admin;
  admin.id = 1;
  admin.name = "admin";
  admin.role = auth::Role::Admin;
  auto ingest = [&](const json::value& observations) {
    auto r = call("POST", "/api/v1/observations", {}, json::serialize(observations));
    EXPECT_EQ(r.status, 200) << r.body;
    engine_->drain();
  };
  auto reading = [](const char* time, double value) {
    return json::object{{"entity", "wl.tamky"}, {"metric", "water_level_m"}, {"time", time}, {"value", value}};
  };
  auto expectSubscription = [&](const json::value& s, const std::string& where) {
    expectMatches(doc_, "Subscription", s, where);
    expectMatches(doc_, "SubscriptionFilter", s.at("filter"), where + " filter");
    expectMatches(doc_, "DeliveryStatus", s.at("status"), where + " status");
  };
  const std::string subs = "/api/v1/subscriptions";

  // The entity and the rule of the examples.
  clock_.set(at("2025-10-29T08:00:00Z"));
  auto entity = call("POST", "/api/v1/entities", {},
                     json::serialize(example(requestMedia("/api/v1/entities", "post"), "one")));
  ASSERT_EQ(entity.status, 201) << entity.body;
  auto rule = callAs(admin, "POST", "/api/v1/rules", {},
                     json::serialize(example(requestMedia("/api/v1/rules", "post"), "threshold")));
  ASSERT_EQ(rule.status, 201) << rule.body;

  // --- subscribe with the documented example ---
  clock_.set(at("2025-10-29T08:05:00Z"));
  const auto& sent = example(requestMedia(subs, "post"), "opsRoom");
  expectMatches(doc_, "NewSubscription", sent, "POST /api/v1/subscriptions example");
  const std::string secret(sent.at("secret").as_string());
  auto created = callAs(admin, "POST", subs, {}, json::serialize(sent));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto createdJson = bodyJson(created);
  expectSubscription(createdJson, "POST /api/v1/subscriptions");
  // The fixture's clock and fresh database make id and created_at the documented ones too.
  EXPECT_EQ(createdJson, responseMedia(subs, "post", "201").at("example"));
  EXPECT_EQ(headerOf(created, "Location"), responseHeader(subs, "post", "201", "Location"));
  EXPECT_EQ(created.body.find("secret"), std::string::npos) << created.body;
  EXPECT_EQ(created.body.find(secret), std::string::npos) << created.body;
  auto stored = subscriptions_->get(createdJson.at("id").as_int64());
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(stored->secret, secret) << "the secret is stored as given (signing needs it)";

  // --- the flood evening: only the changes the filter matches reach the outbox ---
  notify::Outbox outbox(*subscriptions_, clock_);
  auto pending = [&] {
    auto rows = outbox.pending(1);
    EXPECT_TRUE(rows) << rows.error().message;
    return rows ? *rows : std::vector<notify::OutboxRow>{};
  };
  clock_.set(at("2025-10-29T10:30:00Z"));
  ingest(json::array{reading("2025-10-29T17:00:00+07:00", 1.62), reading("2025-10-29T17:30:00+07:00", 1.78)});
  ASSERT_TRUE(alertManager_->openAlert("tamky-levels", "wl.tamky")) << "no alert raised";
  EXPECT_TRUE(pending().empty()) << "a minor raise matched severities [major, critical]";

  clock_.set(at("2025-10-29T11:15:00Z"));
  ingest(example(requestMedia("/api/v1/observations", "post"), "batch"));  // 2.41 escalates to major
  auto rows = pending();
  ASSERT_EQ(rows.size(), 1u);
  {
    const auto major = json::parse(rows[0].payload);
    expectMatches(doc_, "StreamAlert", major, "outbox payload");
    EXPECT_EQ(major.at("transition"), json::value("escalate"));
    EXPECT_EQ(major.at("severity"), json::value("major"));
  }
  // The deliverer's bookkeeping for a 2xx answer.
  ASSERT_TRUE(outbox.markDelivered(rows[0], at("2025-10-29T11:15:00.180Z")));

  clock_.set(at("2025-10-29T11:30:00Z"));
  ingest(json::array{reading("2025-10-29T11:30:00Z", 2.74)});  // critical
  rows = pending();
  ASSERT_EQ(rows.size(), 1u);
  const notify::OutboxRow critical = rows[0];
  {
    const auto& callback = operation(subs, "post").at("callbacks").at("alertChange").at("{$request.body#/url}")
                               .at("post").as_object();
    const auto& body = example(callback.at("requestBody").at("content").at("application/json").as_object(),
                               "escalate");
    EXPECT_EQ(json::parse(critical.payload), body) << critical.payload;
    expectMatches(doc_, "StreamAlert", body, "callback example");
    std::map<std::string, std::string> headers;
    for (const auto& p : callback.at("parameters").as_array())
      headers[std::string(p.at("name").as_string())] = std::string(p.at("example").as_string());
    auto signature = notify::signatureHeader(secret, critical.payload);
    ASSERT_TRUE(signature) << signature.error().message;
    EXPECT_EQ(*signature, headers["X-Cityops-Signature"]) << "signed with the example's secret";
    EXPECT_EQ(std::to_string(critical.id), headers["X-Cityops-Delivery"]);
    EXPECT_TRUE(headers.count("X-Cityops-Timestamp"));
  }
  // The receiver is down: three refused connections, 1 s and 2 s apart.
  for (const char* failedAt : {"2025-10-29T11:30:00.004Z", "2025-10-29T11:30:01.006Z", "2025-10-29T11:30:03.008Z"})
    ASSERT_TRUE(outbox.markFailed(critical, "cannot connect to 10.0.0.5:9000: Connection refused", at(failedAt),
                                  at(failedAt) + 1000));

  // --- list and read back, with the delivery status; never the secret ---
  clock_.set(at("2025-10-29T11:31:00Z"));
  auto listed = callAs(admin, "GET", subs);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.body.find("secret"), std::string::npos) << listed.body;
  EXPECT_EQ(listed.body.find(secret), std::string::npos) << listed.body;
  const auto listedJson = bodyJson(listed);
  for (const auto& s : listedJson.as_array()) expectSubscription(s, "GET /api/v1/subscriptions");
  EXPECT_EQ(listedJson, responseMedia(subs, "get", "200").at("example"));
  auto one = callAs(admin, "GET", subs + "/1");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.body.find("secret"), std::string::npos) << one.body;
  expectSubscription(bodyJson(one), "GET /api/v1/subscriptions/{id}");
  EXPECT_EQ(bodyJson(one), responseMedia(subs + "/{id}", "get", "200").at("example"));

  // --- the documented refusals ---
  auto edited = [&](std::initializer_list<std::pair<const char*, json::value>> changes,
                    std::initializer_list<const char*> removed = {}) {
    json::object o = sent.as_object();
    for (const auto& [k, v] : changes) o[k] = v;
    for (const char* k : removed) o.erase(k);
    return json::serialize(o);
  };
  const std::map<std::string, std::string> bad = {
      {"empty", ""},
      {"malformed", R"({"url": "http://10.0.0.5:9000/cityops",)"},
      {"missing", edited({}, {"secret"})},
      {"unknown", edited({{"events", json::array{"alerts"}}})},
      {"enabled", edited({{"enabled", "yes"}})},
      {"https", edited({{"url", "https://10.0.0.5:9443/cityops"}})},
      {"relative", edited({{"url", "/hooks/cityops"}})},
      {"userinfo", edited({{"url", "http://ops:tamky@10.0.0.5:9000/cityops"}})},
      {"secret", edited({{"secret", "tamky"}})},
      {"severity", edited({{"filter", json::parse(R"({"severities":["major","high"]})")}})},
      {"filterKey", edited({{"filter", json::parse(R"({"severity":["major"]})")}})}};
  const auto& badExamples = responseMedia(subs, "post", "400").at("examples").as_object();
  EXPECT_EQ(badExamples.size(), bad.size()) << "every documented 400 example is played";
  for (const auto& [name, body] : bad) {
    SCOPED_TRACE("POST /api/v1/subscriptions 400 " + name);
    auto r = callAs(admin, "POST", subs, {}, body);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(bodyJson(r), example(responseMedia(subs, "post", "400"), name));
  }
  auto missing = callAs(admin, "GET", subs + "/99");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(bodyJson(missing), example(responseMedia(subs + "/{id}", "get", "404"), "missing"));
  auto notNumber = callAs(admin, "GET", subs + "/ops-room");
  EXPECT_EQ(notNumber.status, 404);
  EXPECT_EQ(bodyJson(notNumber), example(responseMedia(subs + "/{id}", "get", "404"), "notNumber"));
  auto deleteMissing = callAs(admin, "DELETE", subs + "/99");
  EXPECT_EQ(deleteMissing.status, 404);
  EXPECT_EQ(bodyJson(deleteMissing), example(responseMedia(subs + "/{id}", "delete", "404"), "missing"));

  // At most 256 subscriptions.
  for (size_t i = 1; i < notify::SubscriptionStore::kMaxSubscriptions; ++i) {
    notify::NewSubscription more;
    more.url = "http://10.0.0." + std::to_string(6 + i % 200) + ":9000/cityops";
    more.secret = secret;
    more.enabled = false;
    auto r = subscriptions_->create(more);
    ASSERT_TRUE(r) << r.error().message;
  }
  auto full = callAs(admin, "POST", subs, {}, json::serialize(sent));
  EXPECT_EQ(full.status, 409);
  EXPECT_EQ(bodyJson(full), example(responseMedia(subs, "post", "409"), "full"));

  // --- delete: 204, then 404; its undelivered notification goes with it ---
  auto deleted = callAs(admin, "DELETE", subs + "/1");
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty()) << deleted.body;
  EXPECT_TRUE(pending().empty()) << "the pending notification survived its subscription";
  auto gone = callAs(admin, "GET", subs + "/1");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(bodyJson(gone), json::parse(R"({"error":"not_found","message":"no subscription with id 1"})"));
  auto deletedTwice = callAs(admin, "DELETE", subs + "/1");
  EXPECT_EQ(deletedTwice.status, 404);

  // --- the audit trail: created and deleted, documented actions, never the secret ---
  auto trail = callAs(admin, "GET", "/api/v1/audit", {{"limit", "1000"}});
  ASSERT_EQ(trail.status, 200) << trail.body;
  EXPECT_EQ(trail.body.find(secret), std::string::npos) << "the secret is in the audit trail";
  const auto& actions = doc_.at("components").at("schemas").at("AuditEntry").at("properties").at("action").at("enum");
  const auto trailJson = bodyJson(trail);
  for (const auto& e : trailJson.as_array()) {
    expectMatches(doc_, "AuditEntry", e, "GET /api/v1/audit");
    EXPECT_NE(std::find(actions.as_array().begin(), actions.as_array().end(), e.at("action")), actions.as_array().end())
        << "undocumented audit action " << e.at("action");
  }
  auto createAudit = callAs(admin, "GET", "/api/v1/audit", {{"action", "subscription.create"}});
  ASSERT_EQ(createAudit.status, 200) << createAudit.body;
  const auto createEntries = bodyJson(createAudit);
  ASSERT_EQ(createEntries.as_array().size(), 1u);
  EXPECT_EQ(createEntries.at(0).at("actor"), json::value("admin"));
  EXPECT_EQ(createEntries.at(0).at("target"), json::value("subscription:1"));
  EXPECT_EQ(createEntries.at(0).at("after"), createdJson);
  auto deleteAudit = callAs(admin, "GET", "/api/v1/audit", {{"action", "subscription.delete"}});
  ASSERT_EQ(deleteAudit.status, 200) << deleteAudit.body;
  const auto deleteEntries = bodyJson(deleteAudit);
  ASSERT_EQ(deleteEntries.as_array().size(), 1u);
  EXPECT_EQ(deleteEntries.at(0).at("target"), json::value("subscription:1"));
  EXPECT_EQ(deleteEntries.at(0).at("before"), listedJson.at(0));
}

// The dashboard's settings: the documented example is what the handler answers for the same settings.
TEST_F(OpenApiTest, UiConfigExampleHolds) {
  auto r = call("GET", "/api/v1/ui/config");
  ASSERT_EQ(r.status, 200) << r.body;
  expectMatches(doc_, "UiConfig", bodyJson(r), "GET /api/v1/ui/config");
  EXPECT_EQ(bodyJson(r), responseMedia("/api/v1/ui/config", "get", "200").at("example"));
  auto bad = call("GET", "/api/v1/ui/config", {{"city", "x"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bodyJson(bad), responseMedia("/api/v1/ui/config", "get", "400").at("example"));
}

// The camera answers have the documented shapes: a camera without a source (off), one whose attributes cannot be
// used (invalid, with the reason), a live synthetic one (its status, latest frame, MJPEG parts); and the refusals.
TEST_F(OpenApiTest, CameraShapesHoldAgainstTheApi) {
  const std::string live = R"({"id": "cam.live", "type": "TrafficCamera", "name": "Live", "attributes": {
      "source": "synthetic:?vehicles_per_min=30&seed=2&width=320&height=180",
      "analytics": {"lines": [{"id": "stop-line", "a": [160, 5], "b": [160, 175], "forward": [1, 0]}],
                    "calibration": {"meters_per_pixel": 0.1}, "interval_s": 5}}})";
  const std::string broken = R"({"id": "cam.broken", "type": "TrafficCamera", "name": "Broken",
      "attributes": {"source": "synthetic:", "analytics": {"lines": []}}})";
  const std::string off = R"({"id": "cam.off", "type": "TrafficCamera", "name": "Off"})";
  for (const auto* body : {&live, &broken, &off}) {
    auto r = call("POST", "/api/v1/entities", {}, *body);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  auto passed = cameraManager_->reconcile();
  ASSERT_TRUE(passed) << passed.error().message;
  EXPECT_EQ(*passed, 1);
  auto worker = cameraManager_->worker("cam.live");
  ASSERT_TRUE(worker);
  for (int i = 0; i < 400 && worker->view()->snapshot.version() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_GT(worker->view()->snapshot.version(), 0u) << "no frame within 20 s";

  auto list = call("GET", "/api/v1/cameras");
  ASSERT_EQ(list.status, 200) << list.body;
  const auto cams = bodyJson(list);
  ASSERT_EQ(cams.as_array().size(), 3u);
  std::map<std::string, json::object> byId;
  for (const auto& c : cams.as_array()) {
    expectMatches(doc_, "Camera", c, "GET /api/v1/cameras");
    byId[std::string(c.at("id").as_string())] = c.as_object();
  }
  EXPECT_EQ(byId["cam.off"].at("state"), "off");
  EXPECT_EQ(byId["cam.broken"].at("state"), "invalid");
  EXPECT_NE(std::string(byId["cam.broken"].at("error").as_string()).find("calibration"), std::string::npos)
      << byId["cam.broken"].at("error");
  EXPECT_EQ(byId["cam.live"].at("live"), true);
  expectMatches(doc_, "CameraStatus", byId["cam.live"].at("status"), "Camera.status");

  auto one = call("GET", "/api/v1/cameras/cam.live");
  ASSERT_EQ(one.status, 200) << one.body;
  expectMatches(doc_, "CameraDetail", bodyJson(one), "GET /api/v1/cameras/{id}");
  EXPECT_EQ(bodyJson(one).at("analytics").at("lines").at(0).at("id"), "stop-line");

  auto jpeg = call("GET", "/api/v1/cameras/cam.live/snapshot.jpg");
  ASSERT_EQ(jpeg.status, 200) << jpeg.body;
  EXPECT_EQ(jpeg.contentType, "image/jpeg");
  ASSERT_GT(jpeg.body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(jpeg.body[0]), 0xFF);
  EXPECT_EQ(static_cast<unsigned char>(jpeg.body[1]), 0xD8);

  auto stream = call("GET", "/api/v1/cameras/cam.live/stream.mjpeg", {{"max_frames", "1"}});
  ASSERT_EQ(stream.status, 200) << stream.body;
  EXPECT_EQ(stream.contentType, "multipart/x-mixed-replace; boundary=cityopsframe");
  ASSERT_TRUE(stream.stream);
  auto part = stream.stream->next();
  ASSERT_TRUE(part);
  EXPECT_TRUE(part->starts_with("--cityopsframe\r\nContent-Type: image/jpeg\r\nContent-Length: ")) << part->substr(0, 80);
  EXPECT_EQ(stream.stream->next(), std::optional<std::string>("--cityopsframe--\r\n"));
  EXPECT_FALSE(stream.stream->next());

  EXPECT_EQ(call("GET", "/api/v1/cameras/cam.live/stream.mjpeg", {{"fps", "0"}}).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/cameras/cam.off").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/cameras/cam.off/snapshot.jpg").status, 404);
  EXPECT_EQ(call("GET", "/api/v1/cameras/nope").status, 404);
  auto notCamera = call("POST", "/api/v1/entities", {}, R"({"id": "wl.x", "type": "WaterLevelStation", "name": "x"})");
  ASSERT_EQ(notCamera.status, 201);
  EXPECT_EQ(call("GET", "/api/v1/cameras/wl.x").status, 404);
  EXPECT_EQ(call("GET", "/api/v1/cameras/cam.live/incidents/1.png").status, 404);
  EXPECT_EQ(call("GET", "/api/v1/cameras/cam.live/incidents/99.jpg").status, 404);
  cameraManager_->stop();
}
