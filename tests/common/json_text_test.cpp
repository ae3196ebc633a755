// toJsonText: RFC 8259 text with shortest round-trip numbers; its output must parse back to the same value.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "common/JsonText.hpp"

namespace cityops {
namespace {

namespace json = boost::json;

std::string text(const json::value& v) { return toJsonText(v); }

TEST(JsonText, Scalars) {
  EXPECT_EQ(text(nullptr), "null");
  EXPECT_EQ(text(true), "true");
  EXPECT_EQ(text(false), "false");
  EXPECT_EQ(text(json::value(int64_t{0})), "0");
  EXPECT_EQ(text(json::value(int64_t{-5})), "-5");
  EXPECT_EQ(text(json::value(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
  EXPECT_EQ(text(json::value(std::numeric_limits<int64_t>::max())), "9223372036854775807");
  EXPECT_EQ(text(json::value(std::numeric_limits<uint64_t>::max())), "18446744073709551615");
}

TEST(JsonText, DoublesInShortestPlainForm) {
  EXPECT_EQ(text(1.7), "1.7");  // Boost 1.81 serialize gives "1.7E0"
  EXPECT_EQ(text(108.474), "108.474");
  EXPECT_EQ(text(15.5736), "15.5736");
  EXPECT_EQ(text(-0.5), "-0.5");
  EXPECT_EQ(text(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(text(1e-7), "1e-07");
  EXPECT_EQ(text(1e21), "1e+21");
  EXPECT_EQ(text(1.5e300), "1.5e+300");
  EXPECT_EQ(text(5e-324), "5e-324");                        // smallest subnormal
  EXPECT_EQ(text(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(text(2.0), "2");
  EXPECT_EQ(text(-0.0), "-0");
}

TEST(JsonText, NonFiniteBecomesNull) {
  EXPECT_EQ(text(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(text(-std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(text(std::numeric_limits<double>::quiet_NaN()), "null");
}

TEST(JsonText, StringEscapes) {
  EXPECT_EQ(text("plain"), "\"plain\"");
  EXPECT_EQ(text(""), "\"\"");
  EXPECT_EQ(text("say \"hi\""), R"("say \"hi\"")");
  EXPECT_EQ(text("C:\\path"), R"("C:\\path")");
  EXPECT_EQ(text("a\nb\rc\td"), R"("a\nb\rc\td")");
  EXPECT_EQ(text("\b\f"), R"("\b\f")");
  EXPECT_EQ(text("a/b"), "\"a/b\"");  // solidus need not be escaped
}

TEST(JsonText, ControlCharactersUseUnicodeEscapes) {
  EXPECT_EQ(text(json::string_view("\x01", 1)), R"("\u0001")");
  EXPECT_EQ(text(json::string_view("\x1f", 1)), R"("\u001f")");
  EXPECT_EQ(text(json::string_view("\x0b", 1)), R"("\u000b")");
  EXPECT_EQ(text(json::string_view("a\0b", 3)), R"("a\u0000b")");
  EXPECT_EQ(text(json::string_view("\x7f", 1)), "\"\x7f\"");  // DEL is not a control character in JSON
  // Every code unit below 0x20 is escaped: the output has no raw control character.
  std::string all;
  for (int c = 0; c < 0x20; ++c) all.push_back(static_cast<char>(c));
  const std::string out = text(json::string_view(all.data(), all.size()));
  for (char c : out) EXPECT_GE(static_cast<unsigned char>(c), 0x20);
}

TEST(JsonText, Utf8PassesThrough) {
  EXPECT_EQ(text("Hội An"), "\"Hội An\"");
  EXPECT_EQ(text("Tam Kỳ – 🌊"), "\"Tam Kỳ – 🌊\"");
}

TEST(JsonText, Nested) {
  json::object o;
  o["a"] = json::array{1, json::object{{"b", nullptr}}};
  o["c"] = true;
  o["d"] = json::object{};
  o["e"] = json::array{};
  o["k\"ey"] = 1.25;
  EXPECT_EQ(text(o), R"({"a":[1,{"b":null}],"c":true,"d":{},"e":[],"k\"ey":1.25})");
  // Built with push_back: a braced json::array{json::array{...}} copies instead of nesting on some compilers.
  json::array inner, middle, outer;
  middle.push_back(inner);
  outer.push_back(middle);
  EXPECT_EQ(text(outer), "[[[]]]");
}

TEST(JsonText, AppendAppends) {
  std::string out = "x=";
  appendJsonText(out, json::array{1, 2.5, "s"});
  EXPECT_EQ(out, R"(x=[1,2.5,"s"])");
}

// Structural equality where numbers compare by value: "2" (from the double 2.0) parses back as an integer.
// Boost 1.81's JSON parser is not correctly rounded for every input (e.g. "-1.2209525843736693e+290" parses
// 2 ULP away), so doubles may differ by a few ULP; DoublesRoundTripBitExact checks the text itself exactly.
bool closeDoubles(double x, double y) {
  if (x == y) return true;
  if (std::signbit(x) != std::signbit(y)) return false;
  int64_t ix, iy;
  std::memcpy(&ix, &x, sizeof x);
  std::memcpy(&iy, &y, sizeof y);
  return std::llabs(ix - iy) <= 4;
}

bool sameJson(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_double() && b.is_double()) return closeDoubles(a.get_double(), b.get_double());
    if (a.kind() == b.kind()) return a == b;
    if (a.is_double() || b.is_double()) {
      const double x = a.is_double() ? a.get_double() : b.is_double() ? b.get_double() : 0;
      const json::value& other = a.is_double() ? b : a;
      const double y = other.is_int64() ? static_cast<double>(other.get_int64()) : static_cast<double>(other.get_uint64());
      return x == y;
    }
    return a == b;  // int64 vs uint64: Boost compares by value
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto &x = a.get_array(), &y = b.get_array();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!sameJson(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object()) {
    const auto &x = a.get_object(), &y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& kv : x) {
      const auto* other = y.if_contains(kv.key());
      if (!other || !sameJson(kv.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

TEST(JsonText, FixedDocumentParsesBack) {
  const char* doc = R"({"id":"tk-wl-01","name":"Tam Kỳ \"river\"\n","geometry":{"type":"Point","coordinates":[108.474,15.5736]},
    "attributes":{"levels":[0.5,1.7,2.25e-9,-3e300],"ok":true,"none":null,"big":18446744073709551615,"neg":-9223372036854775808},
    "tags":["flood","river"],"esc":"\u0001\u001f\t\\/"})";
  const json::value v = json::parse(doc);
  const std::string out = toJsonText(v);
  const json::value back = json::parse(out);
  EXPECT_EQ(back, v) << out;  // no integral doubles here, so even the kinds match
  EXPECT_EQ(toJsonText(back), out);
}

json::value randomValue(std::mt19937_64& rng, int depth) {
  std::uniform_int_distribution<int> kind(0, depth > 4 ? 5 : 7);
  switch (kind(rng)) {
    case 0: return nullptr;
    case 1: return rng() % 2 == 0;
    case 2: return static_cast<int64_t>(rng());
    case 3: return static_cast<uint64_t>(rng()) | (uint64_t{1} << 63);
    case 4: {
      double d;
      do {
        const uint64_t bits = rng();
        std::memcpy(&d, &bits, sizeof d);
      } while (!std::isfinite(d));
      if (rng() % 3 == 0) d = static_cast<double>(static_cast<int32_t>(rng())) / 1000.0;  // readings like 1.725
      return d;
    }
    case 5: {
      std::string s;
      const size_t n = rng() % 12;
      for (size_t i = 0; i < n; ++i) {
        const char pool[] = "aZ09 \"\\/\n\r\t\b\f\x01\x1f\x7f";
        s.push_back(pool[rng() % (sizeof pool - 1)]);
      }
      if (rng() % 4 == 0) s += "Hội An 🌊";
      return json::value(json::string(s));
    }
    case 6: {
      json::array a;
      const size_t n = rng() % 5;
      for (size_t i = 0; i < n; ++i) a.push_back(randomValue(rng, depth + 1));
      return a;
    }
    default: {
      json::object o;
      const size_t n = rng() % 5;
      for (size_t i = 0; i < n; ++i) o[std::string("k\t") + std::to_string(rng() % 100)] = randomValue(rng, depth + 1);
      return o;
    }
  }
}

TEST(JsonText, RandomValuesParseBack) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 3000; ++i) {
    const json::value v = randomValue(rng, 0);
    const std::string out = toJsonText(v);
    boost::system::error_code ec;
    const json::value back = json::parse(out, ec);
    ASSERT_FALSE(ec) << ec.message() << " in " << out;
    ASSERT_TRUE(sameJson(v, back)) << out << "\nparsed back as\n" << json::serialize(back);
  }
}

TEST(JsonText, DoublesRoundTripBitExact) {
  // Shortest form must still identify the double exactly (checked with std::from_chars, which is exact).
  std::mt19937_64 rng(11);
  for (int i = 0; i < 20000; ++i) {
    double d;
    const uint64_t bits = rng();
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isfinite(d)) continue;
    const std::string out = toJsonText(d);
    double back = 0;
    auto [p, ec] = std::from_chars(out.data(), out.data() + out.size(), back);
    ASSERT_EQ(ec, std::errc()) << out;
    ASSERT_EQ(p, out.data() + out.size()) << out;
    ASSERT_EQ(std::memcmp(&back, &d, sizeof d), 0) << out;
  }
}

}  // namespace
}  // namespace cityops
