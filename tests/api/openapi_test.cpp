// The OpenAPI document (src/api/openapi.json, served at GET /api/v1/openapi.json) against the routes and
// responses of the code: every registered route is documented and every documented operation is registered,
// query parameters match what the handlers accept, and the document's own examples hold when played against
// the API with a real store.
#include "api/Api.hpp"
#include "api/OpenApi.hpp"
#include "api/StreamEndpoint.hpp"
#include "common/Clock.hpp"
#include "metrics/Registry.hpp"
#include "store/SqliteStore.hpp"
#include "stream/Hub.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace cityops;
namespace json = boost::json;

namespace {

constexpr int64_t kNow = 1761739200000;  // 2025-10-29T12:00:00Z, just after the examples' observations

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
    api_ = std::make_unique<api::Api>(*store_, hub_, registry_, clock_);
    api_->registerRoutes(router_);
    // As in src/app/main.cpp: the WebSocket route is registered next to the Api's routes.
    router_.addWebSocket("/api/v1/stream", std::make_shared<api::StreamEndpoint>(hub_));
    doc_ = parseDocument();
  }

  void TearDown() override {
    api_.reset();
    if (store_) store_->close();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  /// Dispatches like the HTTP server does, minus the sockets.
  http::Response call(const std::string& method, const std::string& path,
                      const std::map<std::string, std::string>& query = {}, std::string body = {},
                      std::string contentType = "application/json") {
    http::Request req;
    req.method = method;
    req.path = path;
    req.target = path;
    req.query = query;
    if (!contentType.empty()) req.headers.emplace_back("Content-Type", contentType);
    req.body = std::move(body);
    auto m = router_.match(req);
    if (!m.handler) return http::Response::error(m.status, "routing", "no handler");
    auto done = std::make_shared<std::promise<http::Response>>();
    auto answered = std::make_shared<std::atomic<bool>>(false);
    auto future = done->get_future();
    (*m.handler)(std::move(req), [done, answered](http::Response r) {
      if (!answered->exchange(true)) done->set_value(std::move(r));
    });
    if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      ADD_FAILURE() << method << " " << path << ": no reply within 30 s";
      return http::Response::error(599, "timeout", "no reply");
    }
    return future.get();
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

  std::string dir_;
  ManualClock clock_{kNow};
  metrics::Registry registry_;
  stream::Hub hub_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<api::Api> api_;
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
                           "ObservationQueryResult", "LatestValue", "Error"})
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
      EXPECT_TRUE(documented.empty()) << "the stream takes no query parameters";
      continue;
    }
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
