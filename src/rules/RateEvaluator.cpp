#include "rules/RateEvaluator.hpp"

#include <cmath>

namespace cityops::rules {

namespace {
constexpr double kMsPerHour = 3600.0 * 1000.0;
}

RateEvaluator::RateEvaluator(const Rule& rule)
    : above_(rule.hasPerHourAbove || !rule.hasPerHourBelow),
      limit_(above_ ? rule.perHourAbove : rule.perHourBelow),
      windowMs_(rule.windowMs),
      severity_(rule.severity) {}

std::optional<double> RateEvaluator::rate() const {
  if (points_.size() < 2 || windowMs_ <= 0) return std::nullopt;
  const Point& newest = points_.back();
  const Point& first = points_.front();
  const int64_t start = newest.t - windowMs_;
  if (first.t <= start) {
    // points_[1] is after `start` (pruning keeps exactly one observation at or before it).
    const Point& next = points_[1];
    const double base =
        first.t == start ? first.v
                         : first.v + (next.v - first.v) * static_cast<double>(start - first.t) /
                                         static_cast<double>(next.t - first.t);
    return (newest.v - base) / (static_cast<double>(windowMs_) / kMsPerHour);
  }
  const int64_t span = newest.t - first.t;
  if (span * 2 < windowMs_) return std::nullopt;
  return (newest.v - first.v) / (static_cast<double>(span) / kMsPerHour);
}

Verdict RateEvaluator::observe(int64_t timeMs, double value) {
  if (!std::isfinite(value)) return verdict_;
  if (!points_.empty() && timeMs < points_.back().t) return verdict_;
  if (!points_.empty() && timeMs == points_.back().t) points_.back().v = value;
  else points_.push_back({timeMs, value});
  const int64_t start = timeMs - windowMs_;
  while (points_.size() >= 2 && points_[1].t <= start) points_.pop_front();

  verdict_.timeMs = timeMs;
  const auto r = rate();
  if (!r) return verdict_;
  verdict_.value = *r;
  const bool holds = above_ ? *r > limit_ : *r < limit_;
  verdict_.severity = holds ? std::optional(severity_) : std::nullopt;
  return verdict_;
}

void RateEvaluator::resumeAt(Severity severity, double value, int64_t timeMs) {
  verdict_ = {severity, value, timeMs};
}

}  // namespace cityops::rules
