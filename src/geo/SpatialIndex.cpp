#include "geo/SpatialIndex.hpp"

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

#include <algorithm>
#include <cmath>

namespace cityops::geo {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using Point = bg::model::point<double, 2, bg::cs::cartesian>;
using Box = bg::model::box<Point>;
using Value = std::pair<Box, std::string>;

struct SpatialIndex::Impl {
  bgi::rtree<Value, bgi::rstar<16>> tree;
};

namespace {
Box toBox(const model::BBox& b) { return Box(Point(b.minLon, b.minLat), Point(b.maxLon, b.maxLat)); }
}  // namespace

SpatialIndex::SpatialIndex() : impl_(std::make_unique<Impl>()) {}
SpatialIndex::~SpatialIndex() = default;
SpatialIndex::SpatialIndex(SpatialIndex&&) noexcept = default;
SpatialIndex& SpatialIndex::operator=(SpatialIndex&&) noexcept = default;

void SpatialIndex::insert(const std::string& id, const model::BBox& box) { impl_->tree.insert({toBox(box), id}); }

void SpatialIndex::remove(const std::string& id, const model::BBox& box) { impl_->tree.remove(Value{toBox(box), id}); }

std::vector<std::string> SpatialIndex::query(const model::BBox& box) const {
  std::vector<Value> hits;
  impl_->tree.query(bgi::intersects(toBox(box)), std::back_inserter(hits));
  std::vector<std::string> ids;
  ids.reserve(hits.size());
  for (auto& h : hits) ids.push_back(std::move(h.second));
  return ids;
}

model::BBox SpatialIndex::around(model::LonLat c, double r) {
  const double dLat = r / 111320.0 * 1.01;
  // A circle reaching a pole covers every longitude near it; one crossing the antimeridian is split by the box, so
  // both take the full longitude range (a superset: callers check exact distances).
  if (c[1] + dLat >= 90 || c[1] - dLat <= -90) return {-180, std::max(-90.0, c[1] - dLat), 180, std::min(90.0, c[1] + dLat)};
  const double cosLat = std::cos((std::fabs(c[1]) + dLat) * M_PI / 180.0);
  const double dLon = r / (111320.0 * cosLat) * 1.01;
  if (dLon >= 180 || c[0] - dLon < -180 || c[0] + dLon > 180) return {-180, c[1] - dLat, 180, c[1] + dLat};
  return {c[0] - dLon, c[1] - dLat, c[0] + dLon, c[1] + dLat};
}

size_t SpatialIndex::size() const { return impl_->tree.size(); }

}  // namespace cityops::geo
