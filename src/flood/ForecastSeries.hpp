#pragma once
// Small time-series tools shared by the forecast models: windows, interpolation, a regular grid, robust statistics,
// the first upward crossing of a level.
#include "flood/ForecastTypes.hpp"

#include <optional>
#include <span>
#include <vector>

namespace cityops::flood {

class ForecastSeries {
 public:
  /// The readings with fromMs <= t <= toMs, finite values only, sorted by time, one per time (the last one wins).
  static TimeSeries cleaned(const TimeSeries& s, int64_t fromMs, int64_t toMs);
  /// The readings at or before tMs (a view into `s`, which must be sorted).
  static std::span<const SeriesPoint> upTo(const TimeSeries& s, int64_t tMs);
  /// The last reading at or before tMs.
  static std::optional<SeriesPoint> lastAtOrBefore(const TimeSeries& s, int64_t tMs);
  /// The value at tMs: a reading at that time, or the straight line between the readings either side when they are
  /// at most maxGapMs apart; nothing before the first or after the last reading, or across a longer gap.
  static std::optional<double> at(std::span<const SeriesPoint> s, int64_t tMs, int64_t maxGapMs);
  /// at() on the grid startMs + i * stepMs, i in [0, n); NaN where at() gives nothing.
  static std::vector<double> resample(std::span<const SeriesPoint> s, int64_t startMs, int64_t stepMs, size_t n,
                                      int64_t maxGapMs);
  /// The median (the mean of the two middle values for an even count); NaN when empty.
  static double median(std::vector<double> values);
  /// 1.4826 × the median absolute deviation from the median: σ for normal data, robust to outliers. 0 when empty.
  static double robustSigma(const std::vector<double>& values);
  /// The first time at or after fromMs at which the series reaches `level` from below (linear between readings;
  /// fromMs itself when the series is already at or above the level there). Nothing when it never does.
  static std::optional<int64_t> firstCrossing(std::span<const SeriesPoint> s, double level, int64_t fromMs,
                                              int64_t maxGapMs);
};

}  // namespace cityops::flood
