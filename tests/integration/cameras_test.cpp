// Live traffic cameras through the running server. The city file declares two TrafficCameras: cam.synth on a
// `synthetic:` source (a generated street whose vehicles the test knows: traffic::SyntheticScene with the same
// options) with 5 s intervals and a car that stops past the line, and cam.dead on a source that refuses connections.
// The interval metrics written as observations match the vehicles the scene drew; snapshot.jpg and stream.mjpeg
// serve JPEG pictures; the stopped car raises an alert through the rule engine (rule camera.cam.synth.stopped) whose
// picture is served and which resolves when the car drives on; the dead camera reports its error and reconnect
// attempts and raises camera_offline; a camera created, changed and deleted through the API is followed.
#include "Support.hpp"

#include "traffic/SyntheticScene.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

namespace cityops::it {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

const std::string kSynthSource = "synthetic:?vehicles_per_min=30&seed=3&stop_first_s=8&stop_every_s=0&stop_s=15";

/// A JSON value as a TOML inline value.
std::string toml(const json::value& v) {
  if (v.is_object()) {
    std::string out = "{ ";
    bool first = true;
    for (const auto& kv : v.as_object()) {
      out += (first ? "" : ", ") + std::string(kv.key()) + " = " + toml(kv.value());
      first = false;
    }
    return out + " }";
  }
  if (v.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < v.as_array().size(); ++i) out += (i ? ", " : "") + toml(v.as_array()[i]);
    return out + "]";
  }
  return json::serialize(v);  // strings, numbers, booleans: the same text
}

traffic::SyntheticScene synthScene() {
  auto o = traffic::SyntheticOptions::parse(kSynthSource);
  EXPECT_TRUE(o);
  return traffic::SyntheticScene(o ? *o : traffic::SyntheticOptions{});
}

json::object synthAnalytics() {
  json::object a = synthScene().cameraJson();
  a["interval_s"] = 5;
  a["stopped_after_s"] = 4;
  return a;
}

std::string config() {
  json::object dead{{"calibration", json::object{{"meters_per_pixel", 0.05}}},
                    {"health", json::object{{"offline_after_s", 2}}}};
  std::ostringstream s;
  s << R"toml(
[city]
name = "Tam Kỳ (cameras test)"
timezone = "Asia/Ho_Chi_Minh"

[security]
rate_limit = 0
anonymous_rate_limit = 0

[[entity]]
id = "cam.synth"
type = "TrafficCamera"
name = "Synthetic street"
point = [108.4738, 15.5742]
[entity.attributes]
source = ")toml" << kSynthSource << R"toml("
analytics = )toml" << toml(synthAnalytics()) << R"toml(

[[entity]]
id = "cam.dead"
type = "TrafficCamera"
name = "Dead camera"
[entity.attributes]
source = "rtsp://127.0.0.1:1/nothing"
analytics = )toml" << toml(dead) << "\n";
  return s.str();
}

class Cameras : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string file = (fs::path(dir_.path()) / "cameras.toml").string();
    std::ofstream(file) << config();
    ServerProcess::Options o;
    o.dataDir = dir_.path();
    o.threads = 2;
    o.unlimitedRates = false;
    o.extraArgs = {"--config", file};
    ASSERT_TRUE(server_.start(o)) << server_.error();
  }
  void TearDown() override {
    if (!server_.running()) return;
    const int st = server_.terminate();
    EXPECT_TRUE(ServerProcess::exitedCleanly(st)) << ServerProcess::describeStatus(st) << "\n" << server_.tail();
  }
  uint16_t port() const { return server_.port(); }

  /// GET `target` until `pred` holds on its JSON, at most `limit`.
  json::value waitFor(const std::string& target, const std::function<bool(const json::value&)>& pred,
                      std::chrono::seconds limit = std::chrono::seconds(60)) {
    HttpClient c(port());
    json::value last;
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      last = c.get(target).json();
      if (pred(last)) return last;
      std::this_thread::sleep_for(200ms);
    }
    ADD_FAILURE() << target << " never reached the expected state: " << json::serialize(last) << "\n"
                  << server_.tail(20);
    return last;
  }
  static bool isJpeg(const std::string& bytes) {
    return bytes.size() > 100 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
           static_cast<unsigned char>(bytes[1]) == 0xD8;
  }

  TempDir dir_;
  ServerProcess server_;
};

TEST_F(Cameras, IntervalMetricsMatchTheVehiclesOfTheScene) {
  // When the scene began: its frame i is at connected_at + i * 100 ms.
  auto cam = waitFor("/api/v1/cameras/cam.synth", [](const json::value& v) {
    return v.is_object() && v.at("status").is_object() && v.at("status").at("connected_at").is_string();
  });
  const auto t0 = parseServerTime(std::string(cam.at("status").at("connected_at").as_string()));
  ASSERT_TRUE(t0);

  // Five intervals (the first one partial), each written at its end.
  HttpClient c(port());
  std::vector<Point> totals;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < until) {
    totals = queryRaw(c, "cam.synth", "count_total", *t0 - 10000, nowMs() + 10000);
    if (totals.size() >= 5) break;
    std::this_thread::sleep_for(500ms);
  }
  ASSERT_GE(totals.size(), 5u) << server_.tail(30);
  const int64_t lastEnd = totals[4].time;
  EXPECT_EQ(lastEnd % 5000, 0) << "intervals end on whole multiples of interval_s";
  double counted = 0;
  for (size_t i = 0; i < 5; ++i) counted += totals[i].value;

  // What the scene drew crossing the line up to the end of the fifth interval. A crossing in the last 0.5 s may be
  // counted in the next interval (a track is confirmed after 3 frames).
  auto scene = synthScene();
  const double sceneEnd = static_cast<double>(lastEnd - *t0);
  const auto all = scene.crossings(0, sceneEnd);
  const auto surely = scene.crossings(0, sceneEnd - 500);
  auto status = c.get("/api/v1/cameras/cam.synth").json();
  const std::string context = "dropped frames: " + json::serialize(status.at("status").at("dropped_frames")) +
                              ", scene time " + std::to_string(sceneEnd) + " ms";
  EXPECT_GE(counted, static_cast<double>(surely.size())) << context;
  EXPECT_LE(counted, static_cast<double>(all.size())) << context;
  EXPECT_GE(all.size(), 6u) << "30 vehicles a minute for ~25 s";

  // By class and direction, over the same intervals.
  for (const char* cls : {"two_wheeler", "car", "bus_truck"}) {
    for (bool forward : {true, false}) {
      const std::string metric = std::string("count_") + cls + (forward ? "_fwd" : "_bwd");
      const auto points = queryRaw(c, "cam.synth", metric, *t0 - 10000, lastEnd);
      double n = 0;
      for (const auto& p : points) n += p.value;
      size_t lo = 0, hi = 0;
      for (const auto& x : surely) lo += traffic::className(x.cls) == cls && x.forward == forward ? 1 : 0;
      for (const auto& x : all) hi += traffic::className(x.cls) == cls && x.forward == forward ? 1 : 0;
      EXPECT_GE(n, static_cast<double>(lo)) << metric << "; " << context;
      EXPECT_LE(n, static_cast<double>(hi)) << metric << "; " << context;
    }
  }
  // The same counts on the line's own metrics, and plausible traffic figures.
  const auto lineTotals = queryRaw(c, "cam.synth", "count_total__stop_line", *t0 - 10000, lastEnd);
  double lineSum = 0;
  for (const auto& p : lineTotals) lineSum += p.value;
  EXPECT_EQ(lineSum, counted);
  for (const auto& p : queryRaw(c, "cam.synth", "speed_kmh", *t0 - 10000, lastEnd)) {
    EXPECT_GT(p.value, 15) << "vehicles drive at 25-45 km/h";
    EXPECT_LT(p.value, 60);
  }
  for (const auto& p : queryRaw(c, "cam.synth", "los", *t0 - 10000, lastEnd)) {
    EXPECT_GE(p.value, 1);
    EXPECT_LE(p.value, 6);
  }
  EXPECT_FALSE(queryRaw(c, "cam.synth", "flow_veh_h", *t0 - 10000, lastEnd).empty());
  EXPECT_FALSE(queryRaw(c, "cam.synth", "occupancy_pct__eastbound", *t0 - 10000, lastEnd).empty());
  // The camera's status: connected, real time, the latest interval.
  EXPECT_EQ(status.at("state"), "connected");
  EXPECT_GT(status.at("status").at("fps").to_number<double>(), 5.0);
  EXPECT_GT(status.at("status").at("frames").to_number<double>(), 200.0);
  EXPECT_TRUE(status.at("latest").is_object());
}

TEST_F(Cameras, SnapshotAndMjpegStreamServeJpegPictures) {
  HttpClient c(port());
  HttpResponse snap;
  for (int i = 0; i < 100; ++i) {
    snap = c.get("/api/v1/cameras/cam.synth/snapshot.jpg");
    if (snap.status == 200) break;
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_EQ(snap.status, 200) << snap.describe();
  EXPECT_EQ(snap.header("Content-Type"), "image/jpeg");
  EXPECT_TRUE(isJpeg(snap.body));

  auto stream = c.get("/api/v1/cameras/cam.synth/stream.mjpeg?fps=10&max_frames=3");
  ASSERT_EQ(stream.status, 200) << stream.describe();
  EXPECT_EQ(stream.header("Content-Type"), "multipart/x-mixed-replace; boundary=cityopsframe");
  EXPECT_EQ(stream.header("Transfer-Encoding"), "chunked");
  const std::string& body = stream.body;
  const std::string delimiter = "--cityopsframe\r\n";
  size_t parts = 0, at = 0;
  while ((at = body.find(delimiter, at)) != std::string::npos) {
    at += delimiter.size();
    const size_t headerEnd = body.find("\r\n\r\n", at);
    ASSERT_NE(headerEnd, std::string::npos);
    const std::string headers = body.substr(at, headerEnd - at);
    EXPECT_NE(headers.find("Content-Type: image/jpeg"), std::string::npos) << headers;
    const size_t lengthAt = headers.find("Content-Length: ");
    ASSERT_NE(lengthAt, std::string::npos) << headers;
    const size_t length = std::stoul(headers.substr(lengthAt + 16));
    EXPECT_TRUE(isJpeg(body.substr(headerEnd + 4, length))) << "part " << parts;
    at = headerEnd + 4 + length;
    ++parts;
  }
  EXPECT_EQ(parts, 3u);
  EXPECT_TRUE(body.ends_with("--cityopsframe--\r\n"));
  // The connection serves the next request after the stream.
  EXPECT_EQ(c.get("/api/v1/cameras").status, 200);
  // Not live, not a camera.
  EXPECT_EQ(c.get("/api/v1/cameras/cam.nothing/snapshot.jpg").status, 404);
}

TEST_F(Cameras, AStoppedCarRaisesAnAlertWithItsPicture) {
  // The car enters at 8 s, stands past the line from ~10 s for 15 s; stopped_after_s is 4.
  auto alerts = waitFor("/api/v1/alerts?rule=camera.cam.synth.stopped", [](const json::value& v) {
    return v.is_array() && !v.as_array().empty();
  });
  ASSERT_TRUE(alerts.is_array() && !alerts.as_array().empty());
  const auto& a = alerts.as_array()[0];
  EXPECT_EQ(a.at("severity"), "major");
  EXPECT_EQ(a.at("entity"), "cam.synth");
  EXPECT_EQ(a.at("metric"), "incident_stopped");
  const int64_t n = static_cast<int64_t>(a.at("value").to_number<double>());
  ASSERT_GE(n, 1);
  const std::string url = "/api/v1/cameras/cam.synth/incidents/" + std::to_string(n) + ".jpg";
  EXPECT_NE(std::string(a.at("message").as_string()).find(url), std::string::npos) << a.at("message");

  HttpClient c(port());
  auto picture = c.get(url);
  ASSERT_EQ(picture.status, 200) << picture.describe();
  EXPECT_EQ(picture.header("Content-Type"), "image/jpeg");
  EXPECT_TRUE(isJpeg(picture.body));
  EXPECT_TRUE(fs::exists(fs::path(dir_.path()) / "snapshots" / "cam.synth" / (std::to_string(n) + ".jpg")));

  auto cam = c.get("/api/v1/cameras/cam.synth").json();
  bool listed = false;
  for (const auto& i : cam.at("active_incidents").as_array())
    listed = listed || (i.at("kind") == "stopped_vehicle" && i.at("n") == n && i.at("snapshot_url") == json::value(url) &&
                        i.at("rule") == "camera.cam.synth.stopped" && i.at("lane") == "eastbound");
  EXPECT_TRUE(listed) << json::serialize(cam.at("active_incidents"));
  bool alerted = false;
  for (const auto& x : cam.at("alerts").as_array())
    alerted = alerted || (x.at("rule") == "camera.cam.synth.stopped" && x.at("snapshot_url") == json::value(url));
  EXPECT_TRUE(alerted) << json::serialize(cam.at("alerts"));

  // The car drives on: the incident ends, the alert resolves, the picture stays.
  waitFor("/api/v1/alerts/" + std::to_string(a.at("id").as_int64()), [](const json::value& v) {
    return v.is_object() && v.at("state") == "resolved";
  });
  auto after = c.get("/api/v1/cameras/cam.synth").json();
  bool ended = false;
  for (const auto& i : after.at("incidents").as_array())
    ended = ended || (i.at("n") == n && i.at("end").is_string());
  EXPECT_TRUE(ended) << json::serialize(after.at("incidents"));
  EXPECT_EQ(c.get(url).status, 200);
}

TEST_F(Cameras, ADeadSourceReportsItsErrorRetriesAndGoesOffline) {
  auto cam = waitFor("/api/v1/cameras/cam.dead", [](const json::value& v) {
    return v.is_object() && v.at("status").is_object() && v.at("status").at("reconnects").to_number<double>() >= 2;
  });
  ASSERT_TRUE(cam.is_object() && cam.at("status").is_object());
  const auto& s = cam.at("status");
  EXPECT_EQ(cam.at("live"), true);
  EXPECT_EQ(s.at("state"), "reconnecting");
  EXPECT_EQ(s.at("connected"), false);
  EXPECT_NE(std::string(s.at("last_error").as_string()).find("cannot open rtsp://127.0.0.1:1/nothing"),
            std::string::npos)
      << s.at("last_error");
  EXPECT_TRUE(s.at("retry_at").is_string());
  EXPECT_TRUE(s.at("last_error_at").is_string());
  EXPECT_EQ(s.at("frames"), 0);

  auto alerts = waitFor("/api/v1/alerts?rule=camera.cam.dead.offline", [](const json::value& v) {
    return v.is_array() && !v.as_array().empty();
  });
  ASSERT_FALSE(alerts.as_array().empty());
  EXPECT_EQ(alerts.as_array()[0].at("severity"), "minor");
  EXPECT_EQ(alerts.as_array()[0].at("state"), "active");
  auto after = waitFor("/api/v1/cameras/cam.dead", [](const json::value& v) {
    return v.is_object() && !v.at("active_incidents").as_array().empty();
  });
  EXPECT_EQ(after.at("active_incidents").as_array()[0].at("kind"), "camera_offline");
  EXPECT_TRUE(after.at("active_incidents").as_array()[0].at("snapshot_url").is_null()) << "no picture of nothing";
}

TEST_F(Cameras, ACameraIsFollowedThroughTheApi) {
  HttpClient c(port());
  auto list = c.get("/api/v1/cameras").json();
  ASSERT_TRUE(list.is_array());
  EXPECT_EQ(list.as_array().size(), 2u);

  json::object attributes{{"source", "synthetic:?width=320&height=180&seed=5"},
                          {"analytics", json::object{{"calibration", json::object{{"meters_per_pixel", 0.1}}},
                                                     {"interval_s", 5}}}};
  json::object body{{"id", "cam.new"}, {"type", "TrafficCamera"}, {"name", "New camera"}, {"attributes", attributes}};
  auto created = c.postJson("/api/v1/entities", json::serialize(body));
  ASSERT_EQ(created.status, 201) << created.describe();
  waitFor("/api/v1/cameras/cam.new", [](const json::value& v) {
    return v.is_object() && v.at("live") == true && v.at("state") == "connected";
  }, std::chrono::seconds(30));
  waitFor("/api/v1/rules/camera.cam.new.stopped", [](const json::value& v) {
    return v.is_object() && v.as_object().contains("metric") && v.at("metric") == "incident_stopped";
  }, std::chrono::seconds(30));

  // Analytics that cannot be used: the camera stops and says why.
  auto broken = c.request("PATCH", "/api/v1/entities/cam.new",
                          R"({"attributes": {"analytics": {"calibration": {"meters_per_pixel": -1}}}})",
                          "application/merge-patch+json");
  ASSERT_EQ(broken.status, 200) << broken.describe();
  auto invalid = waitFor("/api/v1/cameras/cam.new", [](const json::value& v) {
    return v.is_object() && v.at("state") == "invalid";
  }, std::chrono::seconds(30));
  EXPECT_NE(std::string(invalid.at("error").as_string()).find("meters_per_pixel"), std::string::npos);
  EXPECT_EQ(c.get("/api/v1/cameras/cam.new/snapshot.jpg").status, 404);

  // No source any more: off, and its rules go.
  auto off = c.request("PATCH", "/api/v1/entities/cam.new", R"({"attributes": {"source": null}})",
                       "application/merge-patch+json");
  ASSERT_EQ(off.status, 200) << off.describe();
  waitFor("/api/v1/cameras/cam.new", [](const json::value& v) { return v.is_object() && v.at("state") == "off"; },
          std::chrono::seconds(30));
  waitFor("/api/v1/rules/camera.cam.new.stopped", [](const json::value& v) {
    return v.is_object() && v.as_object().contains("error") && v.at("error") == "not_found";
  }, std::chrono::seconds(30));
  EXPECT_EQ(c.request("DELETE", "/api/v1/entities/cam.new").status, 204);
  EXPECT_EQ(c.get("/api/v1/cameras/cam.new").status, 404);
}

}  // namespace
}  // namespace cityops::it
