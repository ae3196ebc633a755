#pragma once
// R-tree (Boost.Geometry, R*-tree) of entity bounding boxes in lon/lat.
#include "model/Geometry.hpp"

#include <memory>
#include <string>
#include <vector>

namespace cityops::geo {

class SpatialIndex {
 public:
  SpatialIndex();
  ~SpatialIndex();
  SpatialIndex(SpatialIndex&&) noexcept;
  SpatialIndex& operator=(SpatialIndex&&) noexcept;

  void insert(const std::string& id, const model::BBox& box);
  void remove(const std::string& id, const model::BBox& box);
  /// Ids whose box intersects `box`.
  std::vector<std::string> query(const model::BBox& box) const;
  /// A box around (lon, lat) that contains every point within radius metres.
  static model::BBox around(model::LonLat centre, double radiusMetres);
  size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cityops::geo
