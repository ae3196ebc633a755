#pragma once
// TrackKinematics: one track's motion on the ground. Speed is the ground displacement of the foot point over the
// last `windowS` seconds (at least half a window of positions is needed), which smooths the detector's jitter;
// positions from boxes touching the frame edge (a vehicle entering or leaving) are not used for speed, nor their
// areas for the class while the track has any unclipped one.
#include "traffic/CameraSpec.hpp"
#include "traffic/VehicleClass.hpp"

#include <opencv2/core/types.hpp>

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace cityops::traffic {

class TrackKinematics {
 public:
  explicit TrackKinematics(double windowS = 1.0) : windowMs_(static_cast<int64_t>(windowS * 1000)) {}

  /// A measured foot point on the ground (metres) at tMs, and the ground area of the box (m²). `clipped`: the box
  /// touches the frame edge.
  void add(int64_t tMs, const cv::Point2d& ground, double areaM2, bool clipped);

  /// The current speed (m/s), when the window holds enough positions.
  std::optional<double> speedMps() const { return speed_; }
  /// Mean and maximum of the speeds measured so far (m/s); nullopt before the first.
  std::optional<double> meanSpeedMps() const;
  std::optional<double> maxSpeedMps() const;
  /// Ground distance travelled (sum of half-window displacements), metres.
  double distanceM() const { return distance_; }
  /// Median ground area of the unclipped boxes (all boxes when none was unclipped), m²; 0 before any.
  double areaM2() const;
  VehicleClass classify(Classes classes, const ClassSizes& sizes) const;

 private:
  struct Fix {
    int64_t t;
    cv::Point2d p;
  };
  int64_t windowMs_;
  std::deque<Fix> window_;
  std::optional<double> speed_;
  double speedSum_ = 0;
  int64_t speedN_ = 0;
  double speedMax_ = 0;
  std::optional<Fix> anchor_;
  double distance_ = 0;
  std::vector<double> areas_;         // unclipped, up to kMaxAreas
  std::vector<double> clippedAreas_;  // up to kMaxAreas
};

}  // namespace cityops::traffic
