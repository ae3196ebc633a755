#include "traffic/Hungarian.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cityops::traffic {

namespace {

constexpr double kLarge = 1e12;

double finite(double c) { return std::isfinite(c) ? c : kLarge; }

/// n <= m. a(i, j) for 0-based i < n, j < m. Returns row -> column.
template <class Cost>
std::vector<int> solveWide(size_t n, size_t m, Cost a) {
  const double inf = std::numeric_limits<double>::infinity();
  // 1-based potentials and matching, column 0 is the virtual start.
  std::vector<double> u(n + 1, 0), v(m + 1, 0), minv(m + 1);
  std::vector<size_t> p(m + 1, 0), way(m + 1, 0);
  std::vector<char> used(m + 1);
  for (size_t i = 1; i <= n; ++i) {
    p[0] = i;
    size_t j0 = 0;
    std::fill(minv.begin(), minv.end(), inf);
    std::fill(used.begin(), used.end(), 0);
    do {
      used[j0] = 1;
      const size_t i0 = p[j0];
      double delta = inf;
      size_t j1 = 0;
      for (size_t j = 1; j <= m; ++j) {
        if (used[j]) continue;
        const double cur = finite(a(i0 - 1, j - 1)) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (size_t j = 0; j <= m; ++j) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      const size_t j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<int> rowToCol(n, -1);
  for (size_t j = 1; j <= m; ++j)
    if (p[j] != 0) rowToCol[p[j] - 1] = static_cast<int>(j - 1);
  return rowToCol;
}

}  // namespace

std::vector<int> Hungarian::solve(const CostMatrix& cost) {
  const size_t n = cost.rows(), m = cost.cols();
  if (n == 0 || m == 0) return std::vector<int>(n, -1);
  if (n <= m) return solveWide(n, m, [&](size_t i, size_t j) { return cost(i, j); });
  // More rows than columns: assign columns to rows on the transpose.
  const std::vector<int> colToRow = solveWide(m, n, [&](size_t i, size_t j) { return cost(j, i); });
  std::vector<int> rowToCol(n, -1);
  for (size_t c = 0; c < m; ++c)
    if (colToRow[c] >= 0) rowToCol[static_cast<size_t>(colToRow[c])] = static_cast<int>(c);
  return rowToCol;
}

double Hungarian::total(const CostMatrix& cost, const std::vector<int>& rowToCol) {
  double sum = 0;
  for (size_t r = 0; r < rowToCol.size(); ++r)
    if (rowToCol[r] >= 0) sum += cost(r, static_cast<size_t>(rowToCol[r]));
  return sum;
}

}  // namespace cityops::traffic
