#include "auth/LoginThrottle.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace cityops::auth {
namespace {

constexpr int64_t kT0 = 1764201600000;

TEST(LoginThrottle, FirstFourFailuresAreFree) {
  ManualClock clock(kT0);
  LoginThrottle t(clock);
  for (int i = 0; i < 4; ++i) {
    t.recordFailure("alice", "10.0.0.1");
    EXPECT_EQ(t.retryAfterSeconds("alice", "10.0.0.1"), 0) << "after failure " << i + 1;
  }
  EXPECT_TRUE(t.check("alice", "10.0.0.1").ok());
}

TEST(LoginThrottle, BackOffSequenceHandComputed) {
  ManualClock clock(kT0);
  LoginThrottle t(clock);
  for (int i = 0; i < 4; ++i) t.recordFailure("alice", "10.0.0.1");
  // Failure n (n >= 5) locks out for 1 s * 2^(n-5), capped at 900 s.
  const std::vector<int64_t> expected = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900};
  for (size_t i = 0; i < expected.size(); ++i) {
    t.recordFailure("alice", "10.0.0.1");
    const int64_t wait = expected[i];
    EXPECT_EQ(t.retryAfterSeconds("alice", "10.0.0.1"), wait) << "failure " << i + 5;
    auto st = t.check("alice", "10.0.0.1");
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, "too_many_requests");
    EXPECT_EQ(st.error().message, "too many failed logins; retry in " + std::to_string(wait) + " s");
    clock.advance(wait * 1000 - 1);
    EXPECT_EQ(t.retryAfterSeconds("alice", "10.0.0.1"), 1) << "1 ms left rounds up to 1 s";
    clock.advance(1);
    EXPECT_EQ(t.retryAfterSeconds("alice", "10.0.0.1"), 0) << "free exactly when the wait is over";
  }
}

TEST(LoginThrottle, SuccessResetsTheUserButNotTheAddress) {
  ManualClock clock(kT0);
  LoginThrottle t(clock);
  for (int i = 0; i < 5; ++i) t.recordFailure("alice", "10.0.0.1");
  EXPECT_EQ(t.retryAfterSeconds("alice", "10.0.0.9"), 1);  // the user is throttled from anywhere
  clock.advance(1000);
  t.recordSuccess("alice", "10.0.0.1");
  EXPECT_EQ(t.retryAfterSeconds("alice", "10.0.0.9"), 0);
  // The user starts over: four free failures again.
  for (int i = 0; i < 4; ++i) t.recordFailure("alice", "10.0.0.9");
  EXPECT_EQ(t.retryAfterSeconds("alice", "10.0.0.9"), 0);
  // The address 10.0.0.1 still has 5 failures: its next failure means 2 s.
  t.recordFailure("bob", "10.0.0.1");
  EXPECT_EQ(t.retryAfterSeconds("carol", "10.0.0.1"), 2);
}

TEST(LoginThrottle, ResetAddressOnSuccessOption) {
  ManualClock clock(kT0);
  LoginThrottle::Options o;
  o.resetAddressOnSuccess = true;
  LoginThrottle t(clock, o);
  for (int i = 0; i < 5; ++i) t.recordFailure("alice", "10.0.0.1");
  clock.advance(1000);
  t.recordSuccess("alice", "10.0.0.1");
  t.recordFailure("bob", "10.0.0.1");
  EXPECT_EQ(t.retryAfterSeconds("bob", "10.0.0.1"), 0);
}

TEST(LoginThrottle, PerAddressAcrossManyUsernames) {
  ManualClock clock(kT0);
  LoginThrottle t(clock);
  const char* users[] = {"u1", "u2", "u3", "u4", "u5"};
  for (const char* u : users) t.recordFailure(u, "203.0.113.7");
  EXPECT_EQ(t.retryAfterSeconds("someone-else", "203.0.113.7"), 1);  // the address is throttled
  EXPECT_EQ(t.retryAfterSeconds("u1", "198.51.100.1"), 0);           // each user has only one failure
}

TEST(LoginThrottle, WaitIsTheLongerOfUserAndAddress) {
  ManualClock clock(kT0);
  LoginThrottle t(clock);
  for (int i = 0; i < 7; ++i) t.recordFailure("alice", "a1");  // alice: 4 s; a1: 4 s
  for (int i = 0; i < 5; ++i) t.recordFailure("bob", "a2");    // bob: 1 s; a2: 1 s
  EXPECT_EQ(t.retryAfterSeconds("alice", "a2"), 4);
  EXPECT_EQ(t.retryAfterSeconds("bob", "a1"), 4);
  EXPECT_EQ(t.retryAfterSeconds("bob", "a2"), 1);
}

TEST(LoginThrottle, OldFailuresAreForgotten) {
  ManualClock clock(kT0);
  LoginThrottle::Options o;
  o.forgetAfterMs = 60'000;
  LoginThrottle t(clock, o);
  for (int i = 0; i < 5; ++i) t.recordFailure("alice", "a");
  clock.advance(60'001);
  EXPECT_EQ(t.retryAfterSeconds("alice", "a"), 0);
  t.recordFailure("alice", "a");  // counts as the first failure again
  EXPECT_EQ(t.retryAfterSeconds("alice", "a"), 0);
}

TEST(LoginThrottle, MemoryIsBounded) {
  ManualClock clock(kT0);
  LoginThrottle::Options o;
  o.maxEntries = 3;
  LoginThrottle t(clock, o);
  for (int i = 0; i < 100; ++i) {
    t.recordFailure("user" + std::to_string(i), "addr" + std::to_string(i));
    clock.advance(1);
  }
  EXPECT_LE(t.size(), 6u);  // 3 usernames + 3 addresses
  // The most recent entries are kept.
  for (int i = 0; i < 4; ++i) t.recordFailure("user99", "x");
  EXPECT_EQ(t.retryAfterSeconds("user99", "y"), 1);
}

}  // namespace
}  // namespace cityops::auth
