// AccumulationEvaluator: sums over (newest - window, newest] — the start is exclusive, the end inclusive — for 1 h and
// 3 h rainfall, out-of-order observations inside and before the window, float drift and resumeAt.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rules/AccumulationEvaluator.hpp"
#include "rules/EvaluatorTesting.hpp"

namespace cityops::rules {
namespace {

using testing_time::at;
using testing_time::kMinute;
using S = Severity;

Rule rain(int64_t windowMs, double above) {
  Rule r;
  r.id = "rain";
  r.metric = "rain_mm";
  r.kind = Kind::Accumulation;
  r.windowMs = windowMs;
  r.above = above;
  r.severity = S::Major;
  return r;
}

struct Step {
  int minute;
  double value;
  std::optional<Severity> severity;
  double sum;  // expected Verdict.value
};

void run(AccumulationEvaluator& e, const std::vector<Step>& steps) {
  for (const auto& s : steps) {
    SCOPED_TRACE("observation at minute " + std::to_string(s.minute));
    const Verdict v = e.observe(at(s.minute), s.value);
    EXPECT_EQ(v.severity, s.severity);
    EXPECT_DOUBLE_EQ(v.value, s.sum);
    EXPECT_DOUBLE_EQ(e.sum(), s.sum);
  }
}

TEST(AccumulationEvaluator, OneHourWindowEdges) {
  AccumulationEvaluator e(rain(60 * kMinute, 20));
  run(e, {
             {0, 5, std::nullopt, 5},      // (-60, 0]: 5
             {10, 8, std::nullopt, 13},    // 5 + 8
             {30, 6, std::nullopt, 19},    // 5 + 8 + 6
             {50, 2, S::Major, 21},        // 5 + 8 + 6 + 2 = 21 > 20; the newest counts (inclusive end)
             {60, 0, std::nullopt, 16},    // (0, 60]: minute 0 is out (exclusive start): 8 + 6 + 2 + 0
             {70, 4.5, std::nullopt, 12.5},  // (10, 70]: 6 + 2 + 0 + 4.5
         });
  EXPECT_EQ(e.current().timeMs, at(70));
}

TEST(AccumulationEvaluator, EqualToTheLimitDoesNotRaise) {
  AccumulationEvaluator e(rain(60 * kMinute, 20));
  run(e, {
             {0, 12, std::nullopt, 12},
             {1, 8, std::nullopt, 20},  // 20 is not > 20
             {2, 0.5, S::Major, 20.5},
             {61, 0, std::nullopt, 0.5},  // (1, 61]: minutes 0 and 1 are out: 0.5 + 0
         });
}

TEST(AccumulationEvaluator, ThreeHourRainfall) {
  AccumulationEvaluator e(rain(3 * 60 * kMinute, 50));
  run(e, {
             {0, 20, std::nullopt, 20},
             {60, 20, std::nullopt, 40},
             {120, 15, S::Major, 55},      // 20 + 20 + 15 > 50
             {180, 0, std::nullopt, 35},   // (0, 180]: 20 + 15 + 0
             {240, 36, S::Major, 51},      // (60, 240]: minute 60 is out: 15 + 0 + 36
         });
}

TEST(AccumulationEvaluator, OutOfOrderInsideTheWindowIsInsertedInOrder) {
  AccumulationEvaluator e(rain(60 * kMinute, 20));
  run(e, {
             {0, 5, std::nullopt, 5},
             {30, 10, std::nullopt, 15},
         });
  // Minute 20 arrives late: inside (-30, 30], so it counts; the verdict is for the window ending at the newest (30).
  Verdict v = e.observe(at(20), 7);
  EXPECT_EQ(v.severity, S::Major);  // 5 + 10 + 7 = 22
  EXPECT_DOUBLE_EQ(v.value, 22);
  EXPECT_EQ(v.timeMs, at(30));
  // (20, 80]: minutes 0 and 20 leave, 30 and 80 stay: 10 + 1. (Were minute 20 kept at the back of the deque, it would
  // still be counted: 18.)
  run(e, {{80, 1, std::nullopt, 11}});
}

TEST(AccumulationEvaluator, OutOfOrderBeforeTheWindowIsIgnored) {
  AccumulationEvaluator e(rain(60 * kMinute, 20));
  run(e, {{60, 5, std::nullopt, 5}});
  // (0, 60]: minute 0 is outside (exclusive start).
  Verdict v = e.observe(at(0), 100);
  EXPECT_EQ(v.severity, std::nullopt);
  EXPECT_DOUBLE_EQ(e.sum(), 5);
  // One millisecond later is inside.
  v = e.observe(at(0) + 1, 30);
  EXPECT_EQ(v.severity, S::Major);
  EXPECT_DOUBLE_EQ(v.value, 35);
}

TEST(AccumulationEvaluator, LongSeriesDoesNotDrift) {
  AccumulationEvaluator e(rain(60 * kMinute, 100));
  // 0.1 mm every minute for a week: the 1 h window always holds 60 of them.
  const int minutes = 7 * 24 * 60;
  for (int m = 0; m < minutes; ++m) (void)e.observe(at(m), 0.1);
  EXPECT_NEAR(e.sum(), 6.0, 1e-9);
  // After a gap only the newest is left, and the sum is exactly it.
  const Verdict v = e.observe(at(minutes + 600), 0.3);
  EXPECT_EQ(v.value, 0.3);
  EXPECT_EQ(e.sum(), 0.3);
}

TEST(AccumulationEvaluator, TickChangesNothing) {
  AccumulationEvaluator e(rain(60 * kMinute, 20));
  run(e, {{0, 25, S::Major, 25}});
  EXPECT_EQ(e.tick(at(600)).severity, S::Major);  // the window follows the data, not the clock
}

TEST(AccumulationEvaluator, ResumeAtThenHistoryDecides) {
  AccumulationEvaluator e(rain(3 * 60 * kMinute, 50));
  // The engine feeds the window's history first, then resumes the open alert.
  (void)e.observe(at(0), 30);
  (void)e.observe(at(60), 25);
  e.resumeAt(S::Major, 55, at(60));
  EXPECT_EQ(e.current().severity, S::Major);
  run(e, {
             {90, 0, S::Major, 55},         // still 55: no change, no duplicate raise
             {181, 0, std::nullopt, 25},    // (1, 181]: minute 0 left
         });
}

TEST(AccumulationEvaluator, MakeBuildsAnAccumulationEvaluator) {
  EXPECT_NE(dynamic_cast<AccumulationEvaluator*>(Evaluator::make(rain(kMinute, 1)).get()), nullptr);
}

}  // namespace
}  // namespace cityops::rules
