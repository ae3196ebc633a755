#include "http/ServerCore.hpp"

#include <algorithm>

namespace cityops::http::detail {

ServerCore::ServerCore(HttpServer::Options opts, const Router& r, metrics::Registry& reg, int threads)
    : options(std::move(opts)), router(r), registry(reg), ioc(std::max(1, threads)) {}

uint64_t ServerCore::add(const std::shared_ptr<Session>& s) {
  std::lock_guard lock(mu_);
  if (stopping_) return 0;
  const uint64_t id = nextId_++;
  sessions_.emplace(id, s);
  return id;
}

void ServerCore::remove(uint64_t id) {
  if (id == 0) return;
  std::lock_guard lock(mu_);
  sessions_.erase(id);
}

std::vector<std::shared_ptr<Session>> ServerCore::beginStop() {
  std::lock_guard lock(mu_);
  stopping_ = true;
  std::vector<std::shared_ptr<Session>> live;
  for (auto& [id, weak] : sessions_) {
    if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  return live;
}

bool ServerCore::stopping() const { return stopping_.load(std::memory_order_relaxed); }

void ServerCore::recordRequest(const std::string& route, const std::string& method, int status, double seconds) {
  // Registry lookups build label vectors under a lock; a request only needs the two pointers, cached per
  // (route, method, status) — a bounded set, since routes are patterns and methods are labelled from a fixed list.
  std::string key = route;
  key.append(1, '\n').append(method).append(1, '\n').append(std::to_string(status));
  std::pair<metrics::Counter*, metrics::Histogram*> m{nullptr, nullptr};
  {
    std::shared_lock lock(metricsMu_);
    if (auto it = metricsCache_.find(key); it != metricsCache_.end()) m = it->second;
  }
  if (!m.first) {
    m.first = &registry.counter("cityops_http_requests_total", "HTTP requests by route, method and status.",
                                {{"route", route}, {"method", method}, {"status", std::to_string(status)}});
    m.second = &registry.histogram("cityops_http_request_duration_seconds", "HTTP request latency by route and method.",
                                   {{"route", route}, {"method", method}});
    std::unique_lock lock(metricsMu_);
    metricsCache_.emplace(std::move(key), m);
  }
  m.first->inc();
  m.second->observe(seconds);
}

}  // namespace cityops::http::detail
