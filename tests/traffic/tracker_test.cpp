// Tracker: SORT-style tracking on synthetic detections - confirmation after N hits, stable ids, ids kept through a
// short occlusion (Kalman prediction), expiry after M misses, velocity estimate, no id reuse.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "traffic/Tracker.hpp"

namespace cityops::traffic {
namespace {

constexpr int64_t kFrameMs = 50;  // 20 fps

Detection box(double x, double y, double w, double h) { return Detection{cv::Rect2d(x, y, w, h), 1.0, ""}; }

const Track* byId(const std::vector<Track>& tracks, int id) {
  for (const auto& t : tracks)
    if (t.id == id) return &t;
  return nullptr;
}

TEST(Tracker, ConfirmsAfterHitsAndKeepsOneId) {
  Tracker tracker(TrackerOptions{3, 5, 0.1});
  for (int f = 0; f < 30; ++f) {
    const auto tracks = tracker.update({box(10 + 6.0 * f, 100, 60, 30)}, f * kFrameMs);
    ASSERT_EQ(tracks.size(), 1u) << "frame " << f;
    EXPECT_EQ(tracks[0].id, 1);
    EXPECT_EQ(tracks[0].confirmed, f >= 2) << "frame " << f;
    EXPECT_EQ(tracks[0].detection, 0);
  }
}

TEST(Tracker, VelocityConvergesToTheMotion) {
  Tracker tracker;
  std::vector<Track> tracks;
  for (int f = 0; f < 40; ++f) tracks = tracker.update({box(10 + 5.0 * f, 50 + 2.0 * f, 40, 40)}, f * kFrameMs);
  ASSERT_EQ(tracks.size(), 1u);
  EXPECT_NEAR(tracks[0].velocity.x, 100.0, 5.0);  // 5 px per 50 ms
  EXPECT_NEAR(tracks[0].velocity.y, 40.0, 5.0);
  EXPECT_NEAR(tracks[0].box.x, 10 + 5.0 * 39, 2.0);
}

TEST(Tracker, KeepsIdsThroughAShortOcclusion) {
  Tracker tracker(TrackerOptions{3, 10, 0.1});
  // A moves right on row 100, B moves left on row 250; A is hidden for frames 15..20 (6 frames, 36 px of travel,
  // more than its 40-px width: without the prediction its box would not overlap any more).
  int idA = 0, idB = 0;
  for (int f = 0; f < 40; ++f) {
    std::vector<Detection> dets;
    const bool hidden = f >= 15 && f <= 20;
    if (!hidden) dets.push_back(box(20 + 6.0 * f, 100, 40, 30));
    dets.push_back(box(600 - 5.0 * f, 250, 50, 30));
    const auto tracks = tracker.update(dets, f * kFrameMs);
    EXPECT_TRUE(tracker.ended().empty()) << "frame " << f;
    if (f == 5) {
      ASSERT_EQ(tracks.size(), 2u);
      idA = tracks[0].box.y < 200 ? tracks[0].id : tracks[1].id;
      idB = tracks[0].box.y < 200 ? tracks[1].id : tracks[0].id;
    }
    if (f > 5) {
      ASSERT_EQ(tracks.size(), 2u) << "frame " << f;
      const Track* a = byId(tracks, idA);
      const Track* b = byId(tracks, idB);
      ASSERT_NE(a, nullptr) << "frame " << f;
      ASSERT_NE(b, nullptr) << "frame " << f;
      EXPECT_EQ(a->detection < 0, hidden) << "frame " << f;
      EXPECT_NEAR(a->box.x, 20 + 6.0 * f, hidden ? 12.0 : 4.0) << "frame " << f;
      EXPECT_NEAR(b->box.x, 600 - 5.0 * f, 4.0) << "frame " << f;
      EXPECT_TRUE(a->confirmed);
    }
  }
  EXPECT_EQ(idA, 1);
  EXPECT_EQ(idB, 2);
}

TEST(Tracker, TentativeTracksDropAtTheFirstMissConfirmedOnesAfterMaxMisses) {
  Tracker tracker(TrackerOptions{3, 4, 0.1});
  // A blip: one frame only.
  tracker.update({box(300, 300, 20, 20)}, 0);
  auto tracks = tracker.update({}, kFrameMs);
  EXPECT_TRUE(tracks.empty());
  ASSERT_EQ(tracker.ended().size(), 1u);
  EXPECT_FALSE(tracker.ended()[0].confirmed);

  // A standing object seen 5 frames, then gone: alive for 4 misses, ended at the 5th.
  int64_t t = 2 * kFrameMs;
  for (int f = 0; f < 5; ++f, t += kFrameMs) tracks = tracker.update({box(100, 100, 40, 40)}, t);
  ASSERT_EQ(tracks.size(), 1u);
  const int id = tracks[0].id;
  EXPECT_EQ(id, 2);  // ids are never reused
  for (int miss = 1; miss <= 4; ++miss, t += kFrameMs) {
    tracks = tracker.update({}, t);
    ASSERT_EQ(tracks.size(), 1u) << "miss " << miss;
    EXPECT_EQ(tracks[0].misses, miss);
    EXPECT_TRUE(tracker.ended().empty());
  }
  tracks = tracker.update({}, t);
  EXPECT_TRUE(tracks.empty());
  ASSERT_EQ(tracker.ended().size(), 1u);
  EXPECT_EQ(tracker.ended()[0].id, id);
  EXPECT_EQ(tracker.ended()[0].hits, 5);

  // The next object gets a fresh id.
  tracks = tracker.update({box(100, 100, 40, 40)}, t + kFrameMs);
  ASSERT_EQ(tracks.size(), 1u);
  EXPECT_EQ(tracks[0].id, 3);
}

TEST(Tracker, FarDetectionsStartNewTracksInsteadOfJumping) {
  Tracker tracker(TrackerOptions{1, 3, 0.1});
  auto tracks = tracker.update({box(0, 0, 30, 30)}, 0);
  ASSERT_EQ(tracks.size(), 1u);
  tracks = tracker.update({box(400, 400, 30, 30)}, kFrameMs);
  ASSERT_EQ(tracks.size(), 2u);
  std::map<int, const Track*> ids;
  for (const auto& t : tracks) ids[t.id] = &t;
  EXPECT_EQ(ids.at(1)->detection, -1);
  EXPECT_EQ(ids.at(2)->detection, 0);
}

TEST(Tracker, IouOfBoxes) {
  EXPECT_DOUBLE_EQ(Tracker::iou({0, 0, 10, 10}, {0, 0, 10, 10}), 1.0);
  EXPECT_DOUBLE_EQ(Tracker::iou({0, 0, 10, 10}, {5, 0, 10, 10}), 50.0 / 150.0);
  EXPECT_DOUBLE_EQ(Tracker::iou({0, 0, 10, 10}, {20, 20, 10, 10}), 0.0);
}

TEST(Tracker, RepeatedTimestampsAreHarmless) {
  Tracker tracker(TrackerOptions{2, 3, 0.1});
  std::vector<Track> tracks;
  for (int f = 0; f < 20; ++f) {
    tracks = tracker.update({box(10 + 4.0 * f, 40, 40, 40)}, (f / 2) * kFrameMs);  // every time twice
    ASSERT_EQ(tracks.size(), 1u) << "frame " << f;
  }
  EXPECT_EQ(tracks[0].id, 1);
  EXPECT_NEAR(tracks[0].box.x, 10 + 4.0 * 19, 6.0);
}

TEST(Tracker, FinishEndsEveryTrack) {
  Tracker tracker;
  tracker.update({box(0, 0, 30, 30), box(100, 0, 30, 30)}, 0);
  EXPECT_EQ(tracker.finish().size(), 2u);
  EXPECT_TRUE(tracker.update({}, kFrameMs).empty());
}

}  // namespace
}  // namespace cityops::traffic
