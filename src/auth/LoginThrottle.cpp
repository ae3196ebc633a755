#include "auth/LoginThrottle.hpp"

#include <algorithm>

namespace cityops::auth {

const LoginThrottle::Entry* LoginThrottle::Table::find(std::string_view key) const {
  auto it = map_.find(std::string(key));
  return it == map_.end() ? nullptr : &it->second.first;
}

LoginThrottle::Entry& LoginThrottle::Table::touch(std::string_view key, size_t maxEntries, int64_t nowMs,
                                                  int64_t forgetAfterMs) {
  std::string k(key);
  if (auto it = map_.find(k); it != map_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.second);
    return it->second.first;
  }
  // Drop forgotten entries from the old end, then the oldest ones if still full.
  while (!lru_.empty()) {
    auto& back = map_.at(lru_.back()).first;
    const bool stale = nowMs - back.lastFailureMs > forgetAfterMs && back.lockedUntilMs <= nowMs;
    if (!stale && map_.size() < std::max<size_t>(maxEntries, 1)) break;
    map_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(k);
  auto [it, _] = map_.emplace(std::move(k), std::make_pair(Entry{}, lru_.begin()));
  return it->second.first;
}

void LoginThrottle::Table::erase(std::string_view key) {
  auto it = map_.find(std::string(key));
  if (it == map_.end()) return;
  lru_.erase(it->second.second);
  map_.erase(it);
}

LoginThrottle::LoginThrottle(const Clock& clock) : LoginThrottle(clock, Options{}) {}
LoginThrottle::LoginThrottle(const Clock& clock, Options options) : clock_(clock), opt_(options) {}

int64_t LoginThrottle::waitMs(const Entry* e, int64_t nowMs) const {
  if (!e || nowMs - e->lastFailureMs > opt_.forgetAfterMs) return 0;
  return std::max<int64_t>(0, e->lockedUntilMs - nowMs);
}

int64_t LoginThrottle::retryAfterSeconds(std::string_view username, std::string_view address) const {
  std::lock_guard lock(mu_);
  const int64_t now = clock_.nowMs();
  const int64_t ms = std::max(waitMs(users_.find(username), now), waitMs(addresses_.find(address), now));
  return (ms + 999) / 1000;
}

Status LoginThrottle::check(std::string_view username, std::string_view address) const {
  const int64_t s = retryAfterSeconds(username, address);
  if (s == 0) return {};
  return Error{"too_many_requests", "too many failed logins; retry in " + std::to_string(s) + " s"};
}

void LoginThrottle::fail(Table& t, std::string_view key, int64_t nowMs) {
  Entry& e = t.touch(key, opt_.maxEntries, nowMs, opt_.forgetAfterMs);
  if (e.failures > 0 && nowMs - e.lastFailureMs > opt_.forgetAfterMs) e = Entry{};
  e.failures = std::min(e.failures + 1, 1 << 20);
  e.lastFailureMs = nowMs;
  if (e.failures >= opt_.freeFailures) {
    const int shift = e.failures - opt_.freeFailures;
    int64_t delay = opt_.baseDelayMs;
    for (int i = 0; i < shift && delay < opt_.maxDelayMs; ++i) delay *= 2;
    e.lockedUntilMs = nowMs + std::min(delay, opt_.maxDelayMs);
  }
}

void LoginThrottle::recordFailure(std::string_view username, std::string_view address) {
  std::lock_guard lock(mu_);
  const int64_t now = clock_.nowMs();
  fail(users_, username, now);
  fail(addresses_, address, now);
}

void LoginThrottle::recordSuccess(std::string_view username, std::string_view address) {
  std::lock_guard lock(mu_);
  users_.erase(username);
  if (opt_.resetAddressOnSuccess) addresses_.erase(address);
}

size_t LoginThrottle::size() const {
  std::lock_guard lock(mu_);
  return users_.size() + addresses_.size();
}

}  // namespace cityops::auth
