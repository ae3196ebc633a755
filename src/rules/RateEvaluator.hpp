#pragma once
// Rate rules: change per hour over a window, above `perHourAbove` (or below `perHourBelow`).
//
// rate = (v_newest - v_base) / (window in hours), where v_base is the value at newest - window, interpolated linearly
// between the two observations around that instant (or the observation exactly at it). While the history is shorter
// than the window the oldest observation is the base and the rate is taken over the span actually covered, provided it
// covers at least half the window; with less (or a single observation) the verdict does not change.
// Raises `severity` when rate > perHourAbove (rate < perHourBelow), clears when not. Observations older than the
// newest one are ignored; one at the same time as the newest replaces it; non-finite values are ignored.
// The history is a deque pruned to the window (plus the base observation): O(1) amortised per observation.
// Verdicts: value = the rate per hour (the last one computed); timeMs = the observation's time. tick() changes nothing.
#include "rules/Evaluator.hpp"

#include <deque>

namespace cityops::rules {

class RateEvaluator final : public Evaluator {
 public:
  explicit RateEvaluator(const Rule& rule);

  Verdict observe(int64_t timeMs, double value) override;
  Verdict tick(int64_t nowMs) override { return verdict_; }
  Verdict current() const override { return verdict_; }
  /// Sets the verdict; the next observation with enough history decides whether it still holds (feed the window's
  /// history first, ignoring those verdicts, then call resumeAt).
  void resumeAt(Severity severity, double value, int64_t timeMs) override;

 private:
  struct Point {
    int64_t t;
    double v;
  };
  std::optional<double> rate() const;

  bool above_ = true;
  double limit_ = 0;
  int64_t windowMs_ = 0;
  Severity severity_ = Severity::Minor;
  std::deque<Point> points_;
  Verdict verdict_;
};

}  // namespace cityops::rules
