// parseTime / formatTime / daysFromCivil against hand-computed values (RFC 3339, proleptic Gregorian).
// Expected epoch values were computed independently (Python datetime), not with the code under test.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include "common/Time.hpp"

namespace cityops {
namespace {

int64_t ok(std::string_view s) {
  auto r = parseTime(s);
  EXPECT_TRUE(r.ok()) << "'" << s << "' should parse";
  return r.ok() ? *r : INT64_MIN;
}

void rejected(std::string_view s) {
  auto r = parseTime(s);
  EXPECT_FALSE(r.ok()) << "'" << s << "' should be rejected, got " << (r.ok() ? *r : 0);
  if (!r.ok()) {
    EXPECT_EQ(r.error().code, "bad_request");
  }
}

TEST(ParseTime, UtcWithZ) {
  EXPECT_EQ(ok("2025-10-29T11:00:00Z"), 1761735600000);
  EXPECT_EQ(ok("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ok("2000-03-01T00:00:00Z"), 951868800000);
  EXPECT_EQ(ok("9999-12-31T23:59:59Z"), 253402300799000);
  EXPECT_EQ(ok("1969-12-31T23:59:59Z"), -1000);
  EXPECT_EQ(ok("1900-03-01T00:00:00Z"), -2203891200000);
  EXPECT_EQ(ok("0001-01-01T00:00:00Z"), -62135596800000);
}

TEST(ParseTime, LowercaseAndSpaceSeparators) {
  // RFC 3339 §5.6 note: 't' and 'z' may be lower case; a space may replace 'T'.
  EXPECT_EQ(ok("2025-10-29t11:00:00z"), 1761735600000);
  EXPECT_EQ(ok("2025-10-29 11:00:00Z"), 1761735600000);
}

TEST(ParseTime, PositiveOffset) {
  // Hà Nội / Tam Kỳ local time (UTC+7).
  EXPECT_EQ(ok("2025-10-29T18:00:00+07:00"), 1761735600000);
  EXPECT_EQ(ok("2025-10-30T00:30:00+07:00"), 1761759000000);  // previous UTC day: 2025-10-29T17:30Z
  EXPECT_EQ(ok("1970-01-01T07:00:00+07:00"), 0);
  EXPECT_EQ(ok("2025-10-29T11:00:00+00:00"), 1761735600000);
  EXPECT_EQ(ok("2025-10-29T11:00:00-00:00"), 1761735600000);  // "unknown local offset", same instant
}

TEST(ParseTime, NegativeHalfHourOffset) {
  // Newfoundland-style -03:30: 08:30 local is 12:00 UTC.
  EXPECT_EQ(ok("2025-10-29T08:30:00-03:30"), 1761739200000);
  EXPECT_EQ(ok("1969-12-31T20:30:00-03:30"), 0);
  EXPECT_EQ(ok("2025-10-29T23:59:00+23:59"), 1761696000000);  // 2025-10-29T00:00Z
}

TEST(ParseTime, FractionalSeconds) {
  EXPECT_EQ(ok("2025-10-29T11:00:00.250Z"), 1761735600250);
  EXPECT_EQ(ok("2025-10-29T11:00:00.5Z"), 1761735600500);
  EXPECT_EQ(ok("2025-10-29T11:00:00.05Z"), 1761735600050);
  EXPECT_EQ(ok("2025-10-29T11:00:00.001Z"), 1761735600001);
  EXPECT_EQ(ok("2025-10-29T11:00:00.999Z"), 1761735600999);
  // Digits past the millisecond are truncated, not rounded (microseconds, nanoseconds).
  EXPECT_EQ(ok("2025-10-29T11:00:00.123456Z"), 1761735600123);
  EXPECT_EQ(ok("2025-10-29T11:00:00.999999999Z"), 1761735600999);
  EXPECT_EQ(ok("2025-10-29T18:00:00.250+07:00"), 1761735600250);
  rejected("2025-10-29T11:00:00.Z");           // a dot needs at least one digit
  rejected("2025-10-29T11:00:00.1234567890Z");  // more than nanoseconds
  rejected("2025-10-29T11:00:00,5Z");           // comma is ISO 8601, not RFC 3339
}

TEST(ParseTime, LeapYears) {
  EXPECT_EQ(ok("2024-02-29T00:00:00Z"), 1709164800000);
  EXPECT_EQ(ok("2000-02-29T00:00:00Z"), 951782400000);  // divisible by 400
  rejected("2023-02-29T00:00:00Z");
  rejected("1900-02-29T00:00:00Z");  // divisible by 100, not 400
  rejected("2100-02-29T00:00:00Z");
  rejected("2024-02-30T00:00:00Z");
}

TEST(ParseTime, LeapSecondIsClamped) {
  // 23:59:60 is allowed by RFC 3339; epoch time has no slot for it, so it maps to :59.
  EXPECT_EQ(ok("2016-12-31T23:59:60Z"), 1483228799000);
}

TEST(ParseTime, EpochMillisecondDigits) {
  EXPECT_EQ(ok("0"), 0);
  EXPECT_EQ(ok("1761735600000"), 1761735600000);
  EXPECT_EQ(ok("0001761735600000"), 1761735600000);  // leading zeros
  EXPECT_EQ(ok("999999999999999999"), 999999999999999999);  // 18 digits is the limit
  rejected("9999999999999999999");  // 19 digits
  rejected("-1000");                // negative epoch ms is not accepted as text
  rejected("+1000");
  rejected("1761735600000 ");
  rejected(" 1761735600000");
  rejected("1.5");
  rejected("1e3");
}

TEST(ParseTime, OutOfRangeFields) {
  rejected("2025-13-01T00:00:00Z");
  rejected("2025-00-01T00:00:00Z");
  rejected("2025-01-00T00:00:00Z");
  rejected("2025-01-32T00:00:00Z");
  rejected("2025-04-31T00:00:00Z");
  rejected("2025-06-31T00:00:00Z");
  rejected("2025-10-29T24:00:00Z");
  rejected("2025-10-29T23:60:00Z");
  rejected("2025-10-29T23:59:61Z");
  rejected("2025-10-29T11:00:00+24:00");
  rejected("2025-10-29T11:00:00+07:60");
}

TEST(ParseTime, Garbage) {
  for (const char* s : {"", " ", "now", "yesterday", "2025-10-29", "2025-10-29T11:00", "2025-10-29T11:00Z",
                        "2025-10-29T11:00:00",        // no offset
                        "2025-10-29T11:00:00+07",     // offset without minutes
                        "2025-10-29T11:00:00+0700",   // basic format offset
                        "2025-10-29T11:00:00+7:00",   // one-digit hour
                        "2025-10-29T11:00:00ZZ", "2025-10-29T11:00:00Z ", "2025-10-29T11:00:00+07:00:00",
                        "2025/10/29T11:00:00Z", "2025-10-29X11:00:00Z", "25-10-29T11:00:00Z", "2025-1-29T11:00:00Z",
                        "２０２５-10-29T11:00:00Z", "-2025-10-29T11:00:00Z",
                        "12025-10-29T11:00:00Z", "2025-10-29T1a:00:00Z", "abcd-ef-ghTij:kl:mnZ"}) {
    rejected(s);
  }
  rejected(std::string_view("2025-10-29T11:00:00Z\0", 21));  // embedded NUL after a valid time
}

TEST(ParseTime, ErrorMessageShowsTheText) {
  auto r = parseTime("soon");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("'soon'"), std::string::npos);
  // Long garbage is cut in the message.
  auto r2 = parseTime(std::string(1000, 'x'));
  ASSERT_FALSE(r2.ok());
  EXPECT_LT(r2.error().message.size(), 300u);
}

TEST(FormatTime, KnownValues) {
  EXPECT_EQ(formatTime(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(formatTime(1761735600000), "2025-10-29T11:00:00.000Z");
  EXPECT_EQ(formatTime(1761735600250), "2025-10-29T11:00:00.250Z");
  EXPECT_EQ(formatTime(1709164800123), "2024-02-29T00:00:00.123Z");
  EXPECT_EQ(formatTime(951868800000), "2000-03-01T00:00:00.000Z");
  EXPECT_EQ(formatTime(253402300799999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(formatTime(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(formatTime(-1000), "1969-12-31T23:59:59.000Z");
  EXPECT_EQ(formatTime(-86400000), "1969-12-31T00:00:00.000Z");
  EXPECT_EQ(formatTime(-86400001), "1969-12-30T23:59:59.999Z");
  EXPECT_EQ(formatTime(-2203891200000), "1900-03-01T00:00:00.000Z");
  EXPECT_EQ(formatTime(-62135596800000), "0001-01-01T00:00:00.000Z");
}

TEST(FormatTime, RoundTripsThroughParseTime) {
  std::mt19937_64 rng(20251029);
  std::uniform_int_distribution<int64_t> any(-62135596800000, 253402300799999);  // years 0001..9999
  for (int i = 0; i < 20000; ++i) {
    const int64_t t = i < 10000 ? any(rng) : 1761735600000 + any(rng) % 100000000;
    const std::string s = formatTime(t);
    ASSERT_EQ(s.size(), 24u) << s;
    auto back = parseTime(s);
    ASSERT_TRUE(back.ok()) << s;
    ASSERT_EQ(*back, t) << s;
  }
}

TEST(FormatTime, DayBoundaries) {
  // Every day boundary of 2024 (a leap year) formats to midnight and parses back.
  const int64_t start = 1704067200000;  // 2024-01-01T00:00:00Z
  for (int d = 0; d <= 366; ++d) {
    const int64_t t = start + int64_t{d} * 86400000;
    const std::string s = formatTime(t);
    EXPECT_EQ(s.substr(10), "T00:00:00.000Z") << s;
    EXPECT_EQ(formatTime(t - 1).substr(10), "T23:59:59.999Z");
    EXPECT_EQ(*parseTime(s), t);
  }
  EXPECT_EQ(formatTime(start + 59LL * 86400000), "2024-02-29T00:00:00.000Z");
  EXPECT_EQ(formatTime(start + 366LL * 86400000), "2025-01-01T00:00:00.000Z");
}

TEST(DaysFromCivil, KnownValues) {
  EXPECT_EQ(daysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(daysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(daysFromCivil(2000, 1, 1), 10957);
  EXPECT_EQ(daysFromCivil(2024, 2, 29), 19782);
  EXPECT_EQ(daysFromCivil(2024, 3, 1), 19783);
  EXPECT_EQ(daysFromCivil(2100, 3, 1), 47541);
  EXPECT_EQ(daysFromCivil(1600, 3, 1), -135080);
  EXPECT_EQ(daysFromCivil(1, 1, 1), -719162);
  EXPECT_EQ(daysFromCivil(9999, 12, 31), 2932896);
}

TEST(DaysFromCivil, ConsecutiveDays) {
  // Walks 1899..2101 day by day with an independent month-length table.
  auto leap = [](int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; };
  const unsigned len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int64_t expected = daysFromCivil(1899, 1, 1);
  EXPECT_EQ(expected, -25932);
  for (int64_t y = 1899; y <= 2101; ++y)
    for (unsigned m = 1; m <= 12; ++m) {
      const unsigned n = len[m - 1] + (m == 2 && leap(y) ? 1 : 0);
      for (unsigned d = 1; d <= n; ++d) {
        ASSERT_EQ(daysFromCivil(y, m, d), expected) << y << "-" << m << "-" << d;
        ++expected;
      }
    }
}

}  // namespace
}  // namespace cityops
