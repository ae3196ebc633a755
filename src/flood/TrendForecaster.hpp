#pragma once
// TrendForecaster: a robust straight line through the recent readings, extrapolated.
//
//   slope b   = Theil–Sen: the median of the slopes of all pairs of readings in the window (default the last 3 h,
//               both ends included: 13 readings at 15 minutes, 4 hourly);
//               up to 29 % of the readings can be wild without moving it.
//   line      = a + b·t with a = median(v_i − b·t_i).
//   anchor    = the line at the last reading plus the median of the last `anchorPoints` residuals (the level now, not
//               the level the line averages over the window, which lags on a curving rise).
//   value(h)  = anchor + b · H(h), H(h) = h for no damping, H(h) = (1 − φ^h)/(−ln φ) with φ the damping per hour
//               (the slope decays continuously, the total rise is bounded by b/(−ln φ)).
//   σ(h)²     = σ_r² · h/1h + (se_b · H(h))² + (½ · c · H(h)²)²
//               σ_r = max(1.4826 · MAD(residuals), minSigma): the residual spread, growing with √horizon;
//               se_b = σ_r/√Σ(t_i − t̄)²: the uncertainty of the slope itself;
//               c = |b_late − b_early| / (t̄_late − t̄_early): the curvature the line ignores (Theil–Sen slopes of the
//               two halves of the window), the extrapolation error it makes being ½·c·H² either way.
//   band      = value ± z·σ(h), z = 1.96 for a central 95 % band under normal residuals.
// Horizons count from the last reading (a reading 20 minutes old forecasts +1 h at 1 h 20 min of extrapolation).
#include "common/Result.hpp"
#include "flood/ForecastTypes.hpp"

#include <span>
#include <vector>

namespace cityops::flood {

struct TrendOptions {
  int64_t windowMs = 3 * kHourMs;  // the readings used: [last reading − window, last reading]
  size_t minPoints = 3;            // fewer readings in the window: no forecast (hourly data: 4 in 3 h)
  int64_t minSpanMs = 30 * kMinuteMs;  // the window's readings must span at least this
  int64_t maxAgeMs = 2 * kHourMs;  // the last reading may be at most this old at the issue time
  double dampingPerHour = 1.0;     // φ in (0, 1]; 1 = no damping
  double z = 1.96;                 // band half-width in σ
  double minSigma = 0.01;          // floor of the residual σ (m): the gauge resolution
  int anchorPoints = 3;            // residuals at the end of the window that move the anchor
  bool curvatureBand = true;       // widen the band by the curvature term
  size_t maxPoints = 240;          // more readings than this in the window: evenly thinned (pairs grow as n²)
};

/// The fitted line and its spread.
struct TrendFit {
  double slopePerHour = 0;  // b, in units per hour
  double anchor = 0;        // the level at anchorMs
  int64_t anchorMs = 0;     // the time of the last reading used
  double sigma = 0;         // σ_r (floored)
  double slopeSe = 0;       // se_b, per hour
  double curvature = 0;     // c, units per hour² (≥ 0)
  size_t points = 0;
};

class TrendForecaster {
 public:
  explicit TrendForecaster(TrendOptions options = {});

  /// The Theil–Sen slope (units per hour) of readings sorted by time: the median of (v_j − v_i)/(t_j − t_i) over all
  /// pairs i < j with t_i ≠ t_j. NaN with fewer than two distinct times.
  static double theilSenSlope(std::span<const SeriesPoint> points);

  /// Fits the readings at or before nowMs. Errors ("unavailable"): too few readings in the window, too short a
  /// span, or the last reading older than maxAgeMs.
  Result<TrendFit> fit(const TimeSeries& series, int64_t nowMs) const;

  /// The forecast at absolute time tMs from a fit.
  Prediction predict(const TrendFit& fit, int64_t tMs) const;

  /// fit() then predict() at nowMs + each lead, with the band.
  Result<std::vector<ForecastPoint>> forecast(const TimeSeries& series, int64_t nowMs,
                                              const std::vector<int64_t>& leadsMs) const;

  const TrendOptions& options() const { return options_; }

 private:
  TrendOptions options_;
};

}  // namespace cityops::flood
