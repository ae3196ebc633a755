#pragma once
// An entity: anything the city watches (station, camera, sensor, zone, point of interest...).
#include "model/Geometry.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cityops::model {

struct Entity {
  std::string id;                      // [A-Za-z0-9._:-]{1,128}
  std::string type;                    // e.g. "WaterLevelStation"
  std::string name;
  std::optional<Geometry> geometry;    // WGS84 GeoJSON Point / LineString / Polygon
  boost::json::object attributes;      // free-form JSON object
  std::vector<std::string> tags;       // sorted, unique
  int64_t createdMs = 0;
  int64_t updatedMs = 0;

  bool hasTag(std::string_view tag) const;
};

}  // namespace cityops::model
