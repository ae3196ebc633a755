#pragma once
// The values every water-level forecast model shares: a reading, a series, a forecast point with its band.
// Pure data, no database: a series is what the caller read from the store (or a CSV), sorted by time, possibly with
// gaps. Models never look at readings after the issue time they are given, so a backtest can hand them whole series.
#include <cstdint>
#include <vector>

namespace cityops::flood {

inline constexpr int64_t kMinuteMs = 60'000;
inline constexpr int64_t kHourMs = 3'600'000;

/// One reading: time (epoch ms) and value (metres for a water level, millimetres fallen in the interval ending at
/// tMs for a rain gauge). Named SeriesPoint, not Point, so it cannot clash with a geometry point in this namespace.
struct SeriesPoint {
  int64_t tMs = 0;
  double v = 0;
};

/// Readings sorted by time (ascending). Gaps are allowed; duplicates and non-finite values are tolerated (the
/// models clean their window first: ForecastSeries::cleaned).
using TimeSeries = std::vector<SeriesPoint>;

/// One forecast value at tMs with its band [lower, upper] (a central 95 % band by default: value ± 1.96 σ).
struct ForecastPoint {
  int64_t tMs = 0;
  double value = 0;
  double lower = 0;
  double upper = 0;
};

/// A central value with its standard deviation, what the models compute before a band is drawn.
struct Prediction {
  double value = 0;
  double sigma = 0;
};

}  // namespace cityops::flood
