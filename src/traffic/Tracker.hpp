#pragma once
// Tracker: SORT-style multi-object tracking. Each track is a constant-velocity Kalman filter (cv::KalmanFilter) on
// the box centre and size (state cx, cy, w, h and their velocities in px/s, time steps from the frame times); each
// frame the predicted boxes are assigned to the detections by the Hungarian method on the cost 1 - IoU, pairs below
// `minIou` overlap refused. A new track is tentative until it is matched `confirmHits` frames in a row (a tentative
// track that misses a frame is dropped); a confirmed track survives `maxMisses` frames without a match (occlusion,
// a missed detection) on its prediction, then ends. Ids start at 1, increase, and are never reused.
#include "traffic/CameraSpec.hpp"
#include "traffic/Detection.hpp"

#include <opencv2/core/types.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace cityops::traffic {

struct TrackerOptions {
  int confirmHits = 3;
  int maxMisses = 15;
  double minIou = 0.1;
  double accelPerSize = 2.0;   // process noise: centre acceleration σ in box sizes per s²
  double measurePerSize = 0.05;  // measurement noise: σ of a box edge as a share of the box size (+1 px)

  static TrackerOptions from(const TrackerSpec& spec);
};

struct Track {
  int id = 0;
  cv::Rect2d box;          // filtered box, source pixels
  cv::Point2d velocity;    // of the box centre, px/s
  int hits = 0;            // matched frames
  int misses = 0;          // frames in a row without a match
  bool confirmed = false;
  int detection = -1;      // index of the detection matched in the last update, -1 when none
  int64_t firstMs = 0;
  int64_t lastMatchMs = 0;
};

class Tracker {
 public:
  explicit Tracker(TrackerOptions options = {});
  ~Tracker();
  Tracker(const Tracker&) = delete;
  Tracker& operator=(const Tracker&) = delete;

  /// One frame: predict to timeMs, assign, correct, start and end tracks. Returns the live tracks (tentative and
  /// confirmed) in creation order.
  std::vector<Track> update(const std::vector<Detection>& detections, int64_t timeMs);
  /// The tracks that ended in the last update (as they were last seen).
  const std::vector<Track>& ended() const { return ended_; }
  /// Ends every live track (the end of a video) and returns them.
  std::vector<Track> finish();

  static double iou(const cv::Rect2d& a, const cv::Rect2d& b);

 private:
  struct Slot;
  std::unique_ptr<Slot> start(const Detection& d, int64_t timeMs);
  void predict(Slot& s, double dt) const;
  void correct(Slot& s, const cv::Rect2d& box) const;
  static cv::Rect2d boxOf(const Slot& s);

  TrackerOptions options_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Track> ended_;
  int nextId_ = 1;
  int64_t lastMs_ = 0;
  bool started_ = false;
};

}  // namespace cityops::traffic
