#include "flood/StationRules.hpp"

#include "flood/AlarmLevels.hpp"
#include "rules/RuleCodec.hpp"
#include "rules/RuleEngine.hpp"
#include "rules/RuleStore.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

namespace cityops::flood {

namespace {

constexpr std::string_view kAlarmPrefix = "alarm.";
constexpr std::string_view kRisePrefix = "rise.";
constexpr std::string_view kForecastPrefix = "forecast.";

/// The rule without its times: what decides whether a rewrite changes anything.
std::string substance(rules::Rule r) {
  r.createdMs = r.updatedMs = 0;
  return boost::json::serialize(rules::toJson(r));
}

}  // namespace

bool StationRules::managed(std::string_view id) {
  return id.starts_with(kAlarmPrefix) || id.starts_with(kRisePrefix) || id.starts_with(kForecastPrefix);
}

std::vector<rules::Rule> stationRules(const model::Entity& e, const StationRuleOptions& o) {
  std::vector<rules::Rule> out;
  if (e.type != kStationType) return out;
  auto levels = alarmLevelsOf(e);
  if (!levels) {
    spdlog::warn("flood: station {} has unusable alarm levels: {}", e.id, levels.error().message);
    return out;
  }
  if (levels->any()) {
    rules::Rule r;
    r.id = std::string(kAlarmPrefix) + e.id;
    r.name = e.name + ": báo động I/II/III";
    r.scope.entity = e.id;
    r.metric = std::string(kLevelMetric);
    r.kind = rules::Kind::Threshold;
    const rules::Severity severities[] = {rules::Severity::Minor, rules::Severity::Major, rules::Severity::Critical};
    for (size_t i = 0; i < 3; ++i)
      if (levels->bd[i]) r.levels.push_back({true, *levels->bd[i], severities[i]});
    r.hysteresis = o.hysteresis;
    r.forMs = o.forMs;
    r.message = "{entity.name}: {value} m ({severity})";
    if (o.forecastWarnings) {
      rules::Rule f = r;
      f.id = std::string(kForecastPrefix) + e.id;
      f.name = e.name + ": dự báo vượt báo động / forecast above alarm level";
      f.kind = rules::Kind::Forecast;
      f.forMs = 0;
      f.message = "{entity.name}: forecast to reach {value} m ({severity})";
      out.push_back(std::move(r));
      out.push_back(std::move(f));
    } else {
      out.push_back(std::move(r));
    }
  }
  if (o.risePerHour) {
    rules::Rule r;
    r.id = std::string(kRisePrefix) + e.id;
    r.name = e.name + ": rate of rise";
    r.scope.entity = e.id;
    r.metric = std::string(kLevelMetric);
    r.kind = rules::Kind::Rate;
    r.hasPerHourAbove = true;
    r.perHourAbove = *o.risePerHour;
    r.windowMs = o.riseWindowMs;
    r.severity = o.riseSeverity;
    r.message = "{entity.name}: rising {value} m/h";
    out.push_back(std::move(r));
  }
  return out;
}

Result<int> StationRules::reconcile() {
  store::EntityQuery q;
  q.type = std::string(kStationType);
  q.limit = 100000;
  auto stations = store_.listEntities(q);
  if (!stations) return stations.error();
  std::map<std::string, rules::Rule> desired;
  for (const auto& e : stations->items)
    for (auto& r : stationRules(e, options_)) desired.emplace(r.id, std::move(r));

  auto existing = ruleStore_.list();
  if (!existing) return existing.error();
  int changed = 0;
  const int64_t now = clock_.nowMs();
  for (const auto& r : *existing) {
    if (!managed(r.id) || desired.count(r.id)) continue;
    if (auto s = ruleStore_.remove(r.id); !s && s.error().code != "not_found") return s.error();
    engine_.remove(r.id);
    spdlog::info("flood: rule {} removed (its station is gone or has no such levels)", r.id);
    ++changed;
  }
  for (auto& [id, rule] : desired) {
    auto it = std::find_if(existing->begin(), existing->end(), [&](const rules::Rule& r) { return r.id == id; });
    if (it != existing->end() && substance(*it) == substance(rule)) continue;
    auto saved = ruleStore_.put(rule, now);
    if (!saved) {  // this station's rule only: the others still get theirs
      spdlog::error("flood: cannot write rule {}: {}", id, saved.error().message);
      continue;
    }
    engine_.upsert(*saved);
    spdlog::info("flood: rule {} {}", id, it == existing->end() ? "created" : "updated");
    ++changed;
  }
  return changed;
}

void StationRules::start(int64_t periodMs) {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, periodMs] {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(periodMs), [&] { return stopping_; })) {
      lock.unlock();
      if (auto r = reconcile(); !r) spdlog::error("flood: cannot update the station rules: {}", r.error().message);
      lock.lock();
    }
  });
}

void StationRules::stop() {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

}  // namespace cityops::flood
