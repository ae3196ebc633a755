// Air quality through the running server (docs/environment.md): the stateless POST /api/v1/environment/aqi/compute
// with the decision's worked example and its 400s; a station's index from readings posted over HTTP
// (GET /api/v1/environment/aqi, VN_AQI and US AQI worked out by hand below); the hourly aqi_vn / aqi_us observations
// the AqiPublisher derives, the public GET /api/v1/public/air (no token) that shows them, and an aqi_vn threshold rule
// raising alerts on them.
//
// The server runs on the real clock, so every reading goes into hours that have already closed. The publisher writes
// an hour once, when it has been closed for 60 s, and at start catches up on the last 24 hours: the publisher test
// creates its stations and readings, then restarts the server so that the catch-up rates them.
#include "Support.hpp"

#include <thread>

namespace cityops::it {
namespace {

namespace json = boost::json;

constexpr int64_t kHour = 3600000;
constexpr int64_t kMinute = 60000;

// The end of the last closed clock hour: the hour rated by `period=hour&at=<this>`.
int64_t lastHourEnd() { return nowMs() / kHour * kHour; }

/// Waits, at most a few minutes, until the clock is at least 75 s past the hour and 90 s before the next one: a test
/// that ends within that span sees no hour close (plus the publisher's 60 s grace) while it runs, so the hour it
/// rates stays the last closed one. This is a precondition on the clock, not a wait for the server.
void awayFromTheHourBoundary() {
  for (;;) {
    const int64_t into = nowMs() % kHour;
    if (into >= 75000 && into <= kHour - 90000) return;
    std::this_thread::sleep_for(1s);
  }
}

double number(const json::value& v) {
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  ADD_FAILURE() << "not a number: " << json::serialize(v);
  return -1;
}

/// Two readings per hour, at :10 and :40, `mean - 2` and `mean + 2`: the hourly mean is exactly `mean`.
void hourOf(std::vector<Obs>& out, const std::string& entity, const std::string& metric, int64_t hourStart, double mean) {
  out.push_back(Obs{entity, metric, hourStart + 10 * kMinute, mean - 2});
  out.push_back(Obs{entity, metric, hourStart + 40 * kMinute, mean + 2});
}

// ---------------------------------------------------------------------------------------------------- the station
//
// aq.it.station: 13 hours of readings, k = 0 .. 12, hour k = [H - 13 h + k h, H - 12 h + k h), H = the end of the last
// closed hour; rated at H, i.e. the hour k = 12. Hourly means (µg/m³), oldest first:
//   pm25  16 16 16 16 16 16 16 16 16 32 48 64 80     (c1 = 80, c2 = 64, c3 = 48, c4 = 32, c5..c12 = 16; k = 0 is the
//                                                     13th hour back and outside the 12-hour NowCast)
//   pm10  60 ... 60 100                               (c1 = 100, c2..c12 = 60)
//   o3 60, no2 40, so2 10, co 1000 every hour.
//
// VN_AQI (Decision 1459), hourly:
//   PM2.5: w* = 16/80 = 0.2 <= 1/2, so w = 1/2 and NowCast = Σ (1/2)^i c_i
//          = 80/2 + 64/4 + 48/8 + 32/16 + 16·(1/2^5 + ... + 1/2^12)
//          = 40 + 16 + 6 + 2 + 16·(1/16 - 1/4096) = 64 + 0.99609375 = 64.99609375 µg/m³
//          → 100 + (150 - 100)/(80 - 50)·(64.99609375 - 50) = 124.9935 → 125
//   PM10:  w* = 60/100 = 0.6 > 1/2: NowCast = (100 + 60·Σ_{j=1..11} 0.6^j) / (1 + Σ_{j=1..11} 0.6^j)
//          Σ_{j=1..11} 0.6^j = 1.5·(1 - 0.6^11) = 1.494558; (100 + 89.67348) / 2.494558 = 76.0349 µg/m³
//          → 50 + 50/100·26.0349 = 63.02 → 63
//   O3 1-h 60 → 50/160·60 = 18.75 → 19;  NO2 40 → 50/100·40 = 20;  SO2 10 → 50/125·10 = 4;  CO 1000 → 50/10000·1000 = 5
//   AQI = 125, PM2.5 dominant, "Kém".
// US AQI (EPA-454/B-24-002), NowCast:
//   PM2.5: EPA divides at w = 1/2 too: (80 + 32 + 12 + 4 + 16·(1/8 - 1/2048)) / (2 - 1/2048)
//          = 129.9921875 / 1.99951171875 = 65.0120 → truncated 65.0 → 151 + 49/69.9·(65.0 - 55.5) = 157.66 → 158
//   PM10:  76.0349 → 76 → 51 + 49/99·(76 - 55) = 61.39 → 61
//   O3:    8-h NowCast 60 µg/m³ = 60·24.45/48 = 30.56 ppb = 0.030 ppm → 50/0.054·0.030 = 27.8 → 28 (1-h rows start at
//          0.125 ppm)
//   NO2:   40·24.45/46.01 = 21.26 → 21 ppb → 50/53·21 = 19.8 → 20;  SO2 10·24.45/64.07 = 3.82 → 3 ppb → 4.3 → 4
//   CO:    8-h mean 1000 µg/m³ = 0.873 ppm → 0.8 → 50/4.4·0.8 = 9.1 → 9
//   AQI = 158, PM2.5 dominant, "Unhealthy".
const char* kStation = "aq.it.station";

std::vector<Obs> stationReadings(int64_t h) {
  std::vector<Obs> out;
  const double pm25[13] = {16, 16, 16, 16, 16, 16, 16, 16, 16, 32, 48, 64, 80};
  for (int k = 0; k < 13; ++k) {
    const int64_t start = h - (13 - k) * kHour;
    hourOf(out, kStation, "pm25", start, pm25[k]);
    hourOf(out, kStation, "pm10", start, k == 12 ? 100 : 60);
    hourOf(out, kStation, "o3", start, 60);
    hourOf(out, kStation, "no2", start, 40);
    hourOf(out, kStation, "so2", start, 10);
    hourOf(out, kStation, "co", start, 1000);
  }
  return out;
}

// aq.it.published: PM2.5 at 101 µg/m³ every hour (99 and 103) for the same 13 hours. A constant series has w* = 1,
// so the NowCast is 101 whichever of its hours are present, and every rated hour from the second one on gives
//   VN: 150 + (200 - 150)/(150 - 80)·(101 - 80) = 150 + 15 = 165, "Xấu";
//   US: 101.0 → 151 + 49/69.9·(101.0 - 55.5) = 182.90 → 183, "Unhealthy".
// (The first hour alone has no NowCast: it needs 2 of the 3 latest hours.) The same value for the hour after H too
// (c1 missing, c2 and c3 present), so /public/air's answer does not depend on when exactly the publisher ran.
const char* kPublished = "aq.it.published";

std::vector<Obs> publishedReadings(int64_t h) {
  std::vector<Obs> out;
  for (int k = 0; k < 13; ++k) hourOf(out, kPublished, "pm25", h - (13 - k) * kHour, 101);
  return out;
}

const std::string kAqiRule =
    R"({"id":"aqi-it","name":"VN_AQI Kém / Xấu / Rất xấu","scope":{"type":"AirQualityStation"},"metric":"aqi_vn",)"
    R"("kind":"threshold","levels":[{"above":100,"severity":"minor"},{"above":150,"severity":"major"},)"
    R"({"above":200,"severity":"critical"}],"hysteresis":5,"for":"0s",)"
    R"("message":"{entity.name}: VN_AQI {value}, hạn chế hoạt động ngoài trời"})";

class Environment : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(startServer(server_, dir_.path(), 2)); }
  void TearDown() override {
    if (!server_.running()) return;
    const int st = server_.terminate();
    EXPECT_TRUE(ServerProcess::exitedCleanly(st)) << ServerProcess::describeStatus(st) << "\n" << server_.tail();
  }
  uint16_t port() const { return server_.port(); }

  void createStation(HttpClient& c, const std::string& id, const std::string& name) {
    json::object o{{"id", id}, {"type", "AirQualityStation"}, {"name", name}};
    auto r = c.postJson("/api/v1/entities", json::serialize(o));
    ASSERT_EQ(r.status, 201) << r.describe();
  }
  void post(HttpClient& c, const std::vector<Obs>& batch) {
    auto r = c.postJson("/api/v1/observations", batchJson(batch));
    ASSERT_EQ(r.status, 200) << r.describe();
  }
  void expectUp() {
    auto h = httpGet(port(), "/healthz");
    EXPECT_EQ(h.status, 200) << "/healthz: " << h.describe() << "\n" << server_.tail();
  }
  /// GET `target` (with `client`'s token) until `pred` holds on a 200 answer, at most `limit`; the last body.
  json::value waitFor(HttpClient& client, const std::string& target, const std::function<bool(const json::value&)>& pred,
                      std::chrono::seconds limit = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    json::value last;
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = client.get(target);
      if (r.status == 200) {
        last = r.json();
        if (pred(last)) return last;
      }
      std::this_thread::sleep_for(200ms);
    }
    ADD_FAILURE() << "GET " << target << " never reached the expected state; last: " << json::serialize(last) << "\n"
                  << server_.tail(20);
    return last;
  }

  TempDir dir_;
  ServerProcess server_;
};

// ------------------------------------------------------------------------------------------------------------ tests

TEST_F(Environment, ComputeGivesTheWorkedExampleAndRejectsBadBodies) {
  HttpClient c(port());
  // Decision 1459, 2.3.b (tests/environment/vn_aqi_test.cpp): PM2.5 09:00..20:00, O3 136.1, NO2 118.7.
  //   PM2.5 NowCast: w* = 16.5/26.9 = 0.613 > 1/2, weighted mean 20.2658 → 50/25·20.2658 = 40.53 → 41
  //   O3 50/160·136.1 = 42.53 → 43;  NO2 50 + 50/100·18.7 = 59.35 → 59 (the decision prints 60; see docs)
  auto r = c.postJson("/api/v1/environment/aqi/compute",
                      R"({"standard": "vn", "period": "hour",
                          "hourly": {"pm25": [26.9, 24.7, 20.5, 23.5, 19.5, 16.5, 19.0, 16.5, 20.3, 22.4, 19.6, 20.6],
                                     "o3": [136.1], "no2": [118.7]}})");
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_NE(r.header("Content-Type").find("application/json"), std::string::npos);
  const auto v = r.json();
  EXPECT_EQ(v.at("standard"), "vn");
  EXPECT_EQ(v.at("period"), "hour");
  EXPECT_EQ(v.at("aqi"), 59);
  EXPECT_EQ(v.at("level"), 2);
  EXPECT_EQ(v.at("dominant"), "no2");
  EXPECT_EQ(v.at("category"), "Trung bình");
  EXPECT_EQ(v.at("colour_hex"), "#FFFF00");
  EXPECT_EQ(v.at("sub_indices").at("pm25").at("aqi"), 41);
  EXPECT_NEAR(number(v.at("sub_indices").at("pm25").at("nowcast")), 20.2658, 1e-4);
  EXPECT_EQ(v.at("sub_indices").at("o3").at("aqi"), 43);
  EXPECT_NEAR(number(v.at("sub_indices").at("no2").at("index")), 59.35, 1e-9);
  EXPECT_TRUE(v.at("unavailable").as_object().empty());

  // US, from tests/environment/aqi_codec_test.cpp: O3 150 µg/m³ for 8 hours = 0.076 ppm → 101 + 49/14·5 = 118.5 → 119.
  auto us = c.postJson("/api/v1/environment/aqi/compute",
                       R"({"standard": "us", "period": "hour",
                           "hourly": {"o3": [150, 150, 150, 150, 150, 150, 150, 150], "pm25": [5, 10, 20]}})");
  ASSERT_EQ(us.status, 200) << us.describe();
  EXPECT_EQ(us.json().at("aqi"), 119);
  EXPECT_EQ(us.json().at("dominant"), "o3");

  const std::pair<std::string, std::string> bad[] = {
      {R"({"standard":"vn","period":"hour","hourly":{"pm25":[10,-1]}})", "negative"},
      {R"({"standard":"vn","period":"hour","hourly":{"pm25":[]}})", "hourly.pm25 is empty"},
      {R"({"standard":"vn","period":"hour","hourly":{"pm1":[10]}})", "unknown pollutant 'pm1'"},
      {R"({"standard":"vn","period":"hour","hourly":{"no2":[50]}})", "PM2.5 or PM10"},
      {R"({"standard":"vn","period":"hour","hourly":{"pm25":[10, 12)", "malformed JSON"},
      {R"({"standard":"vn","period":"day","hourly":{"pm25":[10,10,10,10,10,10,10,10,10,10,10,10,10,10,10,10,10,10,10,10,10,10,10]}})",
       "exactly 24"},
      {R"({"standard":"eu","period":"hour","hourly":{"pm25":[10]}})", "standard"},
      {R"({"standard":"vn","period":"hour","hourly":{"pm25":[10]},"extra":1})", "unknown field 'extra'"},
      {"", "standard"},
  };
  for (const auto& [body, part] : bad) {
    SCOPED_TRACE(body);
    EXPECT_TRUE(isError(c.postJson("/api/v1/environment/aqi/compute", body), 400, "bad_request", part));
  }
  expectUp();
  // And it still computes.
  EXPECT_EQ(c.postJson("/api/v1/environment/aqi/compute",
                       R"({"standard":"vn","period":"hour","hourly":{"pm25":[50,50]}})")
                .json()
                .at("aqi"),
            100);  // 50 µg/m³ is the 100 breakpoint
}

TEST_F(Environment, StationIndexFromStoredReadings) {
  HttpClient c(port());
  ASSERT_NO_FATAL_FAILURE(createStation(c, kStation, "Trạm thử nghiệm"));
  const int64_t h = lastHourEnd();
  ASSERT_NO_FATAL_FAILURE(post(c, stationReadings(h)));
  const std::string base = std::string("/api/v1/environment/aqi?entity=") + kStation + "&period=hour&at=" +
                           std::to_string(h);

  auto vn = c.get(base + "&standard=vn");
  ASSERT_EQ(vn.status, 200) << vn.describe();
  const auto v = vn.json();
  EXPECT_EQ(v.at("entity"), kStation);
  EXPECT_EQ(v.at("standard"), "vn");
  EXPECT_EQ(v.at("aqi"), 125);  // worked out above
  EXPECT_EQ(v.at("level"), 3);
  EXPECT_EQ(v.at("category"), "Kém");
  EXPECT_EQ(v.at("dominant"), "pm25");
  EXPECT_EQ(v.at("from"), json::value(rfc3339(h - kHour)));
  EXPECT_EQ(v.at("to"), json::value(rfc3339(h)));
  const auto& vs = v.at("sub_indices");
  EXPECT_NEAR(number(vs.at("pm25").at("nowcast")), 64.9961, 1e-4);
  EXPECT_NEAR(number(vs.at("pm25").at("index")), 124.99, 1e-9);
  EXPECT_EQ(vs.at("pm25").at("valid_hours"), 12);
  EXPECT_NEAR(number(vs.at("pm10").at("nowcast")), 76.0349, 1e-4);
  EXPECT_EQ(vs.at("pm10").at("aqi"), 63);
  EXPECT_EQ(vs.at("o3").at("aqi"), 19);
  EXPECT_EQ(vs.at("no2").at("aqi"), 20);
  EXPECT_EQ(vs.at("so2").at("aqi"), 4);
  EXPECT_EQ(vs.at("co").at("aqi"), 5);

  auto us = c.get(base + "&standard=us");
  ASSERT_EQ(us.status, 200) << us.describe();
  const auto u = us.json();
  EXPECT_EQ(u.at("standard"), "us");
  EXPECT_EQ(u.at("aqi"), 158);
  EXPECT_EQ(u.at("category"), "Unhealthy");
  EXPECT_EQ(u.at("dominant"), "pm25");
  const auto& us_ = u.at("sub_indices");
  EXPECT_NEAR(number(us_.at("pm25").at("nowcast")), 65.0120, 1e-4);
  EXPECT_EQ(number(us_.at("pm25").at("epa_concentration")), 65.0);
  EXPECT_EQ(us_.at("pm10").at("aqi"), 61);
  EXPECT_EQ(us_.at("o3").at("aqi"), 28);
  EXPECT_EQ(us_.at("no2").at("aqi"), 20);
  EXPECT_EQ(us_.at("so2").at("aqi"), 4);
  EXPECT_EQ(us_.at("co").at("aqi"), 9);

  // One hour earlier the rated hour is k = 11: c1 = 64, c2 = 48, c3 = 32, c4..c12 = 16 (k = 8 .. 0), w = 1/2:
  // NowCast = 32 + 12 + 4 + 16·(1/2^4 + ... + 1/2^12) = 48 + 16·(1/8 - 1/4096) = 49.99609375 µg/m³, just below the
  // 50 breakpoint → 50 + (100 - 50)/(50 - 25)·(49.99609375 - 25) = 99.99 → 100, still "Trung bình".
  auto earlier = c.get(std::string("/api/v1/environment/aqi?entity=") + kStation + "&at=" + rfc3339(h - kHour));
  ASSERT_EQ(earlier.status, 200) << earlier.describe();
  EXPECT_EQ(earlier.json().at("standard"), "vn");  // the default
  EXPECT_EQ(earlier.json().at("aqi"), 100);
  EXPECT_EQ(earlier.json().at("category"), "Trung bình");

  EXPECT_TRUE(isError(c.get("/api/v1/environment/aqi?entity=aq.nowhere&standard=vn&period=hour"), 404, "not_found"));
  EXPECT_TRUE(isError(c.get(base + "&standard=eu"), 400, "bad_request", "eu"));
  EXPECT_TRUE(isError(c.get(base + "&standard=vn&period=week"), 400, "bad_request"));
  EXPECT_TRUE(isError(c.get("/api/v1/environment/aqi?standard=vn"), 400, "bad_request", "entity"));
  EXPECT_TRUE(isError(c.get(base + "&standard=vn&colour=red"), 400, "bad_request"));
  // A station without readings has no index.
  ASSERT_NO_FATAL_FAILURE(createStation(c, "aq.it.empty", "Trạm chưa có số liệu"));
  EXPECT_TRUE(isError(c.get("/api/v1/environment/aqi?entity=aq.it.empty"), 400, "bad_request", "no pollutant"));
  expectUp();
}

TEST_F(Environment, PublisherDerivesHourlyIndicesPublicAirShowsThemAndRulesFire) {
  awayFromTheHourBoundary();
  const int64_t h = lastHourEnd();
  {
    HttpClient c(port());
    auto rule = c.postJson("/api/v1/rules", kAqiRule);
    ASSERT_EQ(rule.status, 201) << rule.describe();
    ASSERT_NO_FATAL_FAILURE(createStation(c, kStation, "Trạm thử nghiệm"));
    ASSERT_NO_FATAL_FAILURE(createStation(c, kPublished, "Trạm KCN thử nghiệm"));
    std::vector<Obs> all = stationReadings(h);
    for (auto& o : publishedReadings(h)) all.push_back(std::move(o));
    ASSERT_NO_FATAL_FAILURE(post(c, all));
  }
  // The publisher ran when the server started (no station yet) and will not come back to closed hours: a restart
  // makes it catch up on the last 24 hours, the hours of these readings included.
  const int st = server_.terminate();
  ASSERT_TRUE(ServerProcess::exitedCleanly(st)) << ServerProcess::describeStatus(st) << "\n" << server_.tail();
  ASSERT_NO_FATAL_FAILURE(startServer(server_, dir_.path(), 2));

  // The public view, without a token.
  HttpClient anon(port());
  anon.setToken("");
  auto stationOf = [](const json::value& body, const std::string& id) -> const json::object* {
    for (const auto& s : body.at("stations").as_array())
      if (s.at("id") == id.c_str()) return &s.as_object();
    return nullptr;
  };
  const auto air = waitFor(anon, "/api/v1/public/air", [&](const json::value& b) {
    const auto* a = stationOf(b, kPublished);
    const auto* s = stationOf(b, kStation);
    return a && s && a->at("vn").is_object() && a->at("us").is_object() && s->at("vn").is_object();
  });
  const auto* pub = stationOf(air, kPublished);
  ASSERT_NE(pub, nullptr) << json::serialize(air);
  EXPECT_EQ(pub->at("name"), "Trạm KCN thử nghiệm");
  const auto& vn = pub->at("vn");
  EXPECT_EQ(vn.at("aqi"), 165);  // worked out above
  EXPECT_EQ(vn.at("category"), "Xấu");
  EXPECT_EQ(vn.at("category_en"), "Bad");
  EXPECT_EQ(vn.at("level"), 4);
  EXPECT_EQ(vn.at("colour_hex"), "#FF0000");
  EXPECT_FALSE(vn.at("advice").at("vi").as_string().empty());
  EXPECT_EQ(vn.at("at"), json::value(rfc3339(h)));  // the last closed hour's end (the test stays clear of the next)
  EXPECT_EQ(pub->at("us").at("aqi"), 183);
  EXPECT_EQ(pub->at("us").at("category"), "Có hại cho sức khỏe");  // /public/air names in Vietnamese first
  EXPECT_EQ(pub->at("us").at("level"), 4);
  EXPECT_EQ(pub->at("us").at("category_en"), "Unhealthy");
  EXPECT_EQ(number(pub->at("pm25").at("value")), 103);  // the last reading: hour k = 12 at :40
  EXPECT_EQ(pub->at("pm25").at("at"), json::value(rfc3339(h - kHour + 40 * kMinute)));
  // The other station's latest index is its hour k = 12: 125, "Kém" (see GET /api/v1/environment/aqi above).
  EXPECT_EQ(stationOf(air, kStation)->at("vn").at("aqi"), 125);
  EXPECT_EQ(stationOf(air, kStation)->at("us").at("aqi"), 158);

  // The derived observations: one per closed hour from the second hour of readings on (the first has no NowCast).
  HttpClient c(port());
  for (const char* metric : {"aqi_vn", "aqi_us"}) {
    SCOPED_TRACE(metric);
    const auto pts = queryRaw(c, kPublished, metric, h - 24 * kHour, h);
    ASSERT_EQ(pts.size(), 12u);
    for (size_t i = 0; i < pts.size(); ++i) {
      EXPECT_EQ(pts[i].time, h - static_cast<int64_t>(11 - i) * kHour);
      EXPECT_EQ(pts[i].value, std::string(metric) == "aqi_vn" ? 165 : 183);
      EXPECT_EQ(pts[i].quality, "good");
    }
  }
  // The varied station at H: exactly GET /api/v1/environment/aqi's answer; one hour earlier 100 (see above).
  const auto vnPts = queryRaw(c, kStation, "aqi_vn", h - kHour, h);
  ASSERT_EQ(vnPts.size(), 2u);
  EXPECT_EQ(vnPts[0].value, 100);
  EXPECT_EQ(vnPts[1].value, 125);
  const auto usPts = queryRaw(c, kStation, "aqi_us", h, h);
  ASSERT_EQ(usPts.size(), 1u);
  EXPECT_EQ(usPts[0].value, 158);

  // The rule: 165 > 150 → major at the industrial station from its first derived hour on; at the other station 100
  // (H - 1 h) is not above 100, 125 (H) is → minor, raised at H.
  const auto alerts = waitFor(c, "/api/v1/alerts?rule=aqi-it", [](const json::value& b) {
    return b.as_array().size() == 2;
  });
  ASSERT_EQ(alerts.as_array().size(), 2u) << json::serialize(alerts);
  std::map<std::string, json::object> byEntity;
  for (const auto& a : alerts.as_array()) byEntity[std::string(a.at("entity").as_string())] = a.as_object();
  ASSERT_EQ(byEntity.count(kPublished), 1u);
  ASSERT_EQ(byEntity.count(kStation), 1u);
  const auto& major = byEntity.at(kPublished);
  EXPECT_EQ(major.at("severity"), "major");
  EXPECT_EQ(major.at("state"), "active");
  EXPECT_EQ(major.at("metric"), "aqi_vn");
  EXPECT_EQ(number(major.at("value")), 165);
  EXPECT_EQ(major.at("raised_at"), json::value(rfc3339(h - 11 * kHour)));  // data time: the first derived hour
  EXPECT_NE(std::string_view(major.at("message").as_string()).find("VN_AQI 165"), std::string_view::npos)
      << json::serialize(major);
  const auto& minor = byEntity.at(kStation);
  EXPECT_EQ(minor.at("severity"), "minor");
  EXPECT_EQ(number(minor.at("value")), 125);
  EXPECT_EQ(minor.at("raised_at"), json::value(rfc3339(h)));
  expectUp();
}

}  // namespace
}  // namespace cityops::it
