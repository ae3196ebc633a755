// US EPA AQI (EPA-454/B-24-002, 2024 PM2.5 breakpoints): both ends of every row of Table 6, truncation, the
// interpolation rounded to the nearest integer, the µg/m³ -> ppb/ppm conversion, the ozone and SO2 scale rules, and the
// hourly (NowCast) and daily indices. Expected values come from the table or from the hand computation beside them.
#include <gtest/gtest.h>

#include "environment/AqiTesting.hpp"
#include "environment/UsAqi.hpp"

#include <string>
#include <vector>

namespace cityops::environment {
namespace {

using Scale = UsAqi::Scale;
using testing_aqi::flat;
using testing_aqi::kNA;
using testing_aqi::series;

struct Row {
  double c;
  int aqi;
};

void expectRows(Scale scale, const char* name, const std::vector<Row>& rows) {
  for (const auto& row : rows) {
    auto r = UsAqi::subIndex(scale, row.c);
    ASSERT_TRUE(r.has_value()) << name << " at " << row.c;
    EXPECT_EQ(r->index, row.aqi) << name << " at " << row.c;
    EXPECT_FALSE(r->capped) << name << " at " << row.c;
  }
}

TEST(UsAqi, Pm25BreakpointsOf2024) {
  expectRows(Scale::Pm25, "PM2.5",
             {{0.0, 0}, {9.0, 50}, {9.1, 51}, {35.4, 100}, {35.5, 101}, {55.4, 150}, {55.5, 151}, {125.4, 200},
              {125.5, 201}, {225.4, 300}, {225.5, 301}, {325.4, 500}});
  // Above 325.4: 500, capped.
  auto above = UsAqi::subIndex(Scale::Pm25, 325.5);
  ASSERT_TRUE(above.has_value());
  EXPECT_EQ(above->index, 500);
  EXPECT_TRUE(above->capped);
}

TEST(UsAqi, Pm25TruncatesToATenth) {
  // 9.05 -> 9.0 -> 50; 35.49 -> 35.4 -> 100; 55.45 -> 55.4 -> 150.
  expectRows(Scale::Pm25, "PM2.5", {{9.05, 50}, {35.49, 100}, {55.45, 150}});
  EXPECT_DOUBLE_EQ(UsAqi::truncate(Scale::Pm25, 35.49), 35.4);
  // 20.0 -> (100 - 51)/(35.4 - 9.1)·(20.0 - 9.1) + 51 = 49·10.9/26.3 + 51 = 71.31 -> 71.
  expectRows(Scale::Pm25, "PM2.5", {{20.0, 71}});
}

TEST(UsAqi, Pm10Breakpoints) {
  expectRows(Scale::Pm10, "PM10",
             {{0, 0}, {54, 50}, {55, 51}, {154, 100}, {155, 101}, {254, 150}, {255, 151}, {354, 200}, {355, 201},
              {424, 300}, {425, 301}, {604, 500}, {54.9, 50}});  // 54.9 truncates to 54
}

TEST(UsAqi, OzoneBreakpoints) {
  expectRows(Scale::O3_8h, "O3 8-h",
             {{0.000, 0}, {0.054, 50}, {0.055, 51}, {0.070, 100}, {0.071, 101}, {0.085, 150}, {0.086, 151},
              {0.105, 200}, {0.106, 201}, {0.200, 300}, {0.0709, 100}});  // 0.0709 truncates to 0.070
  EXPECT_FALSE(UsAqi::subIndex(Scale::O3_8h, 0.201).has_value()) << "8-h O3 does not define AQI above 300";
  expectRows(Scale::O3_1h, "O3 1-h",
             {{0.125, 101}, {0.164, 150}, {0.165, 151}, {0.204, 200}, {0.205, 201}, {0.404, 300}, {0.405, 301},
              {0.604, 500}});
  EXPECT_FALSE(UsAqi::subIndex(Scale::O3_1h, 0.124).has_value()) << "1-h O3 starts at 0.125 ppm";
}

TEST(UsAqi, CarbonMonoxideSulphurDioxideNitrogenDioxideBreakpoints) {
  expectRows(Scale::Co_8h, "CO",
             {{0.0, 0}, {4.4, 50}, {4.5, 51}, {9.4, 100}, {9.5, 101}, {12.4, 150}, {12.5, 151}, {15.4, 200},
              {15.5, 201}, {30.4, 300}, {30.5, 301}, {50.4, 500}});
  expectRows(Scale::So2_1h, "SO2 1-h",
             {{0, 0}, {35, 50}, {36, 51}, {75, 100}, {76, 101}, {185, 150}, {186, 151}, {304, 200}});
  EXPECT_FALSE(UsAqi::subIndex(Scale::So2_1h, 305).has_value()) << "1-h SO2 does not define AQI above 200";
  expectRows(Scale::So2_24h, "SO2 24-h", {{305, 201}, {604, 300}, {605, 301}, {1004, 500}});
  expectRows(Scale::No2_1h, "NO2",
             {{0, 0}, {53, 50}, {54, 51}, {100, 100}, {101, 101}, {360, 150}, {361, 151}, {649, 200}, {650, 201},
              {1249, 300}, {1250, 301}, {2049, 500}});
}

TEST(UsAqi, GasesAreConvertedAt25DegreesAndOneAtmosphere) {
  // ppb = µg/m³ · 24.45 / M.
  EXPECT_NEAR(UsAqi::toEpaUnit(Pollutant::No2, 100), 100 * 24.45 / 46.01, 1e-12);          // 53.14 ppb
  EXPECT_NEAR(UsAqi::toEpaUnit(Pollutant::So2, 100), 100 * 24.45 / 64.07, 1e-12);          // 38.16 ppb
  EXPECT_NEAR(UsAqi::toEpaUnit(Pollutant::O3, 150), 150 * 24.45 / 48.00 / 1000, 1e-15);    // 0.0764 ppm
  EXPECT_NEAR(UsAqi::toEpaUnit(Pollutant::Co, 10000), 10000 * 24.45 / 28.01 / 1000, 1e-12);  // 8.729 ppm
  EXPECT_EQ(UsAqi::toEpaUnit(Pollutant::Pm25, 12.3), 12.3);
  EXPECT_EQ(UsAqi::epaUnit(Pollutant::O3), "ppm");
  EXPECT_EQ(UsAqi::epaUnit(Pollutant::No2), "ppb");

  // NO2 200 µg/m³ = 106.28 ppb -> 106 -> (150 - 101)/(360 - 101)·(106 - 101) + 101 = 101.95 -> 102.
  PollutantSeries in{{Pollutant::No2, series({200})}};
  auto r = UsAqi::hourly(in);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const SubIndex* no2 = r->find(Pollutant::No2);
  ASSERT_NE(no2, nullptr);
  EXPECT_EQ(no2->aqi, 102);
  EXPECT_EQ(no2->epaConcentration, 106.0);
  EXPECT_EQ(no2->epaUnit, "ppb");
  // SO2 100 µg/m³ = 38.16 ppb -> 38 -> 49/39·2 + 51 = 53.51 -> 54.
  auto s = UsAqi::hourly(PollutantSeries{{Pollutant::So2, series({100})}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->aqi, 54);
  // CO: 8 hours of 10000 µg/m³ = 8.729 ppm -> 8.7 -> 49/4.9·4.2 + 51 = 93.
  auto co = UsAqi::hourly(PollutantSeries{{Pollutant::Co, flat(8, 10000)}});
  ASSERT_TRUE(co.ok());
  EXPECT_EQ(co->aqi, 93);
  EXPECT_EQ(co->find(Pollutant::Co)->basis, Basis::Mean8h);
}

TEST(UsAqi, HourlyOzoneUsesTheEightHourNowCastAndRoundsHalfUp) {
  // 8 hours of 150 µg/m³: NowCast 150 = 0.0764 ppm -> 0.076 -> 49/14·5 + 101 = 118.5 -> 119; the hour itself
  // (0.076 ppm) is below the 1-hour scale.
  auto r = UsAqi::hourly(PollutantSeries{{Pollutant::O3, flat(8, 150)}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  const SubIndex* o3 = r->find(Pollutant::O3);
  ASSERT_NE(o3, nullptr);
  EXPECT_EQ(o3->aqi, 119);
  EXPECT_EQ(o3->basis, Basis::NowCast8h);
  EXPECT_DOUBLE_EQ(*o3->epaConcentration, 0.076);
}

TEST(UsAqi, HourlyOzoneAboveTheEightHourScaleUsesTheHour) {
  // Seven hours of 20 µg/m³ then 900 µg/m³: the ozone NowCast (w = 20/900, no minimum) is about 880 µg/m³ =
  // 0.448 ppm, above 0.200: no 8-h index. The hour: 900 µg/m³ = 0.4584 ppm -> 0.458 -> 199/199·53 + 301 = 354.
  HourlySeries s = flat(7, 20);
  s.push_back(900);
  auto r = UsAqi::hourly(PollutantSeries{{Pollutant::O3, s}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  const SubIndex* o3 = r->find(Pollutant::O3);
  ASSERT_NE(o3, nullptr);
  EXPECT_EQ(o3->basis, Basis::Hour);
  EXPECT_EQ(o3->aqi, 354);
  EXPECT_EQ(r->category->name.en, "Hazardous");
}

TEST(UsAqi, HourlyParticulateUsesTheEpaNowCast) {
  // PM2.5 5, 10, 20: EPA NowCast (20 + 5 + 1.25)/1.75 = 15.0 -> 49/26.3·5.9 + 51 = 61.99 -> 62.
  auto r = UsAqi::hourly(PollutantSeries{{Pollutant::Pm25, series({5, 10, 20})}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->aqi, 62);
  EXPECT_EQ(r->dominant, Pollutant::Pm25);
  EXPECT_EQ(r->category->name.en, "Moderate");
  EXPECT_NEAR(r->find(Pollutant::Pm25)->concentration, 15.0, 1e-12);
  // Only the current hour: no NowCast, and nothing else to rate.
  auto none = UsAqi::hourly(PollutantSeries{{Pollutant::Pm25, series({kNA, kNA, 20})}});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, "bad_request");
}

TEST(UsAqi, SulphurDioxideAbove304PpbNeedsTheDailyMean) {
  // One hour of 1000 µg/m³ = 381.6 ppb > 304: without a 24-hour mean the index stops at 200 (capped).
  auto h = UsAqi::hourly(PollutantSeries{{Pollutant::So2, series({1000})}});
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->aqi, 200);
  EXPECT_TRUE(h->find(Pollutant::So2)->capped);
  // A day of 1000 µg/m³: 24-hour mean 381.6 ppb -> 381 -> 99/299·76 + 201 = 226.16 -> 226.
  auto d = UsAqi::daily(PollutantSeries{{Pollutant::So2, flat(24, 1000)}});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->aqi, 226);
  EXPECT_EQ(d->find(Pollutant::So2)->basis, Basis::Mean24h);
  EXPECT_FALSE(d->find(Pollutant::So2)->capped);
}

TEST(UsAqi, DailyOzoneTakesTheLargerOfEightHourAndOneHour) {
  // Every hour 150 µg/m³: highest 8-hour mean 0.076 ppm -> 119 (the 1-hour scale does not reach 0.076).
  auto flatDay = UsAqi::daily(PollutantSeries{{Pollutant::O3, flat(24, 150)}});
  ASSERT_TRUE(flatDay.ok()) << flatDay.error().message;
  EXPECT_EQ(flatDay->find(Pollutant::O3)->basis, Basis::Max8h);
  EXPECT_EQ(flatDay->aqi, 119);
  // 23 hours of 100 µg/m³ and one of 400: highest hour 0.20375 ppm -> 0.203 -> 49/39·38 + 151 = 198.74 -> 199;
  // highest 8-hour mean (700 + 400)/8 = 137.5 µg/m³ = 0.0700 ppm -> 100. The 1-hour index wins.
  HourlySeries o3 = flat(24, 100);
  o3[15] = 400;
  auto spike = UsAqi::daily(PollutantSeries{{Pollutant::O3, o3}});
  ASSERT_TRUE(spike.ok()) << spike.error().message;
  const SubIndex* s = spike->find(Pollutant::O3);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->basis, Basis::Max1h);
  EXPECT_EQ(s->aqi, 199);
  EXPECT_EQ(spike->category->name.en, "Unhealthy");
}

TEST(UsAqi, DailyParticulateIsThe24HourMean) {
  // 24 hours of 35.5 -> 101; with 6 hours missing (18 present) still 101; with 7 missing not rated.
  auto d = UsAqi::daily(PollutantSeries{{Pollutant::Pm25, flat(24, 35.5)}, {Pollutant::Pm10, flat(24, 154)}});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->aqi, 101);
  EXPECT_EQ(d->dominant, Pollutant::Pm25);
  EXPECT_EQ(d->find(Pollutant::Pm10)->aqi, 100);
  EXPECT_EQ(d->category->name.en, "Unhealthy for Sensitive Groups");
  HourlySeries pm = flat(24, 35.5);
  for (int i = 0; i < 7; ++i) pm[i] = std::nullopt;
  auto missing = UsAqi::daily(PollutantSeries{{Pollutant::Pm25, pm}, {Pollutant::Pm10, flat(24, 154)}});
  ASSERT_TRUE(missing.ok()) << missing.error().message;
  EXPECT_EQ(missing->aqi, 100);
  ASSERT_EQ(missing->unavailable.size(), 1u);
  EXPECT_EQ(missing->unavailable[0].pollutant, Pollutant::Pm25);
}

}  // namespace
}  // namespace cityops::environment
