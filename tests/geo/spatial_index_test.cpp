// SpatialIndex against brute force: random boxes with a fixed seed; around() against haversine.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "geo/SpatialIndex.hpp"
#include "model/Geometry.hpp"

namespace cityops::geo {
namespace {

using model::BBox;
using model::LonLat;

// Independent of BBox::intersects: closed intervals overlap on both axes.
bool overlaps(const BBox& a, const BBox& b) {
  return !(a.maxLon < b.minLon || b.maxLon < a.minLon || a.maxLat < b.minLat || b.maxLat < a.minLat);
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

BBox randomBox(std::mt19937_64& rng, double maxSize) {
  // Around Tam Kỳ / Quảng Nam, with some zero-size boxes (points).
  std::uniform_real_distribution<double> lon(107.5, 109.0), lat(15.0, 16.2), size(0.0, maxSize);
  const double x = lon(rng), y = lat(rng);
  if (rng() % 4 == 0) return {x, y, x, y};
  return {x, y, x + size(rng), y + size(rng)};
}

TEST(SpatialIndex, EmptyIndex) {
  SpatialIndex idx;
  EXPECT_EQ(idx.size(), 0u);
  EXPECT_TRUE(idx.query({-180, -90, 180, 90}).empty());
  idx.remove("nothing", {0, 0, 1, 1});  // removing what is not there is harmless
  EXPECT_EQ(idx.size(), 0u);
}

TEST(SpatialIndex, InsertQueryRemove) {
  SpatialIndex idx;
  idx.insert("tamky", {108.474, 15.5736, 108.474, 15.5736});
  idx.insert("hoian", {108.335, 15.877, 108.335, 15.877});
  idx.insert("river", {108.40, 15.50, 108.50, 15.60});
  EXPECT_EQ(idx.size(), 3u);
  EXPECT_EQ(sorted(idx.query({108.3, 15.5, 108.5, 15.9})), (std::vector<std::string>{"hoian", "river", "tamky"}));
  EXPECT_EQ(sorted(idx.query({108.47, 15.57, 108.48, 15.58})), (std::vector<std::string>{"river", "tamky"}));
  EXPECT_EQ(idx.query({108.335, 15.877, 108.335, 15.877}), (std::vector<std::string>{"hoian"}));  // exact point
  EXPECT_TRUE(idx.query({0, 0, 1, 1}).empty());
  idx.remove("river", {108.40, 15.50, 108.50, 15.60});
  EXPECT_EQ(idx.size(), 2u);
  EXPECT_EQ(idx.query({108.47, 15.57, 108.48, 15.58}), (std::vector<std::string>{"tamky"}));
  // Remove needs the same box: a different box leaves the entry in place.
  idx.remove("tamky", {0, 0, 1, 1});
  EXPECT_EQ(idx.size(), 2u);
  idx.remove("tamky", {108.474, 15.5736, 108.474, 15.5736});
  EXPECT_EQ(idx.size(), 1u);
}

TEST(SpatialIndex, MoveKeepsContents) {
  SpatialIndex a;
  a.insert("x", {1, 1, 2, 2});
  SpatialIndex b(std::move(a));
  EXPECT_EQ(b.size(), 1u);
  SpatialIndex c;
  c = std::move(b);
  EXPECT_EQ(c.query({1.5, 1.5, 1.5, 1.5}), (std::vector<std::string>{"x"}));
}

TEST(SpatialIndex, RandomAgainstBruteForce) {
  std::mt19937_64 rng(42);
  SpatialIndex idx;
  std::map<std::string, BBox> live;
  int next = 0;
  auto check = [&](int rounds) {
    for (int q = 0; q < rounds; ++q) {
      const BBox query = randomBox(rng, 0.3);
      std::vector<std::string> expected;
      for (const auto& [id, box] : live)
        if (overlaps(box, query)) expected.push_back(id);
      ASSERT_EQ(sorted(idx.query(query)), expected)
          << "query " << query.minLon << "," << query.minLat << "," << query.maxLon << "," << query.maxLat;
    }
    ASSERT_EQ(idx.size(), live.size());
  };
  for (int step = 0; step < 20; ++step) {
    for (int i = 0; i < 150; ++i) {
      const std::string id = "e" + std::to_string(next++);
      const BBox b = randomBox(rng, 0.05);
      idx.insert(id, b);
      live[id] = b;
    }
    // Remove about a third, chosen at random.
    for (auto it = live.begin(); it != live.end();) {
      if (rng() % 3 == 0) {
        idx.remove(it->first, it->second);
        it = live.erase(it);
      } else {
        ++it;
      }
    }
    check(50);
  }
  // The whole world returns everything; then remove everything.
  EXPECT_EQ(idx.query({-180, -90, 180, 90}).size(), live.size());
  for (const auto& [id, box] : live) idx.remove(id, box);
  EXPECT_EQ(idx.size(), 0u);
  EXPECT_TRUE(idx.query({-180, -90, 180, 90}).empty());
}

TEST(SpatialIndex, SameIdTwiceIsTwoEntries) {
  SpatialIndex idx;
  idx.insert("x", {1, 1, 1, 1});
  idx.insert("x", {1, 1, 1, 1});
  EXPECT_EQ(idx.size(), 2u);
  idx.remove("x", {1, 1, 1, 1});
  EXPECT_EQ(idx.size(), 1u);
}

// A point at distance d (metres) and bearing b (radians) from c on the sphere used by haversineMetres.
LonLat destination(LonLat c, double d, double b) {
  const double R = 6371008.8, rad = M_PI / 180.0;
  const double lat1 = c[1] * rad, lon1 = c[0] * rad, a = d / R;
  const double lat2 = std::asin(std::sin(lat1) * std::cos(a) + std::cos(lat1) * std::sin(a) * std::cos(b));
  const double lon2 =
      lon1 + std::atan2(std::sin(b) * std::sin(a) * std::cos(lat1), std::cos(a) - std::sin(lat1) * std::sin(lat2));
  return {lon2 / rad, lat2 / rad};
}

bool inside(const BBox& b, LonLat p) {
  return p[0] >= b.minLon && p[0] <= b.maxLon && p[1] >= b.minLat && p[1] <= b.maxLat;
}

TEST(SpatialIndex, AroundContainsEveryPointWithinRadius) {
  std::mt19937_64 rng(1029);
  std::uniform_real_distribution<double> lon(-170, 170), lat(-80, 80), unit(0, 1);
  for (int c = 0; c < 300; ++c) {
    const LonLat centre = c == 0 ? LonLat{108.474, 15.5736} : LonLat{lon(rng), lat(rng)};
    const double radius = std::pow(10.0, 1 + 4 * unit(rng));  // 10 m .. 100 km
    const BBox box = SpatialIndex::around(centre, radius);
    ASSERT_TRUE(inside(box, centre));
    // Points on the circle (the hardest case) and inside it, checked with haversine.
    for (int i = 0; i < 200; ++i) {
      const double d = i < 72 ? radius : radius * std::sqrt(unit(rng));
      const double bearing = i < 72 ? i * 5 * M_PI / 180 : 2 * M_PI * unit(rng);
      const LonLat p = destination(centre, d, bearing);
      if (model::haversineMetres(centre, p) > radius) continue;  // rounding at the edge
      ASSERT_TRUE(inside(box, p)) << "centre " << centre[0] << "," << centre[1] << " r=" << radius << " point "
                                  << p[0] << "," << p[1];
    }
    // Brute force on a grid over a box twice as large as needed.
    const double dLat = 2 * radius / 111195.0, dLon = std::min(180.0, dLat / std::cos(centre[1] * M_PI / 180));
    for (int gx = -20; gx <= 20; ++gx)
      for (int gy = -20; gy <= 20; ++gy) {
        const LonLat p{centre[0] + dLon * gx / 20.0, std::clamp(centre[1] + dLat * gy / 20.0, -90.0, 90.0)};
        if (model::haversineMetres(centre, p) <= radius) {
          ASSERT_TRUE(inside(box, p)) << "grid point " << p[0] << "," << p[1];
        }
      }
  }
}

TEST(SpatialIndex, AroundIsNotWildlyLarger) {
  // The box is a bound, but should stay close to the circle at city latitudes (here within 5%).
  const BBox b = SpatialIndex::around({108.474, 15.5736}, 5000);
  const double halfLatM = (b.maxLat - b.minLat) / 2 * 111195.0;
  const double halfLonM = (b.maxLon - b.minLon) / 2 * 111195.0 * std::cos(15.5736 * M_PI / 180);
  EXPECT_GE(halfLatM, 5000);
  EXPECT_LE(halfLatM, 5250);
  EXPECT_GE(halfLonM, 5000);
  EXPECT_LE(halfLonM, 5250);
}

TEST(SpatialIndex, AroundThenQueryFindsNearbyEntities) {
  // End to end: points within 10 km of Tam Kỳ are found by query(around()), the same set as brute force after
  // filtering by haversine.
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> dlon(-0.3, 0.3), dlat(-0.3, 0.3);
  const LonLat centre{108.474, 15.5736};
  SpatialIndex idx;
  std::map<std::string, LonLat> points;
  for (int i = 0; i < 2000; ++i) {
    const LonLat p{centre[0] + dlon(rng), centre[1] + dlat(rng)};
    const std::string id = "p" + std::to_string(i);
    points[id] = p;
    idx.insert(id, {p[0], p[1], p[0], p[1]});
  }
  const double r = 10000;
  std::vector<std::string> found;
  for (auto& id : idx.query(SpatialIndex::around(centre, r)))
    if (model::haversineMetres(centre, points[id]) <= r) found.push_back(id);
  std::vector<std::string> expected;
  for (const auto& [id, p] : points)
    if (model::haversineMetres(centre, p) <= r) expected.push_back(id);
  EXPECT_FALSE(expected.empty());
  EXPECT_EQ(sorted(found), expected);
}

// Circles that cross the antimeridian or reach a pole: around() widens to every longitude.
TEST(SpatialIndex, AroundAcrossTheAntimeridian) {
  const LonLat centre{179.99, 0};
  const LonLat p{-179.99, 0};  // 2.2 km away
  ASSERT_LT(model::haversineMetres(centre, p), 5000);
  EXPECT_TRUE(inside(SpatialIndex::around(centre, 5000), p));
}

TEST(SpatialIndex, AroundNearThePole) {
  const LonLat centre{0, 89.9};
  const LonLat p{180, 89.9};  // across the pole, 22 km away
  ASSERT_LT(model::haversineMetres(centre, p), 50000);
  EXPECT_TRUE(inside(SpatialIndex::around(centre, 50000), p));
}

}  // namespace
}  // namespace cityops::geo
