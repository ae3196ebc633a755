#pragma once
// Deterministic series generators and gtest printers shared by the tsdb tests.
#include <cmath>
#include <numbers>
#include <cstdint>
#include <ostream>
#include <random>
#include <vector>

#include "tsdb/Sample.hpp"

namespace cityops::tsdb {

inline void PrintTo(const Sample& s, std::ostream* os) {
  *os << "{t=" << s.t << " v=" << s.v << " q=" << int{s.q} << "}";
}
inline void PrintTo(const Bucket& b, std::ostream* os) {
  *os << "{start=" << b.start << " n=" << b.count << " sum=" << b.sum << " min=" << b.min
      << " max=" << b.max << " last=" << b.last << " lastT=" << b.lastT << "}";
}

}  // namespace cityops::tsdb

namespace cityops::tsdb::testdata {

inline constexpr int64_t kMinute = 60'000;
inline constexpr int64_t kDay = 86'400'000;
inline constexpr int64_t kT0 = 1'717'200'000'000;  // 2024-06-01T00:00:00Z

/// A river gauge read once a minute, in metres rounded to 0.01: a slow seasonal swing, a daily
/// cycle of a few cm, rain events that rise over hours and recede over a day, and ~3 mm sensor
/// noise (so readings near a rounding boundary flicker between adjacent centimetres).
inline std::vector<Sample> riverLevel(size_t n, uint32_t seed, int64_t t0 = kT0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.003);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<Sample> out;
  out.reserve(n);
  double flood = 0.0;  // extra level from rain, metres
  double inflow = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double days = static_cast<double>(i) / 1440.0;
    if (unit(rng) < 1.0 / (3 * 1440.0)) inflow += 0.3 + 0.7 * unit(rng);  // a storm every ~3 days
    const double rise = inflow * 0.004;  // drains into the river over ~4 hours
    inflow -= rise;
    flood += rise - flood * 0.0008;  // recedes over ~a day
    const double level = 1.35 + 0.25 * std::sin(days * 2 * std::numbers::pi / 40.0) +
                         0.02 * std::sin(days * 2 * std::numbers::pi) + flood + noise(rng);
    out.push_back({t0 + static_cast<int64_t>(i) * kMinute, std::round(level * 100.0) / 100.0, 0});
  }
  return out;
}

/// Random walk with full-precision steps and a jittered ~10 s cadence.
inline std::vector<Sample> randomWalk(size_t n, uint32_t seed, int64_t t0 = kT0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> step(0.0, 1.0);
  std::uniform_int_distribution<int64_t> jitter(9'500, 10'500);
  std::vector<Sample> out;
  out.reserve(n);
  double v = 100.0;
  int64_t t = t0;
  for (size_t i = 0; i < n; ++i) {
    out.push_back({t, v, 0});
    v += step(rng);
    t += jitter(rng);
  }
  return out;
}

/// Water level in metres with 3 decimals at a 60 s cadence (as bench/load sends it): a random
/// walk of -10..+10 mm per minute bounded to 0.2..6 m; values are mm / 1000.0, which is what
/// parsing "1.234" gives.
inline std::vector<Sample> walk3Decimals(size_t n, uint32_t seed, int64_t t0 = kT0) {
  std::mt19937_64 rng(seed);
  int mm = 500 + static_cast<int>(rng() % 2500);
  std::vector<Sample> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back({t0 + static_cast<int64_t>(i) * kMinute, mm / 1000.0, 0});
    mm += static_cast<int>(rng() % 21) - 10;
    if (mm < 200) mm = 400 - mm;
    if (mm > 6000) mm = 12000 - mm;
  }
  return out;
}

/// An energy meter in kWh with 3 decimals read once a minute: a steady load with rare changes,
/// so the deltas repeat (delta-of-delta coding pays off).
inline std::vector<Sample> meterReading(size_t n, uint32_t seed, int64_t t0 = kT0) {
  std::mt19937_64 rng(seed);
  int64_t wh = 1'000'000 + static_cast<int64_t>(rng() % 1'000'000);
  int64_t rate = 20 + static_cast<int64_t>(rng() % 50);  // Wh per minute
  std::vector<Sample> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back({t0 + static_cast<int64_t>(i) * kMinute, static_cast<double>(wh) / 1000.0, 0});
    if (rng() % 200 == 0) rate = 20 + static_cast<int64_t>(rng() % 50);
    wh += rate;
  }
  return out;
}

}  // namespace cityops::tsdb::testdata
