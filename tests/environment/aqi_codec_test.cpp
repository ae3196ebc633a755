// AqiCodec: every invalid request is a bad_request naming the problem, the decoder is total (never throws on any
// JSON), and a full request round-trips and computes to the documented reply shape.
#include <gtest/gtest.h>

#include "common/JsonText.hpp"
#include "environment/AqiCodec.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <string>

namespace cityops::environment {
namespace {

namespace json = boost::json;

void rejects(std::string_view text, std::string_view messagePart) {
  auto r = AqiCodec::parseRequest(text);
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_EQ(r.error().code, "bad_request") << text;
  EXPECT_NE(r.error().message.find(messagePart), std::string::npos) << text << "\n -> " << r.error().message;
}

void rejectsValue(const json::value& v, std::string_view messagePart) {
  auto r = AqiCodec::decodeRequest(v);
  ASSERT_FALSE(r.ok()) << toJsonText(v);
  EXPECT_EQ(r.error().code, "bad_request");
  EXPECT_NE(r.error().message.find(messagePart), std::string::npos) << r.error().message;
}

std::string nulls(size_t n) {
  std::string s = "[";
  for (size_t i = 0; i < n; ++i) s += i ? ",1" : "1";
  return s + "]";
}

TEST(AqiCodec, RejectsEachInvalidRequestWithAMessageNamingIt) {
  rejects("[]", "must be a JSON object");
  rejects("42", "must be a JSON object");
  rejects("{", "not valid JSON");
  rejects(R"({"standard": "vn", "period": "hour", "hourly": {"pm25": [1]}, "extra": 1})", "unknown field 'extra'");
  rejects(R"({"period": "hour", "hourly": {"pm25": [1]}})", "standard is required");
  rejects(R"({"standard": 1, "period": "hour", "hourly": {"pm25": [1]}})", "standard must be \"vn\" or \"us\"");
  rejects(R"({"standard": "eu", "period": "hour", "hourly": {"pm25": [1]}})", "unknown standard 'eu'");
  rejects(R"({"standard": "vn", "hourly": {"pm25": [1]}})", "period is required");
  rejects(R"({"standard": "vn", "period": "week", "hourly": {"pm25": [1]}})", "unknown period 'week'");
  rejects(R"({"standard": "vn", "period": "hour"})", "hourly is required");
  rejects(R"({"standard": "vn", "period": "hour", "hourly": [1, 2]})", "hourly must be an object");
  rejects(R"({"standard": "vn", "period": "hour", "hourly": {}})", "hourly has no pollutant series");
  rejects(R"({"standard": "vn", "period": "hour", "hourly": {"pm25": [1], "pm1": [1]}})", "unknown pollutant 'pm1'");
  rejects(R"({"standard": "vn", "period": "hour", "hourly": {"pm25": "12"}})", "hourly.pm25 must be an array");
  rejects(R"({"standard": "vn", "period": "hour", "hourly": {"pm25": {"a": 1}}})", "hourly.pm25 must be an array");
  rejects(R"({"standard": "vn", "period": "hour", "hourly": {"pm25": [1, "2"]}})",
          "hourly.pm25[1] must be a number or null");
  rejects(R"({"standard": "vn", "period": "hour", "hourly": {"pm25": [1, true]}})",
          "hourly.pm25[1] must be a number or null");
  rejects(R"({"standard": "vn", "period": "hour", "hourly": {"pm25": [[1]]}})",
          "hourly.pm25[0] must be a number or null");
  rejects(R"({"standard": "vn", "period": "hour", "hourly": {"pm25": [1, 2, -0.5]}})", "hourly.pm25[2] is negative");
  rejects(R"({"standard": "vn", "period": "hour", "hourly": {"pm25": []}})", "hourly.pm25 is empty");
  rejects(R"({"standard": "vn", "period": "hour", "hourly": {"pm25": )" + nulls(25) + "}}", "at most 24");
  rejects(R"({"standard": "vn", "period": "day", "hourly": {"pm25": )" + nulls(23) + "}}", "exactly 24");
  rejects(R"({"standard": "vn", "period": "day", "hourly": {"pm25": )" + nulls(25) + "}}", "exactly 24");
  rejects(R"({"standard": "vn", "period": "hour", "hourly": {"o3": [1], "no2": [2]}})", "neither pm25 nor pm10");
  // Non-finite values can only come from a value built in code (JSON text has no Inf/NaN).
  json::value inf = {{"standard", "us"}, {"period", "hour"},
                     {"hourly", {{"pm25", json::array{1.0, std::numeric_limits<double>::infinity()}}}}};
  rejectsValue(inf, "hourly.pm25[1] must be a finite number");
  json::value nan = {{"standard", "us"}, {"period", "hour"},
                     {"hourly", {{"co", json::array{std::nan("")}}}}};
  rejectsValue(nan, "hourly.co[0] must be a finite number");
}

TEST(AqiCodec, UsWithoutParticulateIsAccepted) {
  auto r = AqiCodec::parseRequest(R"({"standard": "us", "period": "hour", "hourly": {"no2": [200]}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->standard, Standard::Us);
}

TEST(AqiCodec, ComputeReportsWhyNoIndexCouldBeFormed) {
  auto r = AqiCodec::compute(json::parse(R"({"standard": "vn", "period": "hour", "hourly": {"pm25": [null, 5]}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "bad_request");
  EXPECT_NE(r.error().message.find("pm25: the NowCast needs at least 2 of the 3 latest hours"), std::string::npos)
      << r.error().message;
}

constexpr std::string_view kFullRequest = R"({"standard": "vn", "period": "hour", "hourly": {
  "pm25": [26.9, 24.7, 20.5, 23.5, 19.5, 16.5, 19.0, 16.5, 20.3, 22.4, 19.6, 20.6],
  "pm10": [40, 42, null, 45, 44, 41, 39, 38, 40, 43, 45, 47],
  "o3": [120.5, 128.0, 136.1],
  "no2": [110.2, null, 118.7],
  "so2": [20, 21, 22],
  "co": [900, 950, 1000]}})";

TEST(AqiCodec, FullRequestRoundTrips) {
  auto r = AqiCodec::parseRequest(kFullRequest);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->standard, Standard::Vn);
  EXPECT_EQ(r->period, Period::Hour);
  ASSERT_EQ(r->hourly.size(), 6u);
  EXPECT_FALSE(r->hourly.at(Pollutant::Pm10)[2].has_value());
  EXPECT_EQ(*r->hourly.at(Pollutant::No2)[2], 118.7);
  const json::value encoded = AqiCodec::encodeRequest(*r);
  // Same text on the wire (numbers in their shortest form: 40 and 40.0 both print as 40).
  EXPECT_EQ(toJsonText(encoded), toJsonText(json::parse(kFullRequest)));
  // And through the text form once more.
  auto again = AqiCodec::parseRequest(toJsonText(encoded));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->hourly, r->hourly);
}

TEST(AqiCodec, FullRequestComputesTheDocumentedReply) {
  // The decision's hourly example plus more pollutants: PM10 NowCast ≈ 45 µg/m³ -> ≈ 45; SO2 22 -> 50·22/125 = 8.8;
  // CO 1000 -> 5; O3 136.1 -> 42.53; NO2 118.7 -> 59.35; PM2.5 40.53. AQI 59, NO2 dominant, "Trung bình".
  auto r = AqiCodec::compute(json::parse(kFullRequest));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const json::object& o = *r;
  EXPECT_EQ(o.at("standard"), "vn");
  EXPECT_EQ(o.at("period"), "hour");
  EXPECT_EQ(o.at("aqi"), 59);
  EXPECT_EQ(o.at("level"), 2);
  EXPECT_EQ(o.at("dominant"), "no2");
  EXPECT_EQ(o.at("category"), "Trung bình");
  EXPECT_EQ(o.at("category_en"), "Moderate");
  EXPECT_EQ(o.at("colour"), "yellow");
  EXPECT_EQ(o.at("colour_hex"), "#FFFF00");
  EXPECT_EQ(o.at("colour_rgb"), (json::array{255, 255, 0}));
  EXPECT_FALSE(o.at("advice").at("vi").at("general").as_string().empty());
  EXPECT_FALSE(o.at("advice").at("en").at("sensitive").as_string().empty());
  EXPECT_FALSE(o.at("health").at("en").as_string().empty());
  const json::object& subs = o.at("sub_indices").as_object();
  EXPECT_EQ(subs.size(), 6u);
  const json::object& pm = subs.at("pm25").as_object();
  EXPECT_EQ(pm.at("aqi"), 41);
  EXPECT_EQ(pm.at("basis"), "nowcast");
  EXPECT_NEAR(pm.at("nowcast").as_double(), 20.2658, 1e-4);
  EXPECT_EQ(pm.at("valid_hours"), 12);
  EXPECT_EQ(pm.at("capped"), false);
  EXPECT_EQ(pm.at("unit"), "µg/m³");
  EXPECT_NEAR(subs.at("no2").at("index").as_double(), 59.35, 1e-9);
  EXPECT_EQ(subs.at("no2").at("value_1h"), 118.7);
  EXPECT_EQ(subs.at("so2").at("aqi"), 9);  // 8.8
  EXPECT_EQ(subs.at("co").at("aqi"), 5);
  EXPECT_TRUE(o.at("unavailable").as_object().empty());
}

TEST(AqiCodec, UsReplyCarriesTheEpaConcentration) {
  auto r = AqiCodec::compute(json::parse(R"({"standard": "us", "period": "hour",
      "hourly": {"o3": [150, 150, 150, 150, 150, 150, 150, 150], "pm25": [5, 10, 20]}})"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const json::object& o = *r;
  EXPECT_EQ(o.at("aqi"), 119);
  EXPECT_EQ(o.at("dominant"), "o3");
  EXPECT_EQ(o.at("category"), "Unhealthy for Sensitive Groups");
  EXPECT_EQ(o.at("colour"), "orange");
  const json::object& o3 = o.at("sub_indices").at("o3").as_object();
  EXPECT_EQ(o3.at("basis"), "nowcast_8h");
  EXPECT_EQ(o3.at("epa_concentration"), 0.076);
  EXPECT_EQ(o3.at("epa_unit"), "ppm");
  EXPECT_EQ(o3.at("value_1h").as_double(), 150.0);
}

TEST(AqiCodec, UnavailablePollutantsAreListed) {
  auto r = AqiCodec::compute(json::parse(R"({"standard": "vn", "period": "hour",
      "hourly": {"pm25": [30, 30, 30], "pm10": [null, null, 80]}})"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const json::object& missing = r->at("unavailable").as_object();
  ASSERT_TRUE(missing.contains("pm10"));
  EXPECT_NE(std::string(missing.at("pm10").as_string()).find("2 of the 3"), std::string::npos);
  EXPECT_FALSE(r->at("sub_indices").as_object().contains("pm10"));
}

/// A random JSON value biased towards request-like shapes.
json::value randomValue(std::mt19937& rng, int depth) {
  static const char* kKeys[] = {"standard", "period", "hourly", "pm25", "pm10", "o3", "no2", "so2", "co", "x", ""};
  static const char* kStrings[] = {"vn", "us", "hour", "day", "", "pm25", "\xff"};
  std::uniform_int_distribution<int> kind(0, depth > 3 ? 4 : 7);
  switch (kind(rng)) {
    case 0: return nullptr;
    case 1: return std::uniform_int_distribution<int>(0, 1)(rng) == 1;
    case 2: return std::uniform_real_distribution<double>(-50, 2000)(rng);
    case 3: {
      static const double kOdd[] = {0, -0.0, 1e308, -1e308, 5e-324, 1e-300, 24, 600, 150000, 1e20};
      return kOdd[std::uniform_int_distribution<int>(0, 9)(rng)];
    }
    case 4: return kStrings[std::uniform_int_distribution<int>(0, 6)(rng)];
    case 5:
    case 6: {
      json::object o;
      const int n = std::uniform_int_distribution<int>(0, 6)(rng);
      for (int i = 0; i < n; ++i)
        o[kKeys[std::uniform_int_distribution<int>(0, 10)(rng)]] = randomValue(rng, depth + 1);
      return o;
    }
    default: {
      json::array a;
      const int n = std::uniform_int_distribution<int>(0, 30)(rng);
      for (int i = 0; i < n; ++i) {
        if (std::uniform_int_distribution<int>(0, 4)(rng) == 0) a.emplace_back(nullptr);
        else if (std::uniform_int_distribution<int>(0, 9)(rng) == 0) a.push_back(randomValue(rng, depth + 1));
        else a.emplace_back(std::uniform_real_distribution<double>(0, 700)(rng));
      }
      return a;
    }
  }
}

TEST(AqiCodec, DecoderAndComputeAreTotal) {
  std::mt19937 rng(1459);
  int computed = 0;
  for (int i = 0; i < 4000; ++i) {
    json::value v = randomValue(rng, 0);
    // Half of the cases get a valid frame around a random hourly object, so the series checks are reached.
    if (i % 2 == 0) {
      json::object frame{{"standard", i % 4 == 0 ? "vn" : "us"}, {"period", i % 8 < 4 ? "hour" : "day"}};
      json::object hourly;
      for (const char* p : {"pm25", "pm10", "o3", "no2", "so2", "co"})
        if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
          json::array a;
          const size_t n = i % 8 < 4 ? std::uniform_int_distribution<size_t>(1, 24)(rng) : 24;
          for (size_t k = 0; k < n; ++k) {
            if (std::uniform_int_distribution<int>(0, 5)(rng) == 0) a.emplace_back(nullptr);
            else a.emplace_back(std::uniform_real_distribution<double>(0, 1500)(rng));
          }
          hourly[p] = std::move(a);
        }
      frame["hourly"] = std::move(hourly);
      v = std::move(frame);
    }
    Result<json::object> r = Internal("not run");
    EXPECT_NO_THROW(r = AqiCodec::compute(v)) << toJsonText(v);
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, "bad_request") << toJsonText(v);
      EXPECT_FALSE(r.error().message.empty());
      continue;
    }
    ++computed;
    const auto aqi = r->at("aqi").as_int64();
    EXPECT_GE(aqi, 0);
    EXPECT_LE(aqi, 500);
    EXPECT_NO_THROW((void)toJsonText(*r));
  }
  EXPECT_GT(computed, 100);  // the generator does reach the computation
  // Text that is not JSON, nested too deep, or huge numbers.
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  const std::string_view texts[] = {"", "nul", "{\"a\":", std::string_view("\0", 1), "1e999", deep};
  for (std::string_view text : texts) {
    Result<AqiRequest> r = Internal("not run");
    EXPECT_NO_THROW(r = AqiCodec::parseRequest(text));
    EXPECT_FALSE(r.ok());
  }
}

}  // namespace
}  // namespace cityops::environment
