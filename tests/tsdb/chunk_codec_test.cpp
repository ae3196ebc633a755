#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "tsdb/ChunkCodec.hpp"
#include "tsdb/TsdbTestData.hpp"

namespace cityops::tsdb {
namespace {

using testdata::kMinute;
using testdata::kT0;

std::vector<Sample> roundTrip(const std::vector<Sample>& in) {
  const std::string blob = encodeChunk(in);
  auto out = decodeChunk(blob);
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
  if (!out.ok()) return {};
  auto hdr = peekChunk(blob);
  EXPECT_TRUE(hdr.ok());
  if (hdr.ok()) {
    EXPECT_EQ(hdr->count, in.size());
    if (!in.empty()) {
      EXPECT_EQ(hdr->firstT, in.front().t);
      EXPECT_EQ(hdr->lastT, in.back().t);
    }
  }
  return std::move(out).value();
}

TEST(ChunkCodec, Empty) {
  const std::string blob = encodeChunk({});
  EXPECT_EQ(blob.size(), 3u);
  EXPECT_EQ(static_cast<uint8_t>(blob[0]), kChunkFormatVersion);
  EXPECT_TRUE(roundTrip({}).empty());
  auto hdr = peekChunk(blob);
  ASSERT_TRUE(hdr.ok());
  EXPECT_EQ(*hdr, (ChunkHeader{0, 0, 0}));
}

TEST(ChunkCodec, SingleSample) {
  std::vector<Sample> in = {{kT0, 3.25, 0}};
  EXPECT_EQ(roundTrip(in), in);
  std::vector<Sample> zero = {{0, 0.0, 2}};
  EXPECT_EQ(roundTrip(zero), zero);
}

TEST(ChunkCodec, HandMadeEdgeValues) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<Sample> in = {
      {0, 0.0, 0},
      {1, -0.0, 0},
      {2, 0.0, 1},
      {3, -1.5, 2},
      {1000, std::numeric_limits<double>::max(), 0},
      {1001, std::numeric_limits<double>::lowest(), 0},
      {1002, std::numeric_limits<double>::min(), 0},
      {1003, std::numeric_limits<double>::denorm_min(), 0},
      {1004, -std::numeric_limits<double>::denorm_min(), 1},
      {1005, 1e300, 1},
      {1006, -1e-300, 0},
      {1007, inf, 0},
      {1008, -inf, 0},
      {1009, std::numeric_limits<double>::quiet_NaN(), 0},
      {1010, 42.0, 0},
      {1011, 42.0, 0},
      {kT0, 42.0, 0},                                            // huge gap: 64-bit dod
      {kT0 + 1, 42.5, 0},                                        // huge negative dod
      {std::numeric_limits<int64_t>::max() - 1, 1.0, 0},
      {std::numeric_limits<int64_t>::max(), 2.0, 2},
  };
  const auto out = roundTrip(in);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out[i], in[i]) << "i=" << i;
  EXPECT_TRUE(std::signbit(out[1].v));
  EXPECT_FALSE(std::signbit(out[2].v));
}

TEST(ChunkCodec, EveryDodBucketBoundary) {
  // Deltas chosen so that dod hits both ends of each bucket width.
  std::vector<int64_t> dods = {0, 1, -1, 8191, -8192, 8192, -8193, 65535, -65536, 65536, -65537,
                               524287, -524288, 524288, -524289, int64_t{1} << 40};
  std::vector<Sample> in;
  int64_t t = int64_t{1} << 42, delta = 1'000'000;
  for (int64_t d : dods) {
    delta += d;
    ASSERT_GT(delta, 0);
    t += delta;
    in.push_back({t, 1.0, 0});
    in.push_back({t += delta, 1.0, 0});  // dod back to 0
  }
  EXPECT_EQ(roundTrip(in), in);
}

TEST(ChunkCodec, RandomizedRoundTrips) {
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    std::mt19937_64 rng(seed);
    const size_t n = rng() % 400;
    std::vector<Sample> in;
    int64_t t = static_cast<int64_t>(rng() % (uint64_t{1} << 50));
    double v = 0;
    for (size_t i = 0; i < n; ++i) {
      switch (rng() % 4) {
        case 0: t += 60'000; break;
        case 1: t += 1 + rng() % 100; break;
        case 2: t += 1 + rng() % 10'000'000; break;
        default: t += 60'000 + static_cast<int64_t>(rng() % 2001) - 1000; break;
      }
      switch (rng() % 5) {
        case 0: break;  // repeat
        case 1: v = std::bit_cast<double>(rng()); break;  // any bit pattern, NaNs included
        case 2: v = std::round(v * 100 + static_cast<double>(rng() % 5) - 2) / 100; break;
        case 3: v = -v; break;
        default: v = static_cast<double>(static_cast<int64_t>(rng() % 2000) - 1000) * 1e-7; break;
      }
      const uint8_t q = seed % 3 == 0 ? 0 : static_cast<uint8_t>(rng() % 10 == 0 ? rng() % 3 : 0);
      in.push_back({t, v, q});
    }
    ASSERT_EQ(roundTrip(in), in) << "seed " << seed;
  }
}

TEST(ChunkCodec, RiverLevelSeriesRoundTrip) {
  const auto in = testdata::riverLevel(10'000, 11);
  EXPECT_EQ(roundTrip(in), in);
  const auto walk = testdata::randomWalk(10'000, 12);
  EXPECT_EQ(roundTrip(walk), walk);
}

TEST(ChunkCodec, RegularConstantSeriesCostsTwoBitsPerSample) {
  // 60 s cadence, unchanged value, all good: 1 bit time + 1 bit value + 0 bits quality.
  std::vector<Sample> in;
  for (int i = 0; i < 1001; ++i) in.push_back({kT0 + i * kMinute, 7.5, 0});
  const std::string blob = encodeChunk(in);
  const size_t header = 1 + 1 + 2 + 6 + 4;  // version, flags, count, first t, span
  // First value (at most 77 bits), first delta (20 bits), then 2 bits per sample.
  EXPECT_LE(blob.size(), header + (77 + 20 + 1000 * 2 + 7) / 8);
  EXPECT_EQ(roundTrip(in), in);
}

TEST(ChunkCodec, RiverLevelCompressesBelowThreeBytesPerSample) {
  // One day chunks of 1-minute river gauge data over a month.
  size_t bytes = 0, samples = 0;
  const auto series = testdata::riverLevel(30 * 1440, 3);
  for (size_t off = 0; off < series.size(); off += 1440) {
    std::span<const Sample> day(series.data() + off, 1440);
    bytes += encodeChunk(day).size();
    samples += day.size();
  }
  const double perSample = static_cast<double>(bytes) / static_cast<double>(samples);
  RecordProperty("bytes_per_sample", std::to_string(perSample));
  std::cout << "river level, 1-day chunks: " << perSample << " bytes/sample\n";
  EXPECT_LT(perSample, 3.0);
}

TEST(ChunkCodec, QualityCosts) {
  std::vector<Sample> good;
  for (int i = 0; i < 800; ++i) good.push_back({kT0 + i * kMinute, 1.0, 0});
  auto suspect = good;
  for (auto& s : suspect) s.q = 1;
  auto mixed = good;
  mixed[400].q = 2;

  const size_t g = encodeChunk(good).size();
  EXPECT_EQ(encodeChunk(suspect).size(), g);  // uniform quality: header flag only
  const size_t m = encodeChunk(mixed).size();
  EXPECT_GT(m, g);
  EXPECT_LE(m, g + 800 / 8 + 2);  // ~1 bit per sample plus two changes
  EXPECT_EQ(roundTrip(suspect), suspect);
  EXPECT_EQ(roundTrip(mixed), mixed);
}

TEST(ChunkCodec, DecodeIntoAppends) {
  const auto a = testdata::riverLevel(100, 1);
  std::vector<Sample> out = {{1, 2.0, 0}};
  ASSERT_TRUE(decodeChunkInto(encodeChunk(a), out).ok());
  ASSERT_EQ(out.size(), 101u);
  EXPECT_EQ(out[0], (Sample{1, 2.0, 0}));
  EXPECT_EQ(out[100], a[99]);

  std::string bad = encodeChunk(a);
  bad.pop_back();
  EXPECT_FALSE(decodeChunkInto(bad, out).ok());
  EXPECT_EQ(out.size(), 101u);  // unchanged on error
}

TEST(ChunkCodec, RejectsBadHeaders) {
  const auto in = testdata::riverLevel(50, 2);
  const std::string blob = encodeChunk(in);
  auto expectCorrupt = [](const std::string& b) {
    auto r = decodeChunk(b);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "corrupt");
  };
  for (int version : {0, 1, 3, 255}) {  // 1: the old layout, not read any more
    std::string v = blob;
    v[0] = static_cast<char>(version);
    expectCorrupt(v);
    EXPECT_FALSE(peekChunk(v).ok());
  }
  for (int flag : {0x10, 0x20, 0x40, 0x80}) {  // unknown flags
    std::string f = blob;
    f[1] = static_cast<char>(f[1] | flag);
    expectCorrupt(f);
  }
  std::string q = blob;
  q[1] = static_cast<char>(0x01 | (3 << 1));  // uniform quality 3
  expectCorrupt(q);
  expectCorrupt("");
  expectCorrupt(std::string(1, '\x01'));
  std::string trailing = blob + '\0';
  expectCorrupt(trailing);
  std::string emptyTrailing = encodeChunk({}) + 'x';
  expectCorrupt(emptyTrailing);
}

TEST(ChunkCodec, RejectsNonIncreasingTimes) {
  // Hand-build: count 2, first t 100, span 0 (too small for two samples).
  std::string b = {'\x02', '\x01', '\x02', '\x64', '\x00', '\x00'};
  auto r = decodeChunk(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "corrupt");
  EXPECT_FALSE(peekChunk(b).ok());
}

TEST(ChunkCodec, RejectsCountLargerThanData) {
  std::string b = {'\x02', '\x01'};
  b += "\xff\xff\xff\xff\x0f";  // count = 2^32 - 1
  b += '\x00';                  // first t
  b += "\xff\xff\xff\xff\x0f";  // span
  b += std::string(16, '\0');
  EXPECT_FALSE(peekChunk(b).ok());
  EXPECT_FALSE(decodeChunk(b).ok());
}

}  // namespace
}  // namespace cityops::tsdb
