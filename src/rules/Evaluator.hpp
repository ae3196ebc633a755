#pragma once
// The condition of one rule for one entity, as a state machine over that entity's observations in data time.
// Fed only with observations that count (the engine drops `bad` ones, and `suspect` ones unless the rule says
// otherwise). Each call returns the severity the condition is at afterwards: nullopt = normal. The caller turns
// changes of that value into alert transitions (raise, escalate, de-escalate, resolve).
#include "rules/Rule.hpp"

#include <cstdint>
#include <memory>
#include <optional>

namespace cityops::rules {

struct Verdict {
  std::optional<Severity> severity;  // nullopt: the condition does not hold
  double value = 0;                  // the value the verdict rests on (the reading, the rate per hour, the sum)
  int64_t timeMs = 0;                // data time at which the condition changed to this severity (for `for`: when
                                     // it had held long enough), else the observation's time
};

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  /// One observation, in any order (out-of-order ones are handled as the kind requires).
  virtual Verdict observe(int64_t timeMs, double value) = 0;
  /// Time passes without observations (stale rules; `for` durations that completed): nowMs in data time.
  virtual Verdict tick(int64_t nowMs) = 0;
  /// The current verdict without new input.
  virtual Verdict current() const = 0;
  /// Starts from an alert that was open at the last stop (severity known, history not): no duplicate raise.
  virtual void resumeAt(Severity severity, double value, int64_t timeMs) = 0;

  /// A fresh evaluator for a threshold, rate, accumulation or stale rule (expression rules are evaluated elsewhere).
  static std::unique_ptr<Evaluator> make(const Rule& rule);
};

}  // namespace cityops::rules
