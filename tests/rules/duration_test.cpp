// Duration: "90s", "15m", "3h", "1d", "1h30m", "500ms" <-> milliseconds; errors; shortest formatting; round trips.
#include <gtest/gtest.h>

#include <string>

#include "rules/Duration.hpp"

namespace cityops::rules {
namespace {

constexpr int64_t kS = 1000, kM = 60 * kS, kH = 60 * kM, kD = 24 * kH;

void parsesTo(std::string_view text, int64_t ms) {
  auto d = Duration::parse(text);
  ASSERT_TRUE(d.ok()) << text << ": " << d.error().message;
  EXPECT_EQ(*d, ms) << text;
}

void fails(std::string_view text, std::string_view messagePart) {
  auto d = Duration::parse(text);
  ASSERT_FALSE(d.ok()) << text << " parsed as " << *d;
  EXPECT_EQ(d.error().code, "bad_request");
  EXPECT_NE(d.error().message.find(messagePart), std::string::npos) << d.error().message;
}

TEST(Duration, ParsesSingleUnits) {
  parsesTo("90s", 90 * kS);
  parsesTo("15m", 15 * kM);
  parsesTo("3h", 3 * kH);
  parsesTo("1d", kD);
  parsesTo("0s", 0);
  parsesTo("500ms", 500);
  parsesTo("0005m", 5 * kM);  // leading zeros are harmless
}

TEST(Duration, ParsesCombinations) {
  parsesTo("1h30m", kH + 30 * kM);
  parsesTo("1m30s", 90 * kS);
  parsesTo("1d2h3m4s", kD + 2 * kH + 3 * kM + 4 * kS);  // 93784000
  parsesTo("1d2h3m4s5ms", 93784005);
  parsesTo("2d90m", 2 * kD + 90 * kM);  // a part may exceed the next unit
}

TEST(Duration, ThirtyDaysAtMost) {
  parsesTo("30d", 30 * kD);
  parsesTo("720h", 30 * kD);
  parsesTo("2592000000ms", 30 * kD);
  fails("31d", "longer than 30 days");
  fails("721h", "longer than 30 days");
  fails("29d25h", "longer than 30 days");
  fails("2592000001ms", "longer than 30 days");
  fails("99999999999999999999999s", "longer than 30 days");  // no overflow on the way
}

TEST(Duration, Errors) {
  fails("", "is empty");
  fails("5", "has no unit");
  fails("1h30", "has no unit");
  fails("h", "expected a whole number at position 1");
  fails("1hm", "expected a whole number at position 3");
  fails("5x", "unknown unit 'x' at position 2");
  fails("5M", "unknown unit 'M'");
  fails("5 m", "unknown unit ' '");
  fails(" 5m", "expected a whole number at position 1");
  fails("5m ", "expected a whole number at position 3");
  fails("1.5h", "whole numbers");
  fails("-5m", "sign");
  fails("+5m", "sign");
  fails("1m1h", "from the largest to the smallest");
  fails("1h1h", "from the largest to the smallest");
  fails("30s5ms2s", "from the largest to the smallest");
}

TEST(Duration, ErrorNamesTheText) {
  auto d = Duration::parse("7 days");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("\"7 days\""), std::string::npos) << d.error().message;
}

TEST(Duration, FormatsTheShortestText) {
  EXPECT_EQ(Duration::format(0), "0s");
  EXPECT_EQ(Duration::format(90 * kS), "90s");  // "1m30s" is longer
  EXPECT_EQ(Duration::format(15 * kM), "15m");  // "900s" is longer
  EXPECT_EQ(Duration::format(90 * kM), "90m");  // "1h30m" is 5 characters against 3
  EXPECT_EQ(Duration::format(kH), "1h");        // "60m" is longer
  EXPECT_EQ(Duration::format(3 * kH), "3h");
  EXPECT_EQ(Duration::format(kD), "1d");        // "24h" is longer
  EXPECT_EQ(Duration::format(36 * kH), "36h");  // "1d12h" is longer
  EXPECT_EQ(Duration::format(25 * kH), "25h");  // "1d1h" is longer
  EXPECT_EQ(Duration::format(30 * kD), "30d");
  EXPECT_EQ(Duration::format(2 * kM + 5 * kS), "2m5s");  // ties with "125s": the larger starting unit wins
  EXPECT_EQ(Duration::format(kH + kS), "1h1s");  // "60m1s" and "3601s" are 5 characters, "1h1s" 4
  // 1d2h3m4s: "1d2h3m4s" 8 characters, "26h3m4s" 7, "1563m4s" 7, "93784s" 6.
  EXPECT_EQ(Duration::format(kD + 2 * kH + 3 * kM + 4 * kS), "93784s");
  EXPECT_EQ(Duration::format(1500), "1500ms");  // "1s500ms" is longer
  EXPECT_EQ(Duration::format(kS + 1), "1s1ms");     // "1001ms" is longer
  EXPECT_EQ(Duration::format(-90 * kS), "-90s");
}

TEST(Duration, FormatThenParseRoundTrips) {
  for (int64_t ms : {int64_t{0}, int64_t{1}, int64_t{999}, kS, 59 * kS, kM + 1, 90 * kM, kH + kS, 25 * kH,
                     kD + kH + kM + kS + 1, 30 * kD - 1, 30 * kD}) {
    auto back = Duration::parse(Duration::format(ms));
    ASSERT_TRUE(back.ok()) << Duration::format(ms) << ": " << back.error().message;
    EXPECT_EQ(*back, ms) << Duration::format(ms);
  }
  // Every whole number of seconds over a day and a half, in 7 s steps (odd mixes of units).
  for (int64_t ms = 0; ms <= 36 * kH; ms += 7 * kS) {
    auto back = Duration::parse(Duration::format(ms));
    ASSERT_TRUE(back.ok()) << Duration::format(ms);
    ASSERT_EQ(*back, ms) << Duration::format(ms);
  }
}

}  // namespace
}  // namespace cityops::rules
