// StaleEvaluator: silence noticed by tick(), raise time = last + after, cleared by a fresh observation, a sensor that
// never reported, late uploads, out-of-order observations and resumeAt.
#include <gtest/gtest.h>

#include "rules/EvaluatorTesting.hpp"
#include "rules/StaleEvaluator.hpp"

namespace cityops::rules {
namespace {

using testing_time::at;
using testing_time::kMinute;
using S = Severity;

Rule silent() {
  Rule r;
  r.id = "wl-silent";
  r.metric = "water_level_m";
  r.kind = Kind::Stale;
  r.afterMs = 15 * kMinute;
  r.severity = S::Minor;
  return r;
}

TEST(StaleEvaluator, NeverReportedIsStaleAfterTheFirstTick) {
  StaleEvaluator e(silent());
  EXPECT_EQ(e.tick(at(0)).severity, std::nullopt);  // the first tick starts the clock
  EXPECT_EQ(e.tick(at(15) - 1).severity, std::nullopt);
  const Verdict v = e.tick(at(15));  // 15 min after the first tick
  EXPECT_EQ(v.severity, S::Minor);
  EXPECT_EQ(v.timeMs, at(15));
  EXPECT_DOUBLE_EQ(v.value, 0);  // nothing was ever observed
}

TEST(StaleEvaluator, RaisedByTickAtLastPlusAfterAndClearedByAnObservation) {
  StaleEvaluator e(silent());
  Verdict v = e.observe(at(0), 1.2);
  EXPECT_EQ(v.severity, std::nullopt);
  EXPECT_EQ(e.tick(at(10)).severity, std::nullopt);
  EXPECT_EQ(e.tick(at(14)).severity, std::nullopt);
  // The tick comes late (minute 50): the sensor has been silent since minute 15 = 0 + 15.
  v = e.tick(at(50));
  EXPECT_EQ(v.severity, S::Minor);
  EXPECT_EQ(v.timeMs, at(15));
  EXPECT_DOUBLE_EQ(v.value, 1.2);  // the last reading
  // Later ticks keep it raised, with the same change time.
  v = e.tick(at(60));
  EXPECT_EQ(v.severity, S::Minor);
  EXPECT_EQ(v.timeMs, at(15));
  // A fresh observation clears it at its own time.
  v = e.observe(at(61), 1.3);
  EXPECT_EQ(v.severity, std::nullopt);
  EXPECT_EQ(v.timeMs, at(61));
  EXPECT_DOUBLE_EQ(v.value, 1.3);
  // And the next silence is measured from it: stale at 61 + 15 = 76.
  EXPECT_EQ(e.tick(at(75)).severity, std::nullopt);
  v = e.tick(at(76));
  EXPECT_EQ(v.severity, S::Minor);
  EXPECT_EQ(v.timeMs, at(76));
}

TEST(StaleEvaluator, ALateUploadOfOldReadingsDoesNotClear) {
  StaleEvaluator e(silent());
  (void)e.observe(at(0), 1.0);
  EXPECT_EQ(e.tick(at(40)).severity, S::Minor);  // raised at 15
  // A reading from minute 20 arrives at tick time 40: newer than the last one, but already 20 min old.
  Verdict v = e.observe(at(20), 1.1);
  EXPECT_EQ(v.severity, S::Minor);
  // It does move `last`: the next tick sees 41 - 20 = 21 >= 15, still stale; a reading from 41 clears.
  EXPECT_EQ(e.tick(at(41)).severity, S::Minor);
  v = e.observe(at(41), 1.2);
  EXPECT_EQ(v.severity, std::nullopt);
  EXPECT_EQ(v.timeMs, at(41));
  // From 41 on: stale at 56.
  EXPECT_EQ(e.tick(at(55)).severity, std::nullopt);
  EXPECT_EQ(e.tick(at(56)).severity, S::Minor);
}

TEST(StaleEvaluator, OutOfOrderObservationsAreIgnored) {
  StaleEvaluator e(silent());
  (void)e.observe(at(30), 1.0);
  const Verdict v = e.observe(at(10), 9.9);  // older than the newest
  EXPECT_EQ(v.severity, std::nullopt);
  EXPECT_DOUBLE_EQ(v.value, 1.0);
  // Silence is still measured from 30: stale at 45, not at 25.
  EXPECT_EQ(e.tick(at(44)).severity, std::nullopt);
  EXPECT_EQ(e.tick(at(45)).severity, S::Minor);
}

TEST(StaleEvaluator, ResumeAtKeepsTheAlertAcrossARestart) {
  StaleEvaluator e(silent());
  e.resumeAt(S::Minor, 1.1, at(100));  // became stale at 100, so the last reading was at 85
  // A reading from before minute 85 is old news: ignored (it would otherwise count as fresh, no tick having come yet).
  Verdict v = e.observe(at(80), 1.0);
  EXPECT_EQ(v.severity, S::Minor);
  EXPECT_DOUBLE_EQ(v.value, 1.1);
  // The first tick after the restart: a fresh evaluator would start its clock here and clear; this one stays raised.
  v = e.tick(at(101));
  EXPECT_EQ(v.severity, S::Minor);
  EXPECT_EQ(v.timeMs, at(100));
  v = e.observe(at(102), 1.2);
  EXPECT_EQ(v.severity, std::nullopt);
  EXPECT_EQ(v.timeMs, at(102));
}

TEST(StaleEvaluator, MakeBuildsAStaleEvaluator) {
  EXPECT_NE(dynamic_cast<StaleEvaluator*>(Evaluator::make(silent()).get()), nullptr);
}

}  // namespace
}  // namespace cityops::rules
