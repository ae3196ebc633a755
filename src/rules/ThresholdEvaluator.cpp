#include "rules/ThresholdEvaluator.hpp"

#include <algorithm>
#include <cmath>

namespace cityops::rules {

ThresholdEvaluator::ThresholdEvaluator(const Rule& rule)
    : levels_(rule.levels),
      sign_(rule.levels.empty() || rule.levels.front().above ? 1.0 : -1.0),
      hysteresis_(rule.hysteresis),
      forMs_(rule.forMs),
      since_(rule.levels.size(), 0),
      running_(rule.levels.size(), false) {}

bool ThresholdEvaluator::holds(int level, double v) const {
  return sign_ * v > sign_ * levels_[static_cast<size_t>(level)].value;
}

bool ThresholdEvaluator::stillHolds(int level, double v) const {
  return sign_ * v > sign_ * levels_[static_cast<size_t>(level)].value - hysteresis_;
}

int ThresholdEvaluator::rawLevel(double v) const {
  int level = kNone;
  for (int i = 0; i < static_cast<int>(levels_.size()); ++i)
    if (holds(i, v)) level = i;
  return level;
}

void ThresholdEvaluator::setLevel(int level, int64_t timeMs) {
  level_ = level;
  verdict_.severity = level == kNone ? std::nullopt : std::optional(levels_[static_cast<size_t>(level)].severity);
  verdict_.timeMs = timeMs;
}

bool ThresholdEvaluator::escalate(int64_t now) {
  for (int i = static_cast<int>(levels_.size()) - 1; i > level_; --i) {
    const auto k = static_cast<size_t>(i);
    if (running_[k] && now - since_[k] >= forMs_) {
      setLevel(i, since_[k] + forMs_);
      return true;
    }
  }
  return false;
}

Verdict ThresholdEvaluator::observe(int64_t timeMs, double value) {
  if (!std::isfinite(value) || (seen_ && timeMs < newestMs_)) return verdict_;
  seen_ = true;
  newestMs_ = timeMs;
  verdict_.value = value;

  const int raw = rawLevel(value);
  for (int i = 0; i < static_cast<int>(levels_.size()); ++i) {
    const auto k = static_cast<size_t>(i);
    if (i <= raw) {
      if (!running_[k]) since_[k] = timeMs;
      running_[k] = true;
    } else {
      running_[k] = false;
    }
  }

  if (raw > level_ && escalate(timeMs)) return verdict_;
  if (level_ != kNone && !stillHolds(level_, value)) {
    int settled = kNone;
    for (int i = level_ - 1; i >= 0; --i)
      if (stillHolds(i, value)) {
        settled = i;
        break;
      }
    setLevel(settled, timeMs);
    return verdict_;
  }
  verdict_.timeMs = timeMs;  // no change
  return verdict_;
}

Verdict ThresholdEvaluator::tick(int64_t nowMs) {
  if (!seen_ || nowMs < newestMs_) return verdict_;
  escalate(nowMs);
  return verdict_;
}

void ThresholdEvaluator::resumeAt(Severity severity, double value, int64_t timeMs) {
  if (levels_.empty()) return;
  int level = 0;
  for (int i = 0; i < static_cast<int>(levels_.size()); ++i)
    if (levels_[static_cast<size_t>(i)].severity <= severity) level = i;
  for (int i = 0; i < static_cast<int>(levels_.size()); ++i) {
    const auto k = static_cast<size_t>(i);
    running_[k] = i <= level;
    since_[k] = timeMs;
  }
  newestMs_ = seen_ ? std::max(newestMs_, timeMs) : timeMs;
  seen_ = true;
  verdict_.value = value;
  setLevel(level, timeMs);
}

}  // namespace cityops::rules
