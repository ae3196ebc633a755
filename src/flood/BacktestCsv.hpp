#pragma once
// The event file of a backtest: the CSV of `cityops replay` (docs/rules.md): a header naming the columns time,
// entity, metric, value and optionally quality, in any order; then one reading per line. Times are RFC 3339 with any
// offset ("2025-10-29T18:00:00+07:00") or epoch milliseconds (common/Time.hpp). Fields may be double-quoted.
// Also accepted here (not by replay): lines starting with '#' (comments) anywhere. Readings of quality "bad" are
// skipped; the rest are kept per (entity, metric), sorted by time.
#include "common/Result.hpp"
#include "flood/ForecastTypes.hpp"

#include <istream>
#include <map>
#include <string>
#include <utility>

namespace cityops::flood {

struct BacktestData {
  std::map<std::pair<std::string, std::string>, TimeSeries> series;  // (entity, metric) -> readings
  size_t readings = 0;   // kept
  size_t skipped = 0;    // quality "bad"
  int64_t firstMs = 0;   // of the kept readings
  int64_t lastMs = 0;

  /// The readings of (entity, metric), or nullptr.
  const TimeSeries* find(const std::string& entity, const std::string& metric) const {
    auto it = series.find({entity, metric});
    return it == series.end() ? nullptr : &it->second;
  }
};

/// Reads the whole file. Errors ("bad_request") name the line: "line 12: value 'x' is not a finite number".
Result<BacktestData> readBacktestCsv(std::istream& in);

}  // namespace cityops::flood
