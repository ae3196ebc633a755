#include "flood/TrendForecaster.hpp"

#include "flood/ForecastSeries.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace cityops::flood {

namespace {

std::string minutes(int64_t ms) { return std::to_string(ms / kMinuteMs) + " min"; }

/// ∫_0^h φ^s ds with h in hours: the damped number of hours of slope.
double dampedHours(double hours, double phi) {
  if (hours <= 0) return 0;
  if (phi >= 1.0 || phi <= 0.0) return hours;
  return (1.0 - std::pow(phi, hours)) / -std::log(phi);
}

}  // namespace

TrendForecaster::TrendForecaster(TrendOptions options) : options_(options) {}

double TrendForecaster::theilSenSlope(std::span<const SeriesPoint> points) {
  std::vector<double> slopes;
  if (points.size() >= 2) slopes.reserve(points.size() * (points.size() - 1) / 2);
  for (size_t i = 0; i < points.size(); ++i) {
    for (size_t j = i + 1; j < points.size(); ++j) {
      const int64_t dt = points[j].tMs - points[i].tMs;
      if (dt == 0) continue;
      slopes.push_back((points[j].v - points[i].v) / (static_cast<double>(dt) / kHourMs));
    }
  }
  if (slopes.empty()) return std::numeric_limits<double>::quiet_NaN();
  return ForecastSeries::median(std::move(slopes));
}

Result<TrendFit> TrendForecaster::fit(const TimeSeries& series, int64_t nowMs) const {
  const auto last = ForecastSeries::lastAtOrBefore(series, nowMs);
  if (!last) return Unavailable("trend: no reading at or before the issue time");
  if (nowMs - last->tMs > options_.maxAgeMs)
    return Unavailable("trend: the last reading is " + minutes(nowMs - last->tMs) + " old (at most " +
                       minutes(options_.maxAgeMs) + ")");
  TimeSeries window = ForecastSeries::cleaned(series, last->tMs - options_.windowMs, last->tMs);
  if (window.size() < std::max<size_t>(options_.minPoints, 2))
    return Unavailable("trend: " + std::to_string(window.size()) + " readings in the last " +
                       minutes(options_.windowMs) + " (at least " + std::to_string(options_.minPoints) + ")");
  const int64_t span = window.back().tMs - window.front().tMs;
  if (span < options_.minSpanMs)
    return Unavailable("trend: the readings span " + minutes(span) + " (at least " + minutes(options_.minSpanMs) + ")");
  if (options_.maxPoints >= 2 && window.size() > options_.maxPoints) {
    // Evenly thinned, keeping the last reading.
    TimeSeries thin;
    const double stride = static_cast<double>(window.size() - 1) / static_cast<double>(options_.maxPoints - 1);
    for (size_t k = 0; k < options_.maxPoints; ++k)
      thin.push_back(window[static_cast<size_t>(std::llround(static_cast<double>(k) * stride))]);
    window = std::move(thin);
  }

  TrendFit f;
  f.points = window.size();
  f.anchorMs = window.back().tMs;
  f.slopePerHour = theilSenSlope(window);
  // Times in hours relative to the last reading keep the numbers small.
  std::vector<double> hours, intercepts;
  for (const auto& p : window) {
    const double h = static_cast<double>(p.tMs - f.anchorMs) / kHourMs;
    hours.push_back(h);
    intercepts.push_back(p.v - f.slopePerHour * h);
  }
  const double a = ForecastSeries::median(intercepts);  // the line's level at the last reading
  std::vector<double> residuals;
  for (size_t i = 0; i < window.size(); ++i) residuals.push_back(window[i].v - (a + f.slopePerHour * hours[i]));
  const size_t k = std::min<size_t>(static_cast<size_t>(std::max(options_.anchorPoints, 1)), residuals.size());
  const std::vector<double> lastResiduals(residuals.end() - static_cast<std::ptrdiff_t>(k), residuals.end());
  f.anchor = a + ForecastSeries::median(lastResiduals);
  f.sigma = std::max(ForecastSeries::robustSigma(residuals), options_.minSigma);
  double meanH = 0;
  for (double h : hours) meanH += h;
  meanH /= static_cast<double>(hours.size());
  double sxx = 0;
  for (double h : hours) sxx += (h - meanH) * (h - meanH);
  f.slopeSe = sxx > 0 ? f.sigma / std::sqrt(sxx) : 0;
  // Curvature: the change of slope between the two halves of the window.
  if (options_.curvatureBand && window.size() >= 4) {
    const size_t half = window.size() / 2;
    const std::span<const SeriesPoint> all(window);
    const auto early = all.first(half), late = all.subspan(half);
    const double b1 = theilSenSlope(early), b2 = theilSenSlope(late);
    auto centre = [](std::span<const SeriesPoint> part) {
      double sum = 0;
      for (const auto& p : part) sum += static_cast<double>(p.tMs) / kHourMs;
      return sum / static_cast<double>(part.size());
    };
    const double dt = centre(late) - centre(early);
    if (std::isfinite(b1) && std::isfinite(b2) && dt > 0) f.curvature = std::abs(b2 - b1) / dt;
  }
  return f;
}

Prediction TrendForecaster::predict(const TrendFit& f, int64_t tMs) const {
  const double hours = std::max<double>(0.0, static_cast<double>(tMs - f.anchorMs) / kHourMs);
  const double H = dampedHours(hours, options_.dampingPerHour);
  Prediction p;
  p.value = f.anchor + f.slopePerHour * H;
  const double curve = 0.5 * f.curvature * H * H;
  p.sigma = std::sqrt(f.sigma * f.sigma * hours + (f.slopeSe * H) * (f.slopeSe * H) + curve * curve);
  p.sigma = std::max(p.sigma, options_.minSigma);
  return p;
}

Result<std::vector<ForecastPoint>> TrendForecaster::forecast(const TimeSeries& series, int64_t nowMs,
                                                             const std::vector<int64_t>& leadsMs) const {
  auto f = fit(series, nowMs);
  if (!f) return f.error();
  std::vector<ForecastPoint> out;
  out.reserve(leadsMs.size());
  for (int64_t lead : leadsMs) {
    const int64_t t = nowMs + lead;
    const auto p = predict(*f, t);
    out.push_back({t, p.value, p.value - options_.z * p.sigma, p.value + options_.z * p.sigma});
  }
  return out;
}

}  // namespace cityops::flood
