#pragma once
// Quality control of gauge readings on ingest (the store's IngestFilter): hard range → `bad`; soft range, spike
// (an implausible rate of change against the last good reading) and flat line (the same value N times in a row) →
// `suspect`; a reading after a silence longer than `gap` counts a gap. Readings are always kept, only flagged; a flag
// a device already set is never lowered. Rules ignore `bad` readings always and `suspect` ones unless the rule says
// otherwise, so a suspect spike raises no flood alert.
//
// Limits per metric come from the [flood.qc.<metric>] defaults, overridden per station by the entity attribute `qc`:
//   "qc": {"water_level_m": {"hard_min": -2, "hard_max": 25, "soft_min": 0, "soft_max": 20,
//                            "spike_per_hour": 2.0, "flat_count": 24, "gap": "30m"}}
// Counts per entity (readings checked, and flagged by each check) are kept in memory since the start.
#include "common/Result.hpp"
#include "store/IngestFilter.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace cityops::flood {

struct QcLimits {
  std::optional<double> hardMin, hardMax;  // outside: bad
  std::optional<double> softMin, softMax;  // outside: suspect
  std::optional<double> spikePerHour;      // |change| per hour against the last good reading above this: suspect
  int flatCount = 0;                       // the same value this many times in a row: suspect from the Nth (0: off)
  int64_t gapMs = 0;                       // a silence longer than this before a reading counts a gap (0: off)
  bool operator==(const QcLimits&) const = default;
};

/// {"hard_min", "hard_max", "soft_min", "soft_max", "spike_per_hour", "flat_count", "gap"}: every key optional,
/// each given one replaces the one in `base`. Unknown keys and wrong types are errors naming the key.
Result<QcLimits> parseQcLimits(const boost::json::value& v, QcLimits base);

struct QcCounts {
  int64_t checked = 0;
  int64_t hard = 0, soft = 0, spike = 0, flat = 0, gap = 0;
  int64_t lastFlaggedMs = 0;  // data time of the last reading QC flagged (0: none)
};

class QualityControl final : public store::IngestFilter {
 public:
  /// Defaults per metric; metrics without an entry are not checked.
  explicit QualityControl(std::map<std::string, QcLimits> defaults) : defaults_(std::move(defaults)) {}

  void inspect(std::span<model::Observation> batch, const EntityLookup& entityOf) override;

  /// Counts per metric of one entity (empty: never checked).
  std::map<std::string, QcCounts> counts(const std::string& entity) const;
  /// The limits that apply to (entity, metric) now: the defaults with the entity's `qc` attribute over them.
  std::optional<QcLimits> limitsFor(const model::Entity& entity, const std::string& metric) const;

 private:
  struct SeriesState {
    bool seen = false;
    int64_t lastMs = 0;
    bool hasGood = false;
    int64_t goodMs = 0;
    double goodValue = 0;
    double lastValue = 0;
    int run = 0;  // readings in a row with lastValue
  };
  struct EntityLimits {
    std::shared_ptr<const model::Entity> from;  // the catalog's version they were read from (held: no reuse)
    std::map<std::string, std::optional<QcLimits>> byMetric;
  };
  const QcLimits* limitsLocked(const std::shared_ptr<const model::Entity>& e, const std::string& metric);

  const std::map<std::string, QcLimits> defaults_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, EntityLimits> limits_;       // by entity
  std::unordered_map<std::string, SeriesState> state_;         // entity \x1f metric
  std::unordered_map<std::string, std::map<std::string, QcCounts>> counts_;  // entity -> metric -> counts
};

}  // namespace cityops::flood
