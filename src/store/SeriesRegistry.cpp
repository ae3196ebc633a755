#include "store/SeriesRegistry.hpp"

#include <mutex>

namespace cityops::store {

std::string SeriesRegistry::key(std::string_view entity, std::string_view metric) {
  std::string k;
  k.reserve(entity.size() + metric.size() + 1);
  k.append(entity).push_back('\x1f');
  k.append(metric);
  return k;
}

std::shared_ptr<Series> SeriesRegistry::find(std::string_view entity, std::string_view metric) const {
  const std::string k = key(entity, metric);
  std::shared_lock lock(mu_);
  auto it = byKey_.find(k);
  return it == byKey_.end() ? nullptr : it->second;
}

std::shared_ptr<Series> SeriesRegistry::byId(uint32_t id) const {
  std::shared_lock lock(mu_);
  auto it = byId_.find(id);
  return it == byId_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Series>> SeriesRegistry::ofEntity(const std::string& entity) const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<Series>> out;
  auto [lo, hi] = byEntity_.equal_range(entity);
  for (auto it = lo; it != hi; ++it) out.push_back(it->second);
  return out;
}

std::vector<std::shared_ptr<Series>> SeriesRegistry::all() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<Series>> out;
  out.reserve(byEntity_.size());
  for (const auto& [_, s] : byEntity_) out.push_back(s);  // ordered by entity id
  return out;
}

void SeriesRegistry::add(std::shared_ptr<Series> s) {
  std::unique_lock lock(mu_);
  byKey_[key(s->entity(), s->metric())] = s;
  byId_[s->id()] = s;
  byEntity_.emplace(s->entity(), std::move(s));
}

void SeriesRegistry::remove(const Series& s) {
  std::unique_lock lock(mu_);
  byKey_.erase(key(s.entity(), s.metric()));
  byId_.erase(s.id());
  auto [lo, hi] = byEntity_.equal_range(s.entity());
  for (auto it = lo; it != hi; ++it)
    if (it->second.get() == &s) {
      byEntity_.erase(it);
      break;
    }
}

size_t SeriesRegistry::size() const {
  std::shared_lock lock(mu_);
  return byId_.size();
}

}  // namespace cityops::store
