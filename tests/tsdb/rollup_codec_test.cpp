#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <vector>

#include "tsdb/ChunkCodec.hpp"
#include "tsdb/Rollup.hpp"
#include "tsdb/RollupCodec.hpp"
#include "tsdb/TsdbTestData.hpp"

namespace cityops::tsdb {
namespace {

using testdata::kMinute;

std::vector<Bucket> roundTrip(const std::vector<Bucket>& in) {
  auto out = decodeRollups(encodeRollups(in));
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
  return out.ok() ? std::move(out).value() : std::vector<Bucket>{};
}

TEST(RollupCodec, Empty) {
  EXPECT_EQ(encodeRollups({}).size(), 2u);
  EXPECT_TRUE(roundTrip({}).empty());
}

TEST(RollupCodec, HandMade) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<Bucket> in = {
      {0, 1, 2.5, 2.5, 2.5, 2.5, 0},                       // compact
      {60'000, 1, 2.5, 2.5, 2.5, 2.5, 60'000},             // compact, same count
      {120'000, 3, 6.0, 1.0, 3.0, 2.0, 179'999},           // full
      {180'000, 1, 4.0, 4.0, 4.0, -4.0, 180'001},          // count 1 but inconsistent: full form
      {240'000, 1, -0.0, -0.0, -0.0, 0.0, 240'000},        // -0.0 vs 0.0 differ bitwise
      {300'000, 0, 0.0, 0.0, 0.0, 0.0, 300'000},           // empty bucket
      {360'000, 0xFFFFFFFFu, inf, -1e300, 1e300, 5.0, 419'999},
      {int64_t{1} << 50, 1, 1.0, 1.0, 1.0, 1.0, (int64_t{1} << 50) + 12345},
      {std::numeric_limits<int64_t>::max() - 1, 2, 0.0, -0.0, 0.0, 0.0,
       std::numeric_limits<int64_t>::max()},
  };
  EXPECT_EQ(roundTrip(in), in);
}

TEST(RollupCodec, RandomizedRoundTrips) {
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    std::mt19937_64 rng(seed);
    const size_t n = rng() % 300;
    const int64_t res = std::vector<int64_t>{kMinute, 5 * kMinute, 3'600'000, 86'400'000}[rng() % 4];
    std::vector<Bucket> in;
    int64_t start = static_cast<int64_t>(rng() % 1'000'000) * res;
    double v = 10;
    for (size_t i = 0; i < n; ++i) {
      start += res * (rng() % 5 == 0 ? 1 + static_cast<int64_t>(rng() % 100) : 1);
      v += static_cast<double>(static_cast<int64_t>(rng() % 200) - 100) / 100.0;
      const uint32_t count = rng() % 3 == 0 ? 1 : static_cast<uint32_t>(rng() % 100);
      Bucket b{start, count, v, v, v, v, start + static_cast<int64_t>(rng() % static_cast<uint64_t>(res))};
      if (count != 1) {
        b.sum = v * count;
        b.min = v - static_cast<double>(rng() % 100) / 10;
        b.max = v + static_cast<double>(rng() % 100) / 10;
        b.last = rng() % 2 ? v : std::bit_cast<double>(rng());
      }
      in.push_back(b);
    }
    ASSERT_EQ(roundTrip(in), in) << "seed " << seed;
  }
}

TEST(RollupCodec, OneSamplePerMinuteRollupCostsAboutTheRawChunk) {
  // 1-minute data rolled up at 1 minute: every bucket is count 1, so each costs the same as
  // a raw sample plus ~2 bits (count and lastT offset unchanged).
  const auto river = testdata::riverLevel(1440, 21);
  const auto buckets = rollup(river, kMinute);
  ASSERT_EQ(buckets.size(), river.size());
  const size_t raw = encodeChunk(river).size();
  const size_t rolled = encodeRollups(buckets).size();
  std::cout << "1440 samples: chunk " << raw << " B, 1-min rollup " << rolled << " B\n";
  EXPECT_LE(rolled, raw + (2 * buckets.size()) / 8 + 8);
  EXPECT_EQ(roundTrip(buckets), buckets);

  // Same with readings 17 s into each minute.
  auto offset = river;
  for (auto& s : offset) s.t += 17'000;
  const auto ob = rollup(offset, kMinute);
  EXPECT_LE(encodeRollups(ob).size(), encodeChunk(offset).size() + (2 * ob.size()) / 8 + 8);
  EXPECT_EQ(roundTrip(ob), ob);
}

TEST(RollupCodec, CoarserRollupsRoundTrip) {
  const auto river = testdata::riverLevel(7 * 1440, 22);
  for (int64_t res : {5 * kMinute, 60 * kMinute, 1440 * kMinute}) {
    const auto b = rollup(river, res);
    EXPECT_EQ(roundTrip(b), b) << res;
  }
  const auto walk = testdata::randomWalk(5000, 23);
  const auto wb = rollup(walk, kMinute);  // mixed counts of 5 to 7
  EXPECT_EQ(roundTrip(wb), wb);
}

TEST(RollupCodec, RejectsBadInput) {
  const auto blob = encodeRollups(rollup(testdata::riverLevel(100, 1), kMinute));
  auto expectCorrupt = [](const std::string& b) {
    auto r = decodeRollups(b);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "corrupt");
  };
  for (int version : {0, 1, 3, 9}) {  // 1: the old layout, not read any more
    std::string v = blob;
    v[0] = static_cast<char>(version);
    expectCorrupt(v);
  }
  expectCorrupt("");
  expectCorrupt(blob + '\0');
  expectCorrupt(encodeRollups({}) + '\0');
  // Huge count with little data.
  std::string huge = {static_cast<char>(kRollupFormatVersion)};
  huge += "\xff\xff\xff\xff\x0f";
  huge += '\x00';
  huge += std::string(8, '\0');
  expectCorrupt(huge);
}

}  // namespace
}  // namespace cityops::tsdb
