// VN_AQI (Decision 1459/QĐ-TCMT): every breakpoint of every column of Table 2 gives exactly its index, one
// interpolation inside every segment (worked out by hand next to it), capping above the table, the hourly and daily
// rules, and the decision's worked examples.
#include <gtest/gtest.h>

#include "environment/AqiTesting.hpp"
#include "environment/VnAqi.hpp"

#include <string>
#include <utility>
#include <vector>

namespace cityops::environment {
namespace {

using Scale = VnAqi::Scale;
using testing_aqi::flat;
using testing_aqi::kNA;
using testing_aqi::series;

struct Column {
  Scale scale;
  const char* name;
  std::vector<double> breakpoints;                  // at I = 0, 50, 100, 150, 200, 300, 400, 500
  std::vector<std::pair<double, double>> interior;  // (C, AQI_x) one inside each segment, by hand
};

const std::vector<Column>& columns() {
  static const std::vector<Column> kColumns{
      {Scale::O3_1h, "O3 1-h", {0, 160, 200, 300, 400, 800, 1000, 1200},
       {{80, 25},       // 50/160·80
        {180, 75},      // 50 + 50·(180-160)/40
        {250, 125},     // 100 + 50·50/100
        {320, 160},     // 150 + 50·20/100
        {500, 225},     // 200 + 100·100/400
        {900, 350},     // 300 + 100·100/200
        {1100, 450}}},  // 400 + 100·100/200
      {Scale::O3_8h, "O3 8-h", {0, 100, 120, 170, 210, 400},
       {{40, 20},      // 50·40/100
        {105, 62.5},   // 50 + 50·5/20
        {140, 120},    // 100 + 50·20/50
        {200, 187.5},  // 150 + 50·30/40
        {305, 250}}},  // 200 + 100·95/190
      {Scale::Co, "CO", {0, 10000, 30000, 45000, 60000, 90000, 120000, 150000},
       {{2000, 10},       // 50·2000/10000
        {15000, 62.5},    // 50 + 50·5000/20000
        {36000, 120},     // 100 + 50·6000/15000
        {57000, 190},     // 150 + 50·12000/15000
        {66000, 220},     // 200 + 100·6000/30000
        {111000, 370},    // 300 + 100·21000/30000
        {135000, 450}}},  // 400 + 100·15000/30000
      {Scale::So2, "SO2", {0, 125, 350, 550, 800, 1600, 2100, 2630},
       {{25, 10},       // 50·25/125
        {215, 70},      // 50 + 50·90/225
        {430, 120},     // 100 + 50·80/200
        {650, 170},     // 150 + 50·100/250
        {1000, 225},    // 200 + 100·200/800
        {1850, 350},    // 300 + 100·250/500
        {2365, 450}}},  // 400 + 100·265/530
      {Scale::No2, "NO2", {0, 100, 200, 700, 1200, 2350, 3100, 3850},
       {{30, 15},       // 50·30/100
        {118.7, 59.35}, // 50 + 50·18.7/100 (the decision's hourly example)
        {450, 125},     // 100 + 50·250/500
        {1000, 180},    // 150 + 50·300/500
        {1775, 250},    // 200 + 100·575/1150
        {2725, 350},    // 300 + 100·375/750
        {3400, 440}}},  // 400 + 100·300/750
      {Scale::Pm10, "PM10", {0, 50, 150, 250, 350, 420, 500, 600},
       {{20, 20},      // 50·20/50
        {110, 80},     // 50 + 50·60/100
        {200, 125},    // 100 + 50·50/100
        {270, 160},    // 150 + 50·20/100
        {385, 250},    // 200 + 100·35/70
        {440, 325},    // 300 + 100·20/80
        {575, 475}}},  // 400 + 100·75/100
      {Scale::Pm25, "PM2.5", {0, 25, 50, 80, 150, 250, 350, 500},
       {{5, 10},        // 50·5/25
        {30, 60},       // 50 + 50·5/25
        {55.7, 109.5},  // 100 + 50·5.7/30 (the decision's daily example)
        {94, 160},      // 150 + 50·14/70
        {170, 220},     // 200 + 100·20/100
        {270, 320},     // 300 + 100·20/100
        {380, 420}}},   // 400 + 100·30/150
  };
  return kColumns;
}

constexpr int kIndex[] = {0, 50, 100, 150, 200, 300, 400, 500};

TEST(VnAqi, EveryBreakpointGivesExactlyItsIndex) {
  for (const auto& col : columns()) {
    for (size_t i = 0; i < col.breakpoints.size(); ++i) {
      auto r = VnAqi::subIndex(col.scale, col.breakpoints[i]);
      ASSERT_TRUE(r.has_value()) << col.name << " at " << col.breakpoints[i];
      EXPECT_DOUBLE_EQ(r->index, kIndex[i]) << col.name << " at " << col.breakpoints[i];
      EXPECT_FALSE(r->capped) << col.name << " at " << col.breakpoints[i];
    }
  }
}

TEST(VnAqi, InterpolationInsideEverySegment) {
  for (const auto& col : columns()) {
    ASSERT_EQ(col.interior.size() + 1, col.breakpoints.size()) << col.name;
    for (size_t i = 0; i < col.interior.size(); ++i) {
      const auto [c, expected] = col.interior[i];
      ASSERT_GT(c, col.breakpoints[i]) << col.name;
      ASSERT_LT(c, col.breakpoints[i + 1]) << col.name;
      auto r = VnAqi::subIndex(col.scale, c);
      ASSERT_TRUE(r.has_value()) << col.name << " at " << c;
      EXPECT_NEAR(r->index, expected, 1e-9) << col.name << " at " << c;
    }
  }
}

TEST(VnAqi, AboveTheTableIsCappedAt500AndO3EightHourStopsAt400) {
  for (const auto& col : columns()) {
    auto r = VnAqi::subIndex(col.scale, col.breakpoints.back() + 0.1);
    if (col.scale == Scale::O3_8h) {
      EXPECT_FALSE(r.has_value()) << "O3 8-h has no breakpoints above 400 µg/m³";
      continue;
    }
    ASSERT_TRUE(r.has_value()) << col.name;
    EXPECT_EQ(r->index, 500) << col.name;
    EXPECT_TRUE(r->capped) << col.name;
  }
  EXPECT_FALSE(VnAqi::subIndex(Scale::Pm25, -0.1).has_value());
}

TEST(VnAqi, HourlyWorkedExampleOfTheDecision) {
  // Decision 1459, 2.3.b: O3 136.1, NO2 118.7 and the PM2.5 hours of example 2.3.a (NowCast 20.27, printed 20.3):
  //   AQI(O3)    = 50/160 · 136.1 = 42.53 -> 43
  //   AQI(NO2)   = 50 + 50/100 · 18.7 = 59.35 -> 59
  //   AQI(PM2.5) = 50/25 · 20.2658 = 40.53 -> 41
  // The decision prints AQI(NO2) = 60 and AQI^h = 60, but 59.35 rounds to 59; its daily example (109.5 -> 110,
  // 65.4 -> 65) only fits rounding half up, so the hourly AQI here is 59, with NO2 dominant.
  PollutantSeries in;
  in[Pollutant::Pm25] = series({26.9, 24.7, 20.5, 23.5, 19.5, 16.5, 19.0, 16.5, 20.3, 22.4, 19.6, 20.6});
  in[Pollutant::O3] = series({136.1});
  in[Pollutant::No2] = series({118.7});
  auto r = VnAqi::hourly(in);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->aqi, 59);
  EXPECT_EQ(r->dominant, Pollutant::No2);
  EXPECT_EQ(r->category->name.vi, "Trung bình");
  const SubIndex* o3 = r->find(Pollutant::O3);
  const SubIndex* no2 = r->find(Pollutant::No2);
  const SubIndex* pm = r->find(Pollutant::Pm25);
  ASSERT_TRUE(o3 && no2 && pm);
  EXPECT_NEAR(o3->index, 136.1 * 50 / 160, 1e-9);
  EXPECT_EQ(o3->aqi, 43);
  EXPECT_EQ(o3->basis, Basis::Hour);
  EXPECT_NEAR(no2->index, 59.35, 1e-9);
  EXPECT_EQ(no2->aqi, 59);
  EXPECT_EQ(pm->basis, Basis::NowCast);
  EXPECT_NEAR(pm->concentration, 20.2658, 1e-4);
  EXPECT_NEAR(pm->index, 40.5316, 1e-4);
  EXPECT_EQ(pm->aqi, 41);
  EXPECT_EQ(pm->validHours, 12);
}

TEST(VnAqi, DailyWorkedExampleOfTheDecision) {
  // Decision 1459, 2.3.c, with whole days behind its numbers: PM2.5 24-h mean 55.7 -> 109.5 -> 110 (dominant);
  // NO2 highest hour 130.8 -> 50 + 50·30.8/100 = 65.4 -> 65; O3: the decision's own 24 hours of example 2.2.2.a,
  // highest hour 97.7 -> 50/160·97.7 = 30.53, highest 8-hour mean (10:00-17:00) 595.1/8 = 74.3875 ->
  // 50/100·74.3875 = 37.19: the 8-hour index is the larger.
  PollutantSeries in;
  in[Pollutant::Pm25] = flat(24, 55.7);
  HourlySeries no2 = flat(24, 60.0);
  no2[13] = 130.8;
  in[Pollutant::No2] = no2;
  in[Pollutant::O3] = series({22.6, 27.1, 29.0, 31.9, 25.3, 34.7, 35.2, 41.6, 45.7, 49.2, 55.8, 69.6,
                              78.3, 91.5, 97.7, 81.2, 71.8, 43.5, 34.3, 21.5, 20.5, 19.4, 20.4, 21.3});
  auto r = VnAqi::daily(in);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->aqi, 110);
  EXPECT_EQ(r->dominant, Pollutant::Pm25);
  EXPECT_EQ(r->category->name.vi, "Kém");
  EXPECT_EQ(r->find(Pollutant::Pm25)->basis, Basis::Mean24h);
  EXPECT_NEAR(r->find(Pollutant::No2)->index, 65.4, 1e-9);
  EXPECT_EQ(r->find(Pollutant::No2)->aqi, 65);
  EXPECT_EQ(r->find(Pollutant::No2)->basis, Basis::Max1h);
  const SubIndex* o3 = r->find(Pollutant::O3);
  ASSERT_NE(o3, nullptr);
  EXPECT_EQ(o3->basis, Basis::Max8h);
  EXPECT_NEAR(o3->concentration, 74.3875, 1e-9);
  EXPECT_NEAR(o3->index, 37.19375, 1e-9);
  ASSERT_EQ(o3->stats.size(), 2u);  // max_1h and max_8h both reported
}

TEST(VnAqi, DailyOzoneTakesTheOneHourIndexWhenLarger) {
  // 23 hours at 40 and one at 300: highest hour 300 -> 150 (a breakpoint); highest 8-hour mean
  // (7·40 + 300)/8 = 72.5 -> 36.25. The 1-hour index wins.
  PollutantSeries in;
  in[Pollutant::Pm25] = flat(24, 10);  // 10 -> 20
  HourlySeries o3 = flat(24, 40);
  o3[14] = 300;
  in[Pollutant::O3] = o3;
  auto r = VnAqi::daily(in);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const SubIndex* s = r->find(Pollutant::O3);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->basis, Basis::Max1h);
  EXPECT_DOUBLE_EQ(s->index, 150);
  EXPECT_EQ(r->aqi, 150);
  EXPECT_EQ(r->dominant, Pollutant::O3);
}

TEST(VnAqi, DailyOzoneSkipsTheEightHourScaleAbove400) {
  // Every hour 450: the 8-hour mean 450 > 400 has no 8-h index; the 1-hour index is 200 + 100·50/400 = 212.5 -> 213.
  PollutantSeries in;
  in[Pollutant::Pm10] = flat(24, 50);  // 50 -> 50
  in[Pollutant::O3] = flat(24, 450);
  auto r = VnAqi::daily(in);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const SubIndex* s = r->find(Pollutant::O3);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->basis, Basis::Max1h);
  EXPECT_DOUBLE_EQ(s->index, 212.5);
  EXPECT_EQ(r->aqi, 213);
  EXPECT_EQ(r->category->name.vi, "Rất xấu");
}

TEST(VnAqi, DailyNeedsEighteenHours) {
  // 17 present hours: PM2.5 is not rated and, as the only PM, the VN_AQI cannot be formed.
  HourlySeries pm = flat(24, 30);
  for (int i = 0; i < 7; ++i) pm[i] = std::nullopt;
  PollutantSeries in{{Pollutant::Pm25, pm}};
  auto r = VnAqi::daily(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "bad_request");
  EXPECT_NE(r.error().message.find("only 17 of 24 hours"), std::string::npos) << r.error().message;
  // 18 present hours: the mean of those 18 (all 30) -> 50 + 50·5/25 = 60.
  pm[6] = 30;
  in[Pollutant::Pm25] = pm;
  auto ok = VnAqi::daily(in);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->aqi, 60);
  EXPECT_EQ(ok->find(Pollutant::Pm25)->validHours, 18);
}

TEST(VnAqi, HourlyListsWhatCouldNotBeRated) {
  // PM2.5 has only the current hour of the latest three (no NowCast); PM10 has three hours of 60 (w = 1, NowCast 60
  // -> 50 + 50·10/100 = 55); NO2's rated hour is missing.
  PollutantSeries in;
  in[Pollutant::Pm25] = series({kNA, kNA, 40});
  in[Pollutant::Pm10] = series({60, 60, 60});
  in[Pollutant::No2] = series({50, kNA});
  auto r = VnAqi::hourly(in);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->aqi, 55);
  EXPECT_EQ(r->dominant, Pollutant::Pm10);
  ASSERT_EQ(r->unavailable.size(), 2u);
  EXPECT_EQ(r->unavailable[0].pollutant, Pollutant::Pm25);
  EXPECT_EQ(r->unavailable[1].pollutant, Pollutant::No2);
}

TEST(VnAqi, HourlyWithoutAParticulateIndexIsABadRequest) {
  PollutantSeries in;
  in[Pollutant::Pm25] = series({40});
  in[Pollutant::O3] = series({100});
  auto r = VnAqi::hourly(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "bad_request");
  EXPECT_NE(r.error().message.find("PM2.5 or PM10"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("2 of the 3 latest hours"), std::string::npos) << r.error().message;
  auto none = VnAqi::hourly(PollutantSeries{{Pollutant::O3, series({100})}});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("PM2.5 or PM10"), std::string::npos);
}

TEST(VnAqi, CappedConcentrationGives500) {
  // PM2.5 NowCast 600 (three equal hours) is above 500 µg/m³: AQI 500, capped, "Nguy hại".
  auto r = VnAqi::hourly(PollutantSeries{{Pollutant::Pm25, flat(3, 600)}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->aqi, 500);
  EXPECT_TRUE(r->find(Pollutant::Pm25)->capped);
  EXPECT_EQ(r->category->name.vi, "Nguy hại");
  EXPECT_EQ(r->category->hex, "#7E0023");
}

TEST(VnAqi, MalformedSeriesAreBadRequests) {
  auto neg = VnAqi::hourly(PollutantSeries{{Pollutant::Pm25, series({10, -3})}});
  ASSERT_FALSE(neg.ok());
  EXPECT_NE(neg.error().message.find("hourly.pm25[1] is negative"), std::string::npos) << neg.error().message;
  auto shortDay = VnAqi::daily(PollutantSeries{{Pollutant::Pm25, flat(23, 10)}});
  ASSERT_FALSE(shortDay.ok());
  EXPECT_NE(shortDay.error().message.find("exactly 24"), std::string::npos) << shortDay.error().message;
}

}  // namespace
}  // namespace cityops::environment
