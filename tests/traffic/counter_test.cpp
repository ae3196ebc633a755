// Counter (line crossings, lanes, interval metrics), IncidentDetector (stopped, wrong way, sudden queue) and
// CameraHealth (dark, blurred, frozen, offline) on synthetic inputs.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "traffic/CameraHealth.hpp"
#include "traffic/Counter.hpp"
#include "traffic/IncidentDetector.hpp"

namespace cityops::traffic {
namespace {

constexpr int64_t kFrameMs = 50;

CameraSpec spec() {
  CameraSpec s;
  s.id = "cam";
  s.lines = {CountLine{"L", {100, 0}, {100, 200}, {1, 0}}};
  s.lanes = {Lane{"east", {{0, 0}, {300, 0}, {300, 100}, {0, 100}}, {1, 0}},
             Lane{"west", {{0, 100}, {300, 100}, {300, 200}, {0, 200}}, {-1, 0}}};
  s.calibration.metersPerPixel = 0.1;
  s.intervalS = 10;
  s.freeFlowKmh = 50;
  s.stoppedAfterS = 2;
  s.stoppedSpeedKmh = 5;
  s.wrongWayMinM = 5;
  return s;
}

TrackSample sample(const Counter& c, int id, double x, double y, double kmh, bool confirmed = true,
                   VehicleClass cls = VehicleClass::Car) {
  TrackSample t;
  t.id = id;
  t.confirmed = confirmed;
  t.foot = {x, y};
  t.ground = t.foot * 0.1;
  t.speedKmh = kmh;
  t.cls = cls;
  t.lane = c.laneAt(t.foot);
  return t;
}

TEST(Counter, CountsEachTrackOncePerLineByDirection) {
  Counter c(spec());
  c.startInterval(0, 10000);
  int forward = 0, backward = 0;
  for (int f = 0; f < 40; ++f) {
    std::vector<TrackSample> tracks;
    tracks.push_back(sample(c, 1, 50 + 5.0 * f, 50, 36));                                      // east, crosses at x=100
    tracks.push_back(sample(c, 2, 250 - 5.0 * f, 150, 18, true, VehicleClass::TwoWheeler));  // west
    // Track 3 wobbles across the line several times: counted once, forward (its first crossing).
    tracks.push_back(sample(c, 3, f % 2 == 0 ? 98.0 : 103.0, 60, 3));
    for (const auto& x : c.update(tracks, f * kFrameMs, kFrameMs))
      (x.direction == Direction::Forward ? forward : backward) += 1;
  }
  EXPECT_EQ(forward, 2);
  EXPECT_EQ(backward, 1);
  const IntervalMetrics m = c.closeInterval(false);
  ASSERT_EQ(m.lines.size(), 1u);
  EXPECT_EQ(m.lines[0].forward[VehicleClass::Car], 2);
  EXPECT_EQ(m.lines[0].backward[VehicleClass::TwoWheeler], 1);
  EXPECT_EQ(m.lines[0].total(), 3);
  // 40 frames standing for 50 ms each.
  EXPECT_DOUBLE_EQ(m.observedS, 2.0);
  EXPECT_NEAR(m.lines[0].flowVehH, 3 / (2.0 / 3600), 1e-6);
  // Harmonic mean of 36, 3 and 18 km/h.
  EXPECT_NEAR(*m.lines[0].meanSpeedKmh, 3.0 / (1 / 36.0 + 1 / 3.0 + 1 / 18.0), 1e-9);
  EXPECT_EQ(c.totals()[0].forward.total(), 2);
}

TEST(Counter, CrossingBesideTheSegmentDoesNotCount) {
  CameraSpec s = spec();
  s.lines[0].b = {100, 80};  // the line ends at y=80
  Counter c(s);
  c.startInterval(0, 10000);
  size_t n = 0;
  for (int f = 0; f < 20; ++f) n += c.update({sample(c, 1, 50 + 10.0 * f, 150, 30)}, f * kFrameMs, kFrameMs).size();
  EXPECT_EQ(n, 0u);
}

TEST(Counter, ATentativeTrackIsCountedWhenConfirmed) {
  Counter c(spec());
  c.startInterval(0, 10000);
  // Crosses in frame 1 while tentative; confirmed in frame 3.
  EXPECT_TRUE(c.update({sample(c, 1, 96, 50, 20, false)}, 0, 0).empty());
  EXPECT_TRUE(c.update({sample(c, 1, 104, 50, 20, false)}, 50, 50).empty());
  EXPECT_TRUE(c.update({sample(c, 1, 112, 50, 20, false)}, 100, 50).empty());
  auto got = c.update({sample(c, 1, 120, 50, 20, true)}, 150, 50);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].tMs, 50);  // when it crossed
  EXPECT_EQ(got[0].direction, Direction::Forward);
  // A tentative track that crosses and vanishes is never counted.
  c.update({sample(c, 2, 96, 150, 20, false)}, 200, 50);
  c.update({sample(c, 2, 104, 150, 20, false)}, 250, 50);
  c.forget(2);
  EXPECT_EQ(c.closeInterval(false).lines[0].total(), 1);
}

TEST(Counter, LaneOccupancySpeedDensityAndLos) {
  Counter c(spec());
  c.startInterval(0, 10000);
  // 100 frames (5 s): a vehicle in lane "east" during the first 50 frames at 10 km/h; lane "west" empty.
  for (int f = 0; f < 100; ++f) {
    std::vector<TrackSample> tracks;
    if (f < 50) tracks.push_back(sample(c, 1, 150, 50, 10));
    c.update(tracks, f * 100, f == 0 ? 0 : 100);
  }
  const IntervalMetrics m = c.closeInterval(true);
  EXPECT_TRUE(m.partial);
  ASSERT_EQ(m.lanes.size(), 2u);
  EXPECT_EQ(m.lanes[0].id, "east");
  // Occupied frames 1..49 of the observed frames 1..99 (each standing for 100 ms).
  EXPECT_NEAR(m.lanes[0].occupancyPct, 100.0 * 49 / 99, 1e-9);
  EXPECT_EQ(m.lanes[0].vehicles.total(), 1);
  EXPECT_DOUBLE_EQ(*m.lanes[0].meanSpeedKmh, 10);
  EXPECT_NEAR(m.lanes[0].flowVehH, 1 / (9.9 / 3600), 1e-6);
  EXPECT_NEAR(*m.lanes[0].densityVehKm, m.lanes[0].flowVehH / 10, 1e-9);
  EXPECT_EQ(m.lanes[0].los, 'F');  // 10 / 50 = 0.2
  EXPECT_TRUE(m.lanes[0].congested);
  EXPECT_DOUBLE_EQ(m.lanes[1].occupancyPct, 0);
  EXPECT_FALSE(m.lanes[1].meanSpeedKmh);
  EXPECT_EQ(m.lanes[1].los, 'A');
  EXPECT_EQ(m.camera.tracks, 1);
  EXPECT_NEAR(m.camera.occupancyPct, 100.0 * 49 / 99 / 2, 1e-9);
}

TEST(IncidentDetector, StoppedVehicleInALane) {
  const CameraSpec s = spec();
  Counter c(s);
  IncidentLog log;
  IncidentDetector d(s, Calibration::scale(0.1), log);
  // Moving for 1 s, then standing still (speed 0) for 3 s, then moving on.
  int64_t t = 0;
  for (int f = 0; f < 20; ++f, t += kFrameMs) d.update({sample(c, 7, 20 + 2.0 * f, 50, 14)}, t);
  const int64_t stoppedAt = t;
  for (int f = 0; f < 60; ++f, t += kFrameMs) {
    d.update({sample(c, 7, 60, 50, 0)}, t);
    const bool due = t - stoppedAt >= 2000;
    EXPECT_EQ(d.stopped(7), due) << "t " << t;
  }
  ASSERT_EQ(log.all().size(), 1u);
  EXPECT_EQ(log.all()[0].kind, "stopped_vehicle");
  EXPECT_EQ(log.all()[0].startMs, stoppedAt);
  EXPECT_EQ(log.all()[0].lane, "east");
  EXPECT_EQ(log.all()[0].track, 7);
  EXPECT_EQ(log.all()[0].endMs, -1);
  d.update({sample(c, 7, 62, 50, 12)}, t);
  EXPECT_EQ(log.all()[0].endMs, t);
  EXPECT_FALSE(d.stopped(7));
}

TEST(IncidentDetector, WrongWayOncePerTrack) {
  CameraSpec s = spec();
  s.wrongWayMinM = 5.1;
  Counter c(s);
  IncidentLog log;
  IncidentDetector d(s, Calibration::scale(0.1), log);
  // Track 1 drives west (against) in lane "east", 0.2 m a frame: over 5.1 m from its 26th step; track 2 drives
  // east in it (fine); track 3 drives west in lane "west" (fine).
  for (int f = 0; f < 40; ++f) {
    d.update({sample(c, 1, 290 - 2.0 * f, 50, 7), sample(c, 2, 10 + 2.0 * f, 20, 7),
              sample(c, 3, 290 - 2.0 * f, 150, 7)},
             f * kFrameMs);
    EXPECT_EQ(d.wrongWay(1), f >= 26) << "frame " << f;
  }
  ASSERT_EQ(log.all().size(), 1u);
  EXPECT_EQ(log.all()[0].kind, "wrong_way");
  EXPECT_EQ(log.all()[0].track, 1);
  EXPECT_EQ(log.all()[0].lane, "east");
  d.trackEnded(1, 2000);
  EXPECT_EQ(log.all()[0].endMs, 2000);
}

TEST(IncidentDetector, SuddenQueueBetweenIntervals) {
  const CameraSpec s = spec();  // jump >= 20 points, speed drop >= 30 %
  IncidentLog log;
  IncidentDetector d(s, Calibration::scale(0.1), log);
  auto interval = [](int64_t start, double occ, double kmh) {
    IntervalMetrics m;
    m.startMs = start;
    m.endMs = start + 10000;
    LaneInterval l;
    l.id = "east";
    l.occupancyPct = occ;
    l.meanSpeedKmh = kmh;
    m.lanes.push_back(l);
    return m;
  };
  d.intervalClosed(interval(0, 10, 40));
  d.intervalClosed(interval(10000, 25, 35));  // +15 points: no
  d.intervalClosed(interval(20000, 50, 30));  // +25 points but -14 %: no
  EXPECT_TRUE(log.all().empty());
  d.intervalClosed(interval(30000, 75, 12));  // +25 points, -60 %
  ASSERT_EQ(log.all().size(), 1u);
  EXPECT_EQ(log.all()[0].kind, "sudden_queue");
  EXPECT_EQ(log.all()[0].lane, "east");
  EXPECT_EQ(log.all()[0].startMs, 30000);
  EXPECT_EQ(log.all()[0].endMs, 40000);
}

cv::Mat texture(int w, int h, int seed, double lo = 40, double hi = 220) {
  cv::RNG rng(seed);
  cv::Mat m(h, w, CV_8UC1);
  rng.fill(m, cv::RNG::UNIFORM, lo, hi);
  return m;
}

TEST(CameraHealth, DarkBlurredFrozenAndOffline) {
  CameraSpec s = spec();
  s.health.sustainS = 1;
  s.health.frozenAfterS = 2;
  s.health.offlineAfterS = 5;
  IncidentLog log;
  CameraHealth h(s, log);
  int64_t t = 0;
  // A healthy second: sharp, bright, changing.
  for (int f = 0; f < 20; ++f, t += kFrameMs) {
    const auto& st = h.update(texture(160, 90, f), t);
    EXPECT_FALSE(st.dark || st.blurred || st.frozen);
  }
  EXPECT_TRUE(log.all().empty());
  // Blurred (changing noise under a heavy blur) for 2 s: reported after 1 s, from when it began.
  const int64_t blurFrom = t;
  for (int f = 0; f < 40; ++f, t += kFrameMs) {
    cv::Mat b;
    cv::GaussianBlur(texture(160, 90, 100 + f), b, cv::Size(0, 0), 8);
    h.update(b, t);
  }
  // Dark (changing) for 2 s: blurred ends, dark begins.
  const int64_t darkFrom = t;
  for (int f = 0; f < 40; ++f, t += kFrameMs) EXPECT_FALSE(h.update(texture(160, 90, 200 + f, 0, 30), t).blurred);
  // Frozen: one bright sharp picture repeated for 3 s.
  const cv::Mat still = texture(160, 90, 999);
  const int64_t frozenFrom = t + kFrameMs;  // the second copy is the first unchanged frame
  for (int f = 0; f < 60; ++f, t += kFrameMs) h.update(still, t);
  EXPECT_TRUE(h.state().frozen);
  // Then nothing for 6 s: offline.
  h.checkOffline(t + 3000);
  EXPECT_FALSE(h.state().offline);
  h.checkOffline(t + 6000);
  EXPECT_TRUE(h.state().offline);
  h.update(texture(160, 90, 5), t + 7000);
  EXPECT_FALSE(h.state().offline);
  EXPECT_FALSE(h.state().frozen);

  std::vector<std::string> kinds;
  for (const auto& i : log.all()) kinds.push_back(i.kind);
  ASSERT_EQ(kinds, (std::vector<std::string>{"camera_blurred", "camera_dark", "camera_frozen", "camera_offline"}));
  EXPECT_EQ(log.all()[0].startMs, blurFrom);
  EXPECT_EQ(log.all()[0].endMs, darkFrom);
  EXPECT_EQ(log.all()[1].startMs, darkFrom);
  EXPECT_EQ(log.all()[2].startMs, frozenFrom);
  EXPECT_EQ(log.all()[3].startMs, t - kFrameMs);  // the last frame
  EXPECT_EQ(log.all()[3].endMs, t + 7000);
  for (const auto& i : log.all()) EXPECT_GE(i.endMs, 0) << i.kind;
}

}  // namespace
}  // namespace cityops::traffic
