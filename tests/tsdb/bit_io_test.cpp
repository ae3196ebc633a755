#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tsdb/BitReader.hpp"
#include "tsdb/BitWriter.hpp"

namespace cityops::tsdb {
namespace {

TEST(BitIo, WritesMostSignificantBitFirst) {
  std::string out = "H";
  BitWriter w(out);
  w.write(0b1, 1);
  w.write(0b0110, 4);
  w.write(0b101, 3);
  w.write(0xABC, 12);
  EXPECT_EQ(w.bitCount(), 20u);
  w.finish();
  ASSERT_EQ(out.size(), 4u);  // header byte + 3 bytes (20 bits, zero padded)
  EXPECT_EQ(out[0], 'H');
  EXPECT_EQ(static_cast<uint8_t>(out[1]), 0b10110101);
  EXPECT_EQ(static_cast<uint8_t>(out[2]), 0xAB);
  EXPECT_EQ(static_cast<uint8_t>(out[3]), 0xC0);
}

TEST(BitIo, RandomWidthsRoundTrip) {
  std::mt19937_64 rng(7);
  std::vector<std::pair<uint64_t, unsigned>> items;
  std::string out;
  BitWriter w(out);
  for (int i = 0; i < 20000; ++i) {
    const unsigned n = static_cast<unsigned>(rng() % 65);
    const uint64_t v = n == 64 ? rng() : (n == 0 ? 0 : rng() & ((uint64_t{1} << n) - 1));
    w.write(v, n);
    items.emplace_back(v, n);
  }
  const uint64_t bits = w.bitCount();
  w.finish();
  EXPECT_EQ(out.size(), (bits + 7) / 8);

  BitReader r(out);
  for (auto [v, n] : items) {
    uint64_t got;
    ASSERT_TRUE(r.read(n, got));
    ASSERT_EQ(got, v) << "width " << n;
  }
  EXPECT_EQ(r.position(), bits);
  EXPECT_FALSE(r.overrun());
}

TEST(BitIo, WriteMasksHighBits) {
  std::string out;
  BitWriter w(out);
  w.write(~uint64_t{0}, 3);
  w.write(0, 5);
  w.finish();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(static_cast<uint8_t>(out[0]), 0b11100000);
}

TEST(BitIo, UnderrunIsReportedAndReadsZeros) {
  const std::string data = "\xFF\xFF";
  BitReader r(data);
  uint64_t v;
  ASSERT_TRUE(r.read(12, v));
  EXPECT_EQ(v, 0xFFFu);
  EXPECT_FALSE(r.read(8, v));  // only 4 bits left
  EXPECT_EQ(v, 0xF0u);         // missing bits read as zero
  EXPECT_TRUE(r.overrun());
  EXPECT_EQ(r.peek(), 0u);
}

TEST(BitIo, EmptyInput) {
  BitReader r(std::string_view{});
  EXPECT_EQ(r.peek(), 0u);
  uint64_t v;
  EXPECT_TRUE(r.read(0, v));
  EXPECT_FALSE(r.read(1, v));
  EXPECT_FALSE(r.read(64, v));
}

TEST(BitIo, PeekNearEndOfShortInputs) {
  // Exercise the slow path at every offset of inputs shorter than 9 bytes.
  for (size_t len = 1; len <= 9; ++len) {
    std::string data(len, '\0');
    for (size_t i = 0; i < len; ++i) data[i] = static_cast<char>(0x81 + 17 * i);
    for (unsigned skip = 0; skip < len * 8; ++skip) {
      BitReader r(data);
      r.skip(skip);
      uint64_t expect = 0;
      for (unsigned b = 0; b < 57; ++b) {
        const unsigned bit = skip + b;
        const uint64_t x = bit < len * 8 ? (static_cast<uint8_t>(data[bit / 8]) >> (7 - bit % 8)) & 1 : 0;
        expect |= x << (63 - b);
      }
      ASSERT_EQ(r.peek() >> 7, expect >> 7) << "len " << len << " skip " << skip;
    }
  }
}

TEST(BitIo, VarBitsRoundTrip) {
  const std::vector<uint64_t> values = {0, 1, 15, 16, 127, 128, 1u << 20, ~uint64_t{0}, uint64_t{1} << 63};
  for (unsigned group : {4u, 7u}) {
    std::string out;
    BitWriter w(out);
    for (uint64_t v : values) w.writeVarBits(v, group);
    w.finish();
    BitReader r(out);
    for (uint64_t v : values) {
      uint64_t got;
      ASSERT_TRUE(r.readVarBits(group, got));
      EXPECT_EQ(got, v);
    }
  }
}

TEST(BitIo, VarBitsRejectsOverlongAndTruncated) {
  std::string out;
  BitWriter w(out);
  for (int i = 0; i < 20; ++i) w.write(0b11111, 5);  // 4-bit groups, never terminating
  w.finish();
  BitReader r(out);
  uint64_t v;
  EXPECT_FALSE(r.readVarBits(4, v));

  std::string one = "\xFF";  // continuation set, then end of input
  BitReader r2(one);
  EXPECT_FALSE(r2.readVarBits(7, v));
}

}  // namespace
}  // namespace cityops::tsdb
