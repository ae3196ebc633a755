#pragma once
// TrackSample: one track in one frame, as the counter and the incident detector see it.
#include "traffic/VehicleClass.hpp"

#include <opencv2/core/types.hpp>

#include <optional>

namespace cityops::traffic {

struct TrackSample {
  int id = 0;
  bool confirmed = false;
  cv::Point2d foot;                 // filtered foot point, image pixels
  cv::Point2d ground;               // the same on the ground, metres
  std::optional<double> speedKmh;   // nullopt until measured
  VehicleClass cls = VehicleClass::Car;
  int lane = -1;                    // index into CameraSpec::lanes, -1 outside every lane
};

}  // namespace cityops::traffic
