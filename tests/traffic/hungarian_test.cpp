// Hungarian: the minimum-cost assignment against brute force over every permutation on small random matrices,
// square and rectangular; the assignment is a matching; edge cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "traffic/Hungarian.hpp"

namespace cityops::traffic {
namespace {

/// The smallest total over every way to give min(rows, cols) rows distinct columns.
double bruteForce(const CostMatrix& c) {
  const size_t n = c.rows(), m = c.cols();
  const bool wide = n <= m;
  const size_t small = std::min(n, m), big = std::max(n, m);
  std::vector<size_t> perm(big);
  std::iota(perm.begin(), perm.end(), 0);
  double best = 1e300;
  do {
    double sum = 0;
    for (size_t i = 0; i < small; ++i) sum += wide ? c(i, perm[i]) : c(perm[i], i);
    best = std::min(best, sum);
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

void expectMatching(const CostMatrix& c, const std::vector<int>& a) {
  ASSERT_EQ(a.size(), c.rows());
  std::set<int> used;
  size_t assigned = 0;
  for (int col : a) {
    if (col < 0) continue;
    ASSERT_LT(static_cast<size_t>(col), c.cols());
    EXPECT_TRUE(used.insert(col).second) << "column " << col << " assigned twice";
    ++assigned;
  }
  EXPECT_EQ(assigned, std::min(c.rows(), c.cols()));
}

TEST(Hungarian, MatchesBruteForceOnRandomMatrices) {
  std::mt19937 rng(1234);
  std::uniform_real_distribution<double> uni(0.0, 10.0);
  std::uniform_int_distribution<int> ints(0, 5);
  int checked = 0;
  for (size_t rows = 1; rows <= 6; ++rows) {
    for (size_t cols = 1; cols <= 6; ++cols) {
      for (int trial = 0; trial < 8; ++trial) {
        CostMatrix c(rows, cols);
        const bool integral = trial % 2 == 0;  // many ties
        for (size_t r = 0; r < rows; ++r)
          for (size_t k = 0; k < cols; ++k) c(r, k) = integral ? ints(rng) : uni(rng);
        const auto a = Hungarian::solve(c);
        expectMatching(c, a);
        EXPECT_NEAR(Hungarian::total(c, a), bruteForce(c), 1e-9) << rows << "x" << cols << " trial " << trial;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 6 * 6 * 8);
}

TEST(Hungarian, KnownSquareCase) {
  // The classic example: the optimum 0->1, 1->0, 2->2 costs 1 + 2 + 2 = 5.
  CostMatrix c(3, 3);
  const double v[3][3] = {{4, 1, 3}, {2, 0, 5}, {3, 2, 2}};
  for (size_t r = 0; r < 3; ++r)
    for (size_t k = 0; k < 3; ++k) c(r, k) = v[r][k];
  const auto a = Hungarian::solve(c);
  EXPECT_EQ(a, (std::vector<int>{1, 0, 2}));
  EXPECT_DOUBLE_EQ(Hungarian::total(c, a), 5);
}

TEST(Hungarian, MoreRowsThanColumnsLeavesRowsUnassigned) {
  CostMatrix c(3, 1);
  c(0, 0) = 5;
  c(1, 0) = 1;
  c(2, 0) = 3;
  EXPECT_EQ(Hungarian::solve(c), (std::vector<int>{-1, 0, -1}));
}

TEST(Hungarian, EmptyAndNonFinite) {
  EXPECT_TRUE(Hungarian::solve(CostMatrix(0, 3)).empty());
  EXPECT_EQ(Hungarian::solve(CostMatrix(2, 0)), (std::vector<int>{-1, -1}));
  CostMatrix c(2, 2);
  c(0, 0) = std::numeric_limits<double>::infinity();
  c(0, 1) = 1;
  c(1, 0) = 1;
  c(1, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(Hungarian::solve(c), (std::vector<int>{1, 0}));
}

TEST(Hungarian, LargerRandomIsAMatchingNoWorseThanGreedy) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  CostMatrix c(40, 55);
  for (size_t r = 0; r < c.rows(); ++r)
    for (size_t k = 0; k < c.cols(); ++k) c(r, k) = uni(rng);
  const auto a = Hungarian::solve(c);
  expectMatching(c, a);
  // Greedy row by row is a feasible assignment, so the optimum is at most its cost.
  std::vector<char> used(c.cols(), 0);
  double greedy = 0;
  for (size_t r = 0; r < c.rows(); ++r) {
    size_t best = c.cols();
    for (size_t k = 0; k < c.cols(); ++k)
      if (!used[k] && (best == c.cols() || c(r, k) < c(r, best))) best = k;
    used[best] = 1;
    greedy += c(r, best);
  }
  EXPECT_LE(Hungarian::total(c, a), greedy + 1e-12);
}

}  // namespace
}  // namespace cityops::traffic
