// TrendForecaster: the Theil–Sen slope ignores outliers, a straight rise is extrapolated exactly, damping bounds the
// rise, the band grows with the horizon, and too few or too old readings give an error instead of a forecast.
#include "flood/TrendForecaster.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "flood/forecast_testing.hpp"

namespace cityops::flood {
namespace {

using namespace forecast_testing;

TEST(TrendForecaster, TheilSenRecoversTheSlopeDespiteOutliers) {
  // v = 1.0 + 0.2 m/h, every 15 min for 3 h (13 readings), three of them wild.
  auto s = series(3, k15m, [](double h) { return 1.0 + 0.2 * h; });
  s[2].v += 5.0;
  s[6].v -= 3.0;
  s[11].v += 2.0;
  // 45 of the 78 pairs are clean and give exactly 0.2; the 33 others cannot move the median off them.
  EXPECT_NEAR(TrendForecaster::theilSenSlope(s), 0.2, 1e-12);
  EXPECT_TRUE(std::isnan(TrendForecaster::theilSenSlope(TimeSeries{{kT0, 1.0}})));
}

TEST(TrendForecaster, LinearRiseIsExtrapolated) {
  const auto s = series(3, k15m, [](double h) { return 0.8 + 0.3 * h; });
  const int64_t now = hoursAfter(3);
  TrendForecaster trend;
  auto fc = trend.forecast(s, now, {kHourMs, 3 * kHourMs, 6 * kHourMs});
  ASSERT_TRUE(fc.ok()) << fc.error().message;
  ASSERT_EQ(fc->size(), 3u);
  EXPECT_NEAR((*fc)[0].value, 0.8 + 0.3 * 4, 1e-9);
  EXPECT_NEAR((*fc)[1].value, 0.8 + 0.3 * 6, 1e-9);
  EXPECT_NEAR((*fc)[2].value, 0.8 + 0.3 * 9, 1e-9);
  EXPECT_EQ((*fc)[2].tMs, now + 6 * kHourMs);
  // A perfect line: the band is the floor σ (0.01 m) growing with √h and the slope's standard error.
  for (const auto& p : *fc) {
    EXPECT_LT(p.lower, p.value);
    EXPECT_GT(p.upper, p.value);
    EXPECT_NEAR(p.upper - p.value, p.value - p.lower, 1e-12);
  }
  EXPECT_GT((*fc)[2].upper - (*fc)[2].value, (*fc)[0].upper - (*fc)[0].value);
}

TEST(TrendForecaster, HandlesGapsAndAnAnchorOutlier) {
  // Hourly readings with a missing hour, and a spike on the last reading: the anchor is the median of the last
  // three residuals, so the spike does not carry into the forecast.
  TimeSeries s = {{hoursAfter(0), 1.0}, {hoursAfter(1), 1.1}, {hoursAfter(3), 1.3}, {hoursAfter(4), 1.4},
                  {hoursAfter(5), 1.5}, {hoursAfter(6), 2.6}};
  TrendOptions o;
  o.windowMs = 6 * kHourMs + 1;
  TrendForecaster trend(o);
  auto f = trend.fit(s, hoursAfter(6));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_NEAR(f->slopePerHour, 0.1, 1e-9);
  EXPECT_NEAR(f->anchor, 1.6, 1e-9);  // the line at 6 h, not the spike (2.6)
}

TEST(TrendForecaster, DampingBoundsTheRise) {
  const auto s = series(3, k15m, [](double h) { return 1.0 + 0.4 * h; });
  TrendOptions o;
  o.dampingPerHour = 0.5;
  TrendForecaster trend(o);
  auto f = trend.fit(s, hoursAfter(3));
  ASSERT_TRUE(f.ok());
  // value(h) = anchor + b·(1 − φ^h)/(−ln φ): at 6 h, 2.2 + 0.4·(1 − 1/64)/ln 2.
  EXPECT_NEAR(trend.predict(*f, hoursAfter(9)).value, 2.2 + 0.4 * (1 - 1.0 / 64) / std::log(2.0), 1e-9);
  EXPECT_LT(trend.predict(*f, hoursAfter(100)).value, 2.2 + 0.4 / std::log(2.0) + 1e-9);
}

TEST(TrendForecaster, BandGrowsWithTheSquareRootOfTheHorizon) {
  Noise noise(0.05);
  const auto s = series(3, kMinuteMs, [&](double h) { return 2.0 + 0.1 * h + noise(); });
  TrendForecaster trend;
  auto f = trend.fit(s, hoursAfter(3));
  ASSERT_TRUE(f.ok());
  EXPECT_NEAR(f->sigma, 0.05, 0.01);  // 1.4826·MAD of 180 residuals estimates the noise σ
  const double s1 = trend.predict(*f, hoursAfter(4)).sigma;
  const double s4 = trend.predict(*f, hoursAfter(7)).sigma;
  // σ(h)² = σ_r²·h + (se_b·h)², se_b² = σ_r²/Σ(t − t̄)² ≈ σ_r²/135 h² for 180 readings over 3 h:
  // √((4 + 16/135)/(1 + 1/135)) = 2.03, a little more than the √4 of the residual term alone.
  EXPECT_GT(s4 / s1, 2.0);
  EXPECT_LT(s4 / s1, 2.1);
}

TEST(TrendForecaster, TooFewOrTooOldReadingsAreAnError) {
  TrendForecaster trend;
  auto none = trend.fit({}, kT0);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, "unavailable");
  // Hourly readings: the 3 h window holds 4 (both ends count); at least 3 are needed.
  const TimeSeries hourly = {{hoursAfter(0), 1}, {hoursAfter(1), 1.1}, {hoursAfter(2), 1.2}, {hoursAfter(3), 1.3}};
  auto four = trend.fit(hourly, hoursAfter(3));
  ASSERT_TRUE(four.ok()) << four.error().message;
  EXPECT_EQ(four->points, 4u);
  const TimeSeries two = {{hoursAfter(1), 1.1}, {hoursAfter(2), 1.2}};
  auto few = trend.fit(two, hoursAfter(2));
  ASSERT_FALSE(few.ok());
  EXPECT_NE(few.error().message.find("2 readings"), std::string::npos) << few.error().message;
  const auto s = series(3, k15m, [](double h) { return h; });
  EXPECT_TRUE(trend.fit(s, hoursAfter(4)).ok());
  auto stale = trend.fit(s, hoursAfter(6));  // the last reading is 3 h old
  ASSERT_FALSE(stale.ok());
  EXPECT_NE(stale.error().message.find("old"), std::string::npos);
  // Readings after the issue time are not seen: at 1 h only the first 5 readings count.
  auto early = trend.fit(s, hoursAfter(1));
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->points, 5u);
  EXPECT_EQ(early->anchorMs, hoursAfter(1));
}

}  // namespace
}  // namespace cityops::flood
