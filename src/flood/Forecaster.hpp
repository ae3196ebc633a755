#pragma once
// Forecaster: chooses a model per station and assembles the StationForecast.
//
// The choice, in order (the reason for each skip is kept in StationForecast::notes):
//   1. "upstream" when an upstream series is given and the upstream fit has R² ≥ minR2 (default 0.8);
//   2. "runoff"   when the station has catchment parameters and a rain gauge has readings;
//   3. "trend"    otherwise (and whenever the better model cannot produce a forecast).
// Tidal stations (ForecastStation::tidal): the tide (ForecastTide) is fitted on the last 48 h and removed from the
// readings (and from a tidal upstream's) before the model runs; it is added back to the forecast points.
// Leads: stepMs, 2·stepMs, ..., horizonMs (default 1 h … 6 h in 1 h steps; 15 minutes gives finer crossings).
// Models see only readings at or before the issue time.
#include "common/Result.hpp"
#include "flood/Forecast.hpp"
#include "flood/ForecastTide.hpp"
#include "flood/TrendForecaster.hpp"

#include <vector>

namespace cityops::flood {

struct ForecasterOptions {
  int64_t horizonMs = 6 * kHourMs;
  int64_t stepMs = kHourMs;
  double minR2 = 0.8;  // the upstream model is used only with a fit at least this good
  double z = 1.96;     // band half-width in σ for every model (overrides the models' own z)
  TrendOptions trend;
  UpstreamOptions upstream;
  TideOptions tide;
};

/// The series of one station at forecast time (non-owning; nullptr or empty when absent).
struct ForecastInputs {
  const TimeSeries* level = nullptr;
  const TimeSeries* upstream = nullptr;
  std::vector<const TimeSeries*> rain;
  const StationForecast* upstreamForecast = nullptr;  // the upstream station's forecast, issued at the same time
  bool upstreamTidal = false;                         // remove the upstream's own tide too
};

class Forecaster {
 public:
  explicit Forecaster(ForecasterOptions options = {});

  /// The forecast issued at nowMs. Errors ("unavailable") only when even the trend cannot be computed (no recent
  /// readings); "bad_request" for an invalid horizon or step.
  Result<StationForecast> forecast(const ForecastStation& station, const ForecastInputs& in, int64_t nowMs) const;

  /// The leads: stepMs, 2·stepMs, ... up to horizonMs.
  std::vector<int64_t> leads() const;

  /// How far back before the issue time a caller should read the station's and its upstream's levels (the upstream
  /// fit window + the longest lag + the trend window, or the tide window if longer): 87 h by default.
  int64_t levelHistoryMs() const;
  /// How far back to read rain for a station's runoff model (its lookback, 120 h by default; 0 without runoff).
  static int64_t rainHistoryMs(const ForecastStation& station);

  /// Crossings of each level by a forecast starting from (lastMs, lastValue).
  static std::vector<LevelCrossing> crossings(const AlarmLevels& levels, int64_t lastMs,
                                              double lastValue, const std::vector<ForecastPoint>& points);

  /// Station indices ordered so that a station comes after its upstream (when that upstream is in the list), for
  /// feeding each station its upstream's forecast. Cycles are broken in list order.
  static std::vector<size_t> chainOrder(const std::vector<ForecastStation>& stations);

  const ForecasterOptions& options() const { return options_; }

 private:
  ForecasterOptions options_;
};

}  // namespace cityops::flood
