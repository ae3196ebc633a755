// Chunk and rollup codec throughput (samples/s) and size (bytes/sample).
//
// Data sets (kind) x chunk length (1440: one continuous series cut into 64 one-day chunks;
// 100: 10 000 independent series of 100 one-minute samples, one chunk each, like the
// 1 000 000-observation load benchmark in bench/run.sh).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "tsdb/ChunkCodec.hpp"
#include "tsdb/Rollup.hpp"
#include "tsdb/RollupCodec.hpp"

namespace {

using cityops::tsdb::Bucket;
using cityops::tsdb::Sample;

constexpr int64_t kMinute = 60'000;
constexpr int64_t kT0 = 1'717'200'000'000;

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

// Water level in metres with 3 decimals at a 60 s cadence, as bench/load sends it: a bounded
// random walk of -10..+10 mm per minute between 0.2 m and 6 m. The value is what parsing
// "1.234" gives, i.e. mm / 1000.0.
std::vector<Sample> walk3Decimals(size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  int mm = 500 + static_cast<int>(rng() % 2500);
  std::vector<Sample> out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back({kT0 + static_cast<int64_t>(i) * kMinute, mm / 1000.0, 0});
    mm += static_cast<int>(rng() % 21) - 10;
    if (mm < 200) mm = 400 - mm;
    if (mm > 6000) mm = 12000 - mm;
  }
  return out;
}

// PM2.5 in ug/m3 with 1 decimal at a 60 s cadence: a daily cycle, slow episodes and a noisy
// low-cost optical sensor (AR(1) noise of a few ug/m3).
std::vector<Sample> pm25(size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> shock(0.0, 1.2);
  std::normal_distribution<double> drift(0.0, 0.05);
  std::vector<Sample> out;
  double noise = 0, episode = 10 + static_cast<double>(rng() % 20);
  for (size_t i = 0; i < n; ++i) {
    const double days = static_cast<double>(i + seed * 97) / 1440.0;
    noise = 0.8 * noise + shock(rng);
    episode = std::max(2.0, episode + drift(rng));
    const double v = episode * (1.0 + 0.4 * std::sin(days * 2 * std::numbers::pi)) + noise;
    out.push_back({kT0 + static_cast<int64_t>(i) * kMinute, std::round(std::max(0.0, v) * 10.0) / 10.0, 0});
  }
  return out;
}

// Vehicles counted per minute: Poisson around a daily profile (0 at night, ~25 at rush hour).
std::vector<Sample> counts(size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Sample> out;
  for (size_t i = 0; i < n; ++i) {
    const double days = static_cast<double>(i + seed * 131) / 1440.0;
    const double mean = 12.5 * (1.0 - std::cos(days * 2 * std::numbers::pi));
    std::poisson_distribution<int> p(std::max(0.05, mean));
    out.push_back({kT0 + static_cast<int64_t>(i) * kMinute, static_cast<double>(p(rng)), 0});
  }
  return out;
}

constexpr int kKinds = 6;
const char* kKindName[kKinds] = {"river_1min", "random_walk", "steady", "walk_3dec", "pm25_1dec", "counts"};

std::vector<Sample> generate(int kind, size_t n, uint32_t seed) {
  switch (kind) {
    case 0: return riverLevel(n, seed);
    case 1: return randomWalk(n, seed);
    case 2: return steady(n);
    case 3: return walk3Decimals(n, seed);
    case 4: return pm25(n, seed);
    default: return counts(n, seed);
  }
}

/// The samples of `kind` cut into chunks of `chunk` samples: 64 one-day chunks of one series
/// (chunk 1440) or 10 000 series of one chunk each (otherwise).
struct DataSet {
  size_t chunk;
  std::vector<Sample> samples;  // chunk after chunk
  size_t chunks() const { return samples.size() / chunk; }
  std::span<const Sample> part(size_t i) const { return {samples.data() + i * chunk, chunk}; }
};

DataSet dataSet(int kind, size_t chunk) {
  DataSet d{chunk, {}};
  if (chunk == 1440) {
    d.samples = generate(kind, chunk * 64, static_cast<uint32_t>(kind + 1));
    return d;
  }
  d.samples.reserve(chunk * 10'000);
  for (uint32_t s = 0; s < 10'000; ++s) {
    const auto part = generate(kind, chunk, 1000 + s);
    d.samples.insert(d.samples.end(), part.begin(), part.end());
  }
  return d;
}

std::vector<std::string> encodeAll(const DataSet& d) {
  std::vector<std::string> blobs;
  for (size_t i = 0; i < d.chunks(); ++i) blobs.push_back(cityops::tsdb::encodeChunk(d.part(i)));
  return blobs;
}

double bytesPerSample(const std::vector<std::string>& blobs, size_t samples) {
  size_t bytes = 0;
  for (const auto& b : blobs) bytes += b.size();
  return static_cast<double>(bytes) / static_cast<double>(samples);
}

std::string label(int kind, size_t chunk) { return std::string(kKindName[kind]) + "/chunk" + std::to_string(chunk); }

void BM_Encode(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const auto d = dataSet(kind, static_cast<size_t>(state.range(1)));
  for (auto _ : state) {
    for (size_t i = 0; i < d.chunks(); ++i) {
      auto blob = cityops::tsdb::encodeChunk(d.part(i));
      benchmark::DoNotOptimize(blob.data());
    }
  }
  state.SetLabel(label(kind, d.chunk));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * d.samples.size()));
  state.counters["bytes_per_sample"] = bytesPerSample(encodeAll(d), d.samples.size());
}

void BM_Decode(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const auto d = dataSet(kind, static_cast<size_t>(state.range(1)));
  const auto blobs = encodeAll(d);
  std::vector<Sample> out;
  out.reserve(d.chunk);
  for (auto _ : state) {
    for (const auto& b : blobs) {
      out.clear();
      if (!cityops::tsdb::decodeChunkInto(b, out).ok()) state.SkipWithError("decode failed");
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetLabel(label(kind, d.chunk));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * d.samples.size()));
  state.counters["bytes_per_sample"] = bytesPerSample(blobs, d.samples.size());
}

// decodeChunk allocating a fresh vector per chunk, as a caller without a buffer would.
void BM_DecodeAlloc(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const auto d = dataSet(kind, static_cast<size_t>(state.range(1)));
  const auto blobs = encodeAll(d);
  for (auto _ : state) {
    for (const auto& b : blobs) {
      auto r = cityops::tsdb::decodeChunk(b);
      benchmark::DoNotOptimize(r.ok());
    }
  }
  state.SetLabel(label(kind, d.chunk));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * d.samples.size()));
}

void BM_PeekChunk(benchmark::State& state) {
  const auto blobs = encodeAll(dataSet(0, 1440));
  for (auto _ : state) {
    for (const auto& b : blobs) benchmark::DoNotOptimize(cityops::tsdb::peekChunk(b).ok());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * blobs.size()));
}

// Rollups of one continuous series of `kind` (64 days of 1-minute data) at 1, 5 or 60 minutes;
// 1-minute buckets of 1-minute data hold one sample each.
std::vector<Bucket> rollupsOf(int kind, int64_t minutes) {
  return cityops::tsdb::rollup(dataSet(kind, 1440).samples, minutes * kMinute);
}

void BM_RollupEncode(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const auto buckets = rollupsOf(kind, state.range(1));
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string blob = cityops::tsdb::encodeRollups(buckets);
    bytes = blob.size();
    benchmark::DoNotOptimize(blob.data());
  }
  state.SetLabel(std::string(kKindName[kind]) + "/" + std::to_string(state.range(1)) + "min");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * buckets.size()));
  state.counters["bytes_per_bucket"] = static_cast<double>(bytes) / static_cast<double>(buckets.size());
}

void BM_RollupDecode(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const auto buckets = rollupsOf(kind, state.range(1));
  const std::string blob = cityops::tsdb::encodeRollups(buckets);
  for (auto _ : state) {
    auto r = cityops::tsdb::decodeRollups(blob);
    if (!r.ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(r.ok());
  }
  state.SetLabel(std::string(kKindName[kind]) + "/" + std::to_string(state.range(1)) + "min");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * buckets.size()));
  state.counters["bytes_per_bucket"] = static_cast<double>(blob.size()) / static_cast<double>(buckets.size());
}

// What store::ChunkTable writes for 10 000 series x 100 one-minute samples (the load
// benchmark): one chunk per series plus its 1 min / 1 h / 1 day rollups, blob bytes only
// (no SQLite row or page overhead). Counters are bytes per raw sample.
void BM_StoreBlobBytes(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const auto d = dataSet(kind, 100);
  double chunkB = 0, minB = 0, hourB = 0, dayB = 0;
  for (auto _ : state) {
    chunkB = minB = hourB = dayB = 0;
    for (size_t i = 0; i < d.chunks(); ++i) {
      const auto part = d.part(i);
      chunkB += static_cast<double>(cityops::tsdb::encodeChunk(part).size());
      minB += static_cast<double>(cityops::tsdb::encodeRollups(cityops::tsdb::rollup(part, kMinute)).size());
      hourB += static_cast<double>(cityops::tsdb::encodeRollups(cityops::tsdb::rollup(part, 60 * kMinute)).size());
      dayB += static_cast<double>(cityops::tsdb::encodeRollups(cityops::tsdb::rollup(part, 1440 * kMinute)).size());
    }
  }
  const auto n = static_cast<double>(d.samples.size());
  state.SetLabel(kKindName[kind]);
  state.counters["chunk_Bps"] = chunkB / n;
  state.counters["r1m_Bps"] = minB / n;
  state.counters["r1h_Bps"] = hourB / n;
  state.counters["r1d_Bps"] = dayB / n;
  state.counters["total_Bps"] = (chunkB + minB + hourB + dayB) / n;
}

}  // namespace

BENCHMARK(BM_Encode)->ArgsProduct({benchmark::CreateDenseRange(0, kKinds - 1, 1), {1440, 100}});
BENCHMARK(BM_Decode)->ArgsProduct({benchmark::CreateDenseRange(0, kKinds - 1, 1), {1440, 100}});
BENCHMARK(BM_DecodeAlloc)->ArgsProduct({{0, 1, 3}, {1440, 100}});
BENCHMARK(BM_PeekChunk);
BENCHMARK(BM_RollupEncode)->ArgsProduct({{0, 3, 4}, {1, 5, 60}});
BENCHMARK(BM_RollupDecode)->ArgsProduct({{0, 3, 4}, {1, 5, 60}});
BENCHMARK(BM_StoreBlobBytes)->DenseRange(0, kKinds - 1)->Iterations(1)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
