#pragma once
// The demo's clock: it starts `replayMs` minus `wallMs` in the past and runs replayMs / wallMs times faster than the
// wall clock until it meets it, then runs with it. So a scenario of `replayMs` (e.g. 36 h of a flood) plays in
// `wallMs` of wall time (e.g. 10 minutes) while every part of the server (rules, quality control, forecasts, stale
// checks, hourly indices) sees time pass at the scenario's own pace: rates of rise and rainfall totals stay physical.
#include "common/Clock.hpp"

#include <algorithm>
#include <cstdint>

namespace cityops::sim {

class DemoClock final : public Clock {
 public:
  DemoClock(const Clock& wall, int64_t replayMs, int64_t wallMs)
      : wall_(wall), wall0_(wall.nowMs()), replayMs_(std::max<int64_t>(replayMs, 0)),
        wallMs_(std::clamp<int64_t>(wallMs, 1, std::max<int64_t>(replayMs_, 1))) {}

  int64_t nowMs() const override {
    const int64_t w = wall_.nowMs();
    const int64_t elapsed = w - wall0_;
    if (elapsed >= wallMs_ || replayMs_ <= wallMs_) return w;
    const double speed = static_cast<double>(replayMs_) / static_cast<double>(wallMs_);
    return startMs() + static_cast<int64_t>(static_cast<double>(elapsed) * speed);
  }
  /// The clock's time at its start: the scenario begins here.
  int64_t startMs() const { return wall0_ + wallMs_ - replayMs_; }
  /// The clock's time when it meets the wall clock: the scenario ends here.
  int64_t endMs() const { return wall0_ + wallMs_; }

 private:
  const Clock& wall_;
  const int64_t wall0_;
  const int64_t replayMs_;
  const int64_t wallMs_;
};

}  // namespace cityops::sim
