#pragma once
// Counter: line crossings and lane occupancy of one camera, accumulated into reporting intervals.
//
//  - A track crosses a line when the segment between its foot points of two consecutive frames intersects the
//    line's segment. The direction is "forward" when it ends on the side `forward` points to. A track is counted at
//    most once per line; a crossing made while the track was still tentative is counted when it is confirmed (it
//    may not be confirmed at all: then it was noise).
//  - A lane is occupied while the foot point of a confirmed track is inside its polygon; occupancy is the occupied
//    share of the observed time (each frame stands for the time since the previous frame, gaps over 2 s excluded).
//  - Speeds: a line's mean speed is the harmonic mean of its crossing speeds (the space-mean speed from spot
//    speeds); a lane's is the mean of the speeds of the tracks inside it, sampled every frame (space-mean speed by
//    definition). Flow = vehicles / observed hours; density = flow / speed; LOS from the speed (LevelOfService).
#include "traffic/CameraSpec.hpp"
#include "traffic/IntervalMetrics.hpp"
#include "traffic/TrackSample.hpp"

#include <opencv2/core/types.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <unordered_map>
#include <vector>

namespace cityops::traffic {

class Counter {
 public:
  explicit Counter(const CameraSpec& spec);

  /// The index of the first lane whose polygon holds `p` (image pixels), -1 when none.
  int laneAt(const cv::Point2d& p) const;

  /// Starts the interval [startMs, endMs).
  void startInterval(int64_t startMs, int64_t endMs);
  /// One frame at tMs standing for dtMs of time; `tracks` are the live tracks (tentative ones too) with their lane
  /// set. Returns the crossings counted in this frame.
  std::vector<Crossing> update(const std::vector<TrackSample>& tracks, int64_t tMs, int64_t dtMs);
  /// A track ended: its pending crossings are dropped, its memory freed.
  void forget(int trackId);
  /// The metrics of the current interval; `partial`: the stream did not cover it all.
  IntervalMetrics closeInterval(bool partial) const;

  const std::vector<LineTotals>& totals() const { return totals_; }

 private:
  struct LineAcc {
    ClassCounts forward;
    ClassCounts backward;
    double invSpeedSum = 0;  // Σ 1/v over crossings with a speed
    int64_t speedN = 0;
  };
  struct LaneAcc {
    ClassCounts vehicles;
    int64_t occupiedMs = 0;
    double speedSum = 0;
    int64_t speedN = 0;
  };
  struct TrackMemo {
    cv::Point2d lastFoot;
    bool hasLast = false;
    std::vector<Crossing> pending;   // while tentative
    std::set<size_t> countedLines;
    std::set<size_t> enteredLanes;
  };

  void count(Crossing c, size_t line, TrackMemo& memo, const TrackSample& t, std::vector<Crossing>& out);

  CameraSpec spec_;
  std::vector<int> forwardSide_;  // per line: the sign of the side `forward` points to
  int64_t startMs_ = 0;
  int64_t endMs_ = 0;
  int64_t observedMs_ = 0;
  std::vector<LineAcc> lines_;
  std::vector<LaneAcc> lanes_;
  std::set<int> seen_;            // confirmed tracks seen in the interval
  double camSpeedSum_ = 0;
  int64_t camSpeedN_ = 0;
  std::unordered_map<int, TrackMemo> memo_;
  std::vector<LineTotals> totals_;
};

}  // namespace cityops::traffic
