#pragma once
// Accumulation rules: the sum of the values with time in (newest - window, newest] above `above`.
//
// Raises `severity` when sum > above, clears when sum <= above. A running sum over a deque of the observations in the
// window: O(1) amortised per observation; the sum is recomputed from the deque when only one observation is left and
// after as many removals as the deque holds (still O(1) amortised), so floating-point drift cannot build up.
// Out-of-order observations inside the window are inserted in time order and counted; older ones (time <= newest -
// window) are ignored, as are non-finite values. The window follows the newest observation, not the clock: tick()
// changes nothing (a silent gauge keeps its last sum; a stale rule is what notices silence).
// Verdicts: value = the sum; timeMs = the newest observation's time (the end of the window summed).
#include "rules/Evaluator.hpp"

#include <deque>

namespace cityops::rules {

class AccumulationEvaluator final : public Evaluator {
 public:
  explicit AccumulationEvaluator(const Rule& rule);

  Verdict observe(int64_t timeMs, double value) override;
  Verdict tick(int64_t nowMs) override { return verdict_; }
  Verdict current() const override { return verdict_; }
  /// Sets the verdict; the next counted observation decides from the sum of what the evaluator holds, so feed the
  /// window's history first (ignoring those verdicts) and then call resumeAt.
  void resumeAt(Severity severity, double value, int64_t timeMs) override;

  /// The current sum over the window (for tests and diagnostics).
  double sum() const { return sum_; }

 private:
  struct Point {
    int64_t t;
    double v;
  };
  void recompute();

  double above_ = 0;
  int64_t windowMs_ = 0;
  Severity severity_ = Severity::Minor;
  std::deque<Point> points_;
  double sum_ = 0;
  size_t removals_ = 0;  // since the last recompute
  Verdict verdict_;
};

}  // namespace cityops::rules
