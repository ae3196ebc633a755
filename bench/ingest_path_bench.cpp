// The ingest path without HTTP: decoding a 5 000-observation body, and committing it through the store.
#include "common/Clock.hpp"
#include "metrics/Registry.hpp"
#include "model/ObservationDecoder.hpp"
#include "store/SqliteStore.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>

using namespace cityops;

namespace {

constexpr int64_t kEnd = 1764201600000;
constexpr int kSensors = 10000, kBatch = 5000;

std::string body(int batchNo) {
  std::string b = "[";
  for (int i = 0; i < kBatch; ++i) {
    const int n = batchNo * kBatch + i;
    char item[160];
    std::snprintf(item, sizeof item, "%s{\"entity\":\"s%05d\",\"metric\":\"water_level_m\",\"time\":%lld,\"value\":%.3f}",
                  i ? "," : "", n % kSensors, static_cast<long long>(kEnd - 6000000 + (n / kSensors) * 60000LL),
                  1.0 + (n % 977) * 0.001);
    b += item;
  }
  return b + "]";
}

void BM_DecodeBatch(benchmark::State& state) {
  const std::string b = body(0);
  for (auto _ : state) {
    auto r = model::ObservationDecoder::decode(b, false, kEnd);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(b.size()));
}
BENCHMARK(BM_DecodeBatch)->Unit(benchmark::kMicrosecond);

void BM_StoreIngestBatch(benchmark::State& state) {
  const auto dir = std::filesystem::temp_directory_path() / ("cityops-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  SystemClock clock;
  metrics::Registry registry;
  store::SqliteStore::Options o;
  o.dataDir = dir.string();
  auto store = std::move(store::SqliteStore::open(o, clock, registry).value());
  std::vector<model::Entity> es;
  for (int i = 0; i < kSensors; ++i) {
    model::Entity e;
    char id[16];
    std::snprintf(id, sizeof id, "s%05d", i);
    e.id = e.name = id;
    e.type = "Sensor";
    es.push_back(e);
  }
  (void)store->createEntities(es);
  std::vector<std::vector<model::Observation>> batches;
  for (int b = 0; b < 200; ++b) batches.push_back(model::ObservationDecoder::decode(body(b), false, kEnd).value());
  size_t next = 0;
  for (auto _ : state) {
    auto r = store->ingestSync(batches[next++ % batches.size()]);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  store->close();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_StoreIngestBatch)->Unit(benchmark::kMicrosecond)->Iterations(200);

void BM_StoreIngestSingle(benchmark::State& state) {
  const auto dir = std::filesystem::temp_directory_path() / ("cityops-bench1-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  SystemClock clock;
  metrics::Registry registry;
  store::SqliteStore::Options o;
  o.dataDir = dir.string();
  auto store = std::move(store::SqliteStore::open(o, clock, registry).value());
  model::Entity e;
  e.id = e.name = "s1";
  e.type = "Sensor";
  (void)store->createEntity(e);
  int64_t t = kEnd - 86400000;
  for (auto _ : state) {
    auto r = store->ingestSync({{"s1", "level", ++t, 1.5, model::Quality::Good}});
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  store->close();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_StoreIngestSingle)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
