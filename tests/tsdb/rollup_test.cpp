#include <gtest/gtest.h>

#include <vector>

#include "tsdb/Rollup.hpp"
#include "tsdb/TsdbTestData.hpp"

namespace cityops::tsdb {
namespace {

constexpr int64_t kMin = 60'000;

// A small hand-checked example; the expected buckets below were worked out by hand.
const std::vector<Sample> kSamples = {
    {0, 1.0, 0},       // bucket 0
    {10'000, 3.0, 1},  // bucket 0
    {59'999, 2.0, 0},  // bucket 0 (last ms of the minute)
    {60'000, -1.0, 0}, // bucket 60000 (first ms of the next minute)
    {180'500, 4.5, 2}, // bucket 180000 (minute 2 is empty)
    {239'999, 0.5, 0}, // bucket 180000
};

TEST(Rollup, HandComputedMinuteBuckets) {
  const std::vector<Bucket> expected = {
      // start    n  sum   min   max  last  lastT
      {0, 3, 6.0, 1.0, 3.0, 2.0, 59'999},
      {60'000, 1, -1.0, -1.0, -1.0, -1.0, 60'000},
      {180'000, 2, 5.0, 0.5, 4.5, 0.5, 239'999},
  };
  EXPECT_EQ(rollup(kSamples, kMin), expected);
}

TEST(Rollup, HandComputedThreeMinuteBuckets) {
  const std::vector<Bucket> expected = {
      {0, 4, 5.0, -1.0, 3.0, -1.0, 60'000},
      {180'000, 2, 5.0, 0.5, 4.5, 0.5, 239'999},
  };
  EXPECT_EQ(rollup(kSamples, 3 * kMin), expected);
  EXPECT_EQ(regroup(rollup(kSamples, kMin), 3 * kMin), expected);
}

TEST(Rollup, EmptyAndBadResolution) {
  EXPECT_TRUE(rollup({}, kMin).empty());
  EXPECT_TRUE(rollup(kSamples, 0).empty());
  EXPECT_TRUE(rollup(kSamples, -5).empty());
  EXPECT_TRUE(regroup(rollup(kSamples, kMin), 0).empty());
}

TEST(Rollup, BucketStartFloorsNegativeTimes) {
  EXPECT_EQ(bucketStart(0, kMin), 0);
  EXPECT_EQ(bucketStart(59'999, kMin), 0);
  EXPECT_EQ(bucketStart(60'000, kMin), 60'000);
  EXPECT_EQ(bucketStart(-1, kMin), -60'000);
  EXPECT_EQ(bucketStart(-60'000, kMin), -60'000);
}

TEST(Rollup, EqualTimesLastSampleWins) {
  const std::vector<Sample> s = {{5, 1.0, 0}, {5, 2.0, 0}};
  const auto b = rollup(s, kMin);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].last, 2.0);
  EXPECT_EQ(b[0].count, 2u);
}

TEST(Rollup, CombineAddsAndPicksLatest) {
  const Bucket a{0, 3, 6.0, 1.0, 3.0, 2.0, 59'999};
  const Bucket b{0, 2, 1.0, -4.0, 2.5, 7.0, 30'000};
  EXPECT_EQ(combine(a, b), (Bucket{0, 5, 7.0, -4.0, 3.0, 2.0, 59'999}));
  EXPECT_EQ(combine(b, a), (Bucket{0, 5, 7.0, -4.0, 3.0, 2.0, 59'999}));
}

TEST(Rollup, CombineTieGoesToSecond) {
  const Bucket a{0, 1, 1.0, 1.0, 1.0, 1.0, 100};
  const Bucket b{0, 1, 9.0, 9.0, 9.0, 9.0, 100};
  EXPECT_EQ(combine(a, b).last, 9.0);
  EXPECT_EQ(combine(b, a).last, 1.0);
}

TEST(Rollup, CombineWithEmptyBucket) {
  const Bucket a{60'000, 2, 3.0, 1.0, 2.0, 2.0, 70'000};
  const Bucket empty{60'000, 0, 0.0, 0.0, 0.0, 0.0, 60'000};
  EXPECT_EQ(combine(a, empty), a);
  EXPECT_EQ(combine(empty, a), a);
}

TEST(Rollup, CombineSaturatesCount) {
  const Bucket a{0, 0xFFFFFFFFu, 1.0, 1.0, 1.0, 1.0, 1};
  EXPECT_EQ(combine(a, a).count, 0xFFFFFFFFu);
}

TEST(Rollup, MergeIsSortedUnionCombiningEqualStarts) {
  const std::vector<Bucket> older = {
      {0, 1, 1.0, 1.0, 1.0, 1.0, 0},
      {60'000, 2, 4.0, 1.0, 3.0, 3.0, 90'000},
      {120'000, 1, 5.0, 5.0, 5.0, 5.0, 120'000},
  };
  const std::vector<Bucket> newer = {
      {60'000, 1, 10.0, 10.0, 10.0, 10.0, 110'000},
      {180'000, 1, 6.0, 6.0, 6.0, 6.0, 180'001},
  };
  const std::vector<Bucket> expected = {
      {0, 1, 1.0, 1.0, 1.0, 1.0, 0},
      {60'000, 3, 14.0, 1.0, 10.0, 10.0, 110'000},
      {120'000, 1, 5.0, 5.0, 5.0, 5.0, 120'000},
      {180'000, 1, 6.0, 6.0, 6.0, 6.0, 180'001},
  };
  EXPECT_EQ(merge(older, newer), expected);
  EXPECT_EQ(merge(older, {}), older);
  EXPECT_EQ(merge({}, newer), newer);
  EXPECT_TRUE(merge({}, {}).empty());
}

TEST(Rollup, MergeOfSplitSeriesEqualsRollupOfWhole) {
  // Rolling up two halves separately then merging gives the whole-series rollup, including
  // the bucket that straddles the split (values are small integers, so sums are exact).
  std::vector<Sample> s;
  for (int i = 0; i < 500; ++i) s.push_back({i * 7'000, static_cast<double>(i % 13), 0});
  const std::span<const Sample> all(s);
  const auto whole = rollup(all, kMin);
  for (size_t cut : {1u, 8u, 9u, 250u, 499u}) {
    EXPECT_EQ(merge(rollup(all.first(cut), kMin), rollup(all.subspan(cut), kMin)), whole) << cut;
  }
}

TEST(Rollup, RegroupMatchesDirectRollup) {
  std::vector<Sample> s;
  for (int i = 0; i < 2000; ++i) {
    s.push_back({i * 17'000 + (i % 5) * 301, static_cast<double>(i % 29) - 10, 0});
  }
  for (int64_t coarse : {5 * kMin, 60 * kMin, 24 * 60 * kMin}) {
    EXPECT_EQ(regroup(rollup(s, kMin), coarse), rollup(s, coarse)) << coarse;
  }
}

}  // namespace
}  // namespace cityops::tsdb
