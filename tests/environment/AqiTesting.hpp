#pragma once
// Helpers for the environment tests: hourly series written as numbers with kNA for a missing hour.
#include "environment/SeriesStats.hpp"

#include <initializer_list>
#include <optional>

namespace cityops::environment::testing_aqi {

inline constexpr double kNA = -1;  // a missing hour in series()

/// Hourly means oldest first; kNA -> std::nullopt.
inline HourlySeries series(std::initializer_list<double> values) {
  HourlySeries s;
  for (double v : values) s.push_back(v == kNA ? std::nullopt : std::optional<double>(v));
  return s;
}

/// `n` equal hours.
inline HourlySeries flat(size_t n, double value) { return HourlySeries(n, value); }

}  // namespace cityops::environment::testing_aqi
