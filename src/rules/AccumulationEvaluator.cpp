#include "rules/AccumulationEvaluator.hpp"

#include <algorithm>
#include <cmath>

namespace cityops::rules {

AccumulationEvaluator::AccumulationEvaluator(const Rule& rule)
    : above_(rule.above), windowMs_(std::max<int64_t>(rule.windowMs, 1)), severity_(rule.severity) {}

void AccumulationEvaluator::recompute() {
  double s = 0;
  for (const auto& p : points_) s += p.v;
  sum_ = s;
  removals_ = 0;
}

Verdict AccumulationEvaluator::observe(int64_t timeMs, double value) {
  if (!std::isfinite(value)) return verdict_;
  if (points_.empty() || timeMs >= points_.back().t) {
    points_.push_back({timeMs, value});
    sum_ += value;
    const int64_t start = timeMs - windowMs_;  // exclusive
    while (points_.front().t <= start) {
      sum_ -= points_.front().v;
      points_.pop_front();
      ++removals_;
    }
  } else if (timeMs > points_.back().t - windowMs_) {
    const auto at = std::upper_bound(points_.begin(), points_.end(), timeMs,
                                     [](int64_t t, const Point& p) { return t < p.t; });
    points_.insert(at, {timeMs, value});
    sum_ += value;
  } else {
    return verdict_;  // before the window
  }
  if (points_.size() == 1 || removals_ >= points_.size()) recompute();

  verdict_.value = sum_;
  verdict_.timeMs = points_.back().t;
  verdict_.severity = sum_ > above_ ? std::optional(severity_) : std::nullopt;
  return verdict_;
}

void AccumulationEvaluator::resumeAt(Severity severity, double value, int64_t timeMs) {
  verdict_ = {severity, value, timeMs};
}

}  // namespace cityops::rules
