#pragma once
// TrackSummary: one confirmed track over its whole life, for the analysis result.
#include "traffic/IntervalMetrics.hpp"
#include "traffic/VehicleClass.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cityops::traffic {

struct TrackSummary {
  int id = 0;
  VehicleClass cls = VehicleClass::Car;
  int64_t firstMs = 0;
  int64_t lastMs = 0;                     // last matched detection
  int frames = 0;                         // matched frames
  std::optional<double> meanSpeedKmh;
  std::optional<double> maxSpeedKmh;
  double distanceM = 0;
  double areaM2 = 0;                      // median ground area of its box
  std::vector<std::string> lanes;         // lanes it was seen in, in order of entry
  std::vector<Crossing> crossings;
  bool stopped = false;                   // had a stopped_vehicle incident
  bool wrongWay = false;                  // had a wrong_way incident
};

}  // namespace cityops::traffic
