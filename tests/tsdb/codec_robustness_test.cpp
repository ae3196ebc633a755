// Decoders fed truncated, bit-flipped and random blobs must return an error or valid output.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "tsdb/ChunkCodec.hpp"
#include "tsdb/Rollup.hpp"
#include "tsdb/RollupCodec.hpp"
#include "tsdb/TsdbTestData.hpp"

namespace cityops::tsdb {
namespace {

// Returns true if the blob decoded; checks that what decoded is valid and stable.
bool checkChunk(const std::string& blob) {
  auto r = decodeChunk(blob);
  auto h = peekChunk(blob);
  if (!r.ok()) {
    EXPECT_EQ(r.error().code, "corrupt");
    return false;
  }
  EXPECT_TRUE(h.ok());
  const auto& s = *r;
  if (h.ok()) {
    EXPECT_EQ(h->count, s.size());
    if (!s.empty()) {
      EXPECT_EQ(h->firstT, s.front().t);
      EXPECT_EQ(h->lastT, s.back().t);
    }
  }
  for (size_t i = 0; i < s.size(); ++i) {
    EXPECT_GE(s[i].t, 0);
    EXPECT_LE(s[i].q, 2);
    if (i > 0) {
      EXPECT_GT(s[i].t, s[i - 1].t);
    }
  }
  auto again = decodeChunk(encodeChunk(s));
  EXPECT_TRUE(again.ok());
  if (again.ok()) {
    EXPECT_EQ(*again, s);
  }
  return true;
}

bool checkRollups(const std::string& blob) {
  auto r = decodeRollups(blob);
  if (!r.ok()) {
    EXPECT_EQ(r.error().code, "corrupt");
    return false;
  }
  const auto& b = *r;
  for (size_t i = 0; i < b.size(); ++i) {
    EXPECT_GE(b[i].start, 0);
    EXPECT_GE(b[i].lastT, b[i].start);
    if (i > 0) {
      EXPECT_GT(b[i].start, b[i - 1].start);
    }
  }
  auto again = decodeRollups(encodeRollups(b));
  EXPECT_TRUE(again.ok());
  if (again.ok()) {
    EXPECT_EQ(*again, b);
  }
  return true;
}

std::vector<std::string> sampleChunks() {
  std::vector<std::string> out;
  out.push_back(encodeChunk({}));
  out.push_back(encodeChunk(testdata::riverLevel(1, 1)));
  out.push_back(encodeChunk(testdata::riverLevel(300, 2)));
  out.push_back(encodeChunk(testdata::randomWalk(120, 3)));
  auto mixed = testdata::randomWalk(200, 4);
  for (size_t i = 0; i < mixed.size(); i += 7) mixed[i].q = static_cast<uint8_t>(i % 3);
  out.push_back(encodeChunk(mixed));
  // Decimal-coded values: deltas, delta-of-deltas, escapes, mixed quality.
  out.push_back(encodeChunk(testdata::walk3Decimals(100, 7)));
  out.push_back(encodeChunk(testdata::meterReading(150, 8)));
  auto spiky = testdata::walk3Decimals(120, 9);
  for (size_t i = 0; i < spiky.size(); i += 17) spiky[i].v = -12345.678;
  for (size_t i = 0; i < spiky.size(); i += 11) spiky[i].q = static_cast<uint8_t>(i % 3);
  out.push_back(encodeChunk(spiky));
  return out;
}

std::vector<std::string> sampleRollups() {
  std::vector<std::string> out;
  out.push_back(encodeRollups({}));
  const auto river = testdata::riverLevel(600, 5);
  out.push_back(encodeRollups(rollup(river, testdata::kMinute)));
  out.push_back(encodeRollups(rollup(river, 5 * testdata::kMinute)));
  out.push_back(encodeRollups(rollup(testdata::randomWalk(500, 6), 60 * testdata::kMinute)));
  // Decimal columns: single values, and min/max/last of full buckets.
  const auto walk = testdata::walk3Decimals(600, 7);
  out.push_back(encodeRollups(rollup(walk, testdata::kMinute)));
  out.push_back(encodeRollups(rollup(walk, 60 * testdata::kMinute)));
  auto irregular = testdata::meterReading(300, 8);
  for (size_t i = 0; i < irregular.size(); i += 4) irregular[i].t += 30'000;  // some minutes get two
  std::sort(irregular.begin(), irregular.end(), [](const Sample& a, const Sample& b) { return a.t < b.t; });
  out.push_back(encodeRollups(rollup(irregular, testdata::kMinute)));
  return out;
}

TEST(CodecRobustness, ChunkEveryTruncationFails) {
  for (const std::string& blob : sampleChunks()) {
    for (size_t len = 0; len < blob.size(); ++len) {
      EXPECT_FALSE(checkChunk(blob.substr(0, len))) << "len " << len << " of " << blob.size();
    }
    EXPECT_TRUE(checkChunk(blob));
  }
}

TEST(CodecRobustness, RollupEveryTruncationFails) {
  for (const std::string& blob : sampleRollups()) {
    for (size_t len = 0; len < blob.size(); ++len) {
      EXPECT_FALSE(checkRollups(blob.substr(0, len))) << "len " << len << " of " << blob.size();
    }
    EXPECT_TRUE(checkRollups(blob));
  }
}

TEST(CodecRobustness, ChunkEverySingleBitFlip) {
  for (const std::string& blob : sampleChunks()) {
    for (size_t bit = 0; bit < blob.size() * 8; ++bit) {
      std::string b = blob;
      b[bit / 8] = static_cast<char>(b[bit / 8] ^ (1 << (bit % 8)));
      checkChunk(b);
      if (::testing::Test::HasFailure()) FAIL() << "bit " << bit;
    }
  }
}

TEST(CodecRobustness, RollupEverySingleBitFlip) {
  for (const std::string& blob : sampleRollups()) {
    for (size_t bit = 0; bit < blob.size() * 8; ++bit) {
      std::string b = blob;
      b[bit / 8] = static_cast<char>(b[bit / 8] ^ (1 << (bit % 8)));
      checkRollups(b);
      if (::testing::Test::HasFailure()) FAIL() << "bit " << bit;
    }
  }
}

TEST(CodecRobustness, RandomMultiByteCorruption) {
  std::mt19937_64 rng(99);
  const auto chunks = sampleChunks();
  const auto rollups = sampleRollups();
  for (int iter = 0; iter < 20000; ++iter) {
    const bool chunk = iter % 2 == 0;
    std::string b = chunk ? chunks[rng() % chunks.size()] : rollups[rng() % rollups.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !b.empty(); ++e) {
      switch (rng() % 4) {
        case 0: b[rng() % b.size()] = static_cast<char>(rng()); break;
        case 1: b.erase(rng() % b.size(), 1 + rng() % 3); break;
        case 2: b.insert(rng() % b.size(), 1, static_cast<char>(rng())); break;
        default: b.resize(rng() % (b.size() + 1)); break;
      }
    }
    if (chunk) {
      checkChunk(b);
    } else {
      checkRollups(b);
    }
    if (::testing::Test::HasFailure()) FAIL() << "iteration " << iter;
  }
}

TEST(CodecRobustness, RandomBytes) {
  std::mt19937_64 rng(1234);
  int chunkOk = 0, rollupOk = 0;
  for (int iter = 0; iter < 50000; ++iter) {
    std::string b(rng() % 64, '\0');
    for (char& c : b) c = static_cast<char>(rng());
    // Mostly give a valid version byte and small counts so the decoder gets into the body.
    if (!b.empty() && iter % 4 != 0) b[0] = static_cast<char>(kChunkFormatVersion);
    if (b.size() > 2 && iter % 3 != 0) b[2] = static_cast<char>(rng() % 16);
    std::string c = b;
    if (c.size() > 1 && iter % 4 != 0) c[1] = static_cast<char>(rng() % 16);  // incl. the decimal flag
    chunkOk += checkChunk(c);
    if (!b.empty() && iter % 4 != 0) b[0] = static_cast<char>(kRollupFormatVersion);
    if (b.size() > 1 && iter % 3 != 0) b[1] = static_cast<char>(rng() % 16);
    rollupOk += checkRollups(b);
    if (::testing::Test::HasFailure()) FAIL() << "iteration " << iter;
  }
  std::cout << "random blobs that decoded: chunk " << chunkOk << ", rollup " << rollupOk << "\n";
}

}  // namespace
}  // namespace cityops::tsdb
