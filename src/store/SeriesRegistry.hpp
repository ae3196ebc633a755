#pragma once
// Every known series, by (entity, metric), by id and by entity. Thread-safe.
#include "store/Series.hpp"

#include <map>
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
  std::shared_ptr<Series> byId(uint32_t id) const;
  std::vector<std::shared_ptr<Series>> ofEntity(const std::string& entity) const;
  std::vector<std::shared_ptr<Series>> all() const;
  void add(std::shared_ptr<Series> s);
  void remove(const Series& s);
  size_t size() const;
  uint32_t maxId() const;

  static std::string key(std::string_view entity, std::string_view metric);

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Series>> byKey_;
  std::unordered_map<uint32_t, std::shared_ptr<Series>> byId_;
  std::multimap<std::string, std::shared_ptr<Series>, std::less<>> byEntity_;
  uint32_t maxId_ = 0;
};

}  // namespace cityops::store
