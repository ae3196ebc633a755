#pragma once
// Synthetic series for the forecast tests: a clock origin, a series from a function, deterministic noise, and a
// flood wave with a known shape.
#include "flood/ForecastTypes.hpp"

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>

namespace cityops::flood::forecast_testing {

/// 2025-10-28T00:00:00+07:00 (2025-10-27T17:00:00Z).
inline constexpr int64_t kT0 = 1761584400000;
inline constexpr int64_t k15m = 15 * kMinuteMs;

inline int64_t hoursAfter(double h) { return kT0 + static_cast<int64_t>(std::llround(h * kHourMs)); }

/// f(hours since kT0) sampled every `step` from kT0 for `hours` hours (both ends included).
inline TimeSeries series(double hours, int64_t step, const std::function<double(double)>& f) {
  TimeSeries s;
  for (int64_t t = kT0; t <= hoursAfter(hours); t += step)
    s.push_back({t, f(static_cast<double>(t - kT0) / kHourMs)});
  return s;
}

/// Gaussian noise of standard deviation sigma, the same numbers on every run.
class Noise {
 public:
  explicit Noise(double sigma, unsigned seed = 42) : rng_(seed), dist_(0.0, sigma) {}
  double operator()() { return dist_(rng_); }

 private:
  std::mt19937 rng_;
  std::normal_distribution<double> dist_;
};

/// A flood wave on a base level with a small daily swing: base + swing·sin(2π h/24) + peak·exp(−((h − at)/width)²).
inline double wave(double h, double base, double peak, double at, double width, double swing = 0.3) {
  constexpr double kPi = 3.14159265358979323846;
  return base + swing * std::sin(2 * kPi * h / 24.0) + peak * std::exp(-((h - at) / width) * ((h - at) / width));
}

}  // namespace cityops::flood::forecast_testing
