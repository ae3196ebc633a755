#pragma once
// The NowCast: a weighted mean of the latest hours that follows changing air quality faster than a plain mean.
//
// With c1 the current hour, c2 the hour before, ... cN the oldest of the window (N = 12 for PM, 8 for EPA ozone):
//   w* = c_min / c_max over the present hours of the window (EPA writes it 1 - (c_max - c_min) / c_max, the same);
//   w  = max(w*, minWeight)   (0.5 for PM, no minimum for EPA ozone);
//   NowCast = Σ w^(i-1)·c_i / Σ w^(i-1)            over the present hours (a missing c_i has weight 0).
// Decision 1459/QĐ-TCMT (VN_AQI, section 2.2.1.a) writes the case w = 1/2 as the unnormalised sum
//   NowCast = Σ (1/2)^i·c_i                         (i = 1..12, missing hours left out),
// which equals the weighted mean times Σ(1/2)^i = 1 - 2^-12 when all 12 hours are present, and is lower than it when
// hours are missing; Form::HalfPowerSum reproduces that text exactly. EPA (TAD EPA-454/B-24-002) always divides.
// Both require at least 2 of c1, c2, c3; otherwise there is no NowCast.
#include "common/Result.hpp"
#include "environment/SeriesStats.hpp"

namespace cityops::environment {

struct NowCastValue {
  double value = 0;    // µg/m³ (or whatever unit the series is in)
  double weight = 1;   // the w that was used
  int validHours = 0;  // present hours in the window
};

class NowCast {
 public:
  enum class Form {
    WeightedMean,  // Σ w^(i-1)·c_i / Σ w^(i-1) always (EPA)
    HalfPowerSum,  // Σ (1/2)^i·c_i when w = 1/2 (Decision 1459), the weighted mean otherwise
  };
  struct Params {
    int hours;         // window length
    double minWeight;  // lower limit of w
    Form form;
  };
  static constexpr Params kVnParticulate{12, 0.5, Form::HalfPowerSum};
  static constexpr Params kEpaParticulate{12, 0.5, Form::WeightedMean};
  static constexpr Params kEpaOzone{8, 0.0, Form::WeightedMean};

  /// The NowCast of the last `params.hours` elements of `series` (oldest first; the last element is c1). A
  /// bad_request error saying why when fewer than 2 of the 3 latest hours are present. All-zero hours give 0.
  static Result<NowCastValue> compute(HourlySpan series, const Params& params);
};

}  // namespace cityops::environment
