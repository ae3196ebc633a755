#include "auth/RateLimiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace cityops::auth {
namespace {

constexpr int64_t kT0 = 1764201600000;

TEST(RateLimiter, BurstThenRefillHandComputed) {
  ManualClock clock(kT0);
  RateLimiter rl(clock, {.ratePerSecond = 2, .burst = 5, .maxKeys = 100});
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(rl.take("k").allowed) << i;
  auto d = rl.take("k");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retryAfterSeconds, 1);  // one request refills in 500 ms -> rounded up to 1 s
  clock.advance(499);
  EXPECT_FALSE(rl.take("k").allowed);
  clock.advance(1);  // 500 ms: exactly one request refilled
  EXPECT_TRUE(rl.take("k").allowed);
  EXPECT_FALSE(rl.take("k").allowed);
  clock.advance(1500);  // 3 requests
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(rl.take("k").allowed) << i;
  EXPECT_FALSE(rl.take("k").allowed);
  clock.advance(60'000);  // refill caps at the burst
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(rl.take("k").allowed) << i;
  EXPECT_FALSE(rl.take("k").allowed);
}

TEST(RateLimiter, SlowRateRetryAfterHandComputed) {
  ManualClock clock(kT0);
  RateLimiter rl(clock, {.ratePerSecond = 0.5, .burst = 1, .maxKeys = 100});  // one request per 2 s
  EXPECT_TRUE(rl.take("k").allowed);
  auto d = rl.take("k");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retryAfterSeconds, 2);
  clock.advance(1000);
  EXPECT_EQ(rl.take("k").retryAfterSeconds, 1);
  clock.advance(999);
  d = rl.take("k");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retryAfterSeconds, 1);  // 1 ms left -> 1 s
  clock.advance(1);
  EXPECT_TRUE(rl.take("k").allowed);
}

TEST(RateLimiter, KeysAreIndependentAndCostCounts) {
  ManualClock clock(kT0);
  RateLimiter rl(clock, {.ratePerSecond = 1, .burst = 3, .maxKeys = 100});
  EXPECT_TRUE(rl.take("a", 3).allowed);
  EXPECT_FALSE(rl.take("a").allowed);
  EXPECT_TRUE(rl.take("b").allowed);
  EXPECT_TRUE(rl.take("b", 2).allowed);
  auto d = rl.take("b", 2);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retryAfterSeconds, 2);
}

TEST(RateLimiter, MemoryIsBoundedByLeastRecentlyUsed) {
  ManualClock clock(kT0);
  RateLimiter rl(clock, {.ratePerSecond = 1, .burst = 1, .maxKeys = 2});
  EXPECT_TRUE(rl.take("a").allowed);
  EXPECT_TRUE(rl.take("b").allowed);
  EXPECT_FALSE(rl.take("a").allowed);  // a is now the most recently used
  EXPECT_TRUE(rl.take("c").allowed);   // evicts b
  EXPECT_EQ(rl.size(), 2u);
  EXPECT_FALSE(rl.take("a").allowed);  // a survived with its empty bucket
  EXPECT_TRUE(rl.take("b").allowed);   // b starts over with a full bucket
  for (int i = 0; i < 1000; ++i) (void)rl.take("key" + std::to_string(i));
  EXPECT_EQ(rl.size(), 2u);
}

TEST(RateLimiter, ConcurrentTakersGetExactlyTheBurst) {
  ManualClock clock(kT0);  // time stands still: no refill
  RateLimiter rl(clock, {.ratePerSecond = 1, .burst = 100, .maxKeys = 10});
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i)
        if (rl.take("shared").allowed) allowed.fetch_add(1);
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(allowed.load(), 100);
}

}  // namespace
}  // namespace cityops::auth
