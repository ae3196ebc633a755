#include "flood/ForecastSeries.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cityops::flood {

namespace {

bool earlier(const SeriesPoint& p, int64_t t) { return p.tMs < t; }

}  // namespace

TimeSeries ForecastSeries::cleaned(const TimeSeries& s, int64_t fromMs, int64_t toMs) {
  TimeSeries out;
  const bool sorted = std::is_sorted(s.begin(), s.end(), [](const auto& a, const auto& b) { return a.tMs < b.tMs; });
  auto first = sorted ? std::lower_bound(s.begin(), s.end(), fromMs, earlier) : s.begin();
  for (auto it = first; it != s.end(); ++it) {
    if (it->tMs > toMs) {
      if (sorted) break;
      continue;
    }
    if (it->tMs < fromMs || !std::isfinite(it->v)) continue;
    out.push_back(*it);
  }
  if (!sorted)
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.tMs < b.tMs; });
  // One reading per time: the last one given wins.
  TimeSeries unique;
  unique.reserve(out.size());
  for (const auto& p : out) {
    if (!unique.empty() && unique.back().tMs == p.tMs) unique.back() = p;
    else unique.push_back(p);
  }
  return unique;
}

std::span<const SeriesPoint> ForecastSeries::upTo(const TimeSeries& s, int64_t tMs) {
  auto end = std::upper_bound(s.begin(), s.end(), tMs, [](int64_t t, const SeriesPoint& p) { return t < p.tMs; });
  return {s.data(), static_cast<size_t>(end - s.begin())};
}

std::optional<SeriesPoint> ForecastSeries::lastAtOrBefore(const TimeSeries& s, int64_t tMs) {
  auto view = upTo(s, tMs);
  for (auto it = view.rbegin(); it != view.rend(); ++it)
    if (std::isfinite(it->v)) return *it;
  return std::nullopt;
}

std::optional<double> ForecastSeries::at(std::span<const SeriesPoint> s, int64_t tMs, int64_t maxGapMs) {
  auto it = std::lower_bound(s.begin(), s.end(), tMs, earlier);
  if (it != s.end() && it->tMs == tMs) return it->v;
  if (it == s.begin() || it == s.end()) return std::nullopt;
  const auto& b = *it;
  const auto& a = *(it - 1);
  if (b.tMs - a.tMs > maxGapMs) return std::nullopt;
  const double f = static_cast<double>(tMs - a.tMs) / static_cast<double>(b.tMs - a.tMs);
  return a.v + f * (b.v - a.v);
}

std::vector<double> ForecastSeries::resample(std::span<const SeriesPoint> s, int64_t startMs, int64_t stepMs,
                                             size_t n, int64_t maxGapMs) {
  std::vector<double> out(n, std::numeric_limits<double>::quiet_NaN());
  if (s.empty() || stepMs <= 0) return out;
  // One walk through the readings (the grid and the series are both ascending).
  size_t j = 0;
  for (size_t i = 0; i < n; ++i) {
    const int64_t t = startMs + static_cast<int64_t>(i) * stepMs;
    while (j < s.size() && s[j].tMs < t) ++j;
    if (j < s.size() && s[j].tMs == t) {
      out[i] = s[j].v;
    } else if (j > 0 && j < s.size() && s[j].tMs - s[j - 1].tMs <= maxGapMs) {
      const auto& a = s[j - 1];
      const auto& b = s[j];
      out[i] = a.v + static_cast<double>(t - a.tMs) / static_cast<double>(b.tMs - a.tMs) * (b.v - a.v);
    }
  }
  return out;
}

double ForecastSeries::median(std::vector<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

double ForecastSeries::robustSigma(const std::vector<double>& values) {
  if (values.empty()) return 0;
  const double m = median(values);
  std::vector<double> dev;
  dev.reserve(values.size());
  for (double x : values) dev.push_back(std::abs(x - m));
  return 1.4826 * median(std::move(dev));
}

std::optional<int64_t> ForecastSeries::firstCrossing(std::span<const SeriesPoint> s, double level, int64_t fromMs,
                                                     int64_t maxGapMs) {
  auto it = std::lower_bound(s.begin(), s.end(), fromMs, earlier);
  // The state at fromMs: interpolated when possible, else the first reading after it decides.
  if (auto v = at(s, fromMs, maxGapMs); v && *v >= level) return fromMs;
  std::optional<SeriesPoint> prev;
  if (it != s.begin()) prev = *(it - 1);
  for (; it != s.end(); ++it) {
    if (it->v >= level) {
      if (prev && prev->tMs >= fromMs - maxGapMs && it->tMs - prev->tMs <= maxGapMs && prev->v < level) {
        const double f = (level - prev->v) / (it->v - prev->v);
        const auto t = prev->tMs + static_cast<int64_t>(std::llround(f * static_cast<double>(it->tMs - prev->tMs)));
        return std::max(t, fromMs);
      }
      return it->tMs;
    }
    prev = *it;
  }
  return std::nullopt;
}

}  // namespace cityops::flood
