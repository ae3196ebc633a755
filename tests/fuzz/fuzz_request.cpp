// Fuzz target: the pieces of request handling that take untrusted text without a socket: parseTime,
// QueryParams (interval, integer, numbers, time, onlyAllow) and Geometry::fromJson.
#include <boost/json.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "FuzzCheck.hpp"
#include "api/QueryParams.hpp"
#include "common/Time.hpp"
#include "model/Geometry.hpp"
#include "model/SearchText.hpp"

namespace json = boost::json;
using cityops::api::QueryParams;

namespace {

constexpr int64_t kYear1 = -62135596800000;     // 0001-01-01T00:00:00Z
constexpr int64_t kYear9999 = 253402300799999;  // 9999-12-31T23:59:59.999Z

void checkTime(const std::string& s) {
  auto t = cityops::parseTime(s);
  if (!t.ok()) {
    FUZZ_CHECK(t.error().code == "bad_request", "parseTime: unexpected error code");
    FUZZ_CHECK(t.error().message.size() < 300, "parseTime: error message too long");
    return;
  }
  if (*t >= kYear1 && *t <= kYear9999) {
    const std::string f = cityops::formatTime(*t);
    auto back = cityops::parseTime(f);
    FUZZ_CHECK(back.ok() && *back == *t, "formatTime output does not parse back to the same time");
  }
  // RFC 3339 text (anything that is not plain digits) is limited to years 0000..9999 and offsets below a day.
  bool digits = !s.empty();
  for (char c : s) digits = digits && c >= '0' && c <= '9';
  if (!digits) FUZZ_CHECK(*t >= kYear1 - 2 * 366 * 86400000LL && *t <= kYear9999 + 86400000LL, "RFC 3339 out of range");
  else FUZZ_CHECK(*t >= 0, "negative epoch from digits");
}

void checkQuery(const std::string& s) {
  const std::map<std::string, std::string> q{{"p", s}, {s, "1"}};
  QueryParams p(q);

  auto interval = QueryParams::interval(s);
  if (interval.ok()) {
    FUZZ_CHECK(*interval >= 0 && *interval <= 100000LL * 86400000, "interval out of range");
    FUZZ_CHECK(*interval % 60000 == 0, "interval is not whole minutes");
    FUZZ_CHECK((*interval == 0) == (s == "raw"), "interval 0 only for raw");
  }
  auto n = p.integer("p", 7, -1000, 1000);
  if (n.ok()) FUZZ_CHECK(*n >= -1000 && *n <= 1000, "integer out of range");
  auto big = p.integer("p", 0, INT64_MIN, INT64_MAX);
  if (big.ok() && n.ok()) FUZZ_CHECK(*big == *n, "integer depends on its range");
  FUZZ_CHECK(p.integer("absent", 7, 0, 10).ok(), "absent integer must fall back");

  for (size_t count : {2u, 3u, 4u}) {
    auto nums = p.numbers("p", count);
    if (nums.ok()) {
      FUZZ_CHECK(nums->has_value() && (*nums)->size() == count, "numbers: wrong count");
      for (double d : **nums) FUZZ_CHECK(std::isfinite(d), "numbers: not finite");
    }
  }
  auto t = p.time("p", 5);
  auto direct = cityops::parseTime(s);
  // QueryParams::time also reads a space after the seconds as '+' (an unencoded '+' in a query string).
  if (direct.ok()) FUZZ_CHECK(t.ok() && *t == *direct, "QueryParams::time rejects or changes a valid time");
  else if (t.ok()) FUZZ_CHECK(s.size() > 19 && s.find(' ', 19) != std::string::npos, "QueryParams::time too lax");
  else FUZZ_CHECK(t.error().message.size() < 400, "QueryParams::time: message too long");
  auto text = p.text("p");
  FUZZ_CHECK(text && *text == s, "text lost the value");
  auto only = p.onlyAllow({"p", "q"});
  if (!only.ok()) FUZZ_CHECK(only.error().message.size() < 300, "onlyAllow: message too long");
}

void checkGeometry(std::string_view s) {
  json::parse_options opt;
  opt.max_depth = 32;
  boost::system::error_code ec;
  const json::value v = json::parse(s, ec, {}, opt);
  if (ec) return;
  auto g = cityops::model::Geometry::fromJson(v);
  if (!g.ok()) {
    FUZZ_CHECK(g.error().code == "bad_request", "geometry: unexpected error code");
    return;
  }
  using Kind = cityops::model::Geometry::Kind;
  FUZZ_CHECK(!g->rings.empty(), "no rings");
  if (g->kind == Kind::Point) FUZZ_CHECK(g->rings.size() == 1 && g->rings[0].size() == 1, "bad point");
  if (g->kind == Kind::LineString) FUZZ_CHECK(g->rings.size() == 1 && g->rings[0].size() >= 2, "bad line");
  for (const auto& r : g->rings) {
    if (g->kind == Kind::Polygon) FUZZ_CHECK(r.size() >= 4 && r.front() == r.back(), "bad ring");
    for (const auto& p : r) FUZZ_CHECK(p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90, "bad position");
  }
  const auto b = g->bbox();
  FUZZ_CHECK(b.minLon <= b.maxLon && b.minLat <= b.maxLat, "bbox inverted");
  auto again = cityops::model::Geometry::fromJson(g->toJson());
  FUZZ_CHECK(again.ok() && again->kind == g->kind && again->rings == g->rings, "toJson/fromJson round trip");
  const cityops::model::LonLat probe{108.474, 15.5736};
  const double d = g->distanceMetres(probe);
  FUZZ_CHECK(!std::isnan(d) && d >= 0, "distance is NaN or negative");
  if (g->containsPoint(probe)) FUZZ_CHECK(d == 0, "inside but distance is not 0");
  const auto& first = g->rings[0][0];
  FUZZ_CHECK(g->distanceMetres(first) <= 1e-6 || g->kind == Kind::Polygon, "distance to own vertex is not 0");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string s(reinterpret_cast<const char*>(data), size);
  checkTime(s);
  checkQuery(s);
  checkGeometry(s);
  // The entity search text (?q=): folding never grows the text and is idempotent.
  const std::string folded = cityops::model::SearchText::fold(s);
  FUZZ_CHECK(folded.size() <= s.size(), "search fold grew the text");
  FUZZ_CHECK(cityops::model::SearchText::fold(folded) == folded, "search fold is not idempotent");
  return 0;
}
