#pragma once
// Expression rules: a boolean condition over the latest values of several (entity, metric) pairs, parsed once.
//
//   wl.tamky.water_level_m > 2.2 && cam-03.speed_kmh < 10
//
// Operands: numbers (2.2, -0.5, 10, 1e-3) and references <entity id>.<metric>, where the metric is the part after the
// LAST dot (entity ids may contain dots, dashes and colons: "station:tamky.water_level_m"). Operators, from the
// tightest: ! ; > >= < <= == != (numbers only, not chained) ; && ; || ; parentheses group. Types are checked when
// parsing: ! && || take conditions, comparisons take numbers, and the whole expression is a condition.
#include "common/Result.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cityops::rules {

class Expression {
 public:
  static constexpr size_t kMaxLength = 4096;    // bytes of text
  static constexpr size_t kMaxReferences = 64;  // distinct (entity, metric) pairs
  static constexpr size_t kMaxNodes = 256;      // operands and operators
  static constexpr size_t kMaxDepth = 32;       // nesting of the tree (parentheses and operators)

  /// The latest value of (entity, metric), nullopt when there is none.
  using Latest = std::function<std::optional<double>(const std::string& entity, const std::string& metric)>;

  /// "bad_request" with the 1-based column of the problem: "column 14: expected a number or <entity>.<metric>".
  static Result<Expression> parse(std::string_view text);

  /// The distinct (entity, metric) pairs the expression reads, in order of first appearance.
  std::vector<std::pair<std::string, std::string>> references() const { return refs_; }
  /// True/false, or nullopt when a value that decides the result is missing (three-valued logic: a missing value in
  /// `a && b` does not matter when the other side is false, nor in `a || b` when it is true). Each reference is asked
  /// for at most once per call.
  std::optional<bool> evaluate(const Latest& latest) const;
  /// The text it was parsed from.
  const std::string& text() const { return text_; }

 private:
  class Parser;  // Expression.cpp
  enum class Op : uint8_t { Number, Ref, Gt, Ge, Lt, Le, Eq, Ne, Not, And, Or };
  struct Node {
    Op op = Op::Number;
    double number = 0;            // Number
    uint32_t ref = 0;             // Ref: index into refs_
    std::vector<uint32_t> kids;   // comparisons: 2; Not: 1; And/Or: 2 or more
  };

  std::optional<double> number(uint32_t node, const Latest& latest,
                               std::vector<std::optional<std::optional<double>>>& cache) const;
  std::optional<bool> condition(uint32_t node, const Latest& latest,
                                std::vector<std::optional<std::optional<double>>>& cache) const;

  std::string text_;
  std::vector<Node> nodes_;
  uint32_t root_ = 0;
  std::vector<std::pair<std::string, std::string>> refs_;
};

}  // namespace cityops::rules
