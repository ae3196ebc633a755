#pragma once
// Threshold rules: 1..8 levels (all "above" or all "below"), hysteresis and a minimum duration (`for`).
//
// Level i "holds" for a reading v when v > value_i (above; v < value_i for below). The raw level of a reading is the
// highest level that holds (or none).
//  - Up: the state moves up to the raw level at once when forMs = 0. With forMs > 0 it moves up to the highest level i
//    whose raw level has stayed >= i over consecutive observations for at least forMs (the reading is taken to last
//    until the next one; tick(now) lets it last until now); the verdict's time is then the moment it completed,
//    start + forMs, which may lie before the observation or tick that noticed it.
//  - Down (immediate, no `for`): at level L nothing changes while v > value_L - hysteresis (v < value_L + hysteresis
//    below); once it is past that, the state settles to the highest level j with v > value_j - hysteresis, or none.
//  - Observations older than the newest one seen are ignored; gaps do not reset anything; non-finite values are
//    ignored.
// Verdicts: value = the newest reading; timeMs = when the severity changed if this call changed it, else the
// observation's time (observe) or unchanged (tick, ignored observations).
#include "rules/Evaluator.hpp"

#include <vector>

namespace cityops::rules {

class ThresholdEvaluator final : public Evaluator {
 public:
  /// `rule` must be a valid threshold rule (RuleCodec checks it); with no levels it never raises.
  explicit ThresholdEvaluator(const Rule& rule);

  Verdict observe(int64_t timeMs, double value) override;
  Verdict tick(int64_t nowMs) override;
  Verdict current() const override { return verdict_; }
  /// The state becomes the highest level whose severity is <= `severity` (the lowest level if there is none), as if
  /// the reading `value` had held that level since `timeMs`; observations before `timeMs` are then ignored.
  void resumeAt(Severity severity, double value, int64_t timeMs) override;

 private:
  static constexpr int kNone = -1;

  bool holds(int level, double v) const;        // the raw condition
  bool stillHolds(int level, double v) const;   // with hysteresis
  int rawLevel(double v) const;
  /// Moves up to the highest level > level_ whose run reached forMs by `now`; true if it moved.
  bool escalate(int64_t now);
  void setLevel(int level, int64_t timeMs);

  std::vector<Level> levels_;
  double sign_ = 1;  // +1 above, -1 below: conditions are compared as sign * value
  double hysteresis_ = 0;
  int64_t forMs_ = 0;

  int level_ = kNone;
  bool seen_ = false;           // any observation (or resumeAt) yet
  int64_t newestMs_ = 0;
  std::vector<int64_t> since_;  // per level: start of the current run with raw level >= i
  std::vector<bool> running_;   // per level: whether that run is ongoing
  Verdict verdict_;
};

}  // namespace cityops::rules
