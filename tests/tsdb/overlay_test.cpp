#include "tsdb/Rollup.hpp"

#include <gtest/gtest.h>

namespace cityops::tsdb {
namespace {

TEST(Overlay, NewerWinsOnEqualTimesAndOrderIsKept) {
  const std::vector<Sample> older = {{10, 1, kGood}, {20, 2, kGood}, {30, 3, kSuspect}};
  const std::vector<Sample> newer = {{5, 9, kGood}, {20, 7, kBad}, {40, 4, kGood}};
  const std::vector<Sample> want = {{5, 9, kGood}, {10, 1, kGood}, {20, 7, kBad}, {30, 3, kSuspect}, {40, 4, kGood}};
  EXPECT_EQ(overlay(older, newer), want);
  EXPECT_EQ(overlay(older, {}), older);
  EXPECT_EQ(overlay({}, newer), newer);
}

TEST(WithoutBad, KeepsGoodAndSuspect) {
  const std::vector<Sample> in = {{1, 1, kGood}, {2, 2, kBad}, {3, 3, kSuspect}, {4, 4, kBad}};
  const std::vector<Sample> want = {{1, 1, kGood}, {3, 3, kSuspect}};
  EXPECT_EQ(withoutBad(in), want);
}

}  // namespace
}  // namespace cityops::tsdb
