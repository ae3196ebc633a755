#include "environment/AqiPublisher.hpp"

#include "environment/StationAqi.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace cityops::environment {

Result<size_t> AqiPublisher::publishHour(int64_t hourEndMs) {
  store::EntityQuery q;
  q.type = std::string(kAirQualityType);
  q.limit = 100000;
  auto stations = store_.listEntities(q);
  if (!stations) return stations.error();
  std::vector<model::Observation> batch;
  for (const auto& e : stations->items) {
    const std::pair<Standard, const char*> standards[] = {{Standard::Vn, "aqi_vn"}, {Standard::Us, "aqi_us"}};
    for (const auto& [standard, metric] : standards) {
      // offset 0: only the day period depends on it
      auto report = stationAqi(store_, e.id, standard, Period::Hour, hourEndMs, 0);
      if (!report) continue;
      batch.push_back({e.id, metric, hourEndMs, static_cast<double>(report->aqi), model::Quality::Good});
    }
  }
  if (batch.empty()) return size_t{0};
  auto r = store_.ingestSync(std::move(batch));
  if (!r) return r.error();
  return *r;
}

Result<size_t> AqiPublisher::catchUp() {
  const int64_t now = clock_.nowMs() - options_.graceMs;
  const int64_t lastClosed = (now / kHourMs) * kHourMs;
  int64_t from = lastHourEnd_;
  if (from == 0) {
    from = lastClosed - options_.catchUpHours * kHourMs;
    store::LatestQuery lq;
    lq.type = std::string(kAirQualityType);
    lq.metric = "aqi_vn";
    if (auto latest = store_.latest(lq)) {
      for (const auto& v : *latest) from = std::max(from, v.time);
    }
  }
  size_t written = 0;
  for (int64_t end = from + kHourMs; end <= lastClosed; end += kHourMs) {
    auto n = publishHour(end);
    if (!n) return n.error();
    written += *n;
    lastHourEnd_ = end;
  }
  if (lastHourEnd_ < lastClosed) lastHourEnd_ = lastClosed;
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
