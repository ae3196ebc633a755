#include "flood/ForecastWarner.hpp"

#include "flood/AlarmLevels.hpp"
#include "rules/Rule.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace cityops::flood {

Result<size_t> ForecastWarner::issue() {
  auto batch = forecastsAt(clock_.nowMs());
  if (!batch) return batch.error();
  if (batch->empty()) return size_t{0};
  auto r = store_.ingestSync(std::move(*batch));
  if (!r) return r.error();
  return *r;
}

Result<std::vector<model::Observation>> ForecastWarner::forecastsAt(int64_t now) const {
  store::EntityQuery q;
  q.type = std::string(kStationType);
  q.limit = 100000;
  auto stations = store_.listEntities(q);
  if (!stations) return stations.error();
  const std::string metric = rules::forecastMetric(std::string(kLevelMetric));
  std::vector<model::Observation> batch;
  for (const auto& e : stations->items) {
    auto levels = alarmLevelsOf(e);
    if (!levels || !levels->any()) continue;
    auto f = forecasts_.forecast(e.id, options_.horizonMs, now);
    if (!f) {
      spdlog::debug("flood: no forecast for {}: {}", e.id, f.error().message);
      continue;
    }
    if (f->points.empty()) continue;
    double highest = f->points.front().value;
    for (const auto& p : f->points) highest = std::max(highest, p.value);
    batch.push_back({e.id, metric, now, highest, model::Quality::Good});
  }
  return batch;
}

void ForecastWarner::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    int64_t next = 0;
    while (!stopping_) {
      if (clock_.nowMs() >= next) {
        lock.unlock();
        if (auto r = issue(); !r) spdlog::error("flood: cannot issue the forecasts: {}", r.error().message);
        lock.lock();
        next = clock_.nowMs() + options_.everyMs;
      }
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
    }
  });
}

void ForecastWarner::stop() {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

}  // namespace cityops::flood
