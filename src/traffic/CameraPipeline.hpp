#pragma once
// CameraPipeline: the whole analytics of one camera, one frame at a time, frames in time order from one thread:
// health -> detector -> tracker -> ground positions, speeds, classes -> counter (lines, lanes, intervals) ->
// incidents. VideoAnalyzer drives it over a video; a live per-camera worker drives it over a stream (and calls
// checkOffline from its watchdog).
//
// Times are milliseconds on any one clock (a video's own time from 0, or epoch ms for live cameras); intervals are
// aligned to whole multiples of interval_s on that clock.
#include "common/Result.hpp"
#include "traffic/Calibration.hpp"
#include "traffic/CameraHealth.hpp"
#include "traffic/CameraSpec.hpp"
#include "traffic/Counter.hpp"
#include "traffic/Detector.hpp"
#include "traffic/IncidentDetector.hpp"
#include "traffic/IncidentLog.hpp"
#include "traffic/IntervalMetrics.hpp"
#include "traffic/TrackKinematics.hpp"
#include "traffic/TrackSummary.hpp"
#include "traffic/Tracker.hpp"

#include <opencv2/core/mat.hpp>

#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cityops::traffic {

/// A confirmed track as drawn on a frame.
struct TrackView {
  int id = 0;
  cv::Rect2d box;                 // source pixels
  VehicleClass cls = VehicleClass::Car;
  std::optional<double> speedKmh;
  int lane = -1;
  bool stopped = false;
  bool wrongWay = false;
};

struct FrameResult {
  int64_t tMs = 0;
  std::vector<TrackView> tracks;           // confirmed tracks
  std::vector<Crossing> crossings;         // counted in this frame
  std::vector<IntervalMetrics> intervals;  // closed by this frame (before it was counted)
  HealthState health;
};

class CameraPipeline {
 public:
  /// The spec must be valid (CameraSpecCodec); bad_request when its calibration is not. `detector` defaults to a
  /// BackgroundDetector for the spec.
  static Result<std::unique_ptr<CameraPipeline>> create(const CameraSpec& spec,
                                                        std::unique_ptr<Detector> detector = nullptr);
  ~CameraPipeline();
  CameraPipeline(const CameraPipeline&) = delete;
  CameraPipeline& operator=(const CameraPipeline&) = delete;

  /// One BGR frame at tMs (not before the previous frame's time). Errors: an empty frame, a detector failure.
  Result<FrameResult> process(const cv::Mat& frame, int64_t tMs);
  /// The watchdog of a live camera (see CameraHealth::checkOffline).
  void checkOffline(int64_t nowMs) { health_.checkOffline(nowMs); }
  /// The end of the stream at endMs: ends every track, closes open incidents and the last (partial) interval.
  void finish(int64_t endMs);

  const CameraSpec& spec() const { return spec_; }
  const Calibration& calibration() const { return calibration_; }
  const IncidentLog& incidents() const { return log_; }
  IncidentLog& incidents() { return log_; }
  const std::vector<LineTotals>& lineTotals() const { return counter_.totals(); }
  /// Closed intervals and ended confirmed tracks since the last take (a live worker takes them as they come).
  std::vector<IntervalMetrics> takeIntervals() { return std::exchange(intervals_, {}); }
  std::vector<TrackSummary> takeTracks() { return std::exchange(tracks_, {}); }

 private:
  CameraPipeline(const CameraSpec& spec, const Calibration& calibration, std::unique_ptr<Detector> detector);

  struct TrackState {
    explicit TrackState(double windowS) : kinematics(windowS) {}
    TrackKinematics kinematics;
    TrackSummary summary;
    std::map<VehicleClass, int> labelVotes;
  };

  VehicleClass classOf(const TrackState& s) const;
  void endTrack(const Track& t);
  void closeInterval(bool partial, int64_t endMs, std::vector<IntervalMetrics>* out);
  cv::Mat greyForHealth(const cv::Mat& frame) const;

  CameraSpec spec_;
  Calibration calibration_;
  std::unique_ptr<Detector> detector_;
  Tracker tracker_;
  Counter counter_;
  IncidentLog log_;
  IncidentDetector incidentDetector_;
  CameraHealth health_;
  std::unordered_map<int, std::unique_ptr<TrackState>> states_;
  std::vector<IntervalMetrics> intervals_;
  std::vector<TrackSummary> tracks_;
  int64_t intervalMs_ = 60000;
  int64_t intervalStart_ = 0;
  int64_t intervalEnd_ = 0;
  bool intervalPartial_ = false;
  bool started_ = false;
  int64_t lastMs_ = 0;
  int64_t lastDtMs_ = 0;
};

}  // namespace cityops::traffic
