#include "rules/StaleEvaluator.hpp"

#include <algorithm>
#include <cmath>

namespace cityops::rules {

StaleEvaluator::StaleEvaluator(const Rule& rule) : afterMs_(rule.afterMs), severity_(rule.severity) {}

bool StaleEvaluator::evaluate(int64_t now) {
  if (!hasLast_ && !ticked_) return false;
  const int64_t last = hasLast_ ? lastMs_ : firstTickMs_;
  const bool stale = now - last >= afterMs_;
  if (stale == verdict_.severity.has_value()) return false;
  if (stale) {
    verdict_.severity = severity_;
    verdict_.timeMs = last + afterMs_;
  } else {
    verdict_.severity.reset();
    verdict_.timeMs = now;
  }
  return true;
}

Verdict StaleEvaluator::observe(int64_t timeMs, double value) {
  if (!std::isfinite(value) || (hasLast_ && timeMs < lastMs_)) return verdict_;
  hasLast_ = true;
  lastMs_ = timeMs;
  verdict_.value = value;
  const int64_t now = ticked_ ? std::max(latestTickMs_, timeMs) : timeMs;
  if (!evaluate(now)) verdict_.timeMs = timeMs;
  return verdict_;
}

Verdict StaleEvaluator::tick(int64_t nowMs) {
  if (!ticked_) {
    ticked_ = true;
    firstTickMs_ = latestTickMs_ = nowMs;
  }
  latestTickMs_ = std::max(latestTickMs_, nowMs);
  const int64_t now = hasLast_ ? std::max(latestTickMs_, lastMs_) : latestTickMs_;
  evaluate(now);
  return verdict_;
}

void StaleEvaluator::resumeAt(Severity severity, double value, int64_t timeMs) {
  const int64_t last = timeMs - afterMs_;
  if (!hasLast_ || lastMs_ < last) {
    hasLast_ = true;
    lastMs_ = last;
  }
  verdict_ = {severity, value, timeMs};
}

}  // namespace cityops::rules
