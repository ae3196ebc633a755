#include "environment/BreakpointTable.hpp"

#include <cmath>
#include <utility>

namespace cityops::environment {

BreakpointTable::BreakpointTable(std::vector<Segment> segments) : segments_(std::move(segments)) {}

std::optional<Interpolation> BreakpointTable::at(double c) const {
  if (segments_.empty() || !(c >= segments_.front().cLo)) return std::nullopt;  // also NaN
  const Segment& top = segments_.back();
  if (c > top.cHi) {
    if (top.iHi >= 500) return Interpolation{500.0, true};
    return std::nullopt;
  }
  for (const Segment& s : segments_) {
    if (c > s.cHi) continue;
    const double x = c < s.cLo ? s.cLo : c;  // inside a gap below this segment
    const double index = s.iLo + static_cast<double>(s.iHi - s.iLo) * (x - s.cLo) / (s.cHi - s.cLo);
    return Interpolation{index, false};
  }
  return std::nullopt;  // unreachable: c <= top.cHi
}

int roundHalfUp(double x) { return static_cast<int>(std::floor(x + 0.5 + 1e-9)); }

}  // namespace cityops::environment
