// NowCast: the weights for w* > 1/2 and w = 1/2 (Decision 1459's unnormalised sum vs EPA's weighted mean), missing
// hours, the 2-of-3 rule, the 12-hour window, and the EPA ozone variant (8 hours, no minimum weight). Every expected
// value is worked out by hand in the comment next to it.
#include <gtest/gtest.h>

#include <cmath>

#include "environment/AqiTesting.hpp"
#include "environment/NowCast.hpp"

namespace cityops::environment {
namespace {

using testing_aqi::kNA;
using testing_aqi::series;

double vn(const HourlySeries& s) {
  auto r = NowCast::compute(s, NowCast::kVnParticulate);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r->value : -1;
}

double epa(const HourlySeries& s) {
  auto r = NowCast::compute(s, NowCast::kEpaParticulate);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r->value : -1;
}

TEST(NowCast, WeightAboveHalfIsTheWeightedMean) {
  // c1 = 20, c2 = 16, c3 = 12: w* = 12/20 = 0.6 > 1/2, so w = 0.6;
  // (20 + 0.6·16 + 0.36·12) / (1 + 0.6 + 0.36) = (20 + 9.6 + 4.32) / 1.96 = 33.92 / 1.96 = 17.306122...
  EXPECT_NEAR(vn(series({12, 16, 20})), 33.92 / 1.96, 1e-12);
  EXPECT_NEAR(epa(series({12, 16, 20})), 33.92 / 1.96, 1e-12);  // the same formula in both when w > 1/2
  auto r = NowCast::compute(series({12, 16, 20}), NowCast::kVnParticulate);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->weight, 0.6, 1e-12);
  EXPECT_EQ(r->validHours, 3);
  // Two hours: c1 = 20, c2 = 16: w = 0.8; (20 + 12.8) / 1.8 = 18.2222...
  EXPECT_NEAR(vn(series({16, 20})), 32.8 / 1.8, 1e-12);
}

TEST(NowCast, WeightAtHalfFollowsEachStandard) {
  // c1 = 20, c2 = 10, c3 = 5: w* = 5/20 = 0.25 -> w = 1/2.
  // Decision 1459: Σ (1/2)^i·c_i = 0.5·20 + 0.25·10 + 0.125·5 = 10 + 2.5 + 0.625 = 13.125.
  EXPECT_NEAR(vn(series({5, 10, 20})), 13.125, 1e-12);
  // EPA: (20 + 0.5·10 + 0.25·5) / (1 + 0.5 + 0.25) = 26.25 / 1.75 = 15.
  EXPECT_NEAR(epa(series({5, 10, 20})), 15.0, 1e-12);
  // w* exactly 1/2 takes the w = 1/2 branch: c1 = 20, c2 = 10: 0.5·20 + 0.25·10 = 12.5 (VN); 25 / 1.5 (EPA).
  EXPECT_NEAR(vn(series({10, 20})), 12.5, 1e-12);
  EXPECT_NEAR(epa(series({10, 20})), 25.0 / 1.5, 1e-12);
}

TEST(NowCast, TwelveEqualHoursAtHalfWeight) {
  // Twelve hours where c1 = 100 and c2..c12 = 40: w* = 0.4 -> w = 1/2.
  // VN: 0.5·100 + 40·Σ_{i=2..12}(1/2)^i = 50 + 40·(1/2 - 1/4096) = 50 + 20 - 0.009765625 = 69.990234375.
  HourlySeries s(11, 40.0);
  s.push_back(100.0);
  EXPECT_NEAR(vn(s), 69.990234375, 1e-9);
  // EPA: (100 + 40·Σ_{k=1..11}(1/2)^k) / Σ_{k=0..11}(1/2)^k = (100 + 40·(1 - 1/2048)) / (2 - 1/2048)
  //    = (100 + 39.98046875) / 1.99951171875 = 70.00732...
  EXPECT_NEAR(epa(s), (100 + 40 * (1 - 1.0 / 2048)) / (2 - 1.0 / 2048), 1e-9);
}

TEST(NowCast, MissingHoursAreLeftOut) {
  // c1 = 20, c2 missing, c3 = 12: w* = 0.6; (20 + 0.36·12) / (1 + 0.36) = 24.32 / 1.36 = 17.882352...
  EXPECT_NEAR(vn(series({12, kNA, 20})), 24.32 / 1.36, 1e-12);
  // At w = 1/2 the decision's sum simply drops the missing term: c1 = 20, c2 missing, c3 = 5:
  // 0.5·20 + 0.125·5 = 10.625 (EPA divides: (20 + 0.25·5) / (1 + 0.25) = 17).
  EXPECT_NEAR(vn(series({5, kNA, 20})), 10.625, 1e-12);
  EXPECT_NEAR(epa(series({5, kNA, 20})), 17.0, 1e-12);
  auto r = NowCast::compute(series({12, kNA, 20}), NowCast::kVnParticulate);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->validHours, 2);
}

TEST(NowCast, TwoOfTheThreeLatestHoursAreRequired) {
  // Only c1.
  auto only1 = NowCast::compute(series({20}), NowCast::kVnParticulate);
  ASSERT_FALSE(only1.ok());
  EXPECT_EQ(only1.error().code, "bad_request");
  EXPECT_NE(only1.error().message.find("2 of the 3 latest hours"), std::string::npos);
  // c1 present, c2 and c3 missing, older hours present: still no NowCast.
  EXPECT_FALSE(NowCast::compute(series({15, 15, 15, kNA, kNA, 20}), NowCast::kVnParticulate).ok());
  EXPECT_FALSE(NowCast::compute(series({15, kNA, kNA, 20}), NowCast::kEpaParticulate).ok());
  // c1 and c3 (c2 missing): works. c1 = 20, c3 = 15: w = 0.75; (20 + 0.5625·15) / 1.5625 = 28.4375 / 1.5625 = 18.2.
  EXPECT_NEAR(vn(series({15, kNA, 20})), 18.2, 1e-12);
  // c2 and c3 (the current hour missing): works. c2 = 20, c3 = 15: w = 0.75;
  // (0.75·20 + 0.5625·15) / (0.75 + 0.5625) = 23.4375 / 1.3125 = 17.857142...
  EXPECT_NEAR(vn(series({15, 20, kNA})), 23.4375 / 1.3125, 1e-12);
  // Nothing at all.
  EXPECT_FALSE(NowCast::compute(series({kNA, kNA, kNA}), NowCast::kVnParticulate).ok());
  EXPECT_FALSE(NowCast::compute(HourlySeries{}, NowCast::kVnParticulate).ok());
}

TEST(NowCast, OnlyTheLatestTwelveHoursCount) {
  // 13 hours: the oldest (1000) is outside the window; the twelve others are 10 -> w = 1, NowCast 10.
  HourlySeries s(12, 10.0);
  s.insert(s.begin(), 1000.0);
  EXPECT_NEAR(vn(s), 10.0, 1e-12);
  EXPECT_NEAR(epa(s), 10.0, 1e-12);
}

TEST(NowCast, AllZeroHoursGiveZero) {
  EXPECT_EQ(vn(series({0, 0, 0})), 0.0);
  EXPECT_EQ(epa(series({0, kNA, 0})), 0.0);
}

TEST(NowCast, DecisionWorkedExample) {
  // Decision 1459, 2.3.a: PM2.5 from 09:00 to 20:00. w* = 16.5 / 26.9 = 0.6134 > 1/2;
  // Σ w^(i-1)·c_i / Σ w^(i-1) = 20.2658 (computed by hand with w = 0.613383), printed 20.3 in the decision.
  const auto s = series({26.9, 24.7, 20.5, 23.5, 19.5, 16.5, 19.0, 16.5, 20.3, 22.4, 19.6, 20.6});
  auto r = NowCast::compute(s, NowCast::kVnParticulate);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->weight, 16.5 / 26.9, 1e-12);
  EXPECT_NEAR(r->value, 20.3, 0.05);
  EXPECT_NEAR(r->value, 20.2658, 1e-4);
}

TEST(NowCast, EpaOzoneHasNoMinimumWeightAndEightHours) {
  // c1 = 63, c2 = 69, c3 = 80, c4 = 74, c5 = 60, c6 missing, c7 = 35, c8 = 22 (the hours of AirNow's ozone
  // NowCast example); a ninth, older hour is outside the 8-hour window. w* = 22/80 = 0.275 is used as is (no minimum):
  // numerator 63 + 69·0.275 + 80·0.275² + 74·0.275³ + 60·0.275⁴ + 35·0.275⁶ + 22·0.275⁷,
  // denominator 1 + 0.275 + 0.275² + 0.275³ + 0.275⁴ + 0.275⁶ + 0.275⁷.
  const auto s = series({500, 22, 35, kNA, 60, 74, 80, 69, 63});
  const double w = 0.275;
  const double num = 63 + 69 * w + 80 * w * w + 74 * w * w * w + 60 * w * w * w * w + 35 * std::pow(w, 6) +
                     22 * std::pow(w, 7);
  const double den = 1 + w + w * w + w * w * w + w * w * w * w + std::pow(w, 6) + std::pow(w, 7);
  auto r = NowCast::compute(s, NowCast::kEpaOzone);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->weight, 0.275, 1e-12);
  EXPECT_NEAR(r->value, num / den, 1e-9);  // 89.925 / 1.37769 = 65.27
  EXPECT_EQ(r->validHours, 7);
  // w = 0 (an hour at 0) with the current hour missing: the limit is the latest present hour.
  auto z = NowCast::compute(series({0, 30, kNA}), NowCast::kEpaOzone);
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->value, 30.0);
}

}  // namespace
}  // namespace cityops::environment
