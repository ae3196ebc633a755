// RuleCodec: the canonical JSON of each kind, round trips, defaults, every validation error (naming the member), and
// message templates.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

#include "common/JsonText.hpp"
#include "rules/EvaluatorTesting.hpp"
#include "rules/RuleCodec.hpp"

namespace cityops::rules {
namespace {

namespace json = boost::json;
using testing_time::kMinute;
using testing_time::kT0;
using S = Severity;

constexpr std::string_view kTamKy = R"({"id": "tamky-levels", "name": "Tam Kỳ alarm levels", "enabled": true,
 "scope": {"entity": "station:tamky"}, "metric": "water_level_m", "kind": "threshold",
 "levels": [{"above": 1.7, "severity": "minor"}, {"above": 2.2, "severity": "major"},
            {"above": 2.7, "severity": "critical"}],
 "hysteresis": 0.05, "for": "0s", "message": "{entity.name}: {value} m"})";

Result<Rule> decode(std::string_view text) { return fromJson(json::parse(text), kT0); }

Rule decoded(std::string_view text) {
  auto r = decode(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : Rule{};
}

/// `text` with the members of `patch` replaced or added (a null value removes the member).
std::string with(std::string_view text, std::string_view patch) {
  json::object o = json::parse(text).as_object();
  const json::value changes = json::parse(patch);
  for (const auto& kv : changes.as_object()) {
    if (kv.value().is_null()) o.erase(kv.key());
    else o[kv.key()] = kv.value();
  }
  return toJsonText(o);
}

void rejects(std::string_view text, std::string_view messagePart) {
  auto r = decode(text);
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_EQ(r.error().code, "bad_request");
  EXPECT_NE(r.error().message.find(messagePart), std::string::npos) << text << "\n -> " << r.error().message;
}

constexpr std::string_view kRate = R"({"id": "tamky-rising", "name": "Tam Kỳ rising fast",
 "scope": {"entity": "wl.tamky"}, "metric": "water_level_m", "kind": "rate", "per_hour_above": 0.3, "window": "1h",
 "severity": "major", "message": "{entity.name} rising {value} m/h"})";
constexpr std::string_view kAccumulation = R"({"id": "rain-3h", "name": "Heavy rain, 3 h",
 "scope": {"type": "RainGauge"}, "metric": "rain_mm", "kind": "accumulation", "window": "3h", "above": 50,
 "severity": "major", "message": "{entity.name}: {value} mm in 3 h"})";
constexpr std::string_view kStale = R"({"id": "wl-silent", "name": "Water-level station silent",
 "scope": {"tag": "flood"}, "metric": "water_level_m", "kind": "stale", "after": "15m", "severity": "minor"})";
constexpr std::string_view kExpression = R"({"id": "flooded-road", "name": "High water and stalled traffic",
 "scope": {"entity": "wl.tamky"}, "kind": "expression",
 "expr": "wl.tamky.water_level_m > 2.2 && cam-03.speed_kmh < 10", "severity": "critical"})";

TEST(RuleCodec, TheIssueExample) {
  const Rule r = decoded(kTamKy);
  EXPECT_EQ(r.id, "tamky-levels");
  EXPECT_EQ(r.name, "Tam Kỳ alarm levels");
  EXPECT_TRUE(r.enabled);
  EXPECT_EQ(r.scope.entity, "station:tamky");
  EXPECT_TRUE(r.scope.type.empty());
  EXPECT_TRUE(r.scope.tag.empty());
  EXPECT_EQ(r.metric, "water_level_m");
  EXPECT_EQ(r.kind, Kind::Threshold);
  ASSERT_EQ(r.levels.size(), 3u);
  EXPECT_TRUE(r.levels[0].above);
  EXPECT_EQ(r.levels[0].value, 1.7);
  EXPECT_EQ(r.levels[0].severity, S::Minor);
  EXPECT_EQ(r.levels[1].value, 2.2);
  EXPECT_EQ(r.levels[1].severity, S::Major);
  EXPECT_EQ(r.levels[2].value, 2.7);
  EXPECT_EQ(r.levels[2].severity, S::Critical);
  EXPECT_EQ(r.hysteresis, 0.05);
  EXPECT_EQ(r.forMs, 0);
  EXPECT_EQ(r.message, "{entity.name}: {value} m");
  EXPECT_FALSE(r.suspectTriggers);
  EXPECT_EQ(r.createdMs, kT0);
  EXPECT_EQ(r.updatedMs, kT0);
}

TEST(RuleCodec, CanonicalOutputOfTheIssueExample) {
  Rule r = decoded(kTamKy);
  r.updatedMs = kT0 + kMinute;
  EXPECT_EQ(toJsonText(toJson(r)),
            R"({"id":"tamky-levels","name":"Tam Kỳ alarm levels","enabled":true,"scope":{"entity":"station:tamky"},)"
            R"("metric":"water_level_m","kind":"threshold","levels":[{"above":1.7,"severity":"minor"},)"
            R"({"above":2.2,"severity":"major"},{"above":2.7,"severity":"critical"}],"hysteresis":0.05,"for":"0s",)"
            R"("message":"{entity.name}: {value} m","suspect_triggers":false,)"
            R"("created_at":"2025-10-29T11:00:00.000Z","updated_at":"2025-10-29T11:01:00.000Z"})");
}

TEST(RuleCodec, CanonicalOutputOfEachOtherKind) {
  auto members = [](std::string_view text) {
    json::object o = toJson(decoded(text));
    o.erase("created_at");
    o.erase("updated_at");
    return toJsonText(o);
  };
  EXPECT_EQ(members(kRate),
            R"({"id":"tamky-rising","name":"Tam Kỳ rising fast","enabled":true,"scope":{"entity":"wl.tamky"},)"
            R"("metric":"water_level_m","kind":"rate","per_hour_above":0.3,"window":"1h","severity":"major",)"
            R"("message":"{entity.name} rising {value} m/h","suspect_triggers":false})");
  EXPECT_EQ(members(with(kRate, R"({"per_hour_above": null, "per_hour_below": -0.5, "window": "90m"})")),
            R"({"id":"tamky-rising","name":"Tam Kỳ rising fast","enabled":true,"scope":{"entity":"wl.tamky"},)"
            R"("metric":"water_level_m","kind":"rate","per_hour_below":-0.5,"window":"90m","severity":"major",)"
            R"("message":"{entity.name} rising {value} m/h","suspect_triggers":false})");
  EXPECT_EQ(members(kAccumulation),
            R"({"id":"rain-3h","name":"Heavy rain, 3 h","enabled":true,"scope":{"type":"RainGauge"},)"
            R"("metric":"rain_mm","kind":"accumulation","window":"3h","above":50,"severity":"major",)"
            R"("message":"{entity.name}: {value} mm in 3 h","suspect_triggers":false})");
  // No message given: the stale default.
  EXPECT_EQ(members(kStale),
            R"({"id":"wl-silent","name":"Water-level station silent","enabled":true,"scope":{"tag":"flood"},)"
            R"("metric":"water_level_m","kind":"stale","after":"15m","severity":"minor",)"
            R"("message":"{rule.name}: {entity.name} has not reported","suspect_triggers":false})");
  // No metric: none written.
  EXPECT_EQ(members(kExpression),
            R"({"id":"flooded-road","name":"High water and stalled traffic","enabled":true,)"
            R"("scope":{"entity":"wl.tamky"},"kind":"expression",)"
            R"("expr":"wl.tamky.water_level_m > 2.2 && cam-03.speed_kmh < 10","severity":"critical",)"
            R"("message":"{rule.name}: {entity.name}","suspect_triggers":false})");
}

TEST(RuleCodec, DecodedFields) {
  const Rule rate = decoded(kRate);
  EXPECT_EQ(rate.kind, Kind::Rate);
  EXPECT_TRUE(rate.hasPerHourAbove);
  EXPECT_FALSE(rate.hasPerHourBelow);
  EXPECT_EQ(rate.perHourAbove, 0.3);
  EXPECT_EQ(rate.windowMs, 60 * kMinute);
  EXPECT_EQ(rate.severity, S::Major);
  const Rule fall = decoded(with(kRate, R"({"per_hour_above": null, "per_hour_below": -0.5})"));
  EXPECT_FALSE(fall.hasPerHourAbove);
  EXPECT_TRUE(fall.hasPerHourBelow);
  EXPECT_EQ(fall.perHourBelow, -0.5);
  const Rule acc = decoded(kAccumulation);
  EXPECT_EQ(acc.windowMs, 180 * kMinute);
  EXPECT_EQ(acc.above, 50);
  EXPECT_EQ(acc.scope.type, "RainGauge");
  const Rule stale = decoded(kStale);
  EXPECT_EQ(stale.afterMs, 15 * kMinute);
  EXPECT_EQ(stale.severity, S::Minor);
  EXPECT_EQ(stale.scope.tag, "flood");
  const Rule expr = decoded(kExpression);
  EXPECT_EQ(expr.expr, "wl.tamky.water_level_m > 2.2 && cam-03.speed_kmh < 10");
  EXPECT_TRUE(expr.metric.empty());
  EXPECT_EQ(expr.severity, S::Critical);
  EXPECT_EQ(decoded(with(kExpression, R"({"metric": "water_level_m"})")).metric, "water_level_m");
  const Rule below = decoded(with(kTamKy, R"({"levels": [{"below": 10, "severity": "minor"},
      {"below": 5, "severity": "major"}], "hysteresis": 1, "for": "1h30m", "enabled": false,
      "suspect_triggers": true})"));
  EXPECT_FALSE(below.levels[0].above);
  EXPECT_EQ(below.levels[1].value, 5);
  EXPECT_EQ(below.forMs, 90 * kMinute);
  EXPECT_FALSE(below.enabled);
  EXPECT_TRUE(below.suspectTriggers);
}

TEST(RuleCodec, Defaults) {
  const Rule r = decoded(R"({"id": "x1", "scope": {"entity": "e"}, "metric": "m", "kind": "threshold",
      "levels": [{"above": 1, "severity": "info"}]})");
  EXPECT_EQ(r.name, "x1");  // the id
  EXPECT_TRUE(r.enabled);
  EXPECT_EQ(r.hysteresis, 0);
  EXPECT_EQ(r.forMs, 0);
  EXPECT_EQ(r.message, "{rule.name}: {entity.name} {metric} {value}");
  EXPECT_FALSE(r.suspectTriggers);
  EXPECT_EQ(decoded(with(kRate, R"({"message": null})")).message,
            "{rule.name}: {entity.name} {metric} changes by {value} per hour");
  EXPECT_EQ(decoded(with(kAccumulation, R"({"message": null})")).message,
            "{rule.name}: {entity.name} {metric} totals {value}");
  EXPECT_EQ(decoded(with(kTamKy, R"({"message": ""})")).message, "");  // an explicit empty message stays empty
}

TEST(RuleCodec, RoundTripsEveryKind) {
  for (std::string_view text : {kTamKy, kRate, kAccumulation, kStale, kExpression}) {
    const Rule first = decoded(text);
    const json::object out = toJson(first);
    // The output decodes (created_at/updated_at are accepted and ignored) to the same rule, and encodes the same.
    auto second = fromJson(out, kT0 + kMinute);
    ASSERT_TRUE(second.ok()) << toJsonText(out) << ": " << second.error().message;
    EXPECT_EQ(second->createdMs, kT0 + kMinute);  // times come from the caller, not the body
    json::object again = toJson(*second);
    again["created_at"] = out.at("created_at");
    again["updated_at"] = out.at("updated_at");
    EXPECT_EQ(toJsonText(again), toJsonText(out));
    EXPECT_EQ(second->levels.size(), first.levels.size());
    EXPECT_EQ(second->windowMs, first.windowMs);
    EXPECT_EQ(second->afterMs, first.afterMs);
    EXPECT_EQ(second->expr, first.expr);
  }
  // Through text as well, with numbers that are not short in binary.
  const Rule odd = decoded(with(kTamKy, R"({"levels": [{"above": 0.1, "severity": "minor"},
      {"above": 0.30000000000000004, "severity": "major"}], "hysteresis": 0.01, "for": "1d2h3m4s"})"));
  auto back = decode(toJsonText(toJson(odd)));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->levels[1].value, 0.30000000000000004);
  EXPECT_EQ(back->forMs, odd.forMs);
  EXPECT_EQ(toJson(odd)["for"], "93784s");
}

TEST(RuleCodec, RejectsTheShapeAndTheKind) {
  rejects("[]", "a rule must be a JSON object");
  rejects(with(kTamKy, R"({"kind": null})"), "kind is required");
  rejects(with(kTamKy, R"({"kind": "sum"})"), "kind must be one of threshold, rate, accumulation, stale, expression");
  rejects(with(kTamKy, R"({"kind": 1})"), "kind must be one of");
}

TEST(RuleCodec, RejectsUnknownMembersAndMembersOfAnotherKind) {
  rejects(with(kTamKy, R"({"colour": "red"})"), "unknown field 'colour' in a threshold rule");
  rejects(with(kTamKy, R"({"window": "1h"})"), "'window' does not belong to a threshold rule (it is for rate and "
                                               "accumulation rules)");
  rejects(with(kTamKy, R"({"severity": "major"})"), "'severity' does not belong to a threshold rule (it is for rate, "
                                                   "accumulation, stale and expression rules)");
  rejects(with(kRate, R"({"levels": []})"), "'levels' does not belong to a rate rule (it is for threshold and forecast rules)");
  rejects(with(kRate, R"({"hysteresis": 0.1})"), "'hysteresis' does not belong to a rate rule");
  rejects(with(kRate, R"({"for": "1m"})"), "'for' does not belong to a rate rule");
  rejects(with(kAccumulation, R"({"per_hour_above": 1})"), "'per_hour_above' does not belong to an accumulation");
  rejects(with(kStale, R"({"window": "1h"})"), "'window' does not belong to a stale rule");
  rejects(with(kExpression, R"({"after": "1h"})"), "'after' does not belong to an expression rule");
  rejects(with(kStale, R"({"expr": "a.b > 1"})"), "'expr' does not belong to a stale rule");
}

TEST(RuleCodec, RejectsBadCommonMembers) {
  rejects(with(kTamKy, R"({"id": null})"), "id is required");
  rejects(with(kTamKy, R"({"id": "has space"})"), "id must be a string of letters, digits and . _ : -");
  rejects(with(kTamKy, R"({"id": 5})"), "id must be a string");
  rejects(with(kTamKy, R"({"id": ")" + std::string(129, 'a') + R"("})"), "(1-128 characters)");
  EXPECT_TRUE(decode(with(kTamKy, R"({"id": ")" + std::string(128, 'a') + R"("})")).ok());
  rejects(with(kTamKy, R"({"name": ""})"), "name must be a string of 1 to 200 bytes");
  rejects(with(kTamKy, R"({"name": ")" + std::string(201, 'n') + R"("})"), "name must be a string of 1 to 200");
  EXPECT_TRUE(decode(with(kTamKy, R"({"name": ")" + std::string(200, 'n') + R"("})")).ok());
  rejects(with(kTamKy, R"({"name": 7})"), "name must be a string");
  rejects(with(kTamKy, R"({"enabled": "yes"})"), "enabled must be true or false");
  rejects(with(kTamKy, R"({"suspect_triggers": 1})"), "suspect_triggers must be true or false");
  rejects(with(kTamKy, R"({"message": ")" + std::string(1001, 'm') + R"("})"), "message must be a string of at most "
                                                                              "1000 bytes");
  EXPECT_TRUE(decode(with(kTamKy, R"({"message": ")" + std::string(1000, 'm') + R"("})")).ok());
  rejects(with(kTamKy, R"({"message": ["a"]})"), "message must be a string");
  rejects(with(kTamKy, R"({"metric": null})"), "metric is required for a threshold rule");
  rejects(with(kStale, R"({"metric": null})"), "metric is required for a stale rule");
  rejects(with(kTamKy, R"({"metric": "Water"})"), "metric must be lower-case letters, digits and '_'");
  rejects(with(kExpression, R"({"metric": "a.b"})"), "metric must be lower-case");
}

TEST(RuleCodec, RejectsBadScopes) {
  rejects(with(kTamKy, R"({"scope": null})"), "scope is required");
  rejects(with(kTamKy, R"({"scope": "station:tamky"})"), "scope must be an object");
  rejects(with(kTamKy, R"({"scope": {}})"), "scope must hold exactly one of");
  rejects(with(kTamKy, R"({"scope": {"entity": "a", "type": "B"}})"), "scope must hold exactly one of");
  rejects(with(kTamKy, R"({"scope": {"site": "a"}})"), "unknown field 'site' in scope");
  rejects(with(kTamKy, R"({"scope": {"entity": "a b"}})"), "scope.entity must be an entity id");
  rejects(with(kTamKy, R"({"scope": {"entity": 3}})"), "scope.entity must be an entity id");
  rejects(with(kTamKy, R"({"scope": {"type": "Water-Level"}})"), "scope.type must be an entity type");
  rejects(with(kTamKy, R"({"scope": {"tag": ""}})"), "scope.tag must be a tag");
}

TEST(RuleCodec, RejectsBadLevels) {
  auto levels = [](std::string_view array) { return with(kTamKy, R"({"levels": )" + std::string(array) + "}"); };
  rejects(with(kTamKy, R"({"levels": null})"), "levels is required for a threshold rule");
  rejects(levels("{}"), "levels must be an array of 1 to 8 levels");
  rejects(levels("[]"), "levels must be an array of 1 to 8 levels");
  std::string nine = "[";
  for (int i = 0; i < 9; ++i) nine += std::string(i ? "," : "") + R"({"above": )" + std::to_string(i) + R"(, "severity": "info"})";
  rejects(levels(nine + "]"), "levels must be an array of 1 to 8 levels");
  rejects(levels("[1.7]"), "levels[0] must be an object");
  rejects(levels(R"([{"above": 1, "severity": "minor", "label": "BĐ I"}])"), "unknown field 'label' in levels[0]");
  rejects(levels(R"([{"above": 1, "below": 2, "severity": "minor"}])"), "levels[0] must have exactly one of");
  rejects(levels(R"([{"severity": "minor"}])"), "levels[0] must have exactly one of \"above\" or \"below\"");
  rejects(levels(R"([{"above": 1}])"), "levels[0].severity is required");
  rejects(levels(R"([{"above": 1, "severity": "high"}])"), "levels[0].severity: severity must be one of");
  rejects(levels(R"([{"above": "1", "severity": "minor"}])"), "levels[0].above must be a number");
  // (Boost.JSON reads 1e400 as infinity; written into the text directly, as `with` would re-encode it.)
  rejects(R"({"id": "x", "scope": {"entity": "e"}, "metric": "m", "kind": "threshold",
      "levels": [{"above": 1e400, "severity": "minor"}]})", "levels[0].above must be a finite number");
  rejects(levels(R"([{"above": 1, "severity": "minor"}, {"below": 2, "severity": "major"}])"),
          "levels[1] uses \"below\" but levels[0] uses \"above\"");
  rejects(levels(R"([{"above": 1, "severity": "major"}, {"above": 2, "severity": "major"}])"),
          "levels[1].severity (major) must be higher than levels[0].severity (major)");
  rejects(levels(R"([{"above": 1, "severity": "major"}, {"above": 2, "severity": "minor"}])"),
          "levels[1].severity (minor) must be higher");
  rejects(levels(R"([{"above": 2.2, "severity": "minor"}, {"above": 1.7, "severity": "major"}])"),
          "levels[1].above (1.7) must be greater than levels[0].above (2.2)");
  rejects(levels(R"([{"above": 2, "severity": "minor"}, {"above": 2, "severity": "major"}])"),
          "levels[1].above (2) must be greater");
  rejects(levels(R"([{"below": 5, "severity": "minor"}, {"below": 10, "severity": "major"}])"),
          "levels[1].below (10) must be less than levels[0].below (5)");
  // Severities must rise strictly and only four exist, so four levels is the most that can validate.
  std::string four = "[";
  const char* sev[] = {"info", "minor", "major", "critical"};
  for (int i = 0; i < 4; ++i)
    four += std::string(i ? "," : "") + R"({"above": )" + std::to_string(i) + R"(, "severity": ")" + sev[i] + R"("})";
  EXPECT_TRUE(decode(levels(four + "]")).ok());
}

TEST(RuleCodec, RejectsBadHysteresisAndFor) {
  rejects(with(kTamKy, R"({"hysteresis": -0.01})"), "hysteresis must be 0 or more");
  rejects(with(kTamKy, R"({"hysteresis": "0.05"})"), "hysteresis must be a number");
  // Levels 1.7 / 2.2 / 2.7: gaps of 0.5 (up to rounding: 2.2 - 1.7 = 0.5000000000000002).
  rejects(with(kTamKy, R"({"hysteresis": 0.6})"), "hysteresis (0.6) must be smaller than the gap between adjacent "
                                                  "levels (0.5 between levels[0] and levels[1])");
  rejects(with(kTamKy, R"({"levels": [{"above": 1, "severity": "minor"}, {"above": 3, "severity": "major"},
      {"above": 3.5, "severity": "critical"}], "hysteresis": 0.5})"), "(0.5 between levels[1] and levels[2])");
  EXPECT_TRUE(decode(with(kTamKy, R"({"hysteresis": 0.49})")).ok());
  EXPECT_TRUE(decode(with(kTamKy, R"({"levels": [{"above": 1, "severity": "minor"}], "hysteresis": 5})")).ok());
  rejects(with(kTamKy, R"({"for": 60})"), "for must be a duration string");
  rejects(with(kTamKy, R"({"for": "1 hour"})"), "for: duration \"1 hour\"");
  rejects(with(kTamKy, R"({"for": "31d"})"), "for: duration \"31d\": is longer than 30 days");
}

TEST(RuleCodec, RejectsBadRateAccumulationAndStaleParameters) {
  rejects(with(kRate, R"({"per_hour_below": -1})"), "per_hour_above or per_hour_below, not both");
  rejects(with(kRate, R"({"per_hour_above": null})"), "a rate rule needs per_hour_above");
  rejects(with(kRate, R"({"per_hour_above": true})"), "per_hour_above must be a number");
  rejects(R"({"id": "x", "scope": {"entity": "e"}, "metric": "m", "kind": "rate", "per_hour_above": -1e999,
      "window": "1h", "severity": "minor"})", "per_hour_above must be a finite number");
  rejects(R"({"id": "x", "scope": {"entity": "e"}, "metric": "m", "kind": "accumulation", "above": 1e999,
      "window": "1h", "severity": "minor"})", "above must be a finite number");
  rejects(with(kRate, R"({"window": null})"), "window is required for a rate rule");
  rejects(with(kRate, R"({"window": "0s"})"), "window must be longer than 0s");
  rejects(with(kRate, R"({"window": "1x"})"), "window: duration \"1x\"");
  rejects(with(kRate, R"({"severity": null})"), "severity is required for a rate rule");
  rejects(with(kRate, R"({"severity": "MAJOR"})"), "severity: severity must be one of");
  rejects(with(kAccumulation, R"({"above": null})"), "above is required for an accumulation rule");
  rejects(with(kAccumulation, R"({"above": "50"})"), "above must be a number");
  rejects(with(kAccumulation, R"({"window": null})"), "window is required for an accumulation rule");
  rejects(with(kAccumulation, R"({"severity": null})"), "severity is required for an accumulation rule");
  rejects(with(kStale, R"({"after": null})"), "after is required for a stale rule");
  rejects(with(kStale, R"({"after": "0s"})"), "after must be longer than 0s");
  rejects(with(kStale, R"({"after": 900})"), "after must be a duration string");
  rejects(with(kStale, R"({"severity": 2})"), "severity must be one of info, minor, major, critical");
}

TEST(RuleCodec, RejectsBadExpressions) {
  rejects(with(kExpression, R"({"expr": null})"), "expr is required for an expression rule");
  rejects(with(kExpression, R"({"expr": 1})"), "expr must be a string");
  rejects(with(kExpression, R"({"expr": "wl.tamky.water_level_m > "})"), "expr: column 26: expected a number");
  rejects(with(kExpression, R"({"expr": "a.b = 1"})"), "expr: column 5: '=' is not an operator");
  rejects(with(kExpression, R"({"severity": null})"), "severity is required for an expression rule");
}

TEST(RuleCodec, KindNames) {
  for (Kind k : {Kind::Threshold, Kind::Rate, Kind::Accumulation, Kind::Stale, Kind::Expression}) {
    auto back = parseKind(kindName(k));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, k);
  }
  EXPECT_EQ(kindName(Kind::Accumulation), "accumulation");
  EXPECT_FALSE(parseKind("Threshold").ok());
}

TEST(RuleCodec, RendersMessages) {
  Rule r = decoded(kTamKy);
  EXPECT_EQ(renderMessage(r, "station:tamky", "Cầu Tam Kỳ", 2.25, S::Major), "Cầu Tam Kỳ: 2.25 m");
  r.message = "[{severity}] {rule.name} — {entity.name} ({entity.id}) {metric} = {value}";
  EXPECT_EQ(renderMessage(r, "station:tamky", "Cầu Tam Kỳ", 2.7000000001, S::Critical),
            "[critical] Tam Kỳ alarm levels — Cầu Tam Kỳ (station:tamky) water_level_m = 2.7");
  // Unknown placeholders and stray braces stay as written.
  r.message = "{foo} {value} {entity} {} {value";
  EXPECT_EQ(renderMessage(r, "e", "E", 1, S::Minor), "{foo} 1 {entity} {} {value");
  r.message = "{{value}} }{value}{";
  EXPECT_EQ(renderMessage(r, "e", "E", 3.5, S::Minor), "{3.5} }3.5{");
  // Replacement text is not scanned again.
  r.message = "{entity.name}: {value}";
  EXPECT_EQ(renderMessage(r, "e", "{value}", 1.5, S::Minor), "{value}: 1.5");
  r.message = "";
  EXPECT_EQ(renderMessage(r, "e", "E", 1, S::Minor), "");
}

TEST(RuleCodec, FormatsValuesWithSixSignificantDigits) {
  EXPECT_EQ(formatValue(2.25), "2.25");
  EXPECT_EQ(formatValue(1.0), "1");
  EXPECT_EQ(formatValue(100), "100");
  EXPECT_EQ(formatValue(0.1 + 0.2), "0.3");
  EXPECT_EQ(formatValue(2.2 - 1.7), "0.5");
  EXPECT_EQ(formatValue(-3.14159265), "-3.14159");
  EXPECT_EQ(formatValue(123456.7), "123457");
  EXPECT_EQ(formatValue(1234567), "1234570");
  EXPECT_EQ(formatValue(999999.5), "1000000");
  EXPECT_EQ(formatValue(0.000012345678), "0.0000123457");
  EXPECT_EQ(formatValue(1.5e-7), "1.5e-07");
  EXPECT_EQ(formatValue(1e20), "1e+20");
  EXPECT_EQ(formatValue(0), "0");
  EXPECT_EQ(formatValue(-0.0), "0");
}

}  // namespace
}  // namespace cityops::rules

namespace cityops::rules {
namespace {

TEST(RuleCodecForecast, IsAThresholdOnTheForecastOfItsMetric) {
  auto r = fromJson(boost::json::parse(R"({"id":"forecast.wl.tamky","name":"Tam Kỳ forecast","scope":{"entity":"wl.tamky"},
    "metric":"water_level_m","kind":"forecast","levels":[{"above":1.7,"severity":"minor"},{"above":2.7,"severity":"critical"}],
    "hysteresis":0.05})"), 0);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->kind, Kind::Forecast);
  EXPECT_EQ(r->levels.size(), 2u);
  EXPECT_EQ(forecastMetric(r->metric), "water_level_m_forecast");
  const auto back = toJson(*r);
  EXPECT_EQ(back.at("kind").as_string(), "forecast");
  EXPECT_EQ(back.at("levels").as_array().size(), 2u);
  auto again = fromJson(back, 0);  // a GET body can be PUT back
  ASSERT_TRUE(again.ok()) << again.error().message;
  auto longMetric = fromJson(boost::json::parse(R"({"id":"f","name":"f","scope":{"entity":"e"},"kind":"forecast",
    "metric":"a_metric_name_that_is_fifty_six_characters_long_xxxxxxxx","levels":[{"above":1,"severity":"minor"}]})"), 0);
  ASSERT_FALSE(longMetric.ok());
  EXPECT_NE(longMetric.error().message.find("at most 55"), std::string::npos);
}

}  // namespace
}  // namespace cityops::rules
