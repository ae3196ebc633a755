#pragma once
// Every known series, by (entity, metric), by id and by entity. Thread-safe.
#include "store/Series.hpp"

#include <map>
#include <mutex>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cityops::store {

class SeriesRegistry {
 public:
  std::shared_ptr<Series> find(std::string_view entity, std::string_view metric) const;
  /// out[i] = the series of (entities[i], metrics[i]) or null; one lock for the whole batch.
  template <class Range, class Proj>
  void findAll(const Range& items, Proj proj, std::vector<std::shared_ptr<Series>>& out) const;
  std::shared_ptr<Series> byId(uint32_t id) const;
  std::vector<std::shared_ptr<Series>> ofEntity(const std::string& entity) const;
  std::vector<std::shared_ptr<Series>> all() const;
  void add(std::shared_ptr<Series> s);
  void remove(const Series& s);
  size_t size() const;

  static std::string key(std::string_view entity, std::string_view metric);

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Series>> byKey_;
  std::unordered_map<uint32_t, std::shared_ptr<Series>> byId_;
  std::multimap<std::string, std::shared_ptr<Series>, std::less<>> byEntity_;
};

template <class Range, class Proj>
void SeriesRegistry::findAll(const Range& items, Proj proj, std::vector<std::shared_ptr<Series>>& out) const {
  std::string k;
  std::shared_lock lock(mu_);
  size_t i = 0;
  std::string_view prevEntity, prevMetric;
  for (const auto& item : items) {
    const auto [entity, metric] = proj(item);
    if (i > 0 && entity == prevEntity && metric == prevMetric) {
      out[i] = out[i - 1];
    } else {
      k.assign(entity).push_back('\x1f');
      k.append(metric);
      auto it = byKey_.find(k);
      out[i] = it == byKey_.end() ? nullptr : it->second;
    }
    prevEntity = entity;
    prevMetric = metric;
    ++i;
  }
}

}  // namespace cityops::store
