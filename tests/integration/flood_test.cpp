// Flood monitoring through the running server: stations get their alarm-level rules from their attributes and keep
// them in step; quality control flags a spike (kept, never alarming) and the counts show per station; a silent gauge
// raises a stale alert; every flood alert is a CAP 1.2 message (validated with xmllint against the OASIS schema)
// with Update and Cancel as it changes, and the Atom feed lists it.
#include "Support.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

namespace cityops::it {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

const char* kConfig = R"toml(
[city]
name = "Tam Kỳ (test)"
timezone = "Asia/Ho_Chi_Minh"

[security]
rate_limit = 0
anonymous_rate_limit = 0

[flood]
hysteresis = 0.05

[flood.qc.water_level_m]
hard_min = -3.0
hard_max = 30.0
soft_max = 8.0
spike_per_hour = 3.0

[[entity]]
id = "wl.tamky"
type = "WaterLevelStation"
name = "Trạm thủy văn Tam Kỳ"
point = [108.482, 15.567]
[entity.attributes]
name_en = "Tam Kỳ hydrological station"
river = "Tam Kỳ"
bd1 = 1.7
bd2 = 2.2
bd3 = 2.7

[[entity]]
id = "wl.silent"
type = "WaterLevelStation"
name = "Silent gauge"

[[entity]]
id = "zone.riverside"
type = "Zone"
name = "Vùng trũng ven sông <Tam Kỳ> & phụ cận"
geometry = { type = "Polygon", coordinates = [[[108.478, 15.558], [108.493, 15.556], [108.501, 15.565], [108.478, 15.558]]] }
[entity.attributes]
watch_station = "wl.tamky"

[[entity]]
id = "school.riverside"
type = "School"
name = "Trường ven sông"
point = [108.4907, 15.5597]

[[entity]]
id = "cam.1"
type = "TrafficCamera"
name = "Camera 1"
point = [108.470, 15.580]

[[rule]]
id = "silent.wl"
name = "Gauge silent"
scope = { entity = "wl.silent" }
metric = "water_level_m"
kind = "stale"
after = "2s"
severity = "minor"
message = "{entity.name} is silent"

[[rule]]
id = "cam.speed"
name = "Camera speed"
scope = { entity = "cam.1" }
metric = "speed_kmh"
kind = "threshold"
levels = [{ below = 10, severity = "minor" }]
)toml";

class Flood : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string config = (fs::path(dir_.path()) / "flood.toml").string();
    std::ofstream(config) << kConfig;
    ServerProcess::Options o;
    o.dataDir = dir_.path();
    o.threads = 2;
    o.unlimitedRates = false;
    o.extraArgs = {"--config", config};
    ASSERT_TRUE(server_.start(o)) << server_.error();
  }
  void TearDown() override {
    if (!server_.running()) return;
    const int st = server_.terminate();
    EXPECT_TRUE(ServerProcess::exitedCleanly(st)) << ServerProcess::describeStatus(st) << "\n" << server_.tail();
  }
  uint16_t port() const { return server_.port(); }

  void post(HttpClient& c, const std::string& entity, int64_t t, double v, const std::string& metric = "water_level_m") {
    auto r = c.postJson("/api/v1/observations", "[" + obsJson(Obs{entity, metric, t, v}) + "]");
    ASSERT_EQ(r.status, 200) << r.describe();
  }
  /// GET `target` until `pred` holds on its JSON, at most 20 s.
  json::value waitFor(const std::string& target, const std::function<bool(const json::value&)>& pred) {
    HttpClient c(port());
    json::value last;
    for (int i = 0; i < 400; ++i) {
      auto r = c.get(target);
      last = r.json();
      if (pred(last)) return last;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << target << " never reached the expected state: " << json::serialize(last);
    return last;
  }
  json::array alertsOf(const std::string& rule, size_t n) {
    auto v = waitFor("/api/v1/alerts?rule=" + rule, [&](const json::value& j) {
      return j.is_array() && j.as_array().size() >= n;
    });
    return v.is_array() ? v.as_array() : json::array{};
  }

  TempDir dir_;
  ServerProcess server_;
};

std::string xsdPath() {
  const fs::path inProject = fs::path(__FILE__).parent_path() / ".." / "data" / "cap" / "CAP-v1.2.xsd";
  if (fs::is_regular_file(inProject)) return fs::weakly_canonical(inProject).string();
  const char* env = std::getenv("CITYOPS_CAP_XSD");
  return env ? env : "";
}

/// xmllint's verdict on `xml` (with --schema when `schema` is given): "" when valid, else its output.
std::string xmllint(const std::string& xml, const std::string& schema, const std::string& dir) {
  const std::string file = (fs::path(dir) / "doc.xml").string();
  std::ofstream(file, std::ios::binary) << xml;
  const std::string cmd =
      "/usr/bin/xmllint --noout " + (schema.empty() ? "" : "--schema '" + schema + "' ") + "'" + file + "' 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return "cannot run xmllint";
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "" : out;
}

std::string between(const std::string& s, const std::string& open, const std::string& close) {
  const auto a = s.find(open);
  if (a == std::string::npos) return {};
  const auto b = s.find(close, a + open.size());
  return b == std::string::npos ? std::string() : s.substr(a + open.size(), b - a - open.size());
}

TEST_F(Flood, StationsGetAlarmRulesThatFollowTheirAttributes) {
  HttpClient c(port());
  // Declared in the config: the rule exists from the start, with the station's three levels.
  auto rule = c.get("/api/v1/rules/alarm.wl.tamky");
  ASSERT_EQ(rule.status, 200) << rule.describe();
  const json::value ruleJson = rule.json();
  const auto& levels = ruleJson.at("levels").as_array();
  ASSERT_EQ(levels.size(), 3u);
  EXPECT_EQ(levels[0].at("above").to_number<double>(), 1.7);
  EXPECT_EQ(levels[1].at("severity").as_string(), "major");
  EXPECT_EQ(c.get("/api/v1/rules/alarm.wl.silent").status, 404);  // no levels, no rule

  const int64_t t0 = nowMs() - 3600000;
  post(c, "wl.tamky", t0, 2.3);
  auto raised = alertsOf("alarm.wl.tamky", 1);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].at("severity").as_string(), "major");

  // BĐ II moves up: the rule follows within a pass (5 s).
  auto patched = c.request("PATCH", "/api/v1/entities/wl.tamky", R"({"attributes": {"bd2": 2.4}})", "application/json");
  ASSERT_EQ(patched.status, 200) << patched.describe();
  waitFor("/api/v1/rules/alarm.wl.tamky", [](const json::value& j) {
    return j.is_object() && j.as_object().contains("levels") && j.at("levels").as_array().size() == 3 &&
           j.at("levels").as_array()[1].at("above").to_number<double>() == 2.4;
  });

  // A station created through the API gets its rule; deleted, it loses it.
  auto created = c.postJson("/api/v1/entities",
                            R"({"id":"wl.hoian","type":"WaterLevelStation","name":"Hội An","attributes":{"bd1":1.0,"bd2":1.5,"bd3":2.0}})");
  ASSERT_EQ(created.status, 201) << created.describe();
  waitFor("/api/v1/rules/alarm.wl.hoian", [](const json::value& j) { return j.is_object() && j.as_object().contains("levels"); });
  ASSERT_EQ(c.request("DELETE", "/api/v1/entities/wl.hoian").status, 204);
  waitFor("/api/v1/rules/alarm.wl.hoian", [](const json::value& j) {
    return j.is_object() && j.as_object().contains("error");
  });

  // The station view: latest level, alarm level II (2.3 < 2.4 now: I), risk level 1, the open alert.
  auto station = waitFor("/api/v1/flood/stations/wl.tamky", [](const json::value& j) {
    return j.is_object() && j.as_object().contains("alarm_level") && !j.at("alarm_level").is_null();
  });
  EXPECT_EQ(station.at("latest").at("value").to_number<double>(), 2.3);
  EXPECT_EQ(station.at("alarm_level").to_number<int>(), 1);
  EXPECT_EQ(station.at("risk_level").at("level").to_number<int>(), 1);
  EXPECT_EQ(station.at("alarm_levels").at("bd2").to_number<double>(), 2.4);
  EXPECT_EQ(c.get("/api/v1/flood/stations/cam.1").status, 404);
  auto list = c.get("/api/v1/flood/stations");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json().as_array().size(), 2u);
}

TEST_F(Flood, ASuspectSpikeIsKeptAndNeverAlarms) {
  HttpClient c(port());
  const int64_t t0 = nowMs() - 3600000;
  post(c, "wl.tamky", t0, 1.0);
  post(c, "wl.tamky", t0 + 5 * 60000, 2.9);  // +1.9 m in 5 minutes: 22.8 m/h, far over 3 m/h
  post(c, "wl.tamky", t0 + 10 * 60000, 1.02);
  // A sentinel behind it on the same engine queue: once its alert exists, the spike was evaluated.
  post(c, "cam.1", t0, 5, "speed_kmh");
  ASSERT_EQ(alertsOf("cam.speed", 1).size(), 1u);
  auto none = c.get("/api/v1/alerts?rule=alarm.wl.tamky");
  ASSERT_EQ(none.status, 200);
  EXPECT_TRUE(none.json().as_array().empty()) << none.body;

  const auto points = queryRaw(c, "wl.tamky", "water_level_m", t0, t0 + 10 * 60000);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].quality, "good");
  EXPECT_EQ(points[1].value, 2.9);  // kept as sent
  EXPECT_EQ(points[1].quality, "suspect");
  EXPECT_EQ(points[2].quality, "good");
  auto station = c.get("/api/v1/flood/stations/wl.tamky");
  ASSERT_EQ(station.status, 200);
  const json::value stationJson = station.json();
  const auto& qc = stationJson.at("qc").at("water_level_m");
  EXPECT_EQ(qc.at("checked").to_number<int>(), 3);
  EXPECT_EQ(qc.at("spike").to_number<int>(), 1);
  EXPECT_EQ(qc.at("last_flagged_at").as_string(), rfc3339(t0 + 5 * 60000));

  // Out of the hard range: bad.
  post(c, "wl.tamky", t0 + 15 * 60000, 45.0);
  EXPECT_EQ(queryRaw(c, "wl.tamky", "water_level_m", t0 + 15 * 60000, t0 + 15 * 60000).at(0).quality, "bad");
}

TEST_F(Flood, ResidentsSeeWarningsAndZonesNameWhatIsAtRisk) {
  HttpClient c(port());
  HttpClient anonymous(port());
  anonymous.setToken("");
  auto none = anonymous.get("/api/v1/public/warnings");
  ASSERT_EQ(none.status, 200) << none.describe();
  EXPECT_TRUE(none.json().at("warnings").as_array().empty());
  auto zonesBefore = c.get("/api/v1/flood/zones");
  ASSERT_EQ(zonesBefore.status, 200) << zonesBefore.describe();
  const json::value before = zonesBefore.json();
  ASSERT_EQ(before.as_array().size(), 1u);  // the only Zone with a watch_station
  EXPECT_FALSE(before.as_array()[0].at("at_risk").as_bool());

  post(c, "wl.tamky", nowMs() - 60000, 2.3);  // BĐ II
  alertsOf("alarm.wl.tamky", 1);
  auto warnings = waitFor("/api/v1/public/warnings", [](const json::value& j) {
    return j.is_object() && !j.at("warnings").as_array().empty();
  });
  // The silent gauge's stale alert is for the operators, not a warning to residents.
  alertsOf("silent.wl", 1);
  warnings = anonymous.get("/api/v1/public/warnings").json();
  ASSERT_EQ(warnings.at("warnings").as_array().size(), 1u) << json::serialize(warnings);
  const auto& w = warnings.at("warnings").as_array()[0];
  EXPECT_EQ(w.at("station").as_string(), "wl.tamky");
  EXPECT_EQ(w.at("severity").as_string(), "major");
  EXPECT_FALSE(w.at("vi").at("headline").as_string().empty());
  EXPECT_FALSE(w.at("en").at("instruction").as_string().empty());
  EXPECT_NE(std::string(w.at("en").at("area").as_string()).find("Tam Kỳ"), std::string::npos) << json::serialize(w);

  auto zones = c.get("/api/v1/flood/zones?level=1");
  ASSERT_EQ(zones.status, 200);
  const json::value z = zones.json();
  ASSERT_EQ(z.as_array().size(), 1u);
  EXPECT_TRUE(z.as_array()[0].at("at_risk").as_bool());
  EXPECT_EQ(z.as_array()[0].at("station_alarm_level").to_number<int>(), 2);
  const auto& inside = z.as_array()[0].at("entities").as_array();
  ASSERT_EQ(inside.size(), 1u);  // the school; the camera is outside the polygon
  EXPECT_EQ(inside[0].at("id").as_string(), "school.riverside");
  EXPECT_TRUE(c.get("/api/v1/flood/zones?level=3").json().as_array().empty());
  // The station names the zone it puts at risk and what is inside.
  const json::value station = c.get("/api/v1/flood/stations/wl.tamky").json();
  ASSERT_EQ(station.at("zones").as_array().size(), 1u);
  EXPECT_TRUE(station.at("zones").as_array()[0].at("at_risk").as_bool());
  EXPECT_EQ(station.at("zones").as_array()[0].at("entities").as_array()[0].at("id").as_string(), "school.riverside");
  EXPECT_TRUE(isError(c.get("/api/v1/flood/zones?level=4"), 400, "bad_request"));
}

TEST_F(Flood, ASilentGaugeRaisesAStaleAlert) {
  auto a = alertsOf("silent.wl", 1);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].at("entity").as_string(), "wl.silent");
}

TEST_F(Flood, EveryChangeIsACapMessageAndTheFeedListsIt) {
  const std::string xsd = xsdPath();
  ASSERT_FALSE(xsd.empty()) << "CAP-v1.2.xsd not found (tests/data/cap)";
  HttpClient c(port());
  const int64_t t0 = nowMs() - 3600000;
  post(c, "wl.tamky", t0, 1.8);  // raise: minor (BĐ I)
  auto raised = alertsOf("alarm.wl.tamky", 1);
  ASSERT_EQ(raised.size(), 1u);
  const std::string id = std::to_string(raised[0].at("id").to_number<int64_t>());
  // Slow enough for quality control (at most 3 m/h in this config): +0.45 m in 10 min, -1.05 m in 30 min.
  post(c, "wl.tamky", t0 + 600000, 2.25);   // escalate: major (BĐ II)
  post(c, "wl.tamky", t0 + 2400000, 1.2);   // resolve
  waitFor("/api/v1/alerts/" + id, [](const json::value& j) {
    return j.is_object() && j.as_object().contains("state") && j.at("state").as_string() == "resolved";
  });

  HttpClient anonymous(port());
  anonymous.setToken("");
  const char* expected[] = {"Alert", "Update", "Cancel"};
  for (int v = 1; v <= 3; ++v) {
    auto r = anonymous.get("/api/v1/alerts/" + id + "/cap?version=" + std::to_string(v));
    ASSERT_EQ(r.status, 200) << r.describe();
    EXPECT_NE(r.header("Content-Type").find("application/cap+xml"), std::string::npos);
    EXPECT_EQ(xmllint(r.body, xsd, dir_.path()), "") << r.body;
    EXPECT_EQ(between(r.body, "<msgType>", "</msgType>"), expected[v - 1]);
    EXPECT_NE(between(r.body, "<sent>", "</sent>").find("+07:00"), std::string::npos);
    EXPECT_NE(r.body.find("<language>vi-VN</language>"), std::string::npos);
    EXPECT_NE(r.body.find("<language>en-US</language>"), std::string::npos);
    EXPECT_NE(r.body.find("&lt;Tam Kỳ&gt; &amp; phụ cận"), std::string::npos);  // the zone, escaped
    // The zone's outline in CAP's lat,lon order, closed.
    EXPECT_NE(r.body.find("<polygon>15.558,108.478 15.556,108.493 15.565,108.501 15.558,108.478</polygon>"),
              std::string::npos)
        << r.body;
  }
  auto latest = anonymous.get("/api/v1/alerts/" + id + "/cap");
  EXPECT_EQ(between(latest.body, "<msgType>", "</msgType>"), "Cancel");
  EXPECT_TRUE(isError(anonymous.get("/api/v1/alerts/" + id + "/cap?version=4"), 404, "not_found"));
  EXPECT_TRUE(isError(anonymous.get("/api/v1/alerts/999/cap"), 404, "not_found"));

  auto feed = anonymous.get("/api/v1/cap/feed.atom");
  ASSERT_EQ(feed.status, 200) << feed.describe();
  EXPECT_NE(feed.header("Content-Type").find("application/atom+xml"), std::string::npos);
  EXPECT_EQ(xmllint(feed.body, "", dir_.path()), "") << feed.body;
  EXPECT_NE(feed.body.find("/api/v1/alerts/" + id + "/cap?version=3"), std::string::npos) << feed.body;

  // A traffic alert is not a flood warning: no CAP message.
  post(c, "cam.1", t0, 5, "speed_kmh");
  auto cam = alertsOf("cam.speed", 1);
  ASSERT_EQ(cam.size(), 1u);
  EXPECT_TRUE(isError(anonymous.get("/api/v1/alerts/" + std::to_string(cam[0].at("id").to_number<int64_t>()) + "/cap"),
                      404, "not_found", "not a flood alert"));
}

}  // namespace
}  // namespace cityops::it
