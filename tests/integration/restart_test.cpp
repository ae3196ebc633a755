// Restarts keep entities (every field) and their metrics; readiness, metrics and the OpenAPI document.
#include "Support.hpp"

namespace cityops::it {
namespace {

namespace json = boost::json;

const char* kEntities = R"([
  {"id": "rs-pump-1", "type": "PumpStation", "name": "Trạm bơm An Sơn",
   "geometry": {"type": "Point", "coordinates": [108.4795, 15.5736]},
   "attributes": {"capacity_m3h": 1200, "operator": {"name": "URENCO", "phone": "+84 235 3812 345"}},
   "tags": ["flood", "district:an-son", "critical"]},
  {"id": "rs-canal-2", "type": "Canal", "name": "Kênh Phú Ninh",
   "geometry": {"type": "LineString", "coordinates": [[108.47, 15.57], [108.48, 15.58], [108.49, 15.585]]},
   "attributes": {}, "tags": []},
  {"id": "rs-ward-3", "type": "Ward",
   "geometry": {"type": "Polygon", "coordinates": [[[108.46, 15.56], [108.50, 15.56], [108.50, 15.60],
                                                    [108.46, 15.60], [108.46, 15.56]]]},
   "attributes": {"population": 17250}},
  {"id": "rs-gone-4", "type": "Canal"}
])";

/// GET /api/v1/entities/{id} for each id: status + body.
std::map<std::string, std::string> snapshotEntities(HttpClient& c, const std::vector<std::string>& ids) {
  std::map<std::string, std::string> out;
  for (const auto& id : ids) {
    auto r = c.get("/api/v1/entities/" + id);
    out[id] = std::to_string(r.status) + " " + r.body;
  }
  return out;
}

TEST(Restart, KeepsEntitiesAndTheirMetrics) {
  TempDir dir;
  ServerProcess s;
  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path(), 2));
  const std::vector<std::string> ids = {"rs-pump-1", "rs-canal-2", "rs-ward-3", "rs-gone-4", "rs-late-5"};
  std::map<std::string, std::string> before;
  std::string latestBefore;
  {
    HttpClient c(s.port());
    auto r = c.postJson("/api/v1/entities", kEntities);
    ASSERT_EQ(r.status, 201) << r.describe();
    const int64_t t = nowMs() - 3600000;
    std::vector<Obs> obs = {
        {"rs-pump-1", "flow_m3h", t, 950.5, Quality::Good},       {"rs-pump-1", "flow_m3h", t + 60000, 1010, Quality::Good},
        {"rs-pump-1", "power_kw", t, 75.25, Quality::Suspect},    {"rs-canal-2", "water_level_m", t, 1.875, Quality::Good},
        {"rs-gone-4", "water_level_m", t, 0.5, Quality::Good},
    };
    r = c.postJson("/api/v1/observations", batchJson(obs));
    ASSERT_EQ(r.status, 200) << r.describe();
    // A merge patch, and a deletion (with its observations).
    r = c.request("PATCH", "/api/v1/entities/rs-pump-1",
                  R"({"name": "Trạm bơm An Sơn 2", "attributes": {"operator": {"phone": null}, "pumps": 3},
                      "tags": ["flood", "critical"]})",
                  "application/json");
    ASSERT_EQ(r.status, 200) << r.describe();
    const auto patched = r.json();
    EXPECT_EQ(patched.at("name"), json::value("Trạm bơm An Sơn 2"));
    EXPECT_EQ(patched.at("attributes"),
              json::parse(R"({"capacity_m3h": 1200, "operator": {"name": "URENCO"}, "pumps": 3})"));
    EXPECT_EQ(patched.at("tags"), json::parse(R"(["critical", "flood"])"));
    r = c.request("DELETE", "/api/v1/entities/rs-gone-4");
    ASSERT_EQ(r.status, 204) << r.describe();

    before = snapshotEntities(c, ids);
    const auto pump = json::parse(before["rs-pump-1"].substr(4));
    EXPECT_EQ(pump.at("metrics"), json::parse(R"(["flow_m3h", "power_kw"])"));
    EXPECT_EQ(pump.at("geometry"), json::parse(R"({"type": "Point", "coordinates": [108.4795, 15.5736]})"));
    EXPECT_EQ(json::parse(before["rs-canal-2"].substr(4)).at("metrics"), json::parse(R"(["water_level_m"])"));
    EXPECT_EQ(json::parse(before["rs-ward-3"].substr(4)).at("metrics"), json::array());
    EXPECT_EQ(before["rs-gone-4"].substr(0, 3), "404");
    EXPECT_EQ(before["rs-late-5"].substr(0, 3), "404");
    latestBefore = c.get("/api/v1/latest").body;
    EXPECT_EQ(latestBefore.find("rs-gone-4"), std::string::npos) << "deleted entity still in /latest: " << latestBefore;
  }

  // Clean restart.
  const int st = s.terminate();
  ASSERT_TRUE(ServerProcess::exitedCleanly(st)) << ServerProcess::describeStatus(st) << "\n" << s.tail();
  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path(), 2));
  {
    HttpClient c(s.port());
    auto ready = c.get("/readyz");
    EXPECT_EQ(ready.status, 200) << ready.describe();
    EXPECT_EQ(ready.json(), json::parse(R"({"status": "ready"})"));
    EXPECT_EQ(snapshotEntities(c, ids), before) << "entities changed across a clean restart";
    auto list = c.get("/api/v1/entities?limit=100");
    ASSERT_EQ(list.status, 200) << list.describe();
    EXPECT_EQ(list.header("X-Total-Count"), "3");
    auto latest = c.get("/api/v1/latest");
    ASSERT_EQ(latest.status, 200);
    auto sorted = [](const std::string& body) {
      std::vector<std::string> items;
      auto v = json::parse(body);
      for (const auto& x : v.as_array()) items.push_back(json::serialize(x));
      std::sort(items.begin(), items.end());
      return items;
    };
    EXPECT_EQ(sorted(latest.body), sorted(latestBefore));
    // The deleted entity's id can be reused, without its old observations.
    auto r = c.postJson("/api/v1/entities", R"({"id": "rs-gone-4", "type": "Canal"})");
    ASSERT_EQ(r.status, 201) << r.describe();
    EXPECT_EQ(json::parse(c.get("/api/v1/entities/rs-gone-4").body).at("metrics"), json::array());
    auto pts = queryRaw(c, "rs-gone-4", "water_level_m", 0, nowMs());
    EXPECT_TRUE(pts.empty()) << "a re-created entity shows the deleted one's observations";
    // An entity created right before a kill -9 is there after it (entity writes are durable when answered).
    r = c.postJson("/api/v1/entities", R"({"id": "rs-late-5", "type": "Ward", "tags": ["late"]})");
    ASSERT_EQ(r.status, 201) << r.describe();
    before = snapshotEntities(c, ids);
  }
  s.kill9();
  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path(), 2));
  {
    HttpClient c(s.port());
    EXPECT_EQ(snapshotEntities(c, ids), before) << "entities changed across kill -9";
  }
}

TEST(Restart, ObservationsOfADeletedEntityNeverReappear) {
  // The deleted entity's observations are still in the ingest log when the server is killed; a series created
  // after the restart must not pick them up on the next replay.
  TempDir dir;
  ServerProcess s;
  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path(), 2));
  const int64_t t = nowMs() - 7200000;
  {
    HttpClient c(s.port());
    ASSERT_NO_FATAL_FAILURE(createEntities(c, {{"del-keep", "Sensor"}, {"del-gone", "Sensor"}}));
    auto r = c.postJson("/api/v1/observations", batchJson({{"del-keep", "level", t, 1, Quality::Good}}));
    ASSERT_EQ(r.status, 200) << r.describe();
    std::vector<Obs> old;
    for (int i = 0; i < 10; ++i) old.push_back({"del-gone", "level", t + 1000 + i, 666, Quality::Bad});
    r = c.postJson("/api/v1/observations", batchJson(old));
    ASSERT_EQ(r.status, 200) << r.describe();
    r = c.request("DELETE", "/api/v1/entities/del-gone");
    ASSERT_EQ(r.status, 204) << r.describe();
  }
  s.kill9();
  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path(), 2));
  {
    HttpClient c(s.port());
    EXPECT_EQ(c.get("/api/v1/entities/del-gone").status, 404);
    ASSERT_NO_FATAL_FAILURE(createEntities(c, {{"del-new", "Sensor"}}));
    auto r = c.postJson("/api/v1/observations", batchJson({{"del-new", "level", t + 5000, 2, Quality::Good}}));
    ASSERT_EQ(r.status, 200) << r.describe();
    EXPECT_EQ(queryRaw(c, "del-new", "level", 0, nowMs()).size(), 1u);
  }
  s.kill9();
  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path(), 2));
  HttpClient c(s.port());
  const auto pts = queryRaw(c, "del-new", "level", 0, nowMs());
  std::string shown;
  for (const auto& p : pts) shown += " " + rfc3339(p.time) + "=" + num(p.value) + "/" + p.quality;
  EXPECT_EQ(pts.size(), 1u) << "del-new/level after a replay:" << shown;
  auto latest = c.get("/api/v1/latest?entity=del-new");
  ASSERT_EQ(latest.status, 200) << latest.describe();
  EXPECT_EQ(latest.body.find("666"), std::string::npos) << latest.body;
  const auto keep = queryRaw(c, "del-keep", "level", 0, nowMs());
  EXPECT_EQ(keep.size(), 1u);
}

TEST(Restart, ReadinessMetricsAndOpenApi) {
  TempDir dir;
  ServerProcess s;
  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path(), 2));
  HttpClient c(s.port());
  auto ready = c.get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.describe();
  EXPECT_EQ(c.get("/healthz").json(), json::parse(R"({"status": "ok"})"));
  ASSERT_NO_FATAL_FAILURE(createEntities(c, {{"mx-1", "Sensor"}}));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(c.get("/api/v1/entities/mx-1").status, 200);
  EXPECT_EQ(c.get("/api/v1/nope-nothing-here").status, 404);
  auto r = c.postJson("/api/v1/observations", batchJson({{"mx-1", "level", nowMs() - 1000, 1, Quality::Good}}));
  ASSERT_EQ(r.status, 200) << r.describe();

  auto m = c.get("/metrics");
  ASSERT_EQ(m.status, 200) << m.describe();
  EXPECT_NE(m.header("Content-Type").find("text/plain"), std::string::npos) << m.header("Content-Type");
  EXPECT_NE(m.body.find("# TYPE cityops_http_requests_total counter"), std::string::npos) << m.body.substr(0, 2000);
  EXPECT_GE(scrape(m.body, "cityops_http_requests_total",
                   {"route=\"/api/v1/entities/{id}\"", "method=\"GET\"", "status=\"200\""})
                .value_or(0),
            3.0)
      << "requests are labelled with the route pattern\n"
      << m.body;
  EXPECT_GE(scrape(m.body, "cityops_http_requests_total", {"route=\"/readyz\"", "status=\"200\""}).value_or(0), 1.0);
  EXPECT_GE(scrape(m.body, "cityops_http_requests_total", {"route=\"unmatched\"", "status=\"404\""}).value_or(0), 1.0);
  EXPECT_EQ(scrape(m.body, "cityops_http_requests_total",
                   {"route=\"/api/v1/observations\"", "method=\"POST\"", "status=\"200\""})
                .value_or(0),
            1.0);
  EXPECT_EQ(m.body.find("mx-1"), std::string::npos) << "an entity id leaked into metric labels";
  EXPECT_EQ(m.body.find("nope-nothing-here"), std::string::npos) << "a raw path leaked into metric labels";
  EXPECT_EQ(scrape(m.body, "cityops_entities").value_or(-1), 1.0);
  EXPECT_EQ(scrape(m.body, "cityops_ingest_observations_total").value_or(-1), 1.0);

  // HEAD works wherever GET does: same status and headers, no body.
  for (const char* t : {"/healthz", "/api/v1/entities/mx-1", "/api/v1/latest"}) {
    auto g = c.get(t);
    auto h = c.request("HEAD", t);
    EXPECT_EQ(h.status, g.status) << "HEAD " << t << ": " << h.describe();
    EXPECT_TRUE(h.body.empty()) << "HEAD " << t;
    EXPECT_EQ(h.header("Content-Length"), std::to_string(g.body.size())) << "HEAD " << t;
    EXPECT_EQ(h.header("Content-Type"), g.header("Content-Type")) << "HEAD " << t;
  }

  auto api = c.get("/api/v1/openapi.json");
  ASSERT_EQ(api.status, 200) << api.describe();
  auto doc = api.json();
  ASSERT_TRUE(doc.is_object()) << api.body.substr(0, 200);
  const auto& paths = doc.at("paths").as_object();
  for (const char* p : {"/api/v1/observations", "/api/v1/entities", "/api/v1/entities/{id}/observations",
                        "/api/v1/latest", "/api/v1/stream"})
    EXPECT_TRUE(paths.contains(p)) << "openapi.json lacks " << p;
}

}  // namespace
}  // namespace cityops::it
