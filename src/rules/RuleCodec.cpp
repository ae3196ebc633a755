#include "rules/RuleCodec.hpp"

#include "common/Time.hpp"
#include "model/Names.hpp"
#include "rules/Duration.hpp"
#include "rules/Expression.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <vector>

namespace cityops::rules {

namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 10> kCommon{"id",      "name",    "enabled",          "scope",      "metric",
                                                   "kind",    "message", "suspect_triggers", "created_at", "updated_at"};

struct KindInfo {
  Kind kind;
  std::string_view name;
  std::array<std::string_view, 4> members;  // empty entries unused
  std::string_view defaultMessage;
};

constexpr std::array<KindInfo, 6> kKinds{{
    {Kind::Threshold, "threshold", {"levels", "hysteresis", "for", ""}, "{rule.name}: {entity.name} {metric} {value}"},
    {Kind::Rate, "rate", {"per_hour_above", "per_hour_below", "window", "severity"},
     "{rule.name}: {entity.name} {metric} changes by {value} per hour"},
    {Kind::Accumulation, "accumulation", {"window", "above", "severity"},
     "{rule.name}: {entity.name} {metric} totals {value}"},
    {Kind::Stale, "stale", {"after", "severity"}, "{rule.name}: {entity.name} has not reported"},
    {Kind::Expression, "expression", {"expr", "severity"}, "{rule.name}: {entity.name}"},
    {Kind::Forecast, "forecast", {"levels", "hysteresis", "for", ""},
     "{rule.name}: {entity.name} {metric} forecast to reach {value}"},
}};

/// "a threshold rule", "an accumulation rule".
std::string aRule(std::string_view kind) {
  const bool vowel = !kind.empty() && std::string_view("aeiou").find(kind[0]) != std::string_view::npos;
  return std::string(vowel ? "an " : "a ") + std::string(kind) + " rule";
}

const KindInfo& info(Kind k) {
  for (const auto& ki : kKinds)
    if (ki.kind == k) return ki;
  return kKinds[0];
}

bool has(const std::array<std::string_view, 4>& members, std::string_view key) {
  return !key.empty() && std::find(members.begin(), members.end(), key) != members.end();
}

std::string shown(std::string_view key) {
  std::string s = "'";
  s += key.substr(0, 64);
  s += key.size() > 64 ? "...'" : "'";
  return s;
}

std::string num(double v) { return formatValue(v); }

Status checkKeys(const json::object& o, const KindInfo& kind) {
  for (const auto& kv : o) {
    const std::string_view key = kv.key();
    if (std::find(kCommon.begin(), kCommon.end(), key) != kCommon.end() || has(kind.members, key)) continue;
    std::vector<std::string_view> kinds;
    for (const auto& other : kKinds)
      if (has(other.members, key)) kinds.push_back(other.name);
    std::string owners;  // "rate", "rate and accumulation", "rate, accumulation and stale"
    for (size_t i = 0; i < kinds.size(); ++i) {
      if (i > 0) owners += i + 1 == kinds.size() ? " and " : ", ";
      owners += kinds[i];
    }
    if (!owners.empty())
      return BadRequest(shown(key) + " does not belong to " + aRule(kind.name) + " (it is for " + owners + " rules)");
    return BadRequest("unknown field " + shown(key) + " in " + aRule(kind.name));
  }
  return {};
}

Result<double> finiteNumber(const json::value& v, std::string_view field) {
  double d = 0;
  if (v.is_double()) d = v.get_double();
  else if (v.is_int64()) d = static_cast<double>(v.get_int64());
  else if (v.is_uint64()) d = static_cast<double>(v.get_uint64());
  else return BadRequest(std::string(field) + " must be a number");
  if (!std::isfinite(d)) return BadRequest(std::string(field) + " must be a finite number");
  return d;
}

Result<int64_t> duration(const json::value& v, std::string_view field, bool positive) {
  if (!v.is_string()) return BadRequest(std::string(field) + " must be a duration string such as \"90s\", \"15m\" or \"3h\"");
  auto d = Duration::parse(v.get_string());
  if (!d) return BadRequest(std::string(field) + ": " + d.error().message);
  if (positive && *d <= 0) return BadRequest(std::string(field) + " must be longer than 0s");
  return *d;
}

Result<Severity> severity(const json::value& v, std::string_view field) {
  if (!v.is_string()) return BadRequest(std::string(field) + " must be one of info, minor, major, critical");
  auto s = parseSeverity(v.get_string());
  if (!s) return BadRequest(std::string(field) + ": " + s.error().message);
  return *s;
}

Result<bool> boolean(const json::value& v, std::string_view field) {
  if (!v.is_bool()) return BadRequest(std::string(field) + " must be true or false");
  return v.get_bool();
}

Status setScope(Rule& r, const json::value* v) {
  if (!v) return BadRequest("scope is required: {\"entity\": id}, {\"type\": type} or {\"tag\": tag}");
  const auto* o = v->if_object();
  if (!o) return BadRequest("scope must be an object: {\"entity\": id}, {\"type\": type} or {\"tag\": tag}");
  for (const auto& kv : *o)
    if (kv.key() != "entity" && kv.key() != "type" && kv.key() != "tag")
      return BadRequest("unknown field " + shown(kv.key()) + " in scope (use \"entity\", \"type\" or \"tag\")");
  if (o->size() != 1) return BadRequest("scope must hold exactly one of \"entity\", \"type\" or \"tag\"");
  const auto& kv = *o->begin();
  const auto* s = kv.value().if_string();
  if (kv.key() == "entity") {
    if (!s || !model::isValidEntityId(*s))
      return BadRequest("scope.entity must be an entity id: letters, digits and . _ : - (1-128 characters)");
    r.scope.entity = *s;
  } else if (kv.key() == "type") {
    if (!s || !model::isValidType(*s))
      return BadRequest("scope.type must be an entity type: letters, digits and '_' (1-64 characters)");
    r.scope.type = *s;
  } else {
    if (!s || !model::isValidTag(*s))
      return BadRequest("scope.tag must be a tag: letters, digits and . _ : - (1-64 characters)");
    r.scope.tag = *s;
  }
  return {};
}

Status setLevels(Rule& r, const json::object& o) {
  const auto* v = o.if_contains("levels");
  if (!v) return BadRequest("levels is required for " + aRule(kindName(r.kind)) + ", e.g. [{\"above\": 1.7, \"severity\": \"minor\"}]");
  const auto* a = v->if_array();
  if (!a || a->empty() || a->size() > kMaxRuleLevels)
    return BadRequest("levels must be an array of 1 to 8 levels such as {\"above\": 1.7, \"severity\": \"minor\"}");
  for (size_t i = 0; i < a->size(); ++i) {
    const std::string at = "levels[" + std::to_string(i) + "]";
    const auto* lo = (*a)[i].if_object();
    if (!lo) return BadRequest(at + " must be an object such as {\"above\": 1.7, \"severity\": \"minor\"}");
    for (const auto& kv : *lo)
      if (kv.key() != "above" && kv.key() != "below" && kv.key() != "severity")
        return BadRequest("unknown field " + shown(kv.key()) + " in " + at + " (use \"above\" or \"below\", and " +
                          "\"severity\")");
    const auto* above = lo->if_contains("above");
    const auto* below = lo->if_contains("below");
    if ((above != nullptr) == (below != nullptr)) return BadRequest(at + " must have exactly one of \"above\" or \"below\"");
    Level level;
    level.above = above != nullptr;
    const std::string valueField = at + (level.above ? ".above" : ".below");
    auto value = finiteNumber(above ? *above : *below, valueField);
    if (!value) return value.error();
    level.value = *value;
    const auto* sev = lo->if_contains("severity");
    if (!sev) return BadRequest(at + ".severity is required");
    auto s = severity(*sev, at + ".severity");
    if (!s) return s.error();
    level.severity = *s;
    if (i > 0) {
      const Level& prev = r.levels.back();
      const std::string prevAt = "levels[" + std::to_string(i - 1) + "]";
      if (level.above != prev.above)
        return BadRequest(at + " uses \"" + (level.above ? "above" : "below") + "\" but " + prevAt + " uses \"" +
                          (prev.above ? "above" : "below") + "\": all levels of a rule go the same way");
      if (level.severity <= prev.severity)
        return BadRequest(at + ".severity (" + std::string(severityName(level.severity)) + ") must be higher than " +
                          prevAt + ".severity (" + std::string(severityName(prev.severity)) +
                          "): list levels from the least to the most severe");
      if (level.above ? level.value <= prev.value : level.value >= prev.value)
        return BadRequest(valueField + " (" + num(level.value) + ") must be " + (level.above ? "greater" : "less") +
                          " than " + prevAt + (level.above ? ".above" : ".below") + " (" + num(prev.value) +
                          "): a more severe level lies further out");
    }
    r.levels.push_back(level);
  }
  return {};
}

Status setThreshold(Rule& r, const json::object& o) {
  if (auto s = setLevels(r, o); !s) return s;
  if (const auto* h = o.if_contains("hysteresis")) {
    auto v = finiteNumber(*h, "hysteresis");
    if (!v) return v.error();
    if (*v < 0) return BadRequest("hysteresis must be 0 or more");
    r.hysteresis = *v;
  }
  for (size_t i = 1; i < r.levels.size(); ++i) {
    const double gap = std::fabs(r.levels[i].value - r.levels[i - 1].value);
    if (r.hysteresis >= gap)
      return BadRequest("hysteresis (" + num(r.hysteresis) + ") must be smaller than the gap between adjacent levels (" +
                        num(gap) + " between levels[" + std::to_string(i - 1) + "] and levels[" + std::to_string(i) +
                        "])");
  }
  if (const auto* f = o.if_contains("for")) {
    auto d = duration(*f, "for", false);
    if (!d) return d.error();
    r.forMs = *d;
  }
  return {};
}

Status setSeverity(Rule& r, const json::object& o) {
  const auto* v = o.if_contains("severity");
  if (!v) return BadRequest("severity is required for " + aRule(info(r.kind).name));
  auto s = severity(*v, "severity");
  if (!s) return s.error();
  r.severity = *s;
  return {};
}

Status setWindow(Rule& r, const json::object& o) {
  const auto* v = o.if_contains("window");
  if (!v) return BadRequest("window is required for " + aRule(info(r.kind).name) + ", e.g. \"1h\"");
  auto d = duration(*v, "window", true);
  if (!d) return d.error();
  r.windowMs = *d;
  return {};
}

Status setRate(Rule& r, const json::object& o) {
  const auto* up = o.if_contains("per_hour_above");
  const auto* down = o.if_contains("per_hour_below");
  if (up && down) return BadRequest("a rate rule has per_hour_above or per_hour_below, not both");
  if (!up && !down) return BadRequest("a rate rule needs per_hour_above (rate of rise) or per_hour_below (rate of fall)");
  auto v = finiteNumber(up ? *up : *down, up ? "per_hour_above" : "per_hour_below");
  if (!v) return v.error();
  if (up) {
    r.hasPerHourAbove = true;
    r.perHourAbove = *v;
  } else {
    r.hasPerHourBelow = true;
    r.perHourBelow = *v;
  }
  if (auto s = setWindow(r, o); !s) return s;
  return setSeverity(r, o);
}

Status setAccumulation(Rule& r, const json::object& o) {
  if (auto s = setWindow(r, o); !s) return s;
  const auto* a = o.if_contains("above");
  if (!a) return BadRequest("above is required for an accumulation rule (the sum over the window that raises)");
  auto v = finiteNumber(*a, "above");
  if (!v) return v.error();
  r.above = *v;
  return setSeverity(r, o);
}

Status setStale(Rule& r, const json::object& o) {
  const auto* a = o.if_contains("after");
  if (!a) return BadRequest("after is required for a stale rule, e.g. \"15m\"");
  auto d = duration(*a, "after", true);
  if (!d) return d.error();
  r.afterMs = *d;
  return setSeverity(r, o);
}

Status setExpression(Rule& r, const json::object& o) {
  const auto* e = o.if_contains("expr");
  if (!e) return BadRequest("expr is required for an expression rule, e.g. \"wl-01.water_level_m > 2.2\"");
  if (!e->is_string()) return BadRequest("expr must be a string");
  auto parsed = Expression::parse(e->get_string());
  if (!parsed) return BadRequest("expr: " + parsed.error().message);
  r.expr = e->get_string();
  return setSeverity(r, o);
}

}  // namespace

std::string forecastMetric(const std::string& metric) { return metric + "_forecast"; }

std::string_view kindName(Kind kind) { return info(kind).name; }

Result<Kind> parseKind(std::string_view text) {
  for (const auto& k : kKinds)
    if (k.name == text) return k.kind;
  return BadRequest("kind must be one of threshold, rate, accumulation, stale, expression, forecast");
}

Result<Rule> fromJson(const json::value& v, int64_t nowMs) {
  const auto* o = v.if_object();
  if (!o) return BadRequest("a rule must be a JSON object");
  Rule r;
  const auto* kind = o->if_contains("kind");
  if (!kind) return BadRequest("kind is required: threshold, rate, accumulation, stale, expression or forecast");
  if (!kind->is_string()) return BadRequest("kind must be one of threshold, rate, accumulation, stale, expression, forecast");
  auto k = parseKind(kind->get_string());
  if (!k) return k.error();
  r.kind = *k;
  if (auto s = checkKeys(*o, info(r.kind)); !s) return s.error();

  const auto* id = o->if_contains("id");
  if (!id) return BadRequest("id is required");
  if (!id->is_string() || !model::isValidEntityId(id->get_string()))
    return BadRequest("id must be a string of letters, digits and . _ : - (1-128 characters)");
  r.id = id->get_string();

  r.name = r.id;
  if (const auto* n = o->if_contains("name")) {
    if (!n->is_string() || n->get_string().empty() || n->get_string().size() > kMaxRuleName)
      return BadRequest("name must be a string of 1 to 200 bytes");
    r.name = n->get_string();
  }
  if (const auto* e = o->if_contains("enabled")) {
    auto b = boolean(*e, "enabled");
    if (!b) return b.error();
    r.enabled = *b;
  }
  if (auto s = setScope(r, o->if_contains("scope")); !s) return s.error();

  const auto* metric = o->if_contains("metric");
  if (metric) {
    if (!metric->is_string() || !model::isValidMetric(metric->get_string()))
      return BadRequest("metric must be lower-case letters, digits and '_' (1-64 characters), e.g. \"water_level_m\"");
    r.metric = metric->get_string();
  } else if (r.kind != Kind::Expression) {
    return BadRequest("metric is required for " + aRule(kindName(r.kind)));
  }

  if (r.kind == Kind::Forecast && !model::isValidMetric(forecastMetric(r.metric)))
    return BadRequest("metric of a forecast rule may have at most 55 characters (it watches <metric>_forecast)");
  Status kindStatus;
  switch (r.kind) {
    case Kind::Threshold:
    case Kind::Forecast: kindStatus = setThreshold(r, *o); break;
    case Kind::Rate: kindStatus = setRate(r, *o); break;
    case Kind::Accumulation: kindStatus = setAccumulation(r, *o); break;
    case Kind::Stale: kindStatus = setStale(r, *o); break;
    case Kind::Expression: kindStatus = setExpression(r, *o); break;
  }
  if (!kindStatus) return kindStatus.error();

  r.message = info(r.kind).defaultMessage;
  if (const auto* m = o->if_contains("message")) {
    if (!m->is_string() || m->get_string().size() > kMaxRuleMessage)
      return BadRequest("message must be a string of at most 1000 bytes");
    r.message = m->get_string();
  }
  if (const auto* st = o->if_contains("suspect_triggers")) {
    auto b = boolean(*st, "suspect_triggers");
    if (!b) return b.error();
    r.suspectTriggers = *b;
  }
  r.createdMs = r.updatedMs = nowMs;
  return r;
}

json::object toJson(const Rule& r) {
  json::object o;
  o["id"] = r.id;
  o["name"] = r.name;
  o["enabled"] = r.enabled;
  json::object scope;
  if (!r.scope.entity.empty()) scope["entity"] = r.scope.entity;
  else if (!r.scope.type.empty()) scope["type"] = r.scope.type;
  else scope["tag"] = r.scope.tag;
  o["scope"] = std::move(scope);
  if (!r.metric.empty() || r.kind != Kind::Expression) o["metric"] = r.metric;
  o["kind"] = kindName(r.kind);
  switch (r.kind) {
    case Kind::Threshold:
    case Kind::Forecast: {
      json::array levels;
      for (const auto& l : r.levels) {
        json::object lo;
        lo[l.above ? "above" : "below"] = l.value;
        lo["severity"] = severityName(l.severity);
        levels.emplace_back(std::move(lo));
      }
      o["levels"] = std::move(levels);
      o["hysteresis"] = r.hysteresis;
      o["for"] = Duration::format(r.forMs);
      break;
    }
    case Kind::Rate:
      if (r.hasPerHourBelow && !r.hasPerHourAbove) o["per_hour_below"] = r.perHourBelow;
      else o["per_hour_above"] = r.perHourAbove;
      o["window"] = Duration::format(r.windowMs);
      o["severity"] = severityName(r.severity);
      break;
    case Kind::Accumulation:
      o["window"] = Duration::format(r.windowMs);
      o["above"] = r.above;
      o["severity"] = severityName(r.severity);
      break;
    case Kind::Stale:
      o["after"] = Duration::format(r.afterMs);
      o["severity"] = severityName(r.severity);
      break;
    case Kind::Expression:
      o["expr"] = r.expr;
      o["severity"] = severityName(r.severity);
      break;
  }
  o["message"] = r.message;
  o["suspect_triggers"] = r.suspectTriggers;
  o["created_at"] = formatTime(r.createdMs);
  o["updated_at"] = formatTime(r.updatedMs);
  return o;
}

std::string formatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  const double rounded = std::strtod(buf, nullptr);  // the value at 6 significant digits
  if (rounded == 0) return "0";
  const int exponent = static_cast<int>(std::floor(std::log10(std::fabs(rounded))));
  if (exponent < -5 || exponent > 15) return buf;
  std::snprintf(buf, sizeof buf, "%.*f", std::max(0, 5 - exponent), rounded);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string renderMessage(const Rule& rule, std::string_view entityId, std::string_view entityName,
                                     double value, Severity severity) {
  const std::string_view tmpl = rule.message;
  std::string out;
  out.reserve(tmpl.size() + 32);
  size_t i = 0;
  while (i < tmpl.size()) {
    const size_t open = tmpl.find('{', i);
    if (open == std::string_view::npos) break;
    const size_t close = tmpl.find('}', open + 1);
    if (close == std::string_view::npos) break;
    // The innermost '{' before that '}' starts the placeholder ("{{value}" keeps the first '{').
    const size_t start = tmpl.rfind('{', close);
    out.append(tmpl.substr(i, start - i));
    const std::string_view name = tmpl.substr(start + 1, close - start - 1);
    if (name == "entity.id") out.append(entityId);
    else if (name == "entity.name") out.append(entityName);
    else if (name == "value") out.append(formatValue(value));
    else if (name == "metric") out.append(rule.metric);
    else if (name == "severity") out.append(severityName(severity));
    else if (name == "rule.name") out.append(rule.name);
    else out.append(tmpl.substr(start, close - start + 1));
    i = close + 1;
  }
  out.append(tmpl.substr(i));
  return out;
}

}  // namespace cityops::rules
