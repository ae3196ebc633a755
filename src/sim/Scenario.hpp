#pragma once
// A scripted event for the demo: readings of a recorded (or synthetic) event, CSV time,entity,metric,value, played
// again from a given start. The part of the event from `fromMs` for `lengthMs` is moved in time to begin at
// `startMs` (no compression: the DemoClock makes it pass quickly), and the simulator takes each scenario series'
// values from it, linearly interpolated between readings, while the clock is inside that window. Metrics listed as
// totals (rain_mm: millimetres in the hour ending at the reading) are given per simulated interval instead. Faults
// are single wrong readings injected at a time into the window (for quality control to catch).
#include "common/Result.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace cityops::sim {

struct ScenarioFault {
  std::string entity, metric;
  int64_t atMs = 0;  // offset into the window
  double value = 0;
};

class Scenario {
 public:
  /// Reads the CSV; "bad_request" naming the line for malformed content, "not_found" for a missing file.
  static Result<Scenario> load(const std::string& path, int64_t fromMs, int64_t lengthMs,
                               std::set<std::string> totals = {"rain_mm"});

  void setStart(int64_t startMs) { startMs_ = startMs; }
  void setFaults(std::vector<ScenarioFault> faults) { faults_ = std::move(faults); }

  bool plays(const std::string& entity, const std::string& metric) const;
  /// The value at server time `ms` of one series, nullopt outside the window. For totals, the amount in
  /// (previousMs, ms] at the event's hourly rates.
  std::optional<double> valueAt(const std::string& entity, const std::string& metric, int64_t ms,
                                int64_t previousMs) const;
  /// A fault of this series due in (previousMs, ms], if any.
  std::optional<double> faultIn(const std::string& entity, const std::string& metric, int64_t previousMs,
                                int64_t ms) const;
  size_t seriesCount() const { return series_.size(); }

 private:
  using Key = std::pair<std::string, std::string>;
  double at(const std::vector<std::pair<int64_t, double>>& s, int64_t eventMs) const;

  std::map<Key, std::vector<std::pair<int64_t, double>>> series_;  // event time, value; sorted
  std::set<std::string> totals_;
  std::vector<ScenarioFault> faults_;
  int64_t fromMs_ = 0, lengthMs_ = 0, startMs_ = 0;
};

}  // namespace cityops::sim
