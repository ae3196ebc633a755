#include "store/EntityCatalog.hpp"

#include "model/SearchText.hpp"

#include <algorithm>
#include <mutex>

namespace cityops::store {

EntityCatalog::Ptr EntityCatalog::get(std::string_view id) const {
  std::shared_lock lock(mu_);
  auto it = byId_.find(id);
  return it == byId_.end() ? nullptr : it->second.entity;
}

bool EntityCatalog::contains(std::string_view id) const {
  std::shared_lock lock(mu_);
  return byId_.find(id) != byId_.end();
}

void EntityCatalog::unindex(const model::Entity& e) {
  if (auto t = byType_.find(e.type); t != byType_.end()) {
    t->second.erase(e.id);
    if (t->second.empty()) byType_.erase(t);
  }
  for (const auto& tag : e.tags)
    if (auto t = byTag_.find(tag); t != byTag_.end()) {
      t->second.erase(e.id);
      if (t->second.empty()) byTag_.erase(t);
    }
  if (e.geometry) spatial_.remove(e.id, e.geometry->bbox());
}

void EntityCatalog::put(model::Entity e) {
  auto p = std::make_shared<const model::Entity>(std::move(e));
  std::unique_lock lock(mu_);
  if (auto it = byId_.find(p->id); it != byId_.end()) unindex(*it->second.entity);
  byType_[p->type].insert(p->id);
  for (const auto& tag : p->tags) byTag_[tag].insert(p->id);
  if (p->geometry) spatial_.insert(p->id, p->geometry->bbox());
  Item& item = byId_[p->id];
  item.searchName = model::SearchText::fold(p->name);
  item.entity = std::move(p);
}

void EntityCatalog::erase(const std::string& id) {
  std::unique_lock lock(mu_);
  auto it = byId_.find(id);
  if (it == byId_.end()) return;
  unindex(*it->second.entity);
  byId_.erase(it);
}

size_t EntityCatalog::size() const {
  std::shared_lock lock(mu_);
  return byId_.size();
}

EntityPage EntityCatalog::list(const EntityQuery& q) const {
  std::shared_lock lock(mu_);
  // Candidate ids from the most selective index available, then exact filters.
  std::vector<std::string> candidates;
  bool fromIndex = false;
  if (q.bbox || q.near) {
    model::BBox box = q.bbox ? *q.bbox : geo::SpatialIndex::around({q.near->lon, q.near->lat}, q.near->radiusMetres);
    if (q.bbox && q.near) {
      auto nb = geo::SpatialIndex::around({q.near->lon, q.near->lat}, q.near->radiusMetres);
      box = {std::max(box.minLon, nb.minLon), std::max(box.minLat, nb.minLat), std::min(box.maxLon, nb.maxLon),
             std::min(box.maxLat, nb.maxLat)};
    }
    candidates = spatial_.query(box);
    std::sort(candidates.begin(), candidates.end());
    fromIndex = true;
  } else if (q.type) {
    auto it = byType_.find(*q.type);
    if (it != byType_.end()) candidates.assign(it->second.begin(), it->second.end());
    fromIndex = true;
  } else if (q.tag) {
    auto it = byTag_.find(*q.tag);
    if (it != byTag_.end()) candidates.assign(it->second.begin(), it->second.end());
    fromIndex = true;
  }
  EntityPage page;
  const std::string needle = q.nameContains ? model::SearchText::fold(*q.nameContains) : std::string();
  auto consider = [&](const Item& item) {
    const model::Entity& e = *item.entity;
    if (q.type && e.type != *q.type) return;
    if (q.tag && !e.hasTag(*q.tag)) return;
    if (q.nameContains && item.searchName.find(needle) == std::string::npos) return;
    if (q.bbox) {
      if (!e.geometry || !e.geometry->bbox().intersects(*q.bbox)) return;
    }
    if (q.near) {
      if (!e.geometry || e.geometry->distanceMetres({q.near->lon, q.near->lat}) > q.near->radiusMetres) return;
    }
    if (page.total >= q.offset && page.items.size() < q.limit) page.items.push_back(e);
    ++page.total;
  };
  if (fromIndex) {
    for (const auto& id : candidates)
      if (auto it = byId_.find(id); it != byId_.end()) consider(it->second);
  } else {
    for (const auto& [_, item] : byId_) consider(item);
  }
  return page;
}

}  // namespace cityops::store
