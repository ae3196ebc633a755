#pragma once
// Forecasts from what the store holds: reads a station's levels, its upstream station's levels (and that station's
// own forecast, recursively up the chain) and its rain gauges, then runs the Forecaster (docs/forecast.md). Used by
// GET /api/v1/flood/stations/{id}/forecast and by the ForecastWarner.
#include "common/Result.hpp"
#include "flood/Forecaster.hpp"
#include "store/Store.hpp"

#include <string>

namespace cityops::flood {

class StationForecasts {
 public:
  explicit StationForecasts(const store::Store& store) : store_(store) {}

  /// The forecast of `stationId` issued at nowMs over `horizonMs` (1 h steps). "not_found" for an unknown entity
  /// or one that is not a WaterLevelStation; "bad_request" for unusable attributes; "unavailable" without recent
  /// readings.
  Result<StationForecast> forecast(const std::string& stationId, int64_t horizonMs, int64_t nowMs) const;

 private:
  Result<StationForecast> forecastAt(const std::string& stationId, const Forecaster& f, int64_t nowMs,
                                     int depth) const;
  TimeSeries series(const std::string& entity, const std::string& metric, int64_t from, int64_t to) const;

  const store::Store& store_;
};

}  // namespace cityops::flood
