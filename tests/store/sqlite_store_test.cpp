// SqliteStore against a brute-force model of the same data: heads, sealed chunks, rollups and the log must all
// answer exactly what a plain list of samples would.
#include "StoreFixture.hpp"

#include <cmath>
#include <map>
#include <thread>

namespace cityops::store::testing {
namespace {

using model::Observation;
using model::Quality;

struct Ref {
  double v;
  Quality q;
};
using Model = std::map<int64_t, Ref>;

struct RefBucket {
  int64_t start;
  uint32_t count = 0;
  double sum = 0, min = INFINITY, max = -INFINITY, last = 0;
};

std::vector<RefBucket> brute(const Model& m, int64_t from, int64_t to, int64_t interval) {
  std::map<int64_t, RefBucket> b;
  for (const auto& [t, r] : m) {
    if (t < from || t > to || r.q == Quality::Bad) continue;
    const int64_t start = t / interval * interval;
    auto& x = b[start];
    x.start = start;
    ++x.count;
    x.sum += r.v;
    x.min = std::min(x.min, r.v);
    x.max = std::max(x.max, r.v);
    x.last = r.v;  // map order: later time wins
  }
  std::vector<RefBucket> out;
  for (auto& [_, x] : b) out.push_back(x);
  return out;
}

void expectMatches(Store& store, const Model& m, const std::string& entity, int64_t from, int64_t to,
                   int64_t interval) {
  SCOPED_TRACE("from=" + std::to_string(from) + " to=" + std::to_string(to) + " interval=" + std::to_string(interval));
  if (interval == 0) {
    auto r = store.querySeries({entity, "level", from, to, 0, Agg::Avg, 1000000});
    ASSERT_TRUE(r.ok()) << r.error().message;
    std::vector<std::pair<int64_t, double>> want;
    for (const auto& [t, x] : m)
      if (t >= from && t <= to) want.emplace_back(t, x.v);
    ASSERT_EQ(r->size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ((*r)[i].time, want[i].first);
      EXPECT_EQ((*r)[i].value, want[i].second);
    }
    return;
  }
  const auto want = brute(m, from, to, interval);
  for (Agg agg : {Agg::Avg, Agg::Min, Agg::Max, Agg::Sum, Agg::Count, Agg::Last}) {
    auto r = store.querySeries({entity, "level", from, to, interval, agg, 1000000});
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), want.size()) << "agg " << static_cast<int>(agg);
    for (size_t i = 0; i < want.size(); ++i) {
      const auto& w = want[i];
      EXPECT_EQ((*r)[i].time, w.start);
      EXPECT_EQ((*r)[i].count, w.count);
      double expected = 0;
      switch (agg) {
        case Agg::Avg: expected = w.sum / w.count; break;
        case Agg::Min: expected = w.min; break;
        case Agg::Max: expected = w.max; break;
        case Agg::Sum: expected = w.sum; break;
        case Agg::Count: expected = w.count; break;
        case Agg::Last: expected = w.last; break;
      }
      EXPECT_NEAR((*r)[i].value, expected, 1e-9 * std::max(1.0, std::fabs(expected)));
    }
  }
}

class SqliteStoreTest : public StoreFixture {};

TEST_F(SqliteStoreTest, IngestThenQueryRawAndAggregates) {
  ASSERT_TRUE(store_->createEntity(entity("wl.tamky")).ok());
  std::vector<Observation> batch;
  Model m;
  const int64_t t0 = kNow - 3 * 3600000;
  for (int i = 0; i < 180; ++i) {  // 3 hours, one per minute
    const double v = 1.0 + 0.01 * i;
    batch.push_back({"wl.tamky", "level", t0 + i * 60000LL, v, Quality::Good});
    m[t0 + i * 60000LL] = {v, Quality::Good};
  }
  auto n = store_->ingestSync(batch);
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 180u);
  // Hand-computed: the first hour holds values 1.00 .. 1.59, average 1.295.
  auto hourly = store_->querySeries({"wl.tamky", "level", t0, kNow, 3600000, Agg::Avg, 100});
  ASSERT_TRUE(hourly.ok());
  ASSERT_EQ(hourly->size(), 3u);
  EXPECT_NEAR((*hourly)[0].value, 1.295, 1e-12);
  EXPECT_EQ((*hourly)[0].count, 60u);
  expectMatches(*store_, m, "wl.tamky", t0, kNow, 0);
  expectMatches(*store_, m, "wl.tamky", t0 + 90000, kNow - 1, 600000);
}

TEST_F(SqliteStoreTest, SealedDataAnswersLikeTheHeadAndSurvivesReopen) {
  ASSERT_TRUE(store_->createEntity(entity("s1")).ok());
  std::mt19937_64 rng(7);
  Model m;
  const int64_t t0 = kNow - 40LL * 86400000;  // 40 days
  for (int round = 0; round < 6; ++round) {
    std::vector<Observation> batch;
    for (int i = 0; i < 3000; ++i) {
      // Mostly in order with jitter, some late and some repeated times, a few bad and suspect readings.
      int64_t t = t0 + static_cast<int64_t>(rng() % (40ULL * 86400000 / 1000)) * 1000;
      if (round % 2 == 0) t = t0 + (round * 3000 + i) * 90000LL;
      const double v = std::round(std::sin(i * 0.01) * 1000 + static_cast<double>(rng() % 1000)) / 100.0;
      const Quality q = rng() % 50 == 0 ? Quality::Bad : rng() % 20 == 0 ? Quality::Suspect : Quality::Good;
      batch.push_back({"s1", "level", t, v, q});
    }
    // Within one batch a repeated time keeps the later item.
    for (const auto& o : batch) m[o.time] = {o.value, o.quality};
    ASSERT_TRUE(store_->ingestSync(batch).ok());
    if (round == 2 || round == 4) ASSERT_TRUE(store_->flush().ok());
  }
  const int64_t from = t0 + 12345, to = t0 + 39LL * 86400000 + 777;
  for (int64_t interval : {int64_t{0}, int64_t{60000}, int64_t{300000}, int64_t{3600000}, int64_t{86400000},
                           int64_t{7 * 86400000}})
    expectMatches(*store_, m, "s1", from, to, interval);
  ASSERT_TRUE(store_->flush().ok());
  expectMatches(*store_, m, "s1", from, to, 3600000);
  reopen();
  expectMatches(*store_, m, "s1", from, to, 0);
  expectMatches(*store_, m, "s1", from, to, 86400000);
  expectMatches(*store_, m, "s1", t0, kNow, 900000);
}

TEST_F(SqliteStoreTest, UnflushedBatchesAreReplayedFromTheLog) {
  ASSERT_TRUE(store_->createEntity(entity("s1")).ok());
  std::vector<Observation> batch;
  for (int i = 0; i < 500; ++i) batch.push_back({"s1", "level", kNow - 500000 + i * 1000LL, i * 0.5, Quality::Good});
  ASSERT_TRUE(store_->ingestSync(batch).ok());
  // Copy the files as a crash would leave them (the store is still open and has sealed nothing).
  auto crash = dir_ / "crash";
  std::filesystem::create_directories(crash);
  for (const char* f : {"cityops.db", "cityops.db-wal"})
    if (std::filesystem::exists(dir_ / f)) std::filesystem::copy_file(dir_ / f, crash / f);
  reopen(crash.string());
  auto r = store_->querySeries({"s1", "level", 0, kNow, 0, Agg::Avg, 10000});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 500u);
  EXPECT_EQ(r->back().value, 499 * 0.5);
  EXPECT_EQ(store_->stats().headSamples, 500u);
}

TEST_F(SqliteStoreTest, BatchIsAllOrNothing) {
  ASSERT_TRUE(store_->createEntity(entity("s1")).ok());
  std::vector<Observation> batch = {{"s1", "level", kNow - 1000, 1, Quality::Good},
                                    {"nobody", "level", kNow - 1000, 1, Quality::Good}};
  auto r = store_->ingestSync(batch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "unknown_entity");
  EXPECT_NE(r.error().message.find("item 1"), std::string::npos);
  auto q = store_->querySeries({"s1", "level", 0, kNow, 0, Agg::Avg, 10});
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->empty());
  EXPECT_TRUE(store_->latest({}).value().empty());
}

TEST_F(SqliteStoreTest, LatestIsByTimeNotArrival) {
  ASSERT_TRUE(store_->createEntity(entity("a", "WaterLevelStation")).ok());
  ASSERT_TRUE(store_->createEntity(entity("b", "RainGauge")).ok());
  ASSERT_TRUE(store_->ingestSync({{"a", "level", kNow - 1000, 2.5, Quality::Good},
                                  {"a", "level", kNow - 5000, 9.9, Quality::Good},
                                  {"b", "rain_mm", kNow - 2000, 4, Quality::Suspect}})
                  .ok());
  auto all = store_->latest({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  auto a = store_->latest({std::string("WaterLevelStation"), std::nullopt, std::nullopt});
  ASSERT_EQ(a->size(), 1u);
  EXPECT_EQ((*a)[0].value, 2.5);
  EXPECT_EQ((*a)[0].time, kNow - 1000);
  ASSERT_TRUE(store_->flush().ok());
  reopen();
  auto b = store_->latest({std::nullopt, std::string("rain_mm"), std::nullopt});
  ASSERT_EQ(b->size(), 1u);
  EXPECT_EQ((*b)[0].quality, Quality::Suspect);
  EXPECT_EQ((*b)[0].type, "RainGauge");
}

TEST_F(SqliteStoreTest, DeleteEntityRemovesItsSeries) {
  ASSERT_TRUE(store_->createEntity(entity("s1")).ok());
  ASSERT_TRUE(store_->ingestSync({{"s1", "level", kNow - 1000, 1, Quality::Good}}).ok());
  ASSERT_TRUE(store_->flush().ok());
  ASSERT_TRUE(store_->ingestSync({{"s1", "level", kNow - 500, 2, Quality::Good}}).ok());
  ASSERT_TRUE(store_->deleteEntity("s1").ok());
  EXPECT_EQ(store_->querySeries({"s1", "level", 0, kNow, 0, Agg::Avg, 10}).error().code, "not_found");
  EXPECT_EQ(store_->deleteEntity("s1").error().code, "not_found");
  ASSERT_TRUE(store_->createEntity(entity("s1")).ok());
  auto q = store_->querySeries({"s1", "level", 0, kNow, 0, Agg::Avg, 10});
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->empty());
  reopen();  // the log still holds the deleted series' batch: it must not come back
  q = store_->querySeries({"s1", "level", 0, kNow, 0, Agg::Avg, 10});
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->empty());
}

TEST_F(SqliteStoreTest, EntitiesCreateConflictUpsertAndList) {
  auto e = entity("cam.1", "TrafficCamera");
  e.tags = {"traffic"};
  e.geometry = model::Geometry{model::Geometry::Kind::Point, {{{108.474, 15.5736}}}};
  ASSERT_TRUE(store_->createEntity(e).ok());
  EXPECT_EQ(store_->createEntity(e).error().code, "conflict");
  EXPECT_EQ(store_->createEntities({entity("x"), entity("x")}).error().code, "conflict");
  EXPECT_FALSE(store_->getEntity("x").ok());  // nothing of the failed batch was kept
  auto changed = e;
  changed.name = "Camera Phan Chu Trinh";
  EXPECT_EQ(store_->upsertEntities({e}).value(), 0u);
  EXPECT_EQ(store_->upsertEntities({changed, entity("y")}).value(), 2u);
  reopen();
  EXPECT_EQ(store_->getEntity("cam.1")->name, "Camera Phan Chu Trinh");
  EntityQuery q;
  q.near = NearFilter{15.5736, 108.474, 50};
  auto page = store_->listEntities(q);
  ASSERT_EQ(page->total, 1u);
  EXPECT_EQ(page->items[0].id, "cam.1");
  q.near = NearFilter{15.58, 108.474, 500};  // ~715 m away
  EXPECT_EQ(store_->listEntities(q)->total, 0u);
}

class CountingSink final : public stream::ObservationSink {
 public:
  void onObservations(std::span<const stream::ObservationEvent> events) override {
    for (const auto& e : events) seen.push_back(*e.entity + "/" + *e.type + "/" + *e.metric);
  }
  std::vector<std::string> seen;
};

TEST_F(SqliteStoreTest, ConcurrentWritersShareCommitsAndLoseNothing) {
  CountingSink sink;
  store_->addSink(&sink);
  ASSERT_TRUE(store_->createEntity(entity("s1")).ok());
  constexpr int kThreads = 8, kPerThread = 200;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = store_->ingestSync({{"s1", "m" + std::to_string(t), kNow - 1000000 + i * 10LL, double(i), Quality::Good}});
        if (!r.ok()) ++failures;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(sink.seen.size(), size_t{kThreads * kPerThread});
  for (int t = 0; t < kThreads; ++t) {
    auto r = store_->querySeries({"s1", "m" + std::to_string(t), 0, kNow, 0, Agg::Avg, 100000});
    ASSERT_EQ(r->size(), size_t{kPerThread});
  }
  // Concurrent posts share transactions: fewer commits than posts (one commit per post would be 1600 + 1).
  const auto text = metrics_.render();
  EXPECT_NE(text.find("cityops_ingest_batches_total 1600"), std::string::npos);
}

TEST_F(SqliteStoreTest, OneStorePerDataDirectory) {
  SqliteStore::Options o;
  o.dataDir = dir_.string();
  auto second = SqliteStore::open(o, clock_, metrics_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, "unavailable");
  EXPECT_NE(second.error().message.find("in use by another cityops process"), std::string::npos);
  store_.reset();  // the first one goes: the directory is free again
  auto third = SqliteStore::open(o, clock_, metrics_);
  ASSERT_TRUE(third.ok()) << third.error().message;
}

}  // namespace
}  // namespace cityops::store::testing

namespace cityops::store::testing {
namespace {

TEST_F(SqliteStoreTest, SealingManySeriesInSlicesKeepsEverySampleAndEmptiesTheLog) {
  std::vector<model::Entity> es;
  for (int i = 0; i < 2500; ++i) es.push_back(entity("s" + std::to_string(i)));
  ASSERT_TRUE(store_->createEntities(es).ok());
  std::vector<model::Observation> batch;
  for (int i = 0; i < 2500; ++i)
    for (int k = 0; k < 4; ++k) batch.push_back({"s" + std::to_string(i), "level", kNow - 400000 + k * 60000LL, i + k * 0.25, model::Quality::Good});
  ASSERT_TRUE(store_->ingestSync(batch).ok());
  EXPECT_EQ(store_->stats().headSamples, 10000u);
  ASSERT_TRUE(store_->flush().ok());
  EXPECT_EQ(store_->stats().headSamples, 0u);
  reopen();
  EXPECT_EQ(store_->stats().headSamples, 0u);  // nothing left in the log to replay
  for (int i : {0, 999, 1000, 2001, 2499}) {
    auto r = store_->querySeries({"s" + std::to_string(i), "level", 0, kNow, 0, Agg::Avg, 10});
    ASSERT_EQ(r->size(), 4u);
    EXPECT_EQ((*r)[3].value, i + 0.75);
    auto sum = store_->querySeries({"s" + std::to_string(i), "level", 0, kNow, 86400000, Agg::Sum, 10});
    ASSERT_EQ(sum->size(), 1u);
    EXPECT_DOUBLE_EQ((*sum)[0].value, 4 * i + 1.5);
  }
}

}  // namespace
}  // namespace cityops::store::testing

namespace cityops::store::testing {
namespace {

TEST_F(SqliteStoreTest, IngestBeyondTheQueueBoundIsRefusedAsBusyAndStoresNothing) {
  SqliteStore::Options o;
  o.dataDir = (dir_ / "bounded").string();
  o.maxQueuedObservations = 10;
  auto bounded = std::move(SqliteStore::open(o, clock_, metrics_).value());
  ASSERT_TRUE(bounded->createEntity(entity("s1")).ok());
  std::vector<model::Observation> batch;
  for (int i = 0; i < 11; ++i) batch.push_back({"s1", "level", kNow - 1000 + i, double(i), model::Quality::Good});
  auto r = bounded->ingestSync(batch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "busy");
  batch.pop_back();
  EXPECT_EQ(bounded->ingestSync(batch).value(), 10u);
  EXPECT_EQ(bounded->querySeries({"s1", "level", 0, kNow, 0, Agg::Avg, 100})->size(), 10u);
}

}  // namespace
}  // namespace cityops::store::testing

namespace cityops::store::testing {
namespace {

TEST_F(SqliteStoreTest, ConcurrentUpdatesOfOneEntityLoseNothing) {
  ASSERT_TRUE(store_->createEntity(entity("e")).ok());
  constexpr int kThreads = 4, kEach = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = store_->updateEntity("e", [&](model::Entity cur) -> Result<model::Entity> {
          const auto* n = cur.attributes.if_contains("n");
          cur.attributes["n"] = (n ? n->as_int64() : 0) + 1;
          cur.attributes["t" + std::to_string(t)] = i;
          return cur;
        });
        ASSERT_TRUE(r.ok()) << r.error().message;
      }
    });
  for (auto& th : threads) th.join();
  auto e = store_->getEntity("e");
  EXPECT_EQ(e->attributes.at("n").as_int64(), kThreads * kEach);
  EXPECT_EQ(store_->updateEntity("missing", [](model::Entity c) -> Result<model::Entity> { return c; }).error().code,
            "not_found");
  auto refused = store_->updateEntity("e", [](model::Entity) -> Result<model::Entity> { return BadRequest("no"); });
  EXPECT_EQ(refused.error().code, "bad_request");
  reopen();
  EXPECT_EQ(store_->getEntity("e")->attributes.at("n").as_int64(), kThreads * kEach);
}

}  // namespace
}  // namespace cityops::store::testing
