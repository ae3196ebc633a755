#include "traffic/LevelOfService.hpp"

#include <algorithm>

namespace cityops::traffic {

char LevelOfService::of(std::optional<double> speedKmh, double freeFlowKmh, const LosThresholds& t) {
  if (!speedKmh || freeFlowKmh <= 0) return 'A';
  const double share = *speedKmh / freeFlowKmh;
  if (share > t.a) return 'A';
  if (share > t.b) return 'B';
  if (share > t.c) return 'C';
  if (share > t.d) return 'D';
  if (share > t.e) return 'E';
  return 'F';
}

std::optional<double> LevelOfService::density(double flowVehH, std::optional<double> speedKmh) {
  if (flowVehH <= 0) return 0.0;
  if (!speedKmh) return std::nullopt;
  return flowVehH / std::max(1.0, *speedKmh);
}

}  // namespace cityops::traffic
