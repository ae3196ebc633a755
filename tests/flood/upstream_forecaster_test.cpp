// UpstreamForecaster: lag, gain and offset recovered from a synthetic pair (downstream = 0.8 × upstream 3 h earlier
// + 1.2 + noise), forecasts within the lag from upstream readings, beyond it from the upstream's own forecast or
// trend, and a three-station chain.
#include "flood/UpstreamForecaster.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "flood/forecast_testing.hpp"

namespace cityops::flood {
namespace {

using namespace forecast_testing;

// Upstream: a flood wave of 8 m on 5 m peaking at 60 h (width 10 h), plus a 0.3 m daily swing.
double up(double h) { return wave(h, 5.0, 8.0, 60.0, 10.0); }
double down(double h) { return 0.8 * up(h - 3.0) + 1.2; }

struct Pair {
  TimeSeries upstream, downstream;
};

Pair pair(double hours, double noiseSigma = 0.01) {
  Noise noise(noiseSigma);
  return {series(hours, k15m, up), series(hours, k15m, [&](double h) { return down(h) + noise(); })};
}

TEST(UpstreamForecaster, RecoversLagGainAndOffset) {
  const auto p = pair(96);
  UpstreamForecaster model;
  auto f = model.fit(p.downstream, p.upstream, hoursAfter(96));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_LE(std::abs(f->lagMs - 3 * kHourMs), k15m);  // within one step
  EXPECT_NEAR(f->gain, 0.8, 0.8 * 0.02);             // ±2 %
  EXPECT_NEAR(f->offset, 1.2, 0.15);
  EXPECT_GT(f->r2, 0.99);
  EXPECT_LT(f->residualSe, 0.05);
  EXPECT_EQ(f->stepMs, k15m);
}

TEST(UpstreamForecaster, RecoversTheLagOnTheRisingLimbOnly) {
  // Issued at 50 h, 10 h before the upstream peak: only the base swing and the start of the rise are known.
  const auto p = pair(96);
  UpstreamForecaster model;
  auto f = model.fit(p.downstream, p.upstream, hoursAfter(50));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_LE(std::abs(f->lagMs - 3 * kHourMs), k15m);
  EXPECT_NEAR(f->gain, 0.8, 0.8 * 0.02);
}

TEST(UpstreamForecaster, ForecastsFromTheUpstreamReadingsWithinTheLag) {
  const auto p = pair(96);
  UpstreamForecaster model;
  const int64_t now = hoursAfter(52);
  auto f = model.fit(p.downstream, p.upstream, now);
  ASSERT_TRUE(f.ok());
  auto fc = model.forecast(*f, p.downstream, p.upstream, now, {kHourMs, 2 * kHourMs, 3 * kHourMs});
  ASSERT_TRUE(fc.ok()) << fc.error().message;
  for (const auto& pt : *fc) {
    const double h = static_cast<double>(pt.tMs - kT0) / kHourMs;
    EXPECT_NEAR(pt.value, down(h), 0.05) << "at " << h << " h";
    EXPECT_LE(pt.lower, down(h) + 0.05);
    EXPECT_GE(pt.upper, down(h) - 0.05);
  }
}

TEST(UpstreamForecaster, BeyondTheLagUsesTheUpstreamForecastWhenGiven) {
  const auto p = pair(96);
  UpstreamForecaster model;
  const int64_t now = hoursAfter(52);
  auto f = model.fit(p.downstream, p.upstream, now);
  ASSERT_TRUE(f.ok());
  // A perfect upstream forecast for the next 6 h, with a ±0.2 m band: the downstream at +6 h is 0.8 × the upstream
  // at +6 h − L, from that forecast.
  std::vector<ForecastPoint> upFc;
  for (int k = 1; k <= 24; ++k) {
    const int64_t t = now + k * k15m;
    const double v = up(static_cast<double>(t - kT0) / kHourMs);
    upFc.push_back({t, v, v - 0.2, v + 0.2});
  }
  auto fc = model.forecast(*f, p.downstream, p.upstream, now, {6 * kHourMs}, upFc);
  ASSERT_TRUE(fc.ok()) << fc.error().message;
  EXPECT_NEAR((*fc)[0].value, down(58), 0.06);
  // The band carries the upstream's: at least 0.8 × 0.2 on each side.
  EXPECT_GE((*fc)[0].upper - (*fc)[0].value, 0.8 * 0.2 - 1e-9);

  // Without it, the upstream trend stands in: still a forecast, with a wider band.
  auto trendOnly = model.forecast(*f, p.downstream, p.upstream, now, {6 * kHourMs});
  ASSERT_TRUE(trendOnly.ok()) << trendOnly.error().message;
  EXPECT_NEAR(trendOnly->front().value, down(58), 0.6);
}

TEST(UpstreamForecaster, NotEnoughHistoryIsAnError) {
  const auto p = pair(96);
  UpstreamForecaster model;
  auto f = model.fit(p.downstream, p.upstream, hoursAfter(3));  // 12 pairs at most
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, "unavailable");
  const TimeSeries flat = series(96, k15m, [](double) { return 2.0; });
  auto still = model.fit(flat, p.upstream, hoursAfter(96));  // a downstream that never moves
  ASSERT_FALSE(still.ok());
}

TEST(UpstreamForecaster, ChainOfThreeStations) {
  // A → B (lag 2 h, gain 0.6, offset 0.5) → C (lag 1 h 30, gain 1.1, offset −1.0), hourly readings as the
  // provincial stations report: the 15-minute grid interpolates them.
  auto a = [](double h) { return wave(h, 10.0, 7.0, 50.0, 8.0, 0.2); };
  auto b = [&](double h) { return 0.6 * a(h - 2.0) + 0.5; };
  auto c = [&](double h) { return 1.1 * b(h - 1.5) - 1.0; };
  const auto A = series(80, kHourMs, a), B = series(80, kHourMs, b), C = series(80, kHourMs, c);
  UpstreamForecaster model;
  auto ab = model.fit(B, A, hoursAfter(80));
  auto bc = model.fit(C, B, hoursAfter(80));
  ASSERT_TRUE(ab.ok() && bc.ok());
  EXPECT_LE(std::abs(ab->lagMs - 2 * kHourMs), k15m);
  EXPECT_LE(std::abs(bc->lagMs - 90 * kMinuteMs), k15m);
  EXPECT_NEAR(ab->gain, 0.6, 0.6 * 0.02);
  EXPECT_NEAR(bc->gain, 1.1, 1.1 * 0.02);
}

}  // namespace
}  // namespace cityops::flood
