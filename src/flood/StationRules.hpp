#pragma once
// Keeps the rules the flood module owns in step with the stations: for every WaterLevelStation whose attributes give
// alarm levels (bd1..bd3) a multi-level threshold rule "alarm.<station id>" (minor / major / critical, with
// hysteresis), a forecast rule "forecast.<station id>" on the same levels (it reads the forecast the ForecastWarner
// writes), and, when [flood] sets a rate of rise, a rate rule "rise.<station id>". A station created, changed or
// deleted through the configuration or the API gets, changes or loses its rules at the next pass (every few seconds
// and at start); a pass that finds nothing to change writes nothing. Rules with these prefixes are managed here:
// edits through the rules API are overwritten at the next pass.
//
// Each rule is written to the RuleStore (so it is listed by GET /api/v1/rules and survives restarts) and handed to
// the RuleEngine; an unchanged rule keeps its evaluator state.
#include "common/Clock.hpp"
#include "common/Result.hpp"
#include "rules/Rule.hpp"
#include "store/Store.hpp"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace cityops::rules {
class RuleStore;
class RuleEngine;
}  // namespace cityops::rules

namespace cityops::flood {

struct StationRuleOptions {
  double hysteresis = 0.05;           // metres
  int64_t forMs = 0;                  // the level must hold this long before it raises
  std::optional<double> risePerHour;  // m/h over riseWindowMs: a rate rule per station (none when unset)
  int64_t riseWindowMs = 3600000;
  rules::Severity riseSeverity = rules::Severity::Major;
  bool forecastWarnings = true;       // a forecast rule "forecast.<station>" on the station's alarm levels
};

/// The desired rules of one entity (empty for other types, or a station without usable levels).
std::vector<rules::Rule> stationRules(const model::Entity& e, const StationRuleOptions& o);

class StationRules {
 public:
  StationRules(store::Store& store, rules::RuleStore& ruleStore, rules::RuleEngine& engine, const Clock& clock,
               StationRuleOptions options)
      : store_(store), ruleStore_(ruleStore), engine_(engine), clock_(clock), options_(std::move(options)) {}
  ~StationRules() { stop(); }

  /// One pass: the number of rules written or removed.
  Result<int> reconcile();
  /// Passes every periodMs (real time) on a thread of its own.
  void start(int64_t periodMs);
  void stop();

  static bool managed(std::string_view ruleId);

 private:
  store::Store& store_;
  rules::RuleStore& ruleStore_;
  rules::RuleEngine& engine_;
  const Clock& clock_;
  const StationRuleOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cityops::flood
