#pragma once
// UpstreamForecaster: the downstream level from the upstream level a travel time L earlier.
//
// Fit (on the history up to the issue time, both series linearly interpolated onto a 15-minute grid):
//   L        = the shift in 0..12 h (15-minute steps) maximising the Pearson correlation of D(t) with U(t − L);
//   g, c     = least squares on LEVELS: D(t) ≈ g·U(t − L) + c (c absorbs the different gauge datums, g the different
//              cross-sections); R² = r² of that fit; s = residual standard error √(Σe²/(n − 2));
//   ρ        = lag-one autocorrelation of the residuals e (per grid step), clamped to [0, 0.999].
// Forecast at t = now + h, with e₀ the residual at the last downstream reading t₀ (k = (t − t₀)/step):
//   value    = g·U(t − L) + c + e₀·ρ^k        (the current error decays: exact persistence of the level change
//                                              at short leads, the plain level relation at long ones)
//   σ²       = s²·(1 − ρ^(2k)) + g²·σ_U²       (floored at minSigma)
// U(t − L) is an upstream reading when t − L is at or before the last upstream reading (h ≤ L); beyond it the
// upstream is forecast: from the upstream station's own forecast when one is given (a chain Nông Sơn → Giao Thủy →
// Câu Lâu → Hội An feeds each station its upstream's forecast), else from the upstream trend at lead t − L − now;
// σ_U is that forecast's σ (0 for a reading).
//
// Why levels and not changes: the forecast needs an absolute level, and the level relation carries the datum offset
// and the R² that decides whether the model is trusted at all; the change relation is recovered where it matters
// (short leads) by the residual persistence term, without differencing noise into the fit.
#include "common/Result.hpp"
#include "flood/ForecastTypes.hpp"
#include "flood/TrendForecaster.hpp"

#include <vector>

namespace cityops::flood {

struct UpstreamOptions {
  int64_t stepMs = 15 * kMinuteMs;      // grid step, and the lag resolution
  int64_t maxLagMs = 12 * kHourMs;      // lags searched: 0, step, ..., maxLag
  int64_t fitWindowMs = 72 * kHourMs;   // downstream history used for the fit: (now − window, now]
  int64_t maxGapMs = 2 * kHourMs;       // readings further apart are not interpolated across
  size_t minPairs = 24;                 // fewer (downstream, shifted upstream) pairs: that lag is not considered
  double minStd = 0.02;                 // both series must vary at least this much (m, standard deviation)
  double z = 1.96;
  double minSigma = 0.01;
  TrendOptions upstreamTrend;           // forecasting the upstream beyond the lag
};

struct UpstreamFit {
  int64_t lagMs = 0;
  double gain = 0;
  double offset = 0;
  double correlation = 0;
  double r2 = 0;
  double residualSe = 0;     // s
  double residualRho = 0;    // ρ per step
  size_t pairs = 0;
  int64_t stepMs = 0;
};

class UpstreamForecaster {
 public:
  explicit UpstreamForecaster(UpstreamOptions options = {});

  /// Learns lag, gain and offset from the readings at or before nowMs. Errors ("unavailable"): not enough
  /// overlapping history, or a series that does not vary.
  Result<UpstreamFit> fit(const TimeSeries& downstream, const TimeSeries& upstream, int64_t nowMs) const;

  /// Forecasts the downstream level at nowMs + each lead. `upstreamForecast` (optional, may be empty): the upstream
  /// station's own forecast, used beyond the lag instead of the upstream trend.
  Result<std::vector<ForecastPoint>> forecast(const UpstreamFit& fit, const TimeSeries& downstream,
                                              const TimeSeries& upstream, int64_t nowMs,
                                              const std::vector<int64_t>& leadsMs,
                                              const std::vector<ForecastPoint>& upstreamForecast = {}) const;

  const UpstreamOptions& options() const { return options_; }

 private:
  UpstreamOptions options_;
};

}  // namespace cityops::flood
