#pragma once
// The combined forecast of one station: what a caller configures (ForecastStation) and what it gets back
// (StationForecast: the method used, the points with their band, the alarm-level crossings).
#include "flood/AlarmLevels.hpp"
#include "flood/ForecastTide.hpp"
#include "flood/ForecastTypes.hpp"
#include "flood/RunoffModel.hpp"
#include "flood/UpstreamForecaster.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cityops::flood {

/// What the forecaster needs to know about a water-level station.
struct ForecastStation {
  std::string id;                       // e.g. "wl.caulau"
  AlarmLevels levels;                   // bd1..bd3 (alarmLevelsOf(entity)); missing ones are skipped
  std::string upstream;                 // the upstream station's id, or empty
  std::vector<std::string> rainGauges;  // rain gauges over the catchment (their mean is used), for the runoff model
  std::optional<RunoffParams> runoff;   // catchment parameters; without them no runoff model
  bool tidal = false;                   // fit and remove the tide before forecasting, add it back after
};

/// For one alarm level ("bd1", "bd2", "bd3"): when the forecast reaches it.
///   centralMs: the first time the central value reaches the level (THE warning);
///   upperMs:   the first time the upper band edge reaches it (an early, less certain signal, reported alongside);
///   above:     the last reading is already at or above the level (both times are then that reading's time).
/// Times are interpolated linearly between the last reading and the forecast points and rounded to the minute;
/// nothing within the horizon: std::nullopt.
struct LevelCrossing {
  std::string level;
  double threshold = 0;
  bool above = false;
  std::optional<int64_t> centralMs;
  std::optional<int64_t> upperMs;
};

struct StationForecast {
  std::string station;
  std::string method;               // "upstream", "runoff" or "trend"
  std::string detail;               // e.g. "wl.giaothuy lagged 3.00 h, gain 0.80, offset 1.20, R² 0.97"
  std::vector<std::string> notes;   // why better methods were not used (e.g. "upstream: R² 0.42 < 0.80")
  int64_t issuedMs = 0;
  int64_t lastReadingMs = 0;
  double lastValue = 0;
  double z = 1.96;                  // the band is value ± z·σ
  std::vector<ForecastPoint> points;
  std::vector<LevelCrossing> crossings;
  std::optional<UpstreamFit> upstreamFit;  // when the upstream model was fitted (used or not)
  std::optional<TideFit> tide;             // when the station is tidal and a tide was found

  /// The crossing of a named level, or nullptr.
  const LevelCrossing* crossing(const std::string& level) const {
    for (const auto& c : crossings)
      if (c.level == level) return &c;
    return nullptr;
  }
};

}  // namespace cityops::flood
