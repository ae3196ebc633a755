#pragma once
// Rule <-> JSON (the canonical shape of docs/rules.md), strict: unknown members, members of another kind and every
// out-of-range parameter are "bad_request" errors that name the member. Also renders a rule's message template.
//
//   {"id": "tamky-levels", "name": "Tam Kỳ alarm levels", "enabled": true,
//    "scope": {"entity": "station:tamky"}, "metric": "water_level_m", "kind": "threshold",
//    "levels": [{"above": 1.7, "severity": "minor"}, {"above": 2.2, "severity": "major"},
//               {"above": 2.7, "severity": "critical"}],
//    "hysteresis": 0.05, "for": "0s", "message": "{entity.name}: {value} m", "suspect_triggers": false}
//
// Per kind, besides id, name, enabled, scope, metric, kind, message, suspect_triggers:
//   threshold     levels (1-8, required), hysteresis (>= 0, default 0), for (duration, default "0s")
//   rate          per_hour_above | per_hour_below (exactly one), window (duration > 0), severity
//   accumulation  window (duration > 0), above, severity
//   stale         after (duration > 0), severity
//   expression    expr (rules/Expression), severity; metric optional
// created_at / updated_at are written by toJson and ignored by fromJson (so a GET body can be PUT back).
#include "common/Result.hpp"
#include "rules/Rule.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace cityops::rules {

inline constexpr size_t kMaxRuleLevels = 8;
inline constexpr size_t kMaxRuleName = 200;      // bytes
inline constexpr size_t kMaxRuleMessage = 1000;  // bytes

/// A rule from a POST/PUT body or the config: id and scope required, name defaults to the id, enabled to true,
/// message to a per-kind default template, suspect_triggers to false. createdMs = updatedMs = nowMs (a PUT keeps the
/// old createdMs itself).
Result<Rule> fromJson(const boost::json::value& v, int64_t nowMs);
/// The canonical shape: every member of the rule's kind, durations as the shortest text ("90m"), times RFC 3339.
boost::json::object toJson(const Rule& rule);

/// The message template with {entity.id} {entity.name} {value} {metric} {severity} {rule.name} replaced (in one pass:
/// replacement text is not scanned again); any other {...} is left as written.
std::string renderMessage(const Rule& rule, std::string_view entityId, std::string_view entityName, double value,
                          Severity severity);
/// Up to 6 significant digits without trailing zeros: 2.25 -> "2.25", 1.0 -> "1", 1234567 -> "1234570",
/// 0.000012345678 -> "0.0000123457"; exponent form only beyond that range (1.5e-07, 1e+20).
std::string formatValue(double value);

/// "threshold", "rate", "accumulation", "stale", "expression".
std::string_view kindName(Kind kind);
Result<Kind> parseKind(std::string_view text);

}  // namespace cityops::rules
