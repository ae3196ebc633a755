#include "auth/RateLimiter.hpp"

#include <algorithm>
#include <cmath>

namespace cityops::auth {

RateLimiter::RateLimiter(const Clock& clock, Options o)
    : clock_(clock),
      capacityMicro_(std::max<int64_t>(1, std::llround(o.burst * 1e6))),
      refillMicroPerMs_(std::max<int64_t>(1, std::llround(o.ratePerSecond * 1000))),
      maxKeys_(std::max<size_t>(1, o.maxKeys)) {}

RateLimiter::Decision RateLimiter::take(std::string_view key, double cost) {
  const int64_t need = std::max<int64_t>(0, std::llround(cost * 1e6));
  std::lock_guard lock(mu_);
  const int64_t now = clock_.nowMs();
  std::string k(key);
  auto it = buckets_.find(k);
  if (it == buckets_.end()) {
    while (buckets_.size() >= maxKeys_) {
      buckets_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.push_front(k);
    it = buckets_.emplace(std::move(k), Bucket{capacityMicro_, now, lru_.begin()}).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  Bucket& b = it->second;
  if (now > b.lastMs) {
    const int64_t elapsed = now - b.lastMs;
    // Saturating refill: a long idle time simply fills the bucket.
    if (elapsed >= (capacityMicro_ - b.micro) / refillMicroPerMs_ + 1) b.micro = capacityMicro_;
    else b.micro = std::min(capacityMicro_, b.micro + elapsed * refillMicroPerMs_);
    b.lastMs = now;
  }
  if (b.micro >= need) {
    b.micro -= need;
    return {true, 0};
  }
  if (need > capacityMicro_) return {false, std::max<int64_t>(1, (need / refillMicroPerMs_ + 999) / 1000)};
  const int64_t missing = need - b.micro;
  const int64_t ms = (missing + refillMicroPerMs_ - 1) / refillMicroPerMs_;
  return {false, std::max<int64_t>(1, (ms + 999) / 1000)};
}

size_t RateLimiter::size() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

}  // namespace cityops::auth
