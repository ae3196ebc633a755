#pragma once
// Hourly series and the statistics the indices are built from. A series holds consecutive hourly means in µg/m³,
// oldest first; std::nullopt marks a missing hour.
#include <optional>
#include <span>
#include <vector>

namespace cityops::environment {

using HourlySeries = std::vector<std::optional<double>>;
using HourlySpan = std::span<const std::optional<double>>;

class SeriesStats {
 public:
  /// The last `n` elements (all of them when shorter).
  static HourlySpan tail(HourlySpan s, size_t n);
  /// Number of present hours.
  static int validCount(HourlySpan s);
  /// The last element (the hour being rated), when present.
  static std::optional<double> latest(HourlySpan s);
  /// Arithmetic mean of the present hours; nothing when fewer than `minValid` are present (or none).
  static std::optional<double> mean(HourlySpan s, int minValid);
  /// Largest present value; nothing when none is present.
  static std::optional<double> max(HourlySpan s);
  /// The largest running mean over `window` consecutive hours, one window ending at each element of `s`; hours
  /// before the start of `s` count as missing. A window needs at least `minValid` present hours; nothing when no
  /// window qualifies.
  static std::optional<double> maxRunningMean(HourlySpan s, int window, int minValid);
};

}  // namespace cityops::environment
