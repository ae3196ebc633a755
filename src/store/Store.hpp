#pragma once
// The storage interface every caller uses. Implementations: SqliteStore (embedded default); PostgreSQL later.
// Nothing here names a database engine.
#include "common/Result.hpp"
#include "model/Entity.hpp"
#include "model/Observation.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cityops::store {

struct NearFilter {
  double lat, lon, radiusMetres;
};

struct EntityQuery {
  std::optional<std::string> type, tag;
  std::optional<std::string> nameContains;  // matched ignoring case and diacritics (model::SearchText)
  std::optional<model::BBox> bbox;
  std::optional<NearFilter> near;
  size_t limit = 100;
  size_t offset = 0;
};

struct EntityPage {
  std::vector<model::Entity> items;  // ordered by id
  size_t total = 0;                  // matches before limit/offset
};

enum class Agg { Avg, Min, Max, Sum, Count, Last };

struct SeriesQuery {
  std::string entity, metric;
  int64_t from = 0, to = 0;        // inclusive, epoch ms
  int64_t intervalMs = 0;          // 0: raw samples; else a multiple of 1 minute
  Agg agg = Agg::Avg;
  size_t limit = 10000;
};

struct SeriesPoint {
  int64_t time;                    // sample time, or bucket start
  double value;
  model::Quality quality = model::Quality::Good;  // raw only
  uint32_t count = 0;              // aggregated only: samples in the bucket
};

struct LatestQuery {
  std::optional<std::string> type, metric, entity;
};

struct LatestValue {
  std::string entity, type, metric;
  int64_t time;
  double value;
  model::Quality quality;
};

struct StoreStats {
  size_t entities = 0, series = 0, headSamples = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Entities. Writes are durable when they return.
  virtual Result<model::Entity> createEntity(model::Entity e) = 0;
  /// All or nothing; conflict if any id exists or repeats.
  virtual Result<std::vector<model::Entity>> createEntities(std::vector<model::Entity> es) = 0;
  /// Creates missing entities and updates changed ones (keeps created time); used to seed the city config.
  virtual Result<size_t> upsertEntities(std::vector<model::Entity> es) = 0;
  virtual Result<model::Entity> getEntity(const std::string& id) const = 0;
  using EntityChange = std::function<Result<model::Entity>(model::Entity current)>;
  /// Read-modify-write without lost updates: `change` runs on the current entity while no other write can interleave.
  virtual Result<model::Entity> updateEntity(const std::string& id, const EntityChange& change) = 0;
  /// Deletes the entity and all its observations.
  virtual Status deleteEntity(const std::string& id) = 0;
  virtual Result<EntityPage> listEntities(const EntityQuery& q) const = 0;

  using IngestCallback = std::function<void(Result<size_t>)>;
  /// Validates (every entity must exist), then commits all or nothing; `done` runs once the batch is durable
  /// (or with the first bad item's error), on the writer thread. Concurrent calls share commits.
  virtual void ingest(std::vector<model::Observation> batch, IngestCallback done) = 0;
  /// Blocking convenience around ingest().
  Result<size_t> ingestSync(std::vector<model::Observation> batch);

  virtual Result<std::vector<SeriesPoint>> querySeries(const SeriesQuery& q) const = 0;
  virtual Result<std::vector<LatestValue>> latest(const LatestQuery& q) const = 0;
  /// Metrics recorded for an entity.
  virtual std::vector<std::string> metricsOf(const std::string& entity) const = 0;

  virtual bool ready() const = 0;
  /// Seals in-memory data into compressed chunks now (also done in the background and at close).
  virtual Status flush() = 0;
  virtual StoreStats stats() const = 0;
  /// Flushes and closes; further calls fail with "unavailable".
  virtual void close() = 0;
};

}  // namespace cityops::store
