#pragma once
// All entities in memory, with type/tag indexes and an R-tree, serving lookups and list queries. Thread-safe.
#include "geo/SpatialIndex.hpp"
#include "model/Entity.hpp"
#include "store/Store.hpp"

#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>

namespace cityops::store {

class EntityCatalog {
 public:
  using Ptr = std::shared_ptr<const model::Entity>;

  Ptr get(std::string_view id) const;
  bool contains(std::string_view id) const;
  /// Inserts or replaces.
  void put(model::Entity e);
  void erase(const std::string& id);
  EntityPage list(const EntityQuery& q) const;
  size_t size() const;

 private:
  void unindex(const model::Entity& e);
  mutable std::shared_mutex mu_;
  struct Item {
    Ptr entity;
    std::string searchName;  // model::SearchText::fold(name), computed once at put()
  };
  std::map<std::string, Item, std::less<>> byId_;
  std::map<std::string, std::set<std::string>, std::less<>> byType_, byTag_;
  geo::SpatialIndex spatial_;
};

}  // namespace cityops::store
