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
  registry
      .counter("cityops_http_requests_total", "HTTP requests by route, method and status.",
               {{"route", route}, {"method", method}, {"status", std::to_string(status)}})
      .inc();
  registry
      .histogram("cityops_http_request_duration_seconds", "HTTP request latency by route and method.",
                 {{"route", route}, {"method", method}})
      .observe(seconds);
}

}  // namespace cityops::http::detail
