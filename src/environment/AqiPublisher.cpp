#include "environment/AqiPublisher.hpp"

#include "environment/StationAqi.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace cityops::environment {

namespace {
const std::pair<Standard, const char*> kStandards[] = {{Standard::Vn, "aqi_vn"}, {Standard::Us, "aqi_us"}};
}  // namespace

Result<size_t> AqiPublisher::publishStation(const std::string& station, int64_t fromEnd, int64_t toEnd) {
  std::vector<model::Observation> batch;
  for (int64_t end = fromEnd; end <= toEnd; end += kHourMs)
    for (const auto& [standard, metric] : kStandards) {
      auto report = stationAqi(store_, station, standard, Period::Hour, end, 0);  // the offset matters for days only
      if (!report) continue;  // no index possible for that hour (no PM, too few hours)
      batch.push_back({station, metric, end, static_cast<double>(report->aqi), model::Quality::Good});
    }
  if (batch.empty()) return size_t{0};
  auto r = store_.ingestSync(std::move(batch));
  if (!r) return r.error();
  return *r;
}

Result<size_t> AqiPublisher::publishHour(int64_t hourEndMs) {
  store::EntityQuery q;
  q.type = std::string(kAirQualityType);
  q.limit = 100000;
  auto stations = store_.listEntities(q);
  if (!stations) return stations.error();
  size_t written = 0;
  for (const auto& e : stations->items) {
    auto n = publishStation(e.id, hourEndMs, hourEndMs);
    if (!n) return n.error();
    written += *n;
  }
  return written;
}

Result<size_t> AqiPublisher::catchUp() {
  const int64_t lastClosed = ((clock_.nowMs() - options_.graceMs) / kHourMs) * kHourMs;
  if (lastClosed <= lastHourEnd_) return size_t{0};  // nothing closed since the last pass
  store::EntityQuery q;
  q.type = std::string(kAirQualityType);
  q.limit = 100000;
  auto stations = store_.listEntities(q);
  if (!stations) return stations.error();
  size_t written = 0;
  for (const auto& e : stations->items) {
    // Each station from its own last rated hour (a new station, or one whose readings came late, catches up on
    // the last catchUpHours).
    int64_t from = lastClosed - options_.catchUpHours * kHourMs;
    store::LatestQuery lq;
    lq.entity = e.id;
    lq.metric = "aqi_vn";
    if (auto latest = store_.latest(lq); latest && !latest->empty()) from = std::max(from, latest->front().time);
    auto n = publishStation(e.id, from + kHourMs, lastClosed);
    if (!n) return n.error();
    written += *n;
  }
  lastHourEnd_ = lastClosed;
  return written;
}

void AqiPublisher::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    do {
      lock.unlock();
      if (auto r = catchUp(); !r) spdlog::error("environment: cannot write the hourly AQI: {}", r.error().message);
      else if (*r > 0) spdlog::debug("environment: {} hourly AQI values written", *r);
      lock.lock();
    } while (!cv_.wait_for(lock, std::chrono::milliseconds(options_.pollMs), [&] { return stopping_; }));
  });
}

void AqiPublisher::stop() {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

}  // namespace cityops::environment
