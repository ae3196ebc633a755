// AqiCategory and SeriesStats: the category ranges, names and colours of both standards (Decision 1459 Table 1; EPA
// TAD Tables 1-2), and the statistics of an hourly series.
#include <gtest/gtest.h>

#include "environment/AqiCategory.hpp"
#include "environment/AqiTesting.hpp"
#include "environment/SeriesStats.hpp"

namespace cityops::environment {
namespace {

using testing_aqi::kNA;
using testing_aqi::series;

TEST(AqiCategory, VnRangesNamesAndColours) {
  struct Case {
    int aqi;
    int level;
    std::string_view vi, en, colour, hex;
  };
  for (const Case& c : {Case{0, 1, "Tốt", "Good", "green", "#00E400"}, Case{50, 1, "Tốt", "Good", "green", "#00E400"},
                        Case{51, 2, "Trung bình", "Moderate", "yellow", "#FFFF00"},
                        Case{100, 2, "Trung bình", "Moderate", "yellow", "#FFFF00"},
                        Case{101, 3, "Kém", "Poor", "orange", "#FF7E00"},
                        Case{150, 3, "Kém", "Poor", "orange", "#FF7E00"}, Case{151, 4, "Xấu", "Bad", "red", "#FF0000"},
                        Case{200, 4, "Xấu", "Bad", "red", "#FF0000"},
                        Case{201, 5, "Rất xấu", "Very bad", "purple", "#8F3F97"},
                        Case{300, 5, "Rất xấu", "Very bad", "purple", "#8F3F97"},
                        Case{301, 6, "Nguy hại", "Hazardous", "brown", "#7E0023"},
                        Case{500, 6, "Nguy hại", "Hazardous", "brown", "#7E0023"}}) {
    const AqiCategory& k = AqiCategory::vn(c.aqi);
    EXPECT_EQ(k.level, c.level) << c.aqi;
    EXPECT_EQ(k.name.vi, c.vi) << c.aqi;
    EXPECT_EQ(k.name.en, c.en) << c.aqi;
    EXPECT_EQ(k.colour.en, c.colour) << c.aqi;
    EXPECT_EQ(k.hex, c.hex) << c.aqi;
  }
  // RGB of Table 1.
  const AqiCategory& purple = AqiCategory::vn(250);
  EXPECT_EQ(purple.rgb.r, 143);
  EXPECT_EQ(purple.rgb.g, 63);
  EXPECT_EQ(purple.rgb.b, 151);
}

TEST(AqiCategory, UsNamesAndColours) {
  EXPECT_EQ(AqiCategory::us(50).name.en, "Good");
  EXPECT_EQ(AqiCategory::us(51).name.en, "Moderate");
  EXPECT_EQ(AqiCategory::us(101).name.en, "Unhealthy for Sensitive Groups");
  EXPECT_EQ(AqiCategory::us(151).name.en, "Unhealthy");
  EXPECT_EQ(AqiCategory::us(201).name.en, "Very Unhealthy");
  EXPECT_EQ(AqiCategory::us(301).name.en, "Hazardous");
  EXPECT_EQ(AqiCategory::us(301).colour.en, "maroon");
  EXPECT_EQ(AqiCategory::us(301).hex, "#7E0023");
}

TEST(AqiCategory, EveryCategoryHasAdviceInBothLanguages) {
  for (const auto* all : {&AqiCategory::vnAll(), &AqiCategory::usAll()}) {
    int expectedLow = 0;
    for (const auto& c : *all) {
      EXPECT_EQ(c.low, expectedLow);
      expectedLow = c.high + 1;
      for (const Texts* t : {&c.health, &c.adviceGeneral, &c.adviceSensitive}) {
        EXPECT_FALSE(t->vi.empty()) << c.name.en;
        EXPECT_FALSE(t->en.empty()) << c.name.en;
      }
    }
    EXPECT_EQ(expectedLow, 501);
  }
}

TEST(SeriesStats, MeanMaxAndRunningMeans) {
  const auto s = series({1, kNA, 3, 8});
  EXPECT_EQ(SeriesStats::validCount(s), 3);
  EXPECT_EQ(*SeriesStats::latest(s), 8);
  EXPECT_EQ(*SeriesStats::mean(s, 3), 4);
  EXPECT_FALSE(SeriesStats::mean(s, 4).has_value());
  EXPECT_EQ(*SeriesStats::max(s), 8);
  EXPECT_FALSE(SeriesStats::latest(series({1, kNA})).has_value());
  EXPECT_FALSE(SeriesStats::max(series({kNA})).has_value());
  // Windows of 2 needing 2 present: (3+8)/2 = 5.5 is the only complete one.
  EXPECT_EQ(*SeriesStats::maxRunningMean(s, 2, 2), 5.5);
  // Needing 1: the window ending at 8 alone is (3+8)/2, the one ending at index 1 is 1 -> 5.5 still.
  EXPECT_EQ(*SeriesStats::maxRunningMean(s, 2, 1), 5.5);
}

TEST(SeriesStats, DecisionEightHourExample) {
  // Decision 1459, 2.2.2.a: the day's O3 hours (01:00 .. 24:00); the highest 8-hour mean is 10:00-17:00:
  // (49.2 + 55.8 + 69.6 + 78.3 + 91.5 + 97.7 + 81.2 + 71.8)/8 = 595.1/8 = 74.3875, printed 74.4.
  const auto o3 = series({22.6, 27.1, 29.0, 31.9, 25.3, 34.7, 35.2, 41.6, 45.7, 49.2, 55.8, 69.6,
                          78.3, 91.5, 97.7, 81.2, 71.8, 43.5, 34.3, 21.5, 20.5, 19.4, 20.4, 21.3});
  EXPECT_NEAR(*SeriesStats::maxRunningMean(o3, 8, 6), 74.3875, 1e-9);
  // A window needs 6 of its 8 hours: with only 5 hours nothing qualifies.
  EXPECT_FALSE(SeriesStats::maxRunningMean(series({1, 2, 3, 4, 5}), 8, 6).has_value());
  EXPECT_NEAR(*SeriesStats::maxRunningMean(series({1, 2, 3, 4, 5, 6}), 8, 6), 3.5, 1e-12);
}

}  // namespace
}  // namespace cityops::environment
