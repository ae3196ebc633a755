#pragma once
// GeoJSON geometry limited to what a city map needs: Point, LineString, Polygon (WGS84 lon/lat).
#include "common/Result.hpp"

#include <boost/json/value.hpp>

#include <array>
#include <string>
#include <vector>

namespace cityops::model {

using LonLat = std::array<double, 2>;

struct BBox {
  double minLon, minLat, maxLon, maxLat;
  bool intersects(const BBox& o) const {
    return minLon <= o.maxLon && o.minLon <= maxLon && minLat <= o.maxLat && o.minLat <= maxLat;
  }
};

struct Geometry {
  enum class Kind { Point, LineString, Polygon };
  Kind kind = Kind::Point;
  // Point: one ring with one position; LineString: one ring; Polygon: outer ring then holes.
  std::vector<std::vector<LonLat>> rings;

  static Result<Geometry> fromJson(const boost::json::value& v);
  boost::json::value toJson() const;
  BBox bbox() const;
  /// Shortest great-circle distance in metres from (lon, lat) to this geometry (0 inside a polygon).
  double distanceMetres(LonLat p) const;
  bool containsPoint(LonLat p) const;  // Polygon only (even-odd with holes)
};

/// Haversine distance in metres.
double haversineMetres(LonLat a, LonLat b);

}  // namespace cityops::model
