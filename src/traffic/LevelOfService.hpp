#pragma once
// LevelOfService: HCM urban street level of service from the travel speed as a share of the free-flow speed
// (HCM 2010 Exhibit 16-4 defaults; the thresholds are the camera's `los_thresholds`).
#include "traffic/CameraSpec.hpp"

#include <optional>

namespace cityops::traffic {

class LevelOfService {
 public:
  /// 'A'..'F'; 'A' when no speed was measured (nobody on the road).
  static char of(std::optional<double> speedKmh, double freeFlowKmh, const LosThresholds& t);
  /// LOS E or F.
  static bool congested(char los) { return los == 'E' || los == 'F'; }
  /// Flow (veh/h) over space-mean speed (km/h), the speed floored at 1 km/h; 0 without flow; nullopt with flow but
  /// no speed.
  static std::optional<double> density(double flowVehH, std::optional<double> speedKmh);
};

}  // namespace cityops::traffic
