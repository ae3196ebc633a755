#pragma once
// Backtest: replays an event file forward in time, issues a forecast for every station every 15 minutes using only
// the readings up to that time (the models never look further), and scores the forecasts against what was observed.
//
// Per station:
//   - for each scored lead (+1 h, +3 h, +6 h): the mean absolute error, the mean error (bias), the MAE of
//     persistence (the last reading held) for comparison, and the band coverage (share of observations inside
//     [lower, upper]); the observation at T + lead is interpolated between readings (at most maxGapMs apart);
//   - for each alarm level: the observed crossing (the first time the level is reached, linear between readings),
//     the first warning (the first issue time T, no earlier than crossing − horizon, whose central forecast reaches
//     the level while the last reading is still below it), the lead = crossing − warning (negative when the warning
//     came after the crossing, none when no forecast warned before the readings reached the level), the same for
//     the upper band edge, and the false warnings (issue times whose central forecast reached the level within the
//     horizon while the observations did not).
// Only the first crossing of each level in the file is scored.
#include "common/Result.hpp"
#include "flood/BacktestCsv.hpp"
#include "flood/Forecaster.hpp"

#include <istream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cityops::flood {

struct BacktestOptions {
  std::vector<ForecastStation> stations;       // stations scored (and upstreams: a station's upstream must be one)
  std::string levelMetric = "water_level_m";
  std::string rainMetric = "rain_mm";
  int64_t issueEveryMs = 15 * kMinuteMs;
  int64_t warmupMs = 3 * kHourMs;               // no forecast before first reading + warmup
  std::vector<int64_t> scoreLeadsMs = {kHourMs, 3 * kHourMs, 6 * kHourMs};
  int64_t maxGapMs = 2 * kHourMs;               // observations interpolated across gaps up to this
  bool chain = true;                            // feed each station its upstream's forecast (beyond the lag)
  ForecasterOptions forecaster = defaultForecaster();

  /// Horizon 6 h in 15-minute steps (finer crossing times than the API's 1 h steps).
  static ForecasterOptions defaultForecaster() {
    ForecasterOptions o;
    o.stepMs = 15 * kMinuteMs;
    return o;
  }
};

struct BacktestLeadScore {
  int64_t leadMs = 0;
  size_t n = 0;
  double mae = 0;
  double bias = 0;            // mean (forecast − observed)
  double persistenceMae = 0;  // the last reading held
  double coverage = 0;        // share of observations inside the band
};

struct BacktestLevelScore {
  std::string level;  // "bd1".."bd3"
  double threshold = 0;
  bool aboveAtStart = false;              // already at or above when the file begins: not scored
  std::optional<int64_t> observedMs;      // the first crossing in the readings
  std::optional<int64_t> warningMs;       // the first warning (central value)
  std::optional<int64_t> predictedMs;     // the crossing time that warning predicted
  std::optional<int64_t> leadMs;          // observed − warning
  std::optional<int64_t> upperWarningMs;  // the same with the upper band edge
  std::optional<int64_t> upperLeadMs;
  size_t warnings = 0;                    // issue times whose central forecast reached the level (below it then)
  size_t falseWarnings = 0;               // ... of which the observations did not reach it within the horizon
  size_t upperWarnings = 0;               // the same for the upper band edge
  size_t upperFalseWarnings = 0;
};

struct BacktestStationReport {
  std::string station;
  std::string upstream;
  size_t readings = 0;
  size_t forecasts = 0;
  size_t failures = 0;                     // issue times without any forecast (e.g. no recent reading)
  std::map<std::string, size_t> methods;   // method -> forecasts
  std::optional<double> peak;
  int64_t peakMs = 0;
  std::vector<BacktestLeadScore> leads;
  std::vector<BacktestLevelScore> levels;
};

struct BacktestReport {
  int64_t fromMs = 0;    // first reading
  int64_t toMs = 0;      // last reading
  int64_t firstIssueMs = 0;
  int64_t lastIssueMs = 0;
  int64_t issueEveryMs = 0;
  int64_t horizonMs = 0;
  int64_t stepMs = 0;
  size_t readings = 0;
  size_t skipped = 0;
  size_t issues = 0;     // issue times
  std::vector<BacktestStationReport> stations;
  std::vector<std::string> warnings;  // e.g. a station with no readings in the file

  const BacktestStationReport* station(const std::string& id) const {
    for (const auto& s : stations)
      if (s.station == id) return &s;
    return nullptr;
  }
};

/// Reads the CSV and runs the backtest. Errors: the file ("bad_request", with the line), no station configured, no
/// readings.
Result<BacktestReport> runBacktest(std::istream& csv, const BacktestOptions& options);
/// The same on readings already read.
Result<BacktestReport> runBacktest(const BacktestData& data, const BacktestOptions& options);

}  // namespace cityops::flood
