#pragma once
// Token-bucket request limits per key (a token digest or a client address). Each key's bucket holds up to `burst`
// requests and refills at `ratePerSecond`. Thread-safe; memory bounded by maxKeys (least recently used key evicted:
// that key starts again with a full bucket, which only ever errs towards allowing).
#include "common/Clock.hpp"

#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cityops::auth {

class RateLimiter {
 public:
  struct Options {
    double ratePerSecond = 10;  // sustained requests per second (precision 0.001)
    double burst = 20;          // bucket size
    size_t maxKeys = 100000;
  };
  struct Decision {
    bool allowed = true;
    int64_t retryAfterSeconds = 0;  // when !allowed: whole seconds (>= 1) until `cost` requests are available
  };

  RateLimiter(const Clock& clock, Options options);

  /// Takes `cost` requests from the key's bucket if available.
  Decision take(std::string_view key, double cost = 1);

  size_t size() const;

 private:
  struct Bucket {
    int64_t micro = 0;   // available requests x 1e6
    int64_t lastMs = 0;  // last refill
    std::list<std::string>::iterator lru;
  };

  const Clock& clock_;
  int64_t capacityMicro_;
  int64_t refillMicroPerMs_;  // requests/s x 1e6 / 1000
  size_t maxKeys_;
  mutable std::mutex mu_;
  std::list<std::string> lru_;  // front: most recently used
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace cityops::auth
