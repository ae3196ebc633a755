// Chunk and rollup codec throughput (samples/s) and size (bytes/sample).
#include <benchmark/benchmark.h>

#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "tsdb/ChunkCodec.hpp"
#include "tsdb/Rollup.hpp"
#include "tsdb/RollupCodec.hpp"

namespace {

using cityops::tsdb::Sample;

constexpr int64_t kMinute = 60'000;
constexpr int64_t kT0 = 1'717'200'000'000;
constexpr size_t kChunk = 1440;  // one day of 1-minute data per chunk
constexpr size_t kChunks = 64;

// 1-minute river gauge in metres rounded to 0.01 (slow swings, storms, ~3 mm noise).
std::vector<Sample> riverLevel(size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.003);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<Sample> out;
  double flood = 0, inflow = 0;
  for (size_t i = 0; i < n; ++i) {
    const double days = static_cast<double>(i) / 1440.0;
    if (unit(rng) < 1.0 / (3 * 1440.0)) inflow += 0.3 + 0.7 * unit(rng);
    const double rise = inflow * 0.004;
    inflow -= rise;
    flood += rise - flood * 0.0008;
    const double level = 1.35 + 0.25 * std::sin(days * 2 * std::numbers::pi / 40.0) +
                         0.02 * std::sin(days * 2 * std::numbers::pi) + flood + noise(rng);
    out.push_back({kT0 + static_cast<int64_t>(i) * kMinute, std::round(level * 100.0) / 100.0, 0});
  }
  return out;
}

// Full-precision random walk at a jittered ~10 s cadence.
std::vector<Sample> randomWalk(size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> step(0.0, 1.0);
  std::uniform_int_distribution<int64_t> jitter(9'500, 10'500);
  std::vector<Sample> out;
  double v = 100;
  int64_t t = kT0;
  for (size_t i = 0; i < n; ++i) {
    out.push_back({t, v, 0});
    v += step(rng);
    t += jitter(rng);
  }
  return out;
}

// Regular cadence, value constant for long runs (a pump state, a setpoint).
std::vector<Sample> steady(size_t n) {
  std::vector<Sample> out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back({kT0 + static_cast<int64_t>(i) * kMinute, (i / 500) % 2 ? 1.0 : 0.0, 0});
  }
  return out;
}

std::vector<Sample> series(int kind) {
  switch (kind) {
    case 0: return riverLevel(kChunk * kChunks, 1);
    case 1: return randomWalk(kChunk * kChunks, 2);
    default: return steady(kChunk * kChunks);
  }
}
const char* kKindName[] = {"river_1min", "random_walk", "steady"};

std::vector<std::string> encodeAll(const std::vector<Sample>& s) {
  std::vector<std::string> blobs;
  for (size_t off = 0; off < s.size(); off += kChunk) {
    blobs.push_back(cityops::tsdb::encodeChunk(std::span<const Sample>(s.data() + off, kChunk)));
  }
  return blobs;
}

double bytesPerSample(const std::vector<std::string>& blobs) {
  size_t bytes = 0;
  for (const auto& b : blobs) bytes += b.size();
  return static_cast<double>(bytes) / static_cast<double>(blobs.size() * kChunk);
}

void BM_Encode(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const auto s = series(kind);
  for (auto _ : state) {
    for (size_t off = 0; off < s.size(); off += kChunk) {
      auto blob = cityops::tsdb::encodeChunk(std::span<const Sample>(s.data() + off, kChunk));
      benchmark::DoNotOptimize(blob.data());
    }
  }
  state.SetLabel(kKindName[kind]);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * s.size()));
  state.counters["bytes_per_sample"] = bytesPerSample(encodeAll(s));
}

void BM_Decode(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const auto s = series(kind);
  const auto blobs = encodeAll(s);
  std::vector<Sample> out;
  out.reserve(kChunk);
  for (auto _ : state) {
    for (const auto& b : blobs) {
      out.clear();
      if (!cityops::tsdb::decodeChunkInto(b, out).ok()) state.SkipWithError("decode failed");
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetLabel(kKindName[kind]);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * s.size()));
  state.counters["bytes_per_sample"] = bytesPerSample(blobs);
}

// decodeChunk allocating a fresh vector per chunk, as a caller without a buffer would.
void BM_DecodeAlloc(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const auto blobs = encodeAll(series(kind));
  for (auto _ : state) {
    for (const auto& b : blobs) {
      auto r = cityops::tsdb::decodeChunk(b);
      benchmark::DoNotOptimize(r.ok());
    }
  }
  state.SetLabel(kKindName[kind]);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * blobs.size() * kChunk));
}

void BM_PeekChunk(benchmark::State& state) {
  const auto blobs = encodeAll(series(0));
  for (auto _ : state) {
    for (const auto& b : blobs) benchmark::DoNotOptimize(cityops::tsdb::peekChunk(b).ok());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * blobs.size()));
}

// 1-minute rollups of the river series (count 1 per bucket) and 5-minute ones.
void BM_RollupEncode(benchmark::State& state) {
  const auto buckets = cityops::tsdb::rollup(series(0), state.range(0) * kMinute);
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string blob = cityops::tsdb::encodeRollups(buckets);
    bytes = blob.size();
    benchmark::DoNotOptimize(blob.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * buckets.size()));
  state.counters["bytes_per_bucket"] = static_cast<double>(bytes) / static_cast<double>(buckets.size());
}

void BM_RollupDecode(benchmark::State& state) {
  const auto buckets = cityops::tsdb::rollup(series(0), state.range(0) * kMinute);
  const std::string blob = cityops::tsdb::encodeRollups(buckets);
  for (auto _ : state) {
    auto r = cityops::tsdb::decodeRollups(blob);
    if (!r.ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(r.ok());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * buckets.size()));
  state.counters["bytes_per_bucket"] = static_cast<double>(blob.size()) / static_cast<double>(buckets.size());
}

}  // namespace

BENCHMARK(BM_Encode)->DenseRange(0, 2);
BENCHMARK(BM_Decode)->DenseRange(0, 2);
BENCHMARK(BM_DecodeAlloc)->DenseRange(0, 2);
BENCHMARK(BM_PeekChunk);
BENCHMARK(BM_RollupEncode)->Arg(1)->Arg(5);
BENCHMARK(BM_RollupDecode)->Arg(1)->Arg(5);

BENCHMARK_MAIN();
