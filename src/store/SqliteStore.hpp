#pragma once
// The embedded store: SQLite (WAL) file + an in-memory head per series.
//   ingest -> validate -> one log row per batch (group commit) -> heads + latest -> sinks -> reply
//   background: heads sealed into compressed chunks and rollups; the sealed log rows are deleted.
#include "common/Clock.hpp"
#include "metrics/Registry.hpp"
#include "store/Checkpointer.hpp"
#include "store/ChunkTable.hpp"
#include "store/EntityCatalog.hpp"
#include "store/ReaderPool.hpp"
#include "store/SeriesRegistry.hpp"
#include "store/SqliteDb.hpp"
#include "store/Store.hpp"
#include "store/Writer.hpp"
#include "store/IngestFilter.hpp"
#include "stream/ObservationEvent.hpp"

#include <atomic>
#include <optional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace cityops::store {

class SqliteStore final : public Store {
 public:
  struct Options {
    std::string dataDir = "data";       // the database is <dataDir>/cityops.db
    bool fullSync = false;              // true: fsync every commit (survives power loss, not only a killed process)
    size_t readers = 4;
    size_t flushMaxHeadSamples = 2000000;  // seal when the heads hold this many samples
    int64_t flushMaxAgeMs = 10 * 60000;    // ... or when the oldest unsealed batch is this old
    size_t maxQueuedObservations = 4000000;  // beyond this, ingest answers "busy" (HTTP 503 + Retry-After)
  };

  static Result<std::unique_ptr<SqliteStore>> open(Options options, const Clock& clock, metrics::Registry& metrics);
  ~SqliteStore() override;

  /// Sinks are told about every committed batch, on the writer thread. Add before ingesting.
  void addSink(stream::ObservationSink* sink) { sinks_.push_back(sink); }
  /// Quality control of every batch before it is written (see IngestFilter). Set before ingesting; at most one.
  void setIngestFilter(IngestFilter* filter) { filter_ = filter; }

  Result<model::Entity> createEntity(model::Entity e) override;
  Result<std::vector<model::Entity>> createEntities(std::vector<model::Entity> es) override;
  Result<size_t> upsertEntities(std::vector<model::Entity> es) override;
  Result<model::Entity> getEntity(const std::string& id) const override;
  Result<model::Entity> updateEntity(const std::string& id, const EntityChange& change) override;
  Status deleteEntity(const std::string& id) override;
  Result<EntityPage> listEntities(const EntityQuery& q) const override;

  void ingest(std::vector<model::Observation> batch, IngestCallback done) override;
  Result<std::vector<SeriesPoint>> querySeries(const SeriesQuery& q) const override;
  Result<std::vector<LatestValue>> latest(const LatestQuery& q) const override;
  std::vector<std::string> metricsOf(const std::string& entity) const override;

  bool ready() const override { return ready_.load(); }
  Status flush() override;
  StoreStats stats() const override;
  void close() override;

 private:
  friend class IngestJob;
  friend class FlushJob;
  friend class EntityJob;

  SqliteStore(Options options, const Clock& clock, metrics::Registry& metrics);
  Status load();
  void putEntity(const model::Entity& e);  // writer thread: catalog and series types
  Status replayLog();
  void maintenance();  // writer thread, when idle
  void requestFlush();  // writer thread
  /// Writer thread: returns free pages (the sealed log's) to the file system when they are over a quarter of the
  /// file, or always when `all`; the log reuses free pages, so a few are kept.
  void releaseFreePages(bool all);
  Result<std::vector<tsdb::Sample>> rawRange(ReaderPool::Lease& lease, const Series& s, int64_t from, int64_t to) const;
  Result<std::vector<tsdb::Bucket>> bucketsAt(ReaderPool::Lease& lease, const Series& s, int64_t res, int64_t from,
                                              int64_t to) const;

  Options options_;
  const Clock& clock_;
  metrics::Registry& metrics_;
  std::unique_ptr<SqliteDb> db_;          // the writer's connection
  std::unique_ptr<ChunkTable> chunks_;    // on db_, writer thread only
  std::unique_ptr<Checkpointer> checkpointer_;
  int lockFd_ = -1;  // flock on <dataDir>/cityops.lock, held while this store exists
  mutable ReaderPool readers_;
  EntityCatalog catalog_;
  SeriesRegistry registry_;
  std::unique_ptr<Writer> writer_;
  std::vector<stream::ObservationSink*> sinks_;
  IngestFilter* filter_ = nullptr;
  std::atomic<bool> ready_{false};
  std::atomic<size_t> headSamples_{0};
  std::atomic<uint64_t> sealGeneration_{0};  // odd while a seal commits; readers retry across a change

  // Writer-thread state.
  std::unordered_map<std::string, std::shared_ptr<Series>> pendingSeries_;
  int64_t lastLogId_ = 0;
  int64_t oldestUnsealedMs_ = 0;  // wall time of the oldest unsealed batch, 0 if none
  bool flushQueued_ = false;
  std::optional<SqliteStatement> insertLog_, insertSeries_;  // prepared once, writer thread

  metrics::Counter* ingestedObs_;
  metrics::Counter* ingestedBatches_;
  metrics::Counter* rejectedBatches_;
  metrics::Histogram* commitSeconds_;
  metrics::Histogram* sealSeconds_;
  metrics::Histogram* querySeconds_;
};

}  // namespace cityops::store
