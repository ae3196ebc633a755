#pragma once
// The demo's data source: plausible live observations for the configured entities, ingested through the
// same Store path as real devices (so the stream, rules and dashboard see them like any other data).
// Each value: base + amplitude·sin(2π t/period + phase) + episode bump + random walk, clamped to [min, max]; one
// track per (entity, metric), an entity's own spec taking precedence over a type-wide one.
#include "common/Clock.hpp"
#include "config/CityConfig.hpp"
#include "sim/Scenario.hpp"
#include "store/Store.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace cityops::sim {

class Simulator {
 public:
  Simulator(store::Store& store, const Clock& clock, const std::vector<config::SimulationSpec>& specs,
            const std::vector<model::Entity>& entities, uint64_t seed = 20251127);
  ~Simulator();

  /// Fills the last `hours` of history (every 5 minutes) for series that have none, so charts are not empty.
  Status backfill(int hours);
  /// Produces the observations due at `nowMs`: one per series whose every_seconds elapsed since its last value
  /// (every series on the first call). Exposed for tests.
  std::vector<model::Observation> tick(int64_t nowMs);
  /// The episode term of `spec` at `ms`: episodeAdd × sin(π x) while x = (time into the episode) / episodeHours is
  /// in [0, 1), else 0 (see SimulationSpec).
  static double episodeAt(const config::SimulationSpec& spec, int64_t ms);
  /// Series the scenario plays take their values from it while its window lasts (the demo's flood); set before
  /// start(). The scenario must outlive the simulator.
  void setScenario(const Scenario* scenario) { scenario_ = scenario; }
  void start();
  void stop();

 private:
  struct Track {
    std::string entity, metric;
    const config::SimulationSpec* spec;
    double phase;     // radians, per entity
    double walk = 0;  // random-walk offset
    int64_t next = 0;
    int64_t last = 0;  // time of the previous value
  };
  /// The phase of the periodic part: from spec.peakHour when set, else a fixed phase per entity.
  static double phaseFor(const config::SimulationSpec& spec, const std::string& entityId);
  double valueAt(Track& t, int64_t ms, bool step);

  store::Store& store_;
  const Clock& clock_;
  std::vector<config::SimulationSpec> specs_;
  std::vector<Track> tracks_;
  std::mt19937_64 rng_;
  const Scenario* scenario_ = nullptr;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

}  // namespace cityops::sim
