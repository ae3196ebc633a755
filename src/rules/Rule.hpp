#pragma once
// A rule as stored and exchanged (canonical JSON in docs/rules.md, codec in RuleCodec). Plain data.
#include "rules/Severity.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace cityops::rules {

enum class Kind { Threshold, Rate, Accumulation, Stale, Expression, Forecast };

/// A forecast rule is a threshold rule (levels, hysteresis, for) on the forecast of its metric: it watches the
/// derived series "<metric>_forecast" (the highest value forecast within the horizon, written each time a forecast
/// is issued, e.g. by the flood module's ForecastWarner), and its alerts carry the rule's metric.
std::string forecastMetric(const std::string& metric);

/// Which entities a rule watches: exactly one of the three is non-empty.
struct Scope {
  std::string entity;
  std::string type;
  std::string tag;
};

/// One level of a threshold rule: the condition holds when the value is above (or below) `value`.
struct Level {
  bool above = true;
  double value = 0;
  Severity severity = Severity::Minor;
};

struct Rule {
  std::string id;    // model::isValidEntityId grammar
  std::string name;  // free text, 1..200 bytes
  bool enabled = true;
  Scope scope;
  std::string metric;  // model metric grammar; empty only for expression rules
  Kind kind = Kind::Threshold;

  // threshold and forecast: 1..4 levels (one per severity), all "above" or all "below", strictly ordered by severity and value
  std::vector<Level> levels;
  double hysteresis = 0;  // a level clears only when the value is back past value -/+ hysteresis
  int64_t forMs = 0;      // the condition must hold this long (data time) before it raises / escalates

  // rate: change per hour over `windowMs` above `perHourAbove` (or below `perHourBelow`; exactly one is set)
  // accumulation: sum over `windowMs` above `above`
  // stale: no observation for `afterMs`
  // Rate, accumulation and stale rules raise one severity (`severity`).
  bool hasPerHourAbove = false, hasPerHourBelow = false;
  double perHourAbove = 0, perHourBelow = 0;
  int64_t windowMs = 0;
  double above = 0;
  int64_t afterMs = 0;
  Severity severity = Severity::Minor;

  // expression: e.g. "wl.tamky.water_level_m > 2.2 && cam-03.speed_kmh < 10"
  std::string expr;

  std::string message;           // template: {entity.id}, {entity.name}, {value}, {metric}, {severity}, {rule.name}
  bool suspectTriggers = false;  // whether `suspect` observations count (bad ones never do)
  int64_t createdMs = 0, updatedMs = 0;
};

}  // namespace cityops::rules
