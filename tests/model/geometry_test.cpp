// GeoJSON (RFC 7946) Point / LineString / Polygon: validation, [lon, lat] order, distances and point-in-polygon.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

#include "model/Geometry.hpp"

namespace cityops::model {
namespace {

namespace json = boost::json;

Result<Geometry> geo(std::string_view text) { return Geometry::fromJson(json::parse(text)); }

void bad(std::string_view text, std::string_view messagePart = {}) {
  auto g = geo(text);
  ASSERT_FALSE(g.ok()) << text;
  EXPECT_EQ(g.error().code, "bad_request");
  if (!messagePart.empty()) {
    EXPECT_NE(g.error().message.find(messagePart), std::string::npos) << g.error().message;
  }
}

// Tam Kỳ centre and Hội An, [lon, lat].
constexpr LonLat kTamKy{108.4740, 15.5736};
constexpr LonLat kHoiAn{108.335, 15.877};

TEST(Geometry, Point) {
  auto g = geo(R"({"type":"Point","coordinates":[108.474,15.5736]})");
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(g->kind, Geometry::Kind::Point);
  ASSERT_EQ(g->rings.size(), 1u);
  ASSERT_EQ(g->rings[0].size(), 1u);
  EXPECT_EQ(g->rings[0][0][0], 108.474);  // lon first
  EXPECT_EQ(g->rings[0][0][1], 15.5736);
}

TEST(Geometry, PointWithAltitudeAndIntegers) {
  auto g = geo(R"({"type":"Point","coordinates":[108,15,12.5]})");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->rings[0][0], (LonLat{108, 15}));
  EXPECT_TRUE(geo(R"({"type":"Point","coordinates":[180,90]})").ok());
  EXPECT_TRUE(geo(R"({"type":"Point","coordinates":[-180,-90]})").ok());
  EXPECT_TRUE(geo(R"({"type":"Point","coordinates":[0,0]})").ok());
}

TEST(Geometry, PointErrors) {
  bad(R"({"type":"Point","coordinates":[108.474]})", "[lon, lat]");
  bad(R"({"type":"Point","coordinates":[1,2,3,4]})", "[lon, lat]");
  bad(R"({"type":"Point","coordinates":[]})");
  bad(R"({"type":"Point","coordinates":"108.474,15.5736"})");
  bad(R"({"type":"Point","coordinates":{"lon":108,"lat":15}})");
  bad(R"({"type":"Point","coordinates":["108.474","15.5736"]})", "numbers");
  bad(R"({"type":"Point","coordinates":[null,1]})", "numbers");
  bad(R"({"type":"Point","coordinates":[[108,15]]})");
  bad(R"({"type":"Point"})", "coordinates is missing");
}

TEST(Geometry, LonLatOrderAndRange) {
  // [lat, lon] by mistake: 108.474 is not a valid latitude.
  bad(R"({"type":"Point","coordinates":[15.5736,108.474]})", "[lon, lat]");
  bad(R"({"type":"Point","coordinates":[180.0001,0]})", "WGS84");
  bad(R"({"type":"Point","coordinates":[-180.0001,0]})", "WGS84");
  bad(R"({"type":"Point","coordinates":[0,90.0001]})", "WGS84");
  bad(R"({"type":"Point","coordinates":[0,-90.0001]})", "WGS84");
  bad(R"({"type":"Point","coordinates":[1e999,0]})", "WGS84");   // parses as infinity
  bad(R"({"type":"Point","coordinates":[0,-1e999]})", "WGS84");
  bad(R"({"type":"Point","coordinates":[18446744073709551615,0]})", "WGS84");
}

TEST(Geometry, TypeErrors) {
  bad(R"({"type":"MultiPoint","coordinates":[[1,2]]})", "geometry.type");
  bad(R"({"type":"point","coordinates":[1,2]})", "geometry.type");  // GeoJSON type names are case-sensitive
  bad(R"({"type":1,"coordinates":[1,2]})", "geometry.type");
  bad(R"({"coordinates":[1,2]})", "geometry.type");
  bad(R"([108.474,15.5736])", "GeoJSON object");
  bad(R"x("POINT(108.474 15.5736)")x", "GeoJSON object");
  bad("null", "GeoJSON object");
}

TEST(Geometry, LineString) {
  auto g = geo(R"({"type":"LineString","coordinates":[[108.474,15.5736],[108.335,15.877]]})");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->kind, Geometry::Kind::LineString);
  ASSERT_EQ(g->rings.size(), 1u);
  EXPECT_EQ(g->rings[0].size(), 2u);
  bad(R"({"type":"LineString","coordinates":[[108.474,15.5736]]})", "at least 2");
  bad(R"({"type":"LineString","coordinates":[]})", "at least 2");
  bad(R"({"type":"LineString","coordinates":[108.474,15.5736]})");
  bad(R"({"type":"LineString","coordinates":[[108.474,15.5736],[15.877,108.335]]})", "coordinates[1]");
}

TEST(Geometry, Polygon) {
  auto g = geo(R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],
                                                   [[4,4],[6,4],[6,6],[4,6],[4,4]]]})");
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(g->kind, Geometry::Kind::Polygon);
  EXPECT_EQ(g->rings.size(), 2u);
  // A triangle is the smallest ring: 4 positions, first == last.
  EXPECT_TRUE(geo(R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[0,1],[0,0]]]})").ok());
}

TEST(Geometry, PolygonErrors) {
  bad(R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[0,1],[0,0.5]]]})", "not closed");
  bad(R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6]]]})",
      "coordinates[1] is not closed");
  bad(R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]})", "at least 4");
  bad(R"({"type":"Polygon","coordinates":[]})", "non-empty");
  bad(R"({"type":"Polygon","coordinates":[[0,0],[1,0],[0,1],[0,0]]})");  // missing one level of nesting
  bad(R"({"type":"Polygon","coordinates":{}})", "non-empty");
  bad(R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[0,91],[0,0]]]})", "WGS84");
}

TEST(Geometry, TooManyPositions) {
  std::string coords = "[";
  for (int i = 0; i <= 100000; ++i) coords += (i ? ",[" : "[") + std::to_string(i % 180) + ",0]";
  coords += "]";
  bad(R"({"type":"LineString","coordinates":)" + coords + "}", "too many");
}

TEST(Geometry, ToJsonRoundTrip) {
  for (const char* text : {R"({"type":"Point","coordinates":[108.474,15.5736]})",
                           R"({"type":"LineString","coordinates":[[108.474,15.5736],[108.335,15.877]]})",
                           R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]})"}) {
    auto g = geo(text);
    ASSERT_TRUE(g.ok());
    const json::value out = g->toJson();
    EXPECT_EQ(out.at("type"), json::parse(text).at("type"));
    auto again = Geometry::fromJson(out);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->kind, g->kind);
    EXPECT_EQ(again->rings, g->rings);
  }
}

TEST(Geometry, BBox) {
  auto g = geo(R"({"type":"LineString","coordinates":[[108.474,15.5736],[108.335,15.877],[108.4,15.7]]})");
  ASSERT_TRUE(g.ok());
  const BBox b = g->bbox();
  EXPECT_EQ(b.minLon, 108.335);
  EXPECT_EQ(b.maxLon, 108.474);
  EXPECT_EQ(b.minLat, 15.5736);
  EXPECT_EQ(b.maxLat, 15.877);
  EXPECT_TRUE(b.intersects(BBox{108.4, 15.6, 108.41, 15.61}));
  EXPECT_TRUE(b.intersects(BBox{108.474, 15.877, 109, 16}));  // touching corners intersect
  EXPECT_FALSE(b.intersects(BBox{108.5, 15.0, 109, 16}));
  auto p = geo(R"({"type":"Point","coordinates":[108.474,15.5736]})");
  const BBox pb = p->bbox();
  EXPECT_EQ(pb.minLon, pb.maxLon);
  EXPECT_EQ(pb.minLat, pb.maxLat);
}

TEST(Haversine, TamKyToHoiAn) {
  const double d = haversineMetres(kTamKy, kHoiAn);
  // Independently: haversine on a sphere of radius 6 371 008.8 m gives 36 871.4 m (Python, math module);
  // Vincenty on the WGS84 ellipsoid gives 36 730.0 m. Both within 0.5%.
  EXPECT_NEAR(d, 36871.4, 36871.4 * 0.005);
  EXPECT_NEAR(d, 36730.0, 36730.0 * 0.005);
  EXPECT_DOUBLE_EQ(haversineMetres(kHoiAn, kTamKy), d);
}

TEST(Haversine, KnownDistances) {
  EXPECT_EQ(haversineMetres(kTamKy, kTamKy), 0);
  EXPECT_NEAR(haversineMetres({0, 0}, {0, 1}), 111195.08, 0.5);  // one degree of latitude on the mean sphere
  EXPECT_NEAR(haversineMetres({0, 0}, {1, 0}), 111195.08, 0.5);  // one degree of longitude at the equator
  EXPECT_NEAR(haversineMetres({0, 60}, {1, 60}), 55597.5, 60);  // half as long at 60° (cos 60° = 0.5)
  EXPECT_NEAR(haversineMetres({0, 0}, {180, 0}), 20015114.4, 1);  // antipodes: pi * R
  EXPECT_NEAR(haversineMetres({179.5, 0}, {-179.5, 0}), 111195.08, 0.5);  // across the antimeridian
}

TEST(Geometry, ContainsPointWithHole) {
  auto g = geo(R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],
                                                   [[4,4],[6,4],[6,6],[4,6],[4,4]]]})");
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(g->containsPoint({2, 2}));
  EXPECT_TRUE(g->containsPoint({9.9, 0.1}));
  EXPECT_TRUE(g->containsPoint({5, 3.9}));   // just below the hole
  EXPECT_FALSE(g->containsPoint({5, 5}));    // in the hole
  EXPECT_FALSE(g->containsPoint({4.1, 5.9}));
  EXPECT_FALSE(g->containsPoint({11, 5}));
  EXPECT_FALSE(g->containsPoint({-1, 5}));
  EXPECT_FALSE(g->containsPoint({5, -0.1}));
  EXPECT_FALSE(g->containsPoint({5, 10.1}));
  // Distance: 0 inside, to the nearest edge of the hole from inside the hole.
  EXPECT_EQ(g->distanceMetres({2, 2}), 0);
  // (5, 4.5) is 0.5° of latitude from the hole's lower edge: 0.5 * 111 195 m.
  EXPECT_NEAR(g->distanceMetres({5, 4.5}), 55597.5, 55597.5 * 0.01);
  // (12, 5) is 2° of longitude east of the outer edge at latitude 5: 2 * cos(5°) * 111 195 m = 221 544 m.
  EXPECT_NEAR(g->distanceMetres({12, 5}), 221544, 221544 * 0.01);
}

TEST(Geometry, ContainsPointIsPolygonOnly) {
  auto line = geo(R"({"type":"LineString","coordinates":[[0,0],[10,0],[10,10],[0,10],[0,0]]})");
  ASSERT_TRUE(line.ok());
  EXPECT_FALSE(line->containsPoint({5, 5}));
  auto pt = geo(R"({"type":"Point","coordinates":[5,5]})");
  EXPECT_FALSE(pt->containsPoint({5, 5}));
}

TEST(Geometry, DistanceToPointAndLine) {
  auto pt = geo(R"({"type":"Point","coordinates":[108.335,15.877]})");
  EXPECT_NEAR(pt->distanceMetres(kTamKy), 36871.4, 36871.4 * 0.005);
  // A north-south street at lon 108.47 from lat 15.5 to 15.6; Tam Kỳ centre lies 0.004° east of it.
  auto line = geo(R"({"type":"LineString","coordinates":[[108.47,15.5],[108.47,15.6]]})");
  const double expected = 0.004 * 111195.08 * 0.963286;  // cos(15.5736°) = 0.963286
  EXPECT_NEAR(line->distanceMetres(kTamKy), expected, expected * 0.01);
  // Beyond the end of the segment the nearest point is the end point.
  EXPECT_NEAR(line->distanceMetres({108.47, 15.7}), 0.1 * 111195.08, 0.1 * 111195.08 * 0.01);
}

}  // namespace
}  // namespace cityops::model
