// CameraWorker and CameraManager on a real store and the wall clock: a synthetic camera writes its interval
// metrics and keeps a picture; a camera whose source cannot be opened retries with growing back-off, says why and
// goes camera_offline; the manager starts, restarts and stops workers as the entities change.
#include "cameras/CameraManager.hpp"
#include "cameras/CameraWorker.hpp"
#include "store/StoreFixture.hpp"
#include "traffic/SyntheticScene.hpp"

#include <boost/json.hpp>

#include <thread>

namespace cityops::cameras {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

class CameraWorkerTest : public store::testing::StoreFixture {
 protected:
  void TearDown() override {
    if (store_) store_->close();
    StoreFixture::TearDown();
  }
  /// A TrafficCamera with `source` and the synthetic scene's analytics plus `extra`.
  model::Entity camera(const std::string& id, const std::string& source, const char* extra = "{}") {
    auto e = entity(id, "TrafficCamera");
    json::object analytics = traffic::SyntheticScene(*traffic::SyntheticOptions::parse("synthetic:?width=320&height=180")).cameraJson();
    const json::value more = json::parse(extra);
    for (const auto& kv : more.as_object()) analytics[kv.key()] = kv.value();
    e.attributes["source"] = source;
    e.attributes["analytics"] = analytics;
    return e;
  }
  std::optional<double> latest(const std::string& entity, const std::string& metric) {
    store::LatestQuery q;
    q.entity = entity;
    q.metric = metric;
    auto r = store_->latest(q);
    if (!r || r->empty()) return std::nullopt;
    return r->front().value;
  }
  template <class Pred>
  bool eventually(Pred pred, std::chrono::milliseconds limit = 20s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (pred()) return true;
      std::this_thread::sleep_for(50ms);
    }
    return pred();
  }
  SystemClock wall_;
};

TEST_F(CameraWorkerTest, ASyntheticCameraWritesItsIntervalsAndKeepsAPicture) {
  auto e = camera("cam.s", "synthetic:?vehicles_per_min=60&seed=4&width=320&height=180&fps=10", R"({"interval_s": 1})");
  ASSERT_TRUE(store_->createEntity(e));
  auto config = CameraConfig::fromEntity(e);
  ASSERT_TRUE(config && *config);
  CameraWorker w(**config, *store_, wall_, WorkerOptions{});
  w.start();
  ASSERT_TRUE(eventually([&] { return latest("cam.s", "count_total").has_value(); })) << w.status().lastError;
  EXPECT_TRUE(eventually([&] { return latest("cam.s", "incident_stopped").has_value(); })) << "states go with intervals";
  EXPECT_EQ(latest("cam.s", "incident_stopped"), 0.0);
  EXPECT_TRUE(latest("cam.s", "los__eastbound"));
  EXPECT_TRUE(latest("cam.s", "count_car_fwd__stop_line"));
  EXPECT_TRUE(eventually([&] { return w.status().frames >= 20; }));  // 2 s of frames
  const auto s = w.status();
  EXPECT_EQ(s.state, CameraState::Connected);
  EXPECT_GT(s.fps, 3.0);
  EXPECT_LT(s.fps, 15.0) << "played in real time";
  EXPECT_EQ(s.width, 320);
  EXPECT_TRUE(s.latest);
  EXPECT_GT(w.view()->snapshot.version(), 0u);
  auto jpeg = w.view()->snapshot.jpeg();
  ASSERT_TRUE(jpeg);
  EXPECT_EQ(jpeg->substr(0, 2), "\xFF\xD8");
  w.requestStop();
  w.join();
  EXPECT_EQ(w.status().state, CameraState::Stopped);
  EXPECT_TRUE(w.view()->ended);
}

TEST_F(CameraWorkerTest, ABadSourceRetriesWithBackOffAndGoesOffline) {
  auto e = camera("cam.bad", "/nonexistent/cityops/video.mp4", R"({"health": {"offline_after_s": 1}})");
  ASSERT_TRUE(store_->createEntity(e));
  auto config = CameraConfig::fromEntity(e);
  ASSERT_TRUE(config && *config);
  WorkerOptions o;
  o.reconnectMinMs = 50;
  o.reconnectMaxMs = 400;
  o.watchdogMs = 100;
  CameraWorker w(**config, *store_, wall_, o);
  w.start();
  ASSERT_TRUE(eventually([&] { return latest("cam.bad", "camera_offline").value_or(0) > 0; }));
  EXPECT_EQ(latest("cam.bad", "camera_offline"), 1.0) << "the number of the incident";
  EXPECT_TRUE(eventually([&] { return w.status().reconnects >= 3; }));
  auto s = w.status();
  EXPECT_EQ(s.state, CameraState::Reconnecting);
  EXPECT_NE(s.lastError.find("no such video file"), std::string::npos) << s.lastError;
  EXPECT_GT(s.retryAtMs, 0);
  EXPECT_EQ(s.connects, s.reconnects + 1);
  EXPECT_GE(s.consecutiveFailures, 3u);
  ASSERT_EQ(s.active.size(), 1u);
  EXPECT_EQ(s.active[0].kind, "camera_offline");
  // In 1.5 s with back-off 50, 100, 200, 400, 400 ms: about 7 attempts, not dozens.
  std::this_thread::sleep_for(1500ms);
  EXPECT_LT(w.status().reconnects, 15u);
  w.requestStop();
  w.join();
  w.resetStates();  // the camera was reconfigured: its alerts resolve
  EXPECT_TRUE(eventually([&] { return latest("cam.bad", "camera_offline") == 0.0; }));
}

TEST_F(CameraWorkerTest, TheManagerFollowsTheEntities) {
  ASSERT_TRUE(store_->createEntity(camera("cam.a", "synthetic:?width=320&height=180")));
  ASSERT_TRUE(store_->createEntity(entity("cam.off", "TrafficCamera")));
  auto broken = entity("cam.broken", "TrafficCamera");
  broken.attributes["source"] = "synthetic:";
  ASSERT_TRUE(store_->createEntity(broken));
  CameraManager m(*store_, wall_, WorkerOptions{});
  EXPECT_EQ(*m.reconcile(), 1);
  EXPECT_EQ(*m.reconcile(), 0);
  auto first = m.worker("cam.a");
  ASSERT_TRUE(first);
  EXPECT_FALSE(m.worker("cam.off"));
  EXPECT_FALSE(m.worker("cam.broken"));
  ASSERT_TRUE(m.configError("cam.broken"));
  EXPECT_NE(m.configError("cam.broken")->find("analytics"), std::string::npos);
  EXPECT_FALSE(m.configError("cam.a"));

  // A new source: restarted (stop + start); a name change alone: kept.
  ASSERT_TRUE(store_->updateEntity("cam.a", [](model::Entity e) -> Result<model::Entity> {
    e.attributes["source"] = "synthetic:?width=320&height=180&seed=9";
    return e;
  }));
  EXPECT_EQ(*m.reconcile(), 2);
  auto second = m.worker("cam.a");
  ASSERT_TRUE(second);
  EXPECT_NE(second, first);
  EXPECT_TRUE(first->view()->ended);
  ASSERT_TRUE(store_->updateEntity("cam.a", [](model::Entity e) -> Result<model::Entity> {
    e.name = "renamed";
    return e;
  }));
  EXPECT_EQ(*m.reconcile(), 0);

  // Disabled, then deleted.
  ASSERT_TRUE(store_->updateEntity("cam.a", [](model::Entity e) -> Result<model::Entity> {
    e.attributes["enabled"] = false;
    return e;
  }));
  EXPECT_EQ(*m.reconcile(), 1);
  EXPECT_FALSE(m.worker("cam.a"));
  ASSERT_TRUE(store_->deleteEntity("cam.broken"));
  EXPECT_EQ(*m.reconcile(), 0);
  EXPECT_FALSE(m.configError("cam.broken"));
  m.stop();
}

}  // namespace
}  // namespace cityops::cameras

namespace cityops::cameras {
namespace {

// The demo's server clock runs apart from the wall clock (sim::DemoClock): frames are analysed in real time, their
// results written on the server's clock.
TEST_F(CameraWorkerTest, ResultsAreWrittenOnTheServersClock) {
  auto e = camera("cam.d", "synthetic:?width=320&height=180&fps=10", R"({"interval_s": 1})");
  ASSERT_TRUE(store_->createEntity(e));
  auto config = CameraConfig::fromEntity(e);
  ASSERT_TRUE(config && *config);
  ManualClock server(store::testing::kNow);  // stands still, long before the wall clock
  CameraWorker w(**config, *store_, server, WorkerOptions{}, nullptr, &wall_);
  w.start();
  ASSERT_TRUE(eventually([&] { return latest("cam.d", "count_total").has_value(); })) << w.status().lastError;
  store::LatestQuery q;
  q.entity = "cam.d";
  q.metric = "count_total";
  const auto at = store_->latest(q)->front().time;
  EXPECT_NEAR(static_cast<double>(at), static_cast<double>(store::testing::kNow), 5000.0);
  EXPECT_EQ(at % 1000, 0) << "shifted by whole seconds: intervals stay aligned";
  const auto s = w.status();
  EXPECT_GT(s.lastFrameMs, store::testing::kNow + 86400000) << "the status stays on the wall clock";
  w.requestStop();
  w.join();
}

}  // namespace
}  // namespace cityops::cameras
