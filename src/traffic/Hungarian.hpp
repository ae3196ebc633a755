#pragma once
// Hungarian: the minimum-cost assignment of rows to columns (Kuhn-Munkres with potentials, O(n² m) for n <= m
// rows; a matrix with more rows than columns is solved transposed). Every row gets a distinct column when
// rows <= cols, else every column a distinct row; the others stay unassigned (-1).
#include <cstddef>
#include <vector>

namespace cityops::traffic {

/// A dense rows x cols matrix of finite costs, row-major.
class CostMatrix {
 public:
  CostMatrix(size_t rows, size_t cols, double fill = 0) : rows_(rows), cols_(cols), data_(rows * cols, fill) {}
  size_t rows() const { return rows_; }
  size_t cols() const { return cols_; }
  double& operator()(size_t r, size_t c) { return data_[r * cols_ + c]; }
  double operator()(size_t r, size_t c) const { return data_[r * cols_ + c]; }

 private:
  size_t rows_;
  size_t cols_;
  std::vector<double> data_;
};

class Hungarian {
 public:
  /// For each row, its column, or -1. Non-finite costs are treated as a very large cost.
  static std::vector<int> solve(const CostMatrix& cost);
  /// The total cost of an assignment returned by solve().
  static double total(const CostMatrix& cost, const std::vector<int>& rowToCol);
};

}  // namespace cityops::traffic
