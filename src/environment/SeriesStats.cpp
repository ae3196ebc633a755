#include "environment/SeriesStats.hpp"

#include <algorithm>

namespace cityops::environment {

HourlySpan SeriesStats::tail(HourlySpan s, size_t n) { return s.size() <= n ? s : s.subspan(s.size() - n); }

int SeriesStats::validCount(HourlySpan s) {
  return static_cast<int>(std::count_if(s.begin(), s.end(), [](const auto& v) { return v.has_value(); }));
}

std::optional<double> SeriesStats::latest(HourlySpan s) {
  if (s.empty()) return std::nullopt;
  return s.back();
}

std::optional<double> SeriesStats::mean(HourlySpan s, int minValid) {
  double sum = 0;
  int n = 0;
  for (const auto& v : s) {
    if (!v) continue;
    sum += *v;
    ++n;
  }
  if (n == 0 || n < minValid) return std::nullopt;
  return sum / n;
}

std::optional<double> SeriesStats::max(HourlySpan s) {
  std::optional<double> best;
  for (const auto& v : s)
    if (v && (!best || *v > *best)) best = *v;
  return best;
}

std::optional<double> SeriesStats::maxRunningMean(HourlySpan s, int window, int minValid) {
  if (window <= 0) return std::nullopt;
  std::optional<double> best;
  for (size_t end = 0; end < s.size(); ++end) {
    const size_t first = end + 1 >= static_cast<size_t>(window) ? end + 1 - static_cast<size_t>(window) : 0;
    auto m = mean(s.subspan(first, end + 1 - first), minValid);
    if (m && (!best || *m > *best)) best = m;
  }
  return best;
}

}  // namespace cityops::environment
