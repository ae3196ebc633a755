#pragma once
// IncidentDetector: road incidents from the confirmed tracks of one camera (docs/traffic.md, "Incidents").
//
//  - stopped_vehicle: a track in a lane slower than `stopped_speed_kmh` for `stopped_after_s`; it starts when the
//    vehicle stopped and ends when it moves again, leaves the lane or its track ends.
//  - wrong_way: a track that travelled more than `wrong_way_min_m` on the ground against its lane's forward
//    direction (net: movement along the direction counts back, never below zero); once per track; it ends when the
//    track leaves the lane or ends.
//  - sudden_queue: from one interval to the next, a lane's occupancy rose by `queue.occupancy_jump_pct` points or
//    more while its mean speed fell by `queue.speed_drop` (a share) or more; it spans the later interval.
#include "traffic/CameraSpec.hpp"
#include "traffic/IncidentLog.hpp"
#include "traffic/IntervalMetrics.hpp"
#include "traffic/Calibration.hpp"
#include "traffic/TrackSample.hpp"

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace cityops::traffic {

class IncidentDetector {
 public:
  /// `log` outlives the detector.
  IncidentDetector(const CameraSpec& spec, const Calibration& calibration, IncidentLog& log);

  /// One frame: the live tracks with their lanes (tentative ones are ignored).
  void update(const std::vector<TrackSample>& tracks, int64_t tMs);
  /// A track ended at lastMs: its open incidents close.
  void trackEnded(int trackId, int64_t lastMs);
  /// An interval closed: sudden queues.
  void intervalClosed(const IntervalMetrics& m);

  /// Whether the track is (now) a stopped vehicle / a wrong-way driver, for overlays.
  bool stopped(int trackId) const;
  bool wrongWay(int trackId) const;

 private:
  struct State {
    cv::Point2d lastFoot;
    int lane = -1;
    std::optional<int64_t> stoppedSince;
    uint64_t stoppedIncident = 0;   // open incident id, 0 when none
    double againstM = 0;            // net metres against the lane's direction in the current lane
    uint64_t wrongWayIncident = 0;
    bool wrongWayReported = false;  // once per track
  };

  void closeStopped(State& s, int64_t tMs);
  void closeWrongWay(State& s, int64_t tMs);

  CameraSpec spec_;
  Calibration calibration_;
  IncidentLog& log_;
  std::unordered_map<int, State> states_;
  std::optional<IntervalMetrics> previous_;
};

}  // namespace cityops::traffic
