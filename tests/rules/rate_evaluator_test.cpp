// RateEvaluator: change per hour over a window, with the base interpolated at the window start, the half-window
// minimum, rate of fall, gaps, out-of-order observations and resumeAt. Expected rates are computed by hand.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rules/EvaluatorTesting.hpp"
#include "rules/RateEvaluator.hpp"

namespace cityops::rules {
namespace {

using testing_time::at;
using testing_time::kMinute;
using S = Severity;

/// Rising faster than 0.3 m/h over 1 h: major.
Rule rising(double perHour = 0.3, int64_t windowMs = 60 * kMinute) {
  Rule r;
  r.id = "tamky-rising";
  r.metric = "water_level_m";
  r.kind = Kind::Rate;
  r.hasPerHourAbove = true;
  r.perHourAbove = perHour;
  r.windowMs = windowMs;
  r.severity = S::Major;
  return r;
}

struct Step {
  int minute;
  double value;
  std::optional<Severity> severity;
  double rate;  // expected Verdict.value (the last rate computed)
};

void run(Evaluator& e, const std::vector<Step>& steps) {
  for (const auto& s : steps) {
    SCOPED_TRACE("observation at minute " + std::to_string(s.minute));
    const Verdict v = e.observe(at(s.minute), s.value);
    EXPECT_EQ(v.severity, s.severity);
    EXPECT_NEAR(v.value, s.rate, 1e-9);
    EXPECT_EQ(v.timeMs, at(s.minute));
  }
}

TEST(RateEvaluator, BaseExactlyAtTheWindowStart) {
  RateEvaluator e(rising());
  run(e, {
             {0, 1.0, std::nullopt, 0},     // one observation: no rate yet
             {30, 1.1, std::nullopt, 0.2},  // spans 30 min = half the window: (1.1 - 1.0) / 0.5 h
             {60, 1.4, S::Major, 0.4},      // base at 0 exactly: (1.4 - 1.0) / 1 h
             {90, 1.5, S::Major, 0.4},      // base at 30 exactly: (1.5 - 1.1) / 1 h
             {120, 1.55, std::nullopt, 0.15},  // base at 60: (1.55 - 1.4) / 1 h: clears
         });
}

TEST(RateEvaluator, BaseInterpolatedBetweenTheObservationsAroundTheWindowStart) {
  RateEvaluator e(rising());
  run(e, {
             {0, 1.0, std::nullopt, 0},
             {20, 1.05, std::nullopt, 0},     // spans 20 min < 30: no verdict yet
             {50, 1.2, std::nullopt, 0.24},   // spans 50 min: (1.2 - 1.0) / (50/60 h)
             // start 25, between 20 (1.05) and 50 (1.2): base 1.05 + 0.15 * 5/30 = 1.075; 1.5 - 1.075 = 0.425
             {85, 1.5, S::Major, 0.425},
             // start 40: base 1.05 + 0.15 * 20/30 = 1.15; 1.5 - 1.15 = 0.35
             {100, 1.5, S::Major, 0.35},
             // start 70, between 50 (1.2) and 85 (1.5): base 1.2 + 0.3 * 20/35 = 1.371428...; 0.128571...
             {130, 1.5, std::nullopt, 1.5 - (1.2 + 0.3 * 20.0 / 35.0)},
         });
}

TEST(RateEvaluator, NeedsHalfAWindowOfHistory) {
  RateEvaluator e(rising());
  // A steep rise over 29 minutes is not enough history for a 1 h window: no verdict.
  run(e, {
             {0, 1.0, std::nullopt, 0},
             {29, 3.0, std::nullopt, 0},
             {30, 3.0, S::Major, 4.0},  // (3.0 - 1.0) / 0.5 h
         });
}

TEST(RateEvaluator, RateOfFall) {
  Rule r = rising();
  r.hasPerHourAbove = false;
  r.hasPerHourBelow = true;
  r.perHourBelow = -0.5;
  RateEvaluator e(r);
  run(e, {
             {0, 3.0, std::nullopt, 0},
             {30, 2.8, std::nullopt, -0.4},  // -0.2 / 0.5 h: not below -0.5
             {60, 2.4, S::Major, -0.6},      // base 3.0 at 0: -0.6 / 1 h
             {90, 2.3, std::nullopt, -0.5},  // base 2.8 at 30: -0.5 is not below -0.5: clears
         });
}

TEST(RateEvaluator, GapLongerThanTheWindowInterpolatesAcrossIt) {
  RateEvaluator e(rising());
  run(e, {
             {0, 1.0, std::nullopt, 0},
             {30, 1.1, std::nullopt, 0.2},
             // start 240, between 30 (1.1) and 300 (2.0): base 1.1 + 0.9 * 210/270 = 1.8; (2.0 - 1.8) / 1 h
             {300, 2.0, std::nullopt, 0.2},
         });
}

TEST(RateEvaluator, OutOfOrderObservationsAreIgnored) {
  RateEvaluator e(rising());
  run(e, {
             {0, 1.0, std::nullopt, 0},
             {60, 1.4, S::Major, 0.4},
         });
  // Older than the newest: ignored. Were it kept, it would be the base at 30 below (0.0) and keep the alert raised.
  const Verdict ignored = e.observe(at(30), 0.0);
  EXPECT_EQ(ignored.severity, S::Major);
  EXPECT_EQ(ignored.timeMs, at(60));
  // start 30, between 0 (1.0) and 60 (1.4): base 1.2; (1.45 - 1.2) / 1 h = 0.25: clears.
  run(e, {{90, 1.45, std::nullopt, 0.25}});
}

TEST(RateEvaluator, TickChangesNothing) {
  RateEvaluator e(rising());
  run(e, {
             {0, 1.0, std::nullopt, 0},
             {60, 1.4, S::Major, 0.4},
         });
  const Verdict v = e.tick(at(600));
  EXPECT_EQ(v.severity, S::Major);
  EXPECT_EQ(v.timeMs, at(60));
}

TEST(RateEvaluator, ResumeAtKeepsTheAlertUntilThereIsEnoughHistory) {
  RateEvaluator e(rising());
  e.resumeAt(S::Major, 0.5, at(100));
  EXPECT_EQ(e.current().severity, S::Major);
  run(e, {
             {101, 2.0, S::Major, 0.5},    // one observation: no new rate, no change
             {121, 2.05, S::Major, 0.5},   // spans 20 min < 30: no change
             {141, 2.1, std::nullopt, 0.15},  // spans 40 min: (2.1 - 2.0) / (40/60 h) = 0.15: clears
         });
}

TEST(RateEvaluator, MakeBuildsARateEvaluator) {
  EXPECT_NE(dynamic_cast<RateEvaluator*>(Evaluator::make(rising()).get()), nullptr);
}

}  // namespace
}  // namespace cityops::rules
