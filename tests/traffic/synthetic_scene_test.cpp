// SyntheticScene: the options parser, the schedule (deterministic, no two vehicles of a row ever overlap, stops and
// wrong-way riders where the options put them), and the analytics over its frames: the CameraPipeline with the
// scene's own camera file counts exactly the crossings the scene knows, by class and direction, and reports the
// stopped car.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "traffic/CameraPipeline.hpp"
#include "traffic/CameraSpecCodec.hpp"
#include "traffic/SyntheticScene.hpp"
#include "traffic/SyntheticSource.hpp"

#include <map>

namespace cityops::traffic {
namespace {

namespace json = boost::json;

TEST(SyntheticOptions, ParsesKeysAndRefusesWhatItDoesNotKnow) {
  auto d = SyntheticOptions::parse("synthetic:");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->width, 640);
  EXPECT_EQ(d->vehiclesPerMin, 30);
  auto o = SyntheticOptions::parse("synthetic:?vehicles_per_min=12&seed=7&width=1280&height=720&fps=15&stop_s=0");
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->vehiclesPerMin, 12);
  EXPECT_EQ(o->seed, 7u);
  EXPECT_EQ(o->width, 1280);
  EXPECT_EQ(o->height, 720);
  EXPECT_EQ(o->fps, 15);
  EXPECT_EQ(o->stopS, 0);
  for (const char* bad : {"synthetic:?colour=red", "synthetic:?fps=0", "synthetic:?width=10.5", "synthetic:?seed=x",
                          "synthetic:?fps", "rtsp://x", "synthetic:?two_wheeler_share=0.9&bus_share=0.2"}) {
    auto r = SyntheticOptions::parse(bad);
    EXPECT_FALSE(r) << bad;
  }
  auto unknown = SyntheticOptions::parse("synthetic:?colour=red");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("colour"), std::string::npos);
}

SyntheticOptions options(std::string_view text) {
  auto o = SyntheticOptions::parse(text);
  EXPECT_TRUE(o) << o.error().message;
  return o ? *o : SyntheticOptions{};
}

TEST(SyntheticScene, TheScheduleIsDeterministicAndRowsNeverOverlap) {
  const auto o = options("synthetic:?vehicles_per_min=40&seed=5&stop_first_s=30&stop_every_s=100&stop_s=20&wrong_way_every_s=70");
  SyntheticScene a(o), b(o);
  const auto& va = a.vehiclesUntil(600000);
  const auto& vb = b.vehiclesUntil(600000);
  ASSERT_EQ(va.size(), vb.size());
  EXPECT_GT(va.size(), 300u);  // ~40 a minute for 10 minutes (entries may lag arrivals a little)
  std::map<VehicleClass, int> classes;
  int stops = 0, wrongWays = 0;
  for (size_t i = 0; i < va.size(); ++i) {
    EXPECT_EQ(va[i].entryMs, vb[i].entryMs);
    EXPECT_EQ(va[i].w, vb[i].w);
    ++classes[va[i].cls];
    stops += va[i].stops() ? 1 : 0;
    wrongWays += va[i].wrongWay ? 1 : 0;
  }
  EXPECT_GT(classes[VehicleClass::TwoWheeler], classes[VehicleClass::Car]);  // two-wheelers dominate
  EXPECT_GT(classes[VehicleClass::Car], 0);
  EXPECT_EQ(stops, 6);       // 30, 130, ..., 530 s
  EXPECT_EQ(wrongWays, 8);   // 70, 140, ..., 560 s
  // Every 100 ms, no two vehicles of one row closer than 1 m (nobody catches up, nobody meets a wrong-way rider).
  const double minGap = 1.0 / a.metersPerPixel();
  for (double t = 0; t < 600000; t += 100) {
    std::map<int, std::vector<std::pair<double, double>>> byRow;
    for (const auto& v : va)
      if (v.entryMs <= t && v.exitMs(640) > t) byRow[v.row].push_back({v.left(t, 640), v.left(t, 640) + v.w});
    for (auto& [row, spans] : byRow) {
      std::sort(spans.begin(), spans.end());
      for (size_t i = 1; i < spans.size(); ++i)
        ASSERT_GE(spans[i].first - spans[i - 1].second, minGap) << "row " << row << " at " << t << " ms";
    }
  }
}

TEST(SyntheticScene, RendersTheSizeAsked) {
  SyntheticScene s(options("synthetic:?width=320&height=180"));
  cv::Mat f;
  s.render(0, f);
  EXPECT_EQ(f.cols, 320);
  EXPECT_EQ(f.rows, 180);
  EXPECT_EQ(f.type(), CV_8UC3);
  auto spec = CameraSpecCodec::fromJson(s.cameraJson());
  EXPECT_TRUE(spec) << spec.error().message;
}

TEST(SyntheticSource, SkipsToTheFrameDueWhenLate) {
  SyntheticSource src(options("synthetic:?fps=10"));
  ASSERT_TRUE(src.open());
  auto f0 = src.read(0);
  ASSERT_TRUE(f0 && *f0);
  EXPECT_EQ((*f0)->offsetMs, 0);
  auto f1 = src.read(0);
  EXPECT_EQ((*f1)->offsetMs, 100);
  auto late = src.read(1050);
  EXPECT_EQ((*late)->offsetMs, 1000);
}

// The analytics over 70 s of the scene: every crossing the scene knows is counted once, with its class and
// direction; the car that stands 20 s past the line is a stopped vehicle, the two riders against the traffic are
// wrong-way incidents.
TEST(SyntheticScene, ThePipelineCountsWhatTheSceneDrew) {
  const auto o = options("synthetic:?vehicles_per_min=24&seed=3&stop_first_s=20&stop_s=20&wrong_way_every_s=25");
  SyntheticScene scene(o);
  json::object camera = scene.cameraJson();
  camera["interval_s"] = 10;
  camera["stopped_after_s"] = 5;
  auto spec = CameraSpecCodec::fromJson(camera);
  ASSERT_TRUE(spec) << spec.error().message;
  auto pipeline = CameraPipeline::create(*spec);
  ASSERT_TRUE(pipeline) << pipeline.error().message;
  const int64_t frames = 700;  // 70 s at 10 fps
  cv::Mat frame;
  for (int64_t i = 0; i < frames; ++i) {
    scene.render(i, frame);
    auto r = (*pipeline)->process(frame, i * 100);
    ASSERT_TRUE(r) << r.error().message;
  }
  // Crossings in the last seconds may not be confirmed yet: compare up to 66 s.
  std::map<std::pair<VehicleClass, bool>, int> expected;
  int expectedTotal = 0;
  for (const auto& c : scene.crossings(0, 66000)) {
    ++expected[{c.cls, c.forward}];
    ++expectedTotal;
  }
  (*pipeline)->finish(frames * 100);
  ASSERT_EQ((*pipeline)->lineTotals().size(), 1u);
  const auto& totals = (*pipeline)->lineTotals()[0];
  int late = 0;
  for (const auto& c : scene.crossings(66000, 70000)) late += c.tMs < 69000 ? 1 : 0;
  const int counted = static_cast<int>(totals.forward.total() + totals.backward.total());
  EXPECT_GE(counted, expectedTotal);
  EXPECT_LE(counted, expectedTotal + late);
  EXPECT_GT(expectedTotal, 15);
  for (auto cls : {VehicleClass::TwoWheeler, VehicleClass::Car, VehicleClass::BusTruck}) {
    SCOPED_TRACE(std::string(className(cls)));
    EXPECT_NEAR(totals.forward[cls], (expected[{cls, true}]), late);
    EXPECT_NEAR(totals.backward[cls], (expected[{cls, false}]), late);
  }
  int stopped = 0, wrongWay = 0;
  for (const auto& i : (*pipeline)->incidents().all()) {
    if (i.kind == "wrong_way") {
      ++wrongWay;
      EXPECT_EQ(i.lane, "eastbound");
    }
    if (i.kind != "stopped_vehicle") continue;
    ++stopped;
    EXPECT_EQ(i.lane, "eastbound");
    EXPECT_GE(i.value, 5);
  }
  EXPECT_EQ(stopped, 1);
  EXPECT_EQ(wrongWay, 2);  // the riders of 25 s and 50 s
}

}  // namespace
}  // namespace cityops::traffic
