#pragma once
// Failed-login back-off, per username and per client address. The first `freeFailures - 1` failures cost nothing;
// the freeFailures-th failure locks out for baseDelay, each further one doubles it, up to maxDelay.
// With the defaults: failures 1-4 free, 5th -> 1 s, 6th -> 2 s, 7th -> 4 s, ... 15th and later -> 900 s (15 min).
// Thread-safe; memory bounded by maxEntries per kind (least recently failed entry evicted first).
#include "common/Clock.hpp"
#include "common/Result.hpp"

#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cityops::auth {

class LoginThrottle {
 public:
  struct Options {
    int freeFailures = 5;                      // the failure that first triggers a wait
    int64_t baseDelayMs = 1000;                // wait after the freeFailures-th failure
    int64_t maxDelayMs = 15 * 60 * 1000;       // cap of the doubling
    int64_t forgetAfterMs = 24 * 3600 * 1000;  // an entry whose last failure is older than this is forgotten
    size_t maxEntries = 10000;                 // per kind (usernames, addresses)
    bool resetAddressOnSuccess = false;        // see recordSuccess
  };

  explicit LoginThrottle(const Clock& clock);
  LoginThrottle(const Clock& clock, Options options);

  /// Seconds (rounded up) before `username` from `address` may try again; 0 when a try is allowed now.
  int64_t retryAfterSeconds(std::string_view username, std::string_view address) const;

  /// OK when a try is allowed now; otherwise Error{"too_many_requests", "...retry in N s"} (HTTP 429, and
  /// retryAfterSeconds() for the Retry-After header).
  Status check(std::string_view username, std::string_view address) const;

  /// Counts a failure against both the username and the address.
  void recordFailure(std::string_view username, std::string_view address);

  /// Clears the username's counter. The address counter is kept unless resetAddressOnSuccess (otherwise an attacker
  /// holding one valid account could reset the per-address back-off while guessing other accounts' passwords); it
  /// is forgotten after forgetAfterMs without failures.
  void recordSuccess(std::string_view username, std::string_view address);

  /// Entries held (usernames + addresses), for tests and metrics.
  size_t size() const;

 private:
  struct Entry {
    int failures = 0;
    int64_t lastFailureMs = 0;
    int64_t lockedUntilMs = 0;
  };
  class Table {
   public:
    const Entry* find(std::string_view key) const;
    Entry& touch(std::string_view key, size_t maxEntries, int64_t nowMs, int64_t forgetAfterMs);
    void erase(std::string_view key);
    size_t size() const { return map_.size(); }

   private:
    std::list<std::string> lru_;  // front: most recently failed
    std::unordered_map<std::string, std::pair<Entry, std::list<std::string>::iterator>> map_;
  };

  int64_t waitMs(const Entry* e, int64_t nowMs) const;
  void fail(Table& t, std::string_view key, int64_t nowMs);

  const Clock& clock_;
  Options opt_;
  mutable std::mutex mu_;
  Table users_;
  Table addresses_;
};

}  // namespace cityops::auth
