#include "model/Geometry.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cityops::model {

namespace json = boost::json;

namespace {

constexpr double kEarthRadius = 6371008.8;
constexpr size_t kMaxPositions = 100000;

Result<LonLat> position(const json::value& v, const std::string& where) {
  const auto* a = v.if_array();
  if (!a || a->size() < 2 || a->size() > 3) return BadRequest(where + " must be [lon, lat] (optionally with altitude)");
  double c[2];
  for (int i = 0; i < 2; ++i) {
    const auto& x = (*a)[i];
    if (x.is_double()) c[i] = x.get_double();
    else if (x.is_int64()) c[i] = static_cast<double>(x.get_int64());
    else if (x.is_uint64()) c[i] = static_cast<double>(x.get_uint64());
    else return BadRequest(where + " must contain numbers");
  }
  if (!std::isfinite(c[0]) || !std::isfinite(c[1]) || c[0] < -180 || c[0] > 180 || c[1] < -90 || c[1] > 90)
    return BadRequest(where + " is outside WGS84 range (lon -180..180, lat -90..90; GeoJSON order is [lon, lat])");
  return LonLat{c[0], c[1]};
}

Result<std::vector<LonLat>> positions(const json::value& v, const std::string& where, size_t minCount) {
  const auto* a = v.if_array();
  if (!a) return BadRequest(where + " must be an array of positions");
  if (a->size() < minCount) return BadRequest(where + " needs at least " + std::to_string(minCount) + " positions");
  if (a->size() > kMaxPositions) return BadRequest(where + " has too many positions");
  std::vector<LonLat> out;
  out.reserve(a->size());
  for (size_t i = 0; i < a->size(); ++i) {
    auto p = position((*a)[i], where + "[" + std::to_string(i) + "]");
    if (!p) return p.error();
    out.push_back(*p);
  }
  return out;
}

// Distance from p to segment ab on a local equirectangular projection around p (fine at city scale).
double segmentDistance(LonLat p, LonLat a, LonLat b) {
  const double k = std::cos(p[1] * M_PI / 180.0);
  const double ax = (a[0] - p[0]) * k, ay = a[1] - p[1], bx = (b[0] - p[0]) * k, by = b[1] - p[1];
  const double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  const double cx = ax + t * dx, cy = ay + t * dy;
  return std::sqrt(cx * cx + cy * cy) * M_PI / 180.0 * kEarthRadius;
}

}  // namespace

double haversineMetres(LonLat a, LonLat b) {
  const double rad = M_PI / 180.0;
  const double dlat = (b[1] - a[1]) * rad, dlon = (b[0] - a[0]) * rad;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(a[1] * rad) * std::cos(b[1] * rad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadius * std::asin(std::min(1.0, std::sqrt(h)));
}

Result<Geometry> Geometry::fromJson(const json::value& v) {
  const auto* o = v.if_object();
  if (!o) return BadRequest("geometry must be a GeoJSON object");
  const auto* type = o->if_contains("type");
  const auto* coords = o->if_contains("coordinates");
  if (!type || !type->is_string()) return BadRequest("geometry.type must be \"Point\", \"LineString\" or \"Polygon\"");
  if (!coords) return BadRequest("geometry.coordinates is missing");
  Geometry g;
  const auto& t = type->get_string();
  if (t == "Point") {
    g.kind = Kind::Point;
    auto p = position(*coords, "geometry.coordinates");
    if (!p) return p.error();
    g.rings.push_back({*p});
  } else if (t == "LineString") {
    g.kind = Kind::LineString;
    auto ps = positions(*coords, "geometry.coordinates", 2);
    if (!ps) return ps.error();
    g.rings.push_back(std::move(*ps));
  } else if (t == "Polygon") {
    g.kind = Kind::Polygon;
    const auto* rings = coords->if_array();
    if (!rings || rings->empty()) return BadRequest("geometry.coordinates of a Polygon must be a non-empty array of rings");
    for (size_t i = 0; i < rings->size(); ++i) {
      const std::string where = "geometry.coordinates[" + std::to_string(i) + "]";
      auto ps = positions((*rings)[i], where, 4);
      if (!ps) return ps.error();
      if (ps->front() != ps->back()) return BadRequest(where + " is not closed (first and last positions differ)");
      g.rings.push_back(std::move(*ps));
    }
  } else {
    return BadRequest("geometry.type must be \"Point\", \"LineString\" or \"Polygon\"");
  }
  return g;
}

json::value Geometry::toJson() const {
  auto pos = [](LonLat p) { return json::array{p[0], p[1]}; };
  auto ring = [&](const std::vector<LonLat>& r) {
    json::array a;
    a.reserve(r.size());
    for (auto p : r) a.push_back(pos(p));
    return a;
  };
  json::object o;
  switch (kind) {
    case Kind::Point:
      o["type"] = "Point";
      o["coordinates"] = pos(rings.at(0).at(0));
      break;
    case Kind::LineString:
      o["type"] = "LineString";
      o["coordinates"] = ring(rings.at(0));
      break;
    case Kind::Polygon: {
      o["type"] = "Polygon";
      json::array rs;
      for (const auto& r : rings) rs.push_back(ring(r));
      o["coordinates"] = std::move(rs);
      break;
    }
  }
  return o;
}

BBox Geometry::bbox() const {
  BBox b{180, 90, -180, -90};
  for (const auto& r : rings)
    for (auto p : r) {
      b.minLon = std::min(b.minLon, p[0]);
      b.maxLon = std::max(b.maxLon, p[0]);
      b.minLat = std::min(b.minLat, p[1]);
      b.maxLat = std::max(b.maxLat, p[1]);
    }
  return b;
}

bool Geometry::containsPoint(LonLat p) const {
  if (kind != Kind::Polygon) return false;
  bool inside = false;
  for (const auto& r : rings)
    for (size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) {
      if ((r[i][1] > p[1]) != (r[j][1] > p[1]) &&
          p[0] < (r[j][0] - r[i][0]) * (p[1] - r[i][1]) / (r[j][1] - r[i][1]) + r[i][0])
        inside = !inside;
    }
  return inside;
}

double Geometry::distanceMetres(LonLat p) const {
  if (kind == Kind::Point) return haversineMetres(p, rings.at(0).at(0));
  if (containsPoint(p)) return 0;
  double best = std::numeric_limits<double>::infinity();
  for (const auto& r : rings)
    for (size_t i = 0; i + 1 < r.size(); ++i) best = std::min(best, segmentDistance(p, r[i], r[i + 1]));
  return best;
}

}  // namespace cityops::model
