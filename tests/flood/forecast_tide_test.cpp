// ForecastTide: the M2 tide recovered under a slow river rise, nothing found on a river without tide, and the
// forecaster removing the tide before the trend and adding it back (a tidal station no longer "rises" at flood tide).
#include "flood/ForecastTide.hpp"
#include "flood/Forecaster.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "flood/forecast_testing.hpp"

namespace cityops::flood {
namespace {

using namespace forecast_testing;

constexpr double kPi = 3.14159265358979323846;

/// A 0.3 m M2 tide on a river rising 2 cm/h (phase measured from the epoch, as ForecastTide does).
double tidal(int64_t tMs) {
  const double hours = static_cast<double>(tMs) / kHourMs;
  return 0.3 * std::cos(2 * kPi * hours / ForecastTide::kM2Hours - 1.0);
}

TimeSeries river(double hours, int64_t step, double slopePerHour, bool withTide, double noiseSigma = 0.01) {
  Noise noise(noiseSigma);
  TimeSeries s;
  for (int64_t t = kT0; t <= hoursAfter(hours); t += step)
    s.push_back({t, 1.0 + slopePerHour * static_cast<double>(t - kT0) / kHourMs + (withTide ? tidal(t) : 0.0) +
                        noise()});
  return s;
}

TEST(ForecastTide, RecoversTheSemiDiurnalTide) {
  const auto s = river(60, k15m, 0.02, true);
  auto fit = ForecastTide().fit(s, hoursAfter(60));
  ASSERT_TRUE(fit);
  EXPECT_NEAR(fit->m2Amplitude, 0.3, 0.01);
  EXPECT_DOUBLE_EQ(fit->k1Amplitude, 0);  // K1 is off by default
  EXPECT_GT(fit->explained, 0.9);
  for (double h : {60.0, 61.5, 63.0, 66.0}) EXPECT_NEAR(fit->at(hoursAfter(h)), tidal(hoursAfter(h)), 0.02) << h;
  // Detided: the river alone.
  const auto free = ForecastTide::detided(s, *fit, hoursAfter(50), hoursAfter(60));
  ASSERT_FALSE(free.empty());
  for (const auto& p : free)
    EXPECT_NEAR(p.v, 1.0 + 0.02 * static_cast<double>(p.tMs - kT0) / kHourMs, 0.05);
}

TEST(ForecastTide, FindsNothingWithoutTideOrHistory) {
  EXPECT_FALSE(ForecastTide().fit(river(60, k15m, 0.02, false), hoursAfter(60)));
  EXPECT_FALSE(ForecastTide().fit(river(20, k15m, 0.02, true), hoursAfter(20)));  // less than 36 h
  // Hourly readings are enough.
  EXPECT_TRUE(ForecastTide().fit(river(60, kHourMs, 0.0, true), hoursAfter(60)));
}

TEST(ForecastTide, ForecasterAddsTheTideBackToTheTrend) {
  const auto s = river(60, k15m, 0.02, true);
  ForecastStation st{"wl.hoian", {}, "", {}, std::nullopt, true};
  ForecastInputs in;
  in.level = &s;
  Forecaster fc;
  // Issued on a rising tide: the plain trend extrapolates the tide's rise, the tidal forecast follows the tide.
  const int64_t now = hoursAfter(57);
  auto withTide = fc.forecast(st, in, now);
  ASSERT_TRUE(withTide.ok()) << withTide.error().message;
  ASSERT_TRUE(withTide->tide);
  EXPECT_NE(withTide->detail.find("tide M2 0.30 m"), std::string::npos) << withTide->detail;
  st.tidal = false;
  auto plain = fc.forecast(st, in, now);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->tide);
  double errTide = 0, errPlain = 0;
  for (size_t i = 0; i < withTide->points.size(); ++i) {
    const int64_t t = withTide->points[i].tMs;
    const double truth = 1.0 + 0.02 * static_cast<double>(t - kT0) / kHourMs + tidal(t);
    errTide = std::max(errTide, std::abs(withTide->points[i].value - truth));
    errPlain = std::max(errPlain, std::abs(plain->points[i].value - truth));
  }
  EXPECT_LT(errTide, 0.05);
  EXPECT_GT(errPlain, 0.3);
}

}  // namespace
}  // namespace cityops::flood
