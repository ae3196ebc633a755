#pragma once
// One column of an AQI breakpoint table: segments [cLo, cHi] -> [iLo, iHi] and the linear interpolation shared by
// VN_AQI and the US AQI:  I = (iHi - iLo) / (cHi - cLo) * (C - cLo) + iLo.
//
// A concentration above the top breakpoint: when the column reaches index 500 the result is 500 with `capped` set
// (the index has no higher value); when it stops lower (VN O3 8-h at 300, US O3 8-h at 300, US SO2 1-h at 200) the
// column does not apply there and at() answers nothing, so the caller uses another scale. A concentration below the
// first breakpoint (US O3 1-h starts at 0.125 ppm, US SO2 24-h at 305 ppb) answers nothing too.
#include <optional>
#include <vector>

namespace cityops::environment {

struct Segment {
  double cLo;
  double cHi;
  int iLo;
  int iHi;
};

struct Interpolation {
  double index = 0;     // unrounded
  bool capped = false;  // the concentration was above the column's top breakpoint; index = 500
};

class BreakpointTable {
 public:
  /// Segments in increasing order. Adjacent segments either share a breakpoint (VN: cHi of one = cLo of the next) or
  /// leave a gap finer than the data's resolution (US: 9.0 | 9.1); a value inside a gap takes the upper segment's low
  /// end (it does not arise for values truncated as EPA requires).
  explicit BreakpointTable(std::vector<Segment> segments);

  /// The index for a concentration C >= 0; nothing where the column does not apply (see above). NaN -> nothing.
  std::optional<Interpolation> at(double c) const;

  double lowest() const { return segments_.front().cLo; }
  double highest() const { return segments_.back().cHi; }
  const std::vector<Segment>& segments() const { return segments_; }

 private:
  std::vector<Segment> segments_;
};

/// Round half up: 59.35 -> 59, 109.5 -> 110. A margin of 1e-9 keeps a decimal .5 that binary arithmetic left at
/// .49999999999 on the upper side.
int roundHalfUp(double x);

}  // namespace cityops::environment
