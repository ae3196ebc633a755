#pragma once
// ForecastTide: the astronomical tide at a tidal station (Hội An, Câu Lâu, Tam Kỳ, Cẩm Lệ), fitted on the recent
// readings so the forecast models can work on the tide-free level and the tide can be added back to their forecast.
//
// Least squares (two Huber reweighting passes) over the last 48 h:
//   y(t) = p₀ + p₁τ + p₂τ² + p₃τ³ + a₁cos ω₁t + b₁sin ω₁t [+ a₂cos ω₂t + b₂sin ω₂t]
// with τ = (t − now)/24 h, ω₁ the M2 (principal lunar semi-diurnal, 12.4206 h) and, when `diurnal` is set, ω₂ the K1
// (luni-solar diurnal, 23.9345 h) frequency: two days cannot separate M2 from S2 or K1 from O1 (that needs 15 days),
// so each stands for its species. The cubic carries the slow river level. K1 is off by default: a flood wave lasts
// about a day, and over a 48 h window it leaks into a 24 h harmonic (the backtest of the demo event showed 0.3–0.6 m
// of spurious K1), while the semi-diurnal band stays clean. The fit is kept only when the tide is real: amplitude
// (|M2| + |K1|) at least minAmplitude, and it removes at least minExplained of the variance the cubic leaves.
// The tide is the harmonic part alone: tide(t) = a₁cos ω₁t + b₁sin ω₁t [+ a₂cos ω₂t + b₂sin ω₂t].
#include "flood/ForecastTypes.hpp"

#include <array>
#include <optional>

namespace cityops::flood {

struct TideOptions {
  int64_t windowMs = 48 * kHourMs;
  int64_t minSpanMs = 36 * kHourMs;
  size_t minPoints = 24;
  double minAmplitude = 0.05;   // m
  double minExplained = 0.3;    // share of the detrended variance
  bool diurnal = false;         // fit K1 as well
};

struct TideFit {
  std::array<double, 4> harmonics{};  // a₁ b₁ (M2), a₂ b₂ (K1)
  double m2Amplitude = 0;
  double k1Amplitude = 0;
  double explained = 0;                // share of the variance left by the cubic that the tide removes
  /// The tide at tMs (m).
  double at(int64_t tMs) const;
};

class ForecastTide {
 public:
  static constexpr double kM2Hours = 12.4206012;
  static constexpr double kK1Hours = 23.9344697;

  explicit ForecastTide(TideOptions options = {});

  /// The tide of the readings at or before nowMs, or nothing (too few readings, no significant tide).
  std::optional<TideFit> fit(const TimeSeries& series, int64_t nowMs) const;

  /// The readings in [fromMs, toMs] minus the tide.
  static TimeSeries detided(const TimeSeries& series, const TideFit& tide, int64_t fromMs, int64_t toMs);

 private:
  TideOptions options_;
};

}  // namespace cityops::flood
