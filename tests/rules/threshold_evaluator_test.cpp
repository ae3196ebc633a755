// ThresholdEvaluator: multi-level escalation and de-escalation, hysteresis, `for` (completed by observe and by tick),
// gaps, out-of-order observations and resumeAt. Every expectation is worked out by hand in the comments.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "rules/EvaluatorTesting.hpp"
#include "rules/ThresholdEvaluator.hpp"

namespace cityops::rules {
namespace {

using testing_time::at;
using testing_time::kMinute;
using S = Severity;

/// The Tam Kỳ alarm levels: BĐ I 1.7 m (minor), II 2.2 m (major), III 2.7 m (critical); hysteresis 0.05 m.
Rule tamky(int64_t forMs = 0, double hysteresis = 0.05) {
  Rule r;
  r.id = "tamky-levels";
  r.metric = "water_level_m";
  r.kind = Kind::Threshold;
  r.levels = {{true, 1.7, S::Minor}, {true, 2.2, S::Major}, {true, 2.7, S::Critical}};
  r.hysteresis = hysteresis;
  r.forMs = forMs;
  return r;
}

struct Step {
  int minute;
  double value;
  std::optional<Severity> severity;  // expected afterwards
  int timeMinute;                    // expected Verdict.timeMs (change time, else the observation's time)
};

void run(Evaluator& e, const std::vector<Step>& steps) {
  for (const auto& s : steps) {
    SCOPED_TRACE("observation at minute " + std::to_string(s.minute) + " value " + std::to_string(s.value));
    const Verdict v = e.observe(at(s.minute), s.value);
    EXPECT_EQ(v.severity, s.severity);
    EXPECT_EQ(v.timeMs, at(s.timeMinute));
    EXPECT_DOUBLE_EQ(v.value, s.value);
    EXPECT_EQ(e.current().severity, s.severity);
  }
}

/// How many times the severity changed over a series (the first non-normal verdict counts as one).
int changes(Evaluator& e, const std::vector<double>& values) {
  std::optional<Severity> last;
  int n = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const auto v = e.observe(at(static_cast<int64_t>(i)), values[i]);
    if (v.severity != last) ++n;
    last = v.severity;
  }
  return n;
}

TEST(ThresholdEvaluator, TamKyEscalatesAndDeescalatesThroughAllLevels) {
  ThresholdEvaluator e(tamky());
  run(e, {
             {0, 1.50, std::nullopt, 0},  // below 1.7
             {10, 1.72, S::Minor, 10},    // 1.72 > 1.7: BĐ I
             {20, 2.10, S::Minor, 20},    // still I (no change: the observation's time)
             {30, 2.25, S::Major, 30},    // 2.25 > 2.2: BĐ II
             {40, 2.80, S::Critical, 40}, // 2.80 > 2.7: BĐ III
             {50, 2.70, S::Critical, 50}, // raw level II (2.70 is not > 2.7) but 2.70 > 2.65: stays III
             {60, 2.66, S::Critical, 60}, // 2.66 > 2.65: stays III
             {70, 2.64, S::Major, 70},    // 2.64 <= 2.65: leaves III; 2.64 > 2.15 holds II
             {80, 2.16, S::Major, 80},    // 2.16 > 2.15: stays II
             {90, 2.14, S::Minor, 90},    // 2.14 <= 2.15: leaves II; 2.14 > 1.65 holds I
             {100, 1.66, S::Minor, 100},  // 1.66 > 1.65: stays I
             {110, 1.64, std::nullopt, 110},  // 1.64 <= 1.65: clears
         });
}

TEST(ThresholdEvaluator, JumpsStraightToTheHighestRawLevelAndFallsStraightToNone) {
  ThresholdEvaluator e(tamky());
  run(e, {
             {0, 1.0, std::nullopt, 0},
             {5, 2.9, S::Critical, 5},   // raw level III at once
             {6, 1.0, std::nullopt, 6},  // 1.0 holds no level even with hysteresis (1.0 <= 1.65)
         });
}

TEST(ThresholdEvaluator, DeescalationSettlesOnTheHighestLevelStillHeldWithHysteresis) {
  ThresholdEvaluator e(tamky());
  run(e, {
             {0, 2.8, S::Critical, 0},
             // 1.68: raw level none (1.68 is not > 1.7), but 1.68 > 1.7 - 0.05 = 1.65 still holds level I.
             {1, 1.68, S::Minor, 1},
             // 1.69 would not raise from none, but it is not a raise: it stays at I.
             {2, 1.69, S::Minor, 2},
         });
}

TEST(ThresholdEvaluator, ExactBoundariesWithBinaryExactValues) {
  // levels above 2.0 (minor) and 3.0 (major), hysteresis 0.5: every value below is exact in binary.
  Rule r = tamky();
  r.levels = {{true, 2.0, S::Minor}, {true, 3.0, S::Major}};
  r.hysteresis = 0.5;
  ThresholdEvaluator e(r);
  run(e, {
             {0, 2.0, std::nullopt, 0},  // not strictly above 2.0
             {1, 2.5, S::Minor, 1},
             {2, 1.5, std::nullopt, 2},  // exactly at 2.0 - 0.5: past the clear level, clears
             {3, 3.0, S::Minor, 3},      // 3.0 is above 2.0 but not above 3.0
             {4, 3.25, S::Major, 4},
             {5, 2.5, S::Minor, 5},      // exactly at 3.0 - 0.5 leaves major; 2.5 > 1.5 holds minor
         });
}

TEST(ThresholdEvaluator, BelowLevels) {
  // e.g. dissolved oxygen: below 10 (minor), below 5 (major); hysteresis 1 (clear levels 11 and 6).
  Rule r = tamky();
  r.levels = {{false, 10, S::Minor}, {false, 5, S::Major}};
  r.hysteresis = 1;
  ThresholdEvaluator e(r);
  run(e, {
             {0, 12, std::nullopt, 0},
             {1, 9, S::Minor, 1},       // 9 < 10
             {2, 4, S::Major, 2},       // 4 < 5
             {3, 5.5, S::Major, 3},     // 5.5 < 6: major holds with hysteresis
             {4, 6, S::Minor, 4},       // 6 is not < 6: leaves major; 6 < 11 holds minor
             {5, 10.5, S::Minor, 5},    // 10.5 < 11
             {6, 11, std::nullopt, 6},  // 11 is not < 11: clears
         });
}

TEST(ThresholdEvaluator, HysteresisChatterRaisesOnceAndNeverClears) {
  // Around BĐ II (2.2): every reading after the first stays above the clear level 2.15.
  const std::vector<double> series{1.9, 2.21, 2.18, 2.23, 2.16, 2.24, 2.17, 2.201, 2.19, 2.16};
  ThresholdEvaluator e(tamky());
  // none -> minor (1.9), minor -> major (2.21), then nothing: 2 changes.
  EXPECT_EQ(changes(e, series), 2);
  EXPECT_EQ(e.current().severity, S::Major);

  // The same series without hysteresis flips at every crossing: minor, major, minor, major, minor, major, minor,
  // major (2.201), minor (2.19); 2.16 stays minor: 9 changes.
  ThresholdEvaluator noHysteresis(tamky(0, 0));
  EXPECT_EQ(changes(noHysteresis, series), 9);
  EXPECT_EQ(noHysteresis.current().severity, S::Minor);
}

TEST(ThresholdEvaluator, ForCompletedByALaterObservationReportsTheCompletionTime) {
  ThresholdEvaluator e(tamky(10 * kMinute));
  run(e, {
             {0, 2.0, std::nullopt, 0},  // raw I since minute 0
             {5, 2.1, std::nullopt, 5},  // 5 min < 10
             {12, 2.1, S::Minor, 10},    // held since 0: complete at 0 + 10 = minute 10 (before this observation)
             {13, 2.0, S::Minor, 13},
         });
}

TEST(ThresholdEvaluator, ForCompletedByTick) {
  ThresholdEvaluator e(tamky(10 * kMinute));
  EXPECT_EQ(e.tick(at(0)).severity, std::nullopt);  // nothing seen yet
  run(e, {{0, 2.0, std::nullopt, 0}});
  EXPECT_EQ(e.tick(at(9)).severity, std::nullopt);
  EXPECT_EQ(e.tick(at(10) - 1).severity, std::nullopt);  // one ms short
  const Verdict v = e.tick(at(10));
  EXPECT_EQ(v.severity, S::Minor);
  EXPECT_EQ(v.timeMs, at(10));
  EXPECT_DOUBLE_EQ(v.value, 2.0);  // the reading it rests on
  // A later tick changes nothing and keeps the change time.
  EXPECT_EQ(e.tick(at(20)).timeMs, at(10));
  run(e, {{21, 2.05, S::Minor, 21}});
}

TEST(ThresholdEvaluator, ForRestartsWhenTheRawLevelDips) {
  ThresholdEvaluator e(tamky(10 * kMinute));
  run(e, {
             {0, 2.0, std::nullopt, 0},
             {6, 1.6, std::nullopt, 6},  // raw none: the run since 0 ends
             {8, 2.0, std::nullopt, 8},  // a new run starts at 8
         });
  EXPECT_EQ(e.tick(at(17)).severity, std::nullopt);  // 9 min since 8 (would be 17 since 0)
  const Verdict v = e.tick(at(18));
  EXPECT_EQ(v.severity, S::Minor);
  EXPECT_EQ(v.timeMs, at(18));
}

TEST(ThresholdEvaluator, ForAppliesToEachEscalationAndMaySkipLevels) {
  {
    ThresholdEvaluator e(tamky(10 * kMinute));
    run(e, {
               {0, 1.8, std::nullopt, 0},  // raw I since 0
               {10, 2.3, S::Minor, 10},    // I complete at 10; raw II since 10
           });
    EXPECT_EQ(e.tick(at(19)).severity, S::Minor);
    const Verdict v = e.tick(at(20));
    EXPECT_EQ(v.severity, S::Major);  // II complete at 10 + 10
    EXPECT_EQ(v.timeMs, at(20));
  }
  {
    ThresholdEvaluator e(tamky(10 * kMinute));
    run(e, {
               {0, 2.3, std::nullopt, 0},  // raw II (so also >= I) since 0
               {15, 2.3, S::Major, 10},    // II complete at 10: straight to major, minor is skipped
           });
  }
}

TEST(ThresholdEvaluator, DeescalationIsImmediateEvenWithFor) {
  ThresholdEvaluator e(tamky(10 * kMinute));
  run(e, {
             {0, 2.3, std::nullopt, 0},
             {10, 2.3, S::Major, 10},
             {11, 2.18, S::Major, 11},  // raw I, but 2.18 > 2.15: held by hysteresis
             {12, 2.1, S::Minor, 12},   // past 2.15: down at once, no 10 min wait
             {13, 1.0, std::nullopt, 13},
         });
}

TEST(ThresholdEvaluator, GapsDoNotResetState) {
  ThresholdEvaluator e(tamky());
  run(e, {
             {0, 2.3, S::Major, 0},
             {6 * 60, 2.3, S::Major, 6 * 60},  // 6 hours of silence: neither cleared nor raised again
             {6 * 60 + 1, 1.0, std::nullopt, 6 * 60 + 1},
         });
  // With `for`, a run continues across a gap: raw I at 0 and again 5 hours later: complete at 0 + 10 min.
  ThresholdEvaluator f(tamky(10 * kMinute));
  run(f, {
             {0, 2.0, std::nullopt, 0},
             {300, 2.0, S::Minor, 10},
         });
}

TEST(ThresholdEvaluator, OutOfOrderObservationsAreIgnored) {
  ThresholdEvaluator e(tamky());
  run(e, {
             {0, 1.0, std::nullopt, 0},
             {20, 2.3, S::Major, 20},
         });
  // Older than the newest (minute 20): ignored, whatever the value, and the verdict is returned unchanged.
  Verdict v = e.observe(at(10), 1.0);
  EXPECT_EQ(v.severity, S::Major);
  EXPECT_EQ(v.timeMs, at(20));
  EXPECT_DOUBLE_EQ(v.value, 2.3);
  v = e.observe(at(19), 2.9);
  EXPECT_EQ(v.severity, S::Major);
  // The same time as the newest counts.
  run(e, {{20, 2.9, S::Critical, 20}});
}

TEST(ThresholdEvaluator, NonFiniteValuesAreIgnored) {
  ThresholdEvaluator e(tamky());
  run(e, {{0, 2.3, S::Major, 0}});
  const Verdict v = e.observe(at(1), std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(v.severity, S::Major);
  EXPECT_EQ(v.timeMs, at(0));
  EXPECT_EQ(e.observe(at(2), -std::numeric_limits<double>::infinity()).severity, S::Major);
}

TEST(ThresholdEvaluator, ResumeAtDoesNotRaiseAgain) {
  ThresholdEvaluator e(tamky());
  e.resumeAt(S::Major, 2.4, at(100));
  EXPECT_EQ(e.current().severity, S::Major);
  EXPECT_EQ(e.current().timeMs, at(100));
  run(e, {
             {101, 2.3, S::Major, 101},  // same level: no change, so no duplicate raise
         });
  EXPECT_EQ(e.observe(at(99), 1.0).severity, S::Major);  // older than the resume time: ignored
  run(e, {
             {102, 2.18, S::Major, 102},  // resumed at II, so II's clear level 2.15 applies
             {103, 2.8, S::Critical, 103},
         });
}

TEST(ThresholdEvaluator, ResumeAtASeverityTheRuleNoLongerHas) {
  Rule r = tamky();
  r.levels = {{true, 1.7, S::Minor}, {true, 2.7, S::Critical}};
  ThresholdEvaluator e(r);
  e.resumeAt(S::Major, 2.3, at(0));  // highest level with severity <= major: minor
  EXPECT_EQ(e.current().severity, S::Minor);
  run(e, {{1, 2.3, S::Minor, 1}});

  Rule twoLevels = tamky();
  twoLevels.levels = {{true, 1.7, S::Minor}, {true, 2.2, S::Major}};
  ThresholdEvaluator top(twoLevels);
  top.resumeAt(S::Critical, 2.9, at(0));  // above every level's severity: the highest level, major
  EXPECT_EQ(top.current().severity, S::Major);
  run(top, {{1, 2.3, S::Major, 1}});

  ThresholdEvaluator low(tamky());
  low.resumeAt(S::Info, 1.8, at(0));  // below every level: the lowest level
  EXPECT_EQ(low.current().severity, S::Minor);
}

TEST(ThresholdEvaluator, ResumeAtThenForToEscalate) {
  ThresholdEvaluator e(tamky(10 * kMinute));
  e.resumeAt(S::Minor, 2.0, at(0));
  run(e, {{5, 2.3, S::Minor, 5}});  // raw II since 5
  EXPECT_EQ(e.tick(at(14)).severity, S::Minor);
  const Verdict v = e.tick(at(15));
  EXPECT_EQ(v.severity, S::Major);
  EXPECT_EQ(v.timeMs, at(15));
}

TEST(ThresholdEvaluator, MakeBuildsEachKind) {
  Rule r = tamky();
  EXPECT_NE(dynamic_cast<ThresholdEvaluator*>(Evaluator::make(r).get()), nullptr);
  r.kind = Kind::Expression;
  EXPECT_EQ(Evaluator::make(r), nullptr);  // evaluated by the engine, not per entity
}

}  // namespace
}  // namespace cityops::rules
