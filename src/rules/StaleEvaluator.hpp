#pragma once
// Stale rules: no observation for `afterMs` (a silent sensor), noticed by tick().
//
// "now" in data time is the latest of the ticks and observations seen. The condition holds when
// now - last >= afterMs, where `last` is the newest observation's time, or the first tick's time before any
// observation (a sensor that never reported is stale afterMs after the first tick). tick(now) raises; an observation
// clears unless it is itself already older than afterMs against the latest tick (a late upload of buffered readings
// does not make a silent sensor look alive). Observations older than the newest one are ignored, as are non-finite
// values.
// Verdicts: value = the newest observed value (0 before any); timeMs = when the condition changed: last + afterMs
// for a raise (when it became stale), the observation's time for a clear; else the observation's time (observe) or
// unchanged (tick).
#include "rules/Evaluator.hpp"

namespace cityops::rules {

class StaleEvaluator final : public Evaluator {
 public:
  explicit StaleEvaluator(const Rule& rule);

  Verdict observe(int64_t timeMs, double value) override;
  Verdict tick(int64_t nowMs) override;
  Verdict current() const override { return verdict_; }
  /// Resumes a raised alert: `timeMs` is when it became stale, so `last` is taken as timeMs - afterMs unless a newer
  /// observation is already known. A later tick keeps it raised; a fresh observation clears it.
  void resumeAt(Severity severity, double value, int64_t timeMs) override;

 private:
  /// Re-evaluates at data time `now`; true if the severity changed.
  bool evaluate(int64_t now);

  int64_t afterMs_ = 0;
  Severity severity_ = Severity::Minor;
  bool hasLast_ = false;
  int64_t lastMs_ = 0;
  bool ticked_ = false;
  int64_t firstTickMs_ = 0;
  int64_t latestTickMs_ = 0;
  Verdict verdict_;
};

}  // namespace cityops::rules
