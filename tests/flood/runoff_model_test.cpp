// RunoffModel: SCS curve-number runoff against hand-computed values, the dry-spell reset, unit hydrograph volume and
// peak, rain spread onto the grid, and a forecast that rises after the rain by the catchment's lag.
#include "flood/RunoffModel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "flood/forecast_testing.hpp"

namespace cityops::flood {
namespace {

using namespace forecast_testing;

RunoffParams tamky() {
  RunoffParams p;
  p.curveNumber = 80;
  p.areaKm2 = 150;
  p.tcHours = 6;
  p.rating = RatingCurve{0.12, 0.5, 0.3};
  return p;
}

TEST(RunoffModel, CurveNumberRunoffByHand) {
  // P = 100 mm, CN = 80: S = 25400/80 − 254 = 317.5 − 254 = 63.5 mm; Ia = 0.2·63.5 = 12.7 mm;
  // Q = (100 − 12.7)²/(100 − 12.7 + 63.5) = 87.3²/150.8 = 7621.29/150.8 = 50.539 mm.
  EXPECT_DOUBLE_EQ(RunoffModel::retention(80), 63.5);
  EXPECT_NEAR(RunoffModel::excess(100, 80), 50.539, 1e-3);
  // P = 50 mm, CN = 70: S = 25400/70 − 254 = 108.857 mm; Ia = 21.771 mm;
  // Q = 28.229²/(28.229 + 108.857) = 796.85/137.086 = 5.813 mm.
  EXPECT_NEAR(RunoffModel::excess(50, 70), 5.813, 1e-3);
  // Up to Ia nothing runs off; CN 100 runs everything off.
  EXPECT_DOUBLE_EQ(RunoffModel::excess(12.7, 80), 0);
  EXPECT_DOUBLE_EQ(RunoffModel::excess(40, 100), 40);
}

TEST(RunoffModel, ExcessIsCumulativeOverTheEventAndResetsAfterADrySpell) {
  RunoffParams p = tamky();
  p.stepMs = kHourMs;
  p.dryResetHours = 12;
  const RunoffModel m(p);
  // 4 h of 25 mm: the excess steps add up to Q(100 mm).
  std::vector<double> rain = {25, 25, 25, 25};
  auto e = m.excessSteps(rain, 80);
  EXPECT_NEAR(std::accumulate(e.begin(), e.end(), 0.0), RunoffModel::excess(100, 80), 1e-9);
  EXPECT_NEAR(e[0], 1.996, 1e-3);  // Q(25) = (25 − 12.7)²/(25 − 12.7 + 63.5) = 151.29/75.8
  // Two 50 mm storms 6 h apart: one event, Q(100).
  std::vector<double> close(20, 0.0);
  close[0] = 50;
  close[7] = 50;
  auto one = m.excessSteps(close, 80);
  EXPECT_NEAR(std::accumulate(one.begin(), one.end(), 0.0), RunoffModel::excess(100, 80), 1e-9);
  // ... 13 h apart: two events, 2·Q(50).
  std::vector<double> apart(20, 0.0);
  apart[0] = 50;
  apart[14] = 50;
  auto two = m.excessSteps(apart, 80);
  EXPECT_NEAR(std::accumulate(two.begin(), two.end(), 0.0), 2 * RunoffModel::excess(50, 80), 1e-9);
}

TEST(RunoffModel, UnitHydrographConservesVolume) {
  for (auto shape : {UnitHydrographShape::Curvilinear, UnitHydrographShape::Triangular}) {
    RunoffParams p = tamky();
    p.shape = shape;
    const RunoffModel m(p);
    // 30 mm of excess in one 15-minute step over 150 km²: 30 mm × 150 km² = 0.030 m × 150e6 m² = 4.5e6 m³.
    std::vector<double> excess(200, 0.0);
    excess[3] = 30;
    const auto q = m.convolve(excess);
    const double volume = std::accumulate(q.begin(), q.end(), 0.0) * 15 * 60;
    EXPECT_NEAR(volume, 4.5e6, 1.0);
    // The peak: Tp = Δt/2 + 0.6·Tc = 0.125 + 3.6 = 3.725 h after the excess began; qp ≈ 0.208·A·Q/Tp
    // = 0.208·150·30/3.725 = 251 m³/s (NEH 630 ch. 16 eq. 16-1 in SI; the sampled curve gives it within a few %).
    const auto peak = std::max_element(q.begin(), q.end());
    const double peakHours = static_cast<double>((peak - q.begin()) - 3) * 0.25;
    EXPECT_NEAR(peakHours, 3.725, 0.25);
    const double qp = 0.208 * 150 * 30 / 3.725;
    EXPECT_NEAR(*peak, qp, qp * (shape == UnitHydrographShape::Curvilinear ? 0.03 : 0.02));
  }
}

TEST(RunoffModel, RainIsSpreadOverItsInterval) {
  const RunoffModel m(tamky());
  // Hourly readings of 8 mm: 2 mm in each quarter hour before each reading.
  const TimeSeries rain = {{hoursAfter(1), 8}, {hoursAfter(2), 8}, {hoursAfter(3), 0}};
  const auto g = m.rainOnGrid({&rain}, kT0, 16, hoursAfter(4));
  ASSERT_EQ(g.size(), 16u);
  for (int i = 0; i < 8; ++i) EXPECT_DOUBLE_EQ(g[static_cast<size_t>(i)], 2.0) << i;
  EXPECT_DOUBLE_EQ(g[8], 0.0);
  // Two gauges: the mean of those covering a step.
  const TimeSeries other = {{hoursAfter(1), 0}, {hoursAfter(2), 0}};
  const auto mean = m.rainOnGrid({&rain, &other}, kT0, 16, hoursAfter(4));
  EXPECT_DOUBLE_EQ(mean[0], 1.0);
  EXPECT_DOUBLE_EQ(mean[9], 0.0);  // only the first gauge covers 2–3 h
  // Readings after the issue time are not used.
  const auto early = m.rainOnGrid({&rain}, kT0, 16, hoursAfter(1));
  EXPECT_DOUBLE_EQ(early[5], 0.0);
}

TEST(RunoffModel, ForecastRisesAfterTheRainByTheCatchmentLag) {
  const RunoffModel m(tamky());
  // 120 mm in 3 h (hourly readings of 40 mm) ending at 10 h; level flat at 0.6 m until then.
  TimeSeries rain;
  for (int h = 0; h <= 10; ++h) rain.push_back({hoursAfter(h), h >= 8 ? 40.0 : 0.0});
  const auto level = series(10, k15m, [](double) { return 0.6; });
  const int64_t now = hoursAfter(10);
  std::vector<int64_t> leads;
  for (int k = 1; k <= 24; ++k) leads.push_back(k * k15m);
  auto fc = m.forecast(level, {&rain}, now, leads);
  ASSERT_TRUE(fc.ok()) << fc.error().message;
  // The rain fell over (7 h, 10 h]; by hand from the model's discharge: 153 m³/s now, a peak of 532 m³/s at
  // 12 h 30 (Tp ≈ 3.7 h after the wettest quarter hours), so the level peaks at +2 h 30:
  // 0.6 + 0.12·(√532 − √153) = 0.6 + 0.12·(23.06 − 12.37) = 1.88 m.
  const auto peak = std::max_element(fc->begin(), fc->end(), [](auto& a, auto& b) { return a.value < b.value; });
  EXPECT_EQ(peak->tMs, now + 150 * kMinuteMs);
  EXPECT_NEAR(peak->value, 1.88, 0.02);
  EXPECT_LT(fc->front().value, peak->value);
  EXPECT_LT(fc->back().value, peak->value);  // receding by +6 h
  for (const auto& p : *fc) {
    EXPECT_LE(p.lower, p.value);
    EXPECT_GE(p.upper, p.value);
  }
  // Anchored on the reading: the rating's own zero does not matter.
  RunoffParams shifted = tamky();
  shifted.rating->h0 = 5.0;
  auto same = RunoffModel(shifted).forecast(level, {&rain}, now, leads);
  ASSERT_TRUE(same.ok());
  EXPECT_NEAR(same->back().value, fc->back().value, 1e-9);
}

TEST(RunoffModel, ErrorsAndValidation) {
  RunoffParams p = tamky();
  p.areaKm2 = 0;
  EXPECT_FALSE(RunoffModel::validate(p).ok());
  p = tamky();
  p.curveNumber = 120;
  EXPECT_FALSE(RunoffModel::validate(p).ok());
  EXPECT_TRUE(RunoffModel::validate(tamky()).ok());
  const RunoffModel m(tamky());
  const auto level = series(10, k15m, [](double) { return 0.6; });
  auto noRain = m.forecast(level, {}, hoursAfter(10), {kHourMs});
  ASSERT_FALSE(noRain.ok());
  EXPECT_EQ(noRain.error().code, "unavailable");
  // No rating and no flood in the history to learn stage from discharge.
  RunoffParams unrated = tamky();
  unrated.rating.reset();
  const TimeSeries dry = {{hoursAfter(5), 0.0}, {hoursAfter(10), 0.0}};
  auto unlearned = RunoffModel(unrated).forecast(level, {&dry}, hoursAfter(10), {kHourMs});
  ASSERT_FALSE(unlearned.ok());
  EXPECT_NE(unlearned.error().message.find("rating"), std::string::npos);
}

}  // namespace
}  // namespace cityops::flood
