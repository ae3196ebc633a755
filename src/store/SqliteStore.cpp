#include "store/SqliteStore.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "model/EntityCodec.hpp"
#include "store/FlushJob.hpp"
#include "store/Schema.hpp"
#include "store/WalBatchCodec.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <set>

namespace cityops::store {

namespace json = boost::json;

namespace {

/// A write job from two functions; used for the (rare) entity writes, which run exclusively and are waited for.
class FunctionJob final : public WriteJob {
 public:
  FunctionJob(std::function<Status(SqliteDb&)> apply, std::function<void()> committed)
      : apply_(std::move(apply)), committed_(std::move(committed)) {}
  Status apply(SqliteDb& db) override { return apply_(db); }
  void committed() override {
    if (committed_) committed_();
  }
  void failed(const Error&) override {}

 private:
  std::function<Status(SqliteDb&)> apply_;
  std::function<void()> committed_;
};

Status insertEntity(SqliteDb& db, const model::Entity& e, bool replace) {
  auto st = db.prepare(replace ? "INSERT OR REPLACE INTO entities VALUES(?1,?2,?3,?4,?5,?6,?7,?8)"
                               : "INSERT INTO entities VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
  if (!st) return st.error();
  json::array tags;
  for (const auto& t : e.tags) tags.emplace_back(t);
  st->bind(1, e.id).bind(2, e.type).bind(3, e.name);
  if (e.geometry) st->bind(4, json::serialize(e.geometry->toJson()));
  else st->bindNull(4);
  st->bind(5, json::serialize(e.attributes)).bind(6, json::serialize(tags)).bind(7, e.createdMs).bind(8, e.updatedMs);
  if (auto s = st->run(); !s) {
    if (s.error().code == "conflict") return Conflict("entity '" + e.id + "' already exists");
    return s;
  }
  return {};
}

Result<model::Entity> entityFromRow(SqliteStatement& st) {
  model::Entity e;
  e.id = st.text(0);
  e.type = st.text(1);
  e.name = st.text(2);
  boost::system::error_code ec;
  if (!st.isNull(3)) {
    auto g = model::Geometry::fromJson(json::parse(st.text(3), ec));
    if (ec || !g) return Internal("stored geometry of '" + e.id + "' is unreadable");
    e.geometry = std::move(*g);
  }
  auto attrs = json::parse(st.text(4), ec);
  if (ec || !attrs.is_object()) return Internal("stored attributes of '" + e.id + "' are unreadable");
  e.attributes = std::move(attrs.get_object());
  auto tags = json::parse(st.text(5), ec);
  if (ec || !tags.is_array()) return Internal("stored tags of '" + e.id + "' are unreadable");
  for (const auto& t : tags.get_array())
    if (t.is_string()) e.tags.emplace_back(t.get_string());
  e.createdMs = st.int64(6);
  e.updatedMs = st.int64(7);
  return e;
}

bool sameContent(const model::Entity& a, const model::Entity& b) {
  return a.type == b.type && a.name == b.name && a.attributes == b.attributes && a.tags == b.tags &&
         (a.geometry ? json::serialize(a.geometry->toJson()) : "") ==
             (b.geometry ? json::serialize(b.geometry->toJson()) : "");
}

}  // namespace

SqliteStore::SqliteStore(Options options, const Clock& clock, metrics::Registry& metrics)
    : options_(std::move(options)), clock_(clock), metrics_(metrics) {
  ingestedObs_ = &metrics.counter("cityops_ingest_observations_total", "Observations committed");
  ingestedBatches_ = &metrics.counter("cityops_ingest_batches_total", "Ingest batches committed");
  rejectedBatches_ = &metrics.counter("cityops_ingest_rejected_total", "Ingest batches rejected");
  commitSeconds_ = &metrics.histogram("cityops_store_commit_seconds", "Time from submit to durable commit");
  sealSeconds_ = &metrics.histogram("cityops_store_seal_seconds", "Time to seal heads into chunks");
  querySeconds_ = &metrics.histogram("cityops_store_query_seconds", "Series query time in the store");
}

SqliteStore::~SqliteStore() {
  close();
  if (lockFd_ >= 0) ::close(lockFd_);  // releases the flock
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(Options options, const Clock& clock,
                                                       metrics::Registry& metrics) {
  std::error_code ec;
  std::filesystem::create_directories(options.dataDir, ec);
  if (ec) return Unavailable("cannot create data directory " + options.dataDir + ": " + ec.message());
  std::unique_ptr<SqliteStore> s(new SqliteStore(options, clock, metrics));
  // One store per data directory: its in-memory state (series heads, catalog) assumes no other writer. The kernel
  // drops the lock when the process ends, however it ends.
  const std::string lockPath = (std::filesystem::path(options.dataDir) / "cityops.lock").string();
  s->lockFd_ = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (s->lockFd_ < 0) return Unavailable("cannot create " + lockPath + ": " + std::strerror(errno));
  if (::flock(s->lockFd_, LOCK_EX | LOCK_NB) != 0)
    return Unavailable("the data directory " + options.dataDir +
                       " is in use by another cityops process (stop it first; `cityops user add` may run beside it)");
  const std::string path = (std::filesystem::path(options.dataDir) / "cityops.db").string();
  auto db = SqliteDb::open(path, false, options.fullSync);
  if (!db) return db.error();
  s->db_ = std::move(*db);
  if (auto st = Schema::migrate(*s->db_); !st) return st.error();
  s->chunks_ = std::make_unique<ChunkTable>(*s->db_);
  if (auto st = s->load(); !st) return st.error();
  if (auto st = s->readers_.open(path, options.readers); !st) return st.error();
  auto checkpointer = Checkpointer::start(path, *s->db_);
  if (!checkpointer) return checkpointer.error();
  s->checkpointer_ = std::move(*checkpointer);
  s->writer_ = std::make_unique<Writer>(*s->db_, Writer::Options{}, [p = s.get()] { p->maintenance(); });
  s->writer_->start();
  s->ready_ = true;
  return s;
}

Status SqliteStore::load() {
  auto st = db_->prepare("SELECT id,type,name,geometry,attributes,tags,created_ms,updated_ms FROM entities");
  if (!st) return st.error();
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    auto e = entityFromRow(*st);
    if (!e) return e.error();
    catalog_.put(std::move(*e));
  }
  auto ss = db_->prepare("SELECT id, entity, metric, sealed_to, last_t, last_v, last_q FROM series");
  if (!ss) return ss.error();
  for (;;) {
    auto row = ss->step();
    if (!row) return row.error();
    if (!*row) break;
    auto s = std::make_shared<Series>(static_cast<uint32_t>(ss->int64(0)), std::string(ss->text(1)),
                                      std::string(ss->text(2)));
    s->sealedTo = ss->int64(3);
    if (auto e = catalog_.get(s->entity())) s->setType(std::make_shared<const std::string>(e->type));
    else s->setType(std::make_shared<const std::string>());
    if (!ss->isNull(4))
      s->setLatest({ss->int64(4), ss->real(5), static_cast<uint8_t>(ss->int64(6))});
    registry_.add(std::move(s));
  }
  return replayLog();
}

Status SqliteStore::replayLog() {
  auto st = db_->prepare("SELECT id, data FROM wal_batches ORDER BY id");
  if (!st) return st.error();
  size_t replayed = 0, batches = 0;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    lastLogId_ = st->int64(0);
    ++batches;
    auto s = WalBatchCodec::decode(st->blob(1), [&](const WalEntry& e) {
      if (auto series = registry_.byId(e.series)) {  // entries of deleted series are skipped
        series->append(e.sample);
        ++replayed;
      }
    });
    if (!s) return Internal("log record " + std::to_string(lastLogId_) + " is corrupt");
  }
  headSamples_ = replayed;
  if (batches) {
    oldestUnsealedMs_ = clock_.nowMs();
    spdlog::info("store: replayed {} observations from {} logged batches", replayed, batches);
  }
  return {};
}

// ---- entities -------------------------------------------------------------------------------------------------

void SqliteStore::putEntity(const model::Entity& e) {
  auto type = std::make_shared<const std::string>(e.type);
  for (const auto& s : registry_.ofEntity(e.id)) s->setType(type);
  catalog_.put(e);
}

Result<model::Entity> SqliteStore::createEntity(model::Entity e) {
  auto r = createEntities({std::move(e)});
  if (!r) return r.error();
  return std::move(r->front());
}

Result<std::vector<model::Entity>> SqliteStore::createEntities(std::vector<model::Entity> es) {
  if (!ready()) return Unavailable("the store is closed");
  std::set<std::string_view> seen;
  for (const auto& e : es)
    if (!seen.insert(e.id).second) return Conflict("entity '" + e.id + "' appears twice in the request");
  auto job = std::make_unique<FunctionJob>(
      [&es](SqliteDb& db) -> Status {
        for (const auto& e : es)
          if (auto s = insertEntity(db, e, false); !s) return s;
        return {};
      },
      [this, &es] {
        for (const auto& e : es) catalog_.put(e);
      });
  if (auto s = writer_->runExclusive(std::move(job)); !s) return s.error();
  return es;
}

Result<size_t> SqliteStore::upsertEntities(std::vector<model::Entity> es) {
  if (!ready()) return Unavailable("the store is closed");
  std::vector<model::Entity> changed;
  for (auto& e : es) {
    auto old = catalog_.get(e.id);
    if (old && sameContent(*old, e)) continue;
    if (old) e.createdMs = old->createdMs;
    changed.push_back(std::move(e));
  }
  if (changed.empty()) return size_t{0};
  auto job = std::make_unique<FunctionJob>(
      [&changed](SqliteDb& db) -> Status {
        for (const auto& e : changed)
          if (auto s = insertEntity(db, e, true); !s) return s;
        return {};
      },
      [this, &changed] {
        for (const auto& e : changed) putEntity(e);
      });
  if (auto s = writer_->runExclusive(std::move(job)); !s) return s.error();
  return changed.size();
}

Result<model::Entity> SqliteStore::getEntity(const std::string& id) const {
  auto e = catalog_.get(id);
  if (!e) return NotFound("no entity '" + id + "'");
  return *e;
}

Result<model::Entity> SqliteStore::updateEntity(const std::string& id, const EntityChange& change) {
  if (!ready()) return Unavailable("the store is closed");
  std::optional<model::Entity> next;
  auto job = std::make_unique<FunctionJob>(
      [this, &id, &change, &next](SqliteDb& db) -> Status {
        // On the writer: the catalog cannot change between this read and the commit.
        auto current = catalog_.get(id);
        if (!current) return NotFound("no entity '" + id + "'");
        auto changed = change(*current);
        if (!changed) return changed.error();
        if (changed->id != id) return BadRequest("id cannot be changed");
        next = std::move(*changed);
        return insertEntity(db, *next, true);
      },
      [this, &next] { putEntity(*next); });
  if (auto s = writer_->runExclusive(std::move(job)); !s) return s.error();
  return std::move(*next);
}

Status SqliteStore::deleteEntity(const std::string& id) {
  if (!ready()) return Unavailable("the store is closed");
  std::vector<std::shared_ptr<Series>> doomed;
  auto job = std::make_unique<FunctionJob>(
      [this, &id, &doomed](SqliteDb& db) -> Status {
        auto st = db.prepare("DELETE FROM entities WHERE id=?1");
        if (!st) return st.error();
        st->bind(1, id);
        if (auto s = st->run(); !s) return s;
        if (db.changes() == 0) return NotFound("no entity '" + id + "'");
        doomed = registry_.ofEntity(id);
        auto ds = db.prepare("DELETE FROM series WHERE id=?1");
        if (!ds) return ds.error();
        for (const auto& s : doomed) {
          ds->bind(1, static_cast<int64_t>(s->id()));
          if (auto r = ds->run(); !r) return r;
          if (auto r = chunks_->dropSeries(s->id()); !r) return r;
        }
        return {};
      },
      [this, &id, &doomed] {
        for (const auto& s : doomed) {
          s->deleted = true;
          headSamples_ -= std::min(headSamples_.load(), s->headSize());
          registry_.remove(*s);
        }
        catalog_.erase(id);
      });
  return writer_->runExclusive(std::move(job));
}

Result<EntityPage> SqliteStore::listEntities(const EntityQuery& q) const { return catalog_.list(q); }

std::vector<std::string> SqliteStore::metricsOf(const std::string& entity) const {
  std::vector<std::string> out;
  for (const auto& s : registry_.ofEntity(entity)) out.push_back(s->metric());
  std::sort(out.begin(), out.end());
  return out;
}

// ---- latest, lifecycle ----------------------------------------------------------------------------------------

Result<std::vector<LatestValue>> SqliteStore::latest(const LatestQuery& q) const {
  std::vector<std::shared_ptr<Series>> candidates = q.entity ? registry_.ofEntity(*q.entity) : registry_.all();
  std::vector<LatestValue> out;
  out.reserve(candidates.size());
  for (const auto& s : candidates) {
    if (q.metric && s->metric() != *q.metric) continue;
    auto type = s->type();
    if (!type || (q.type && *type != *q.type)) continue;
    tsdb::Sample last;
    if (!s->latest(last)) continue;
    out.push_back({s->entity(), *type, s->metric(), last.t, last.v, static_cast<model::Quality>(last.q)});
  }
  return out;
}

void SqliteStore::requestFlush() {
  if (flushQueued_ || headSamples_.load() == 0) return;
  flushQueued_ = true;
  writer_->submit(std::make_unique<FlushJob>(*this, nullptr));
}

void SqliteStore::releaseFreePages(bool all) {
  auto count = [this](const char* pragma) -> int64_t {
    auto st = db_->prepare(pragma);
    if (!st) return 0;
    auto row = st->step();
    return row && *row ? st->int64(0) : 0;
  };
  const int64_t freePages = count("PRAGMA freelist_count");
  if (freePages > 0 && (all || freePages * 4 > count("PRAGMA page_count")))
    (void)db_->exec("PRAGMA incremental_vacuum");
}

void SqliteStore::maintenance() {
  if (oldestUnsealedMs_ && clock_.nowMs() - oldestUnsealedMs_ >= options_.flushMaxAgeMs) requestFlush();
}

Status SqliteStore::flush() {
  if (!writer_) return Unavailable("the store is closed");
  std::promise<Status> done;
  auto f = done.get_future();
  writer_->submit(std::make_unique<FlushJob>(*this, &done));
  return f.get();
}

StoreStats SqliteStore::stats() const {
  StoreStats s;
  s.entities = catalog_.size();
  s.series = registry_.size();
  s.headSamples = headSamples_.load();
  return s;
}

void SqliteStore::close() {
  if (!writer_) return;
  if (auto s = flush(); !s) spdlog::error("store: sealing at close failed: {}", s.error().message);
  ready_ = false;
  writer_->stop();
  writer_.reset();
  checkpointer_.reset();
  readers_.close();
  releaseFreePages(true);
  (void)db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
  insertLog_.reset();
  insertSeries_.reset();
  chunks_.reset();
  db_.reset();
}

}  // namespace cityops::store
