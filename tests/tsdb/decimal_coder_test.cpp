// Decimal value columns: the scaled-integer formula, the Rice code, how the encoders choose
// between decimal and XOR coding, exact sizes, and decoders fed malformed decimal fields.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "tsdb/BitReader.hpp"
#include "tsdb/BitWriter.hpp"
#include "tsdb/ChunkCodec.hpp"
#include "tsdb/DecimalCoder.hpp"
#include "tsdb/Rollup.hpp"
#include "tsdb/RollupCodec.hpp"
#include "tsdb/TsdbTestData.hpp"
#include "tsdb/Varint.hpp"

namespace cityops::tsdb {
namespace {

using testdata::kMinute;
using testdata::kT0;

constexpr int64_t kTwo53 = int64_t{1} << 53;

void expectCorrupt(const std::string& blob, const char* what) {
  auto r = decodeChunk(blob);
  ASSERT_FALSE(r.ok()) << what;
  EXPECT_EQ(r.error().code, "corrupt") << what;
}

void expectSame(const std::vector<Sample>& a, const std::vector<Sample>& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i], b[i]) << what << " i=" << i << " bits " << std::hex << std::bit_cast<uint64_t>(a[i].v)
                          << " vs " << std::bit_cast<uint64_t>(b[i].v);
  }
}

std::vector<Sample> chunkRoundTrip(const std::vector<Sample>& in) {
  auto out = decodeChunk(encodeChunk(in));
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
  return out.ok() ? std::move(out).value() : std::vector<Sample>{};
}

std::vector<Sample> regular(const std::vector<double>& values, int64_t t0 = kT0) {
  std::vector<Sample> out;
  for (size_t i = 0; i < values.size(); ++i) out.push_back({t0 + static_cast<int64_t>(i) * kMinute, values[i], 0});
  return out;
}

/// What a chunk's header says about its value column: nullopt for XOR.
std::optional<DecimalParams> chunkValueMode(const std::string& blob) {
  EXPECT_GE(blob.size(), 3u);
  if ((static_cast<uint8_t>(blob[1]) & 0x08) == 0) return std::nullopt;
  size_t pos = 2;
  uint64_t count, first, span;
  EXPECT_TRUE(getUvarint(blob, pos, count) && getUvarint(blob, pos, first) && getUvarint(blob, pos, span));
  BitReader r(std::string_view(blob).substr(pos));
  DecimalParams p;
  EXPECT_TRUE(readDecimalHeader(r, p));
  return p;
}

/// The five rollup column modes (single, sum, min, max, last): nullopt for XOR.
std::vector<std::optional<DecimalParams>> rollupModes(const std::string& blob) {
  size_t pos = 1;
  uint64_t count, first;
  EXPECT_TRUE(getUvarint(blob, pos, count) && count > 0 && getUvarint(blob, pos, first));
  BitReader r(std::string_view(blob).substr(pos));
  std::vector<std::optional<DecimalParams>> out;
  for (int c = 0; c < 5; ++c) {
    bool decimal = false;
    EXPECT_TRUE(r.readBit(decimal));
    if (!decimal) {
      out.push_back(std::nullopt);
      continue;
    }
    DecimalParams p;
    EXPECT_TRUE(readDecimalHeader(r, p));
    out.push_back(p);
  }
  return out;
}

std::string bitsToBytes(const std::string& bits) {
  std::string out((bits.size() + 7) / 8, '\0');
  for (size_t i = 0; i < bits.size(); ++i) {
    if (bits[i] == '1') out[i / 8] = static_cast<char>(out[i / 8] | (0x80 >> (i % 8)));
  }
  return out;
}

// ------------------------------------------------------------------------------------------
// The formula

TEST(DecimalScale, PowersOfTenAreExact) {
  double p = 1;
  for (unsigned d = 0; d <= kMaxDecimals; ++d) {
    EXPECT_EQ(kPow10[d], p) << d;
    EXPECT_EQ(static_cast<int64_t>(kPow10[d]), static_cast<int64_t>(std::llround(p)));
    p *= 10;
  }
}

// fromScaled(m, d) is the double that parsing the decimal text gives, and toScaled finds it.
TEST(DecimalScale, MatchesStrtodAndRoundTrips) {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 200'000; ++iter) {
    const unsigned d = static_cast<unsigned>(rng() % (kMaxDecimals + 1));
    int64_t m;
    switch (rng() % 4) {
      case 0: m = static_cast<int64_t>(rng() % 2001) - 1000; break;
      case 1: m = static_cast<int64_t>(rng() % 2'000'000'001) - 1'000'000'000; break;
      case 2: m = static_cast<int64_t>(rng() % static_cast<uint64_t>(kMaxScaled)) * (rng() % 2 ? 1 : -1); break;
      default: m = (kMaxScaled - static_cast<int64_t>(rng() % 1000)) * (rng() % 2 ? 1 : -1); break;
    }
    const double v = fromScaled(m, d);
    // Text of m * 10^-d, e.g. m = -1234, d = 3 -> "-1.234".
    std::string digits = std::to_string(m < 0 ? -m : m);
    if (digits.size() <= d) digits.insert(0, d + 1 - digits.size(), '0');
    if (d > 0) digits.insert(digits.size() - d, ".");
    if (m < 0) digits.insert(0, "-");
    const double parsed = std::strtod(digits.c_str(), nullptr);
    if (m != 0) {
      ASSERT_TRUE(sameBits(parsed, v)) << digits << " d=" << d;
    } else {
      ASSERT_EQ(parsed, 0.0);
    }

    int64_t back = 0;
    if (m == 0) {
      ASSERT_TRUE(toScaled(0.0, d, back));
      EXPECT_EQ(back, 0);
      continue;
    }
    ASSERT_TRUE(toScaled(v, d, back)) << digits;
    ASSERT_TRUE(sameBits(fromScaled(back, d), v)) << digits;
    // Below 2^52 neighbouring m give different doubles, so m itself comes back.
    if (m < (int64_t{1} << 52) && m > -(int64_t{1} << 52)) {
      ASSERT_EQ(back, m) << digits;
    }
  }
}

TEST(DecimalScale, NonDecimalsNeverScale) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> never = {
      -0.0, std::numeric_limits<double>::quiet_NaN(), inf, -inf, 0.1 + 0.2, 1.0 / 3.0, 1e300, -1e300,
      std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::min(), 1e-10, 0x1p53, -0x1p53,
      0x1p53 + 2, 0x1p60, 123.4567890123, std::numeric_limits<double>::max(), 2.0 / 3.0};
  for (double v : never) {
    for (unsigned d = 0; d <= kMaxDecimals; ++d) {
      int64_t m;
      EXPECT_FALSE(toScaled(v, d, m)) << v << " d=" << d;
    }
  }
  int64_t m;
  EXPECT_TRUE(toScaled(0.0, 0, m));
  EXPECT_EQ(m, 0);
  EXPECT_TRUE(toScaled(0x1p53 - 1, 0, m));
  EXPECT_EQ(m, kMaxScaled);
  EXPECT_TRUE(toScaled(-(0x1p53 - 1), 0, m));
  EXPECT_EQ(m, -kMaxScaled);
  EXPECT_TRUE(toScaled(1e-9, 9, m));
  EXPECT_EQ(m, 1);
  EXPECT_FALSE(toScaled(1e-9, 8, m));
  // 16 significant digits are still a decimal: 2/3 * 1e9 is 6666666666666666 / 10^7.
  EXPECT_TRUE(toScaled(2.0 / 3.0 * 1e9, 7, m));
  EXPECT_EQ(m, 6'666'666'666'666'666);
  // Near 2^53 the product v * 10^d can round to 2^53 itself: the neighbour is found.
  for (unsigned d = 0; d <= kMaxDecimals; ++d) {
    EXPECT_TRUE(toScaled(fromScaled(kMaxScaled, d), d, m)) << d;
    EXPECT_TRUE(sameBits(fromScaled(m, d), fromScaled(kMaxScaled, d))) << d;
    EXPECT_TRUE(toScaled(fromScaled(-kMaxScaled, d), d, m)) << d;
  }
}

TEST(DecimalScale, ColumnTakesTheSmallestCommonD) {
  auto scale = [](std::vector<double> v, unsigned& d, std::vector<int64_t>& m) {
    return scaleColumn(v.size(), [&](size_t i) { return v[i]; }, d, m);
  };
  unsigned d;
  std::vector<int64_t> m;
  ASSERT_TRUE(scale({17, 0, 3, -250}, d, m));
  EXPECT_EQ(d, 0u);
  EXPECT_EQ(m, (std::vector<int64_t>{17, 0, 3, -250}));
  ASSERT_TRUE(scale({35.2, 35.0, 40.1}, d, m));
  EXPECT_EQ(d, 1u);
  EXPECT_EQ(m, (std::vector<int64_t>{352, 350, 401}));
  // d grows as the column goes on; earlier values are scaled again.
  ASSERT_TRUE(scale({1, 2.5, 3.25, 4.125, -0.001}, d, m));
  EXPECT_EQ(d, 3u);
  EXPECT_EQ(m, (std::vector<int64_t>{1000, 2500, 3250, 4125, -1}));
  ASSERT_TRUE(scale({1e-9, 123456.5}, d, m));
  EXPECT_EQ(d, 9u);
  EXPECT_EQ(m, (std::vector<int64_t>{1, 123'456'500'000'000}));
  ASSERT_TRUE(scale({123456789012.345, -5.5}, d, m));
  EXPECT_EQ(d, 3u);
  EXPECT_EQ(m, (std::vector<int64_t>{123'456'789'012'345, -5500}));
  // Fits alone, but not together: 2^53 - 1 at d = 1 is over 2^53.
  EXPECT_FALSE(scale({0x1p53 - 1, 0.5}, d, m));
  EXPECT_FALSE(scale({1.5, -0.0}, d, m));
  EXPECT_FALSE(scale({1.5, 0.1 + 0.2}, d, m));
  EXPECT_FALSE(scale({1e-10}, d, m));
}

// ------------------------------------------------------------------------------------------
// The Rice code

TEST(RiceCode, RoundTripsEveryWidthAndK) {
  std::mt19937_64 rng(3);
  std::vector<std::pair<uint64_t, unsigned>> values;
  for (unsigned k = 0; k <= kMaxRiceK; ++k) {
    for (unsigned b = 0; b <= rice::kMaxWidth; ++b) {
      const uint64_t top = b == 0 ? 0 : uint64_t{1} << (b - 1);
      values.push_back({top, k});
      values.push_back({b == 0 ? 0 : top | (rng() & (top - 1)), k});
      values.push_back({b == 0 ? 0 : top | (top - 1), k});
    }
  }
  std::string out;
  BitWriter w(out);
  BitCounter c;
  uint64_t expectBits = 0;
  for (auto [z, k] : values) {
    rice::write(w, z, k);
    rice::write(c, z, k);
    expectBits += rice::cost(z, k);
  }
  EXPECT_EQ(w.bitCount(), expectBits);
  EXPECT_EQ(c.bitCount(), expectBits);
  w.finish();
  BitReader r(out);
  for (auto [z, k] : values) {
    uint64_t got = 0;
    ASSERT_TRUE(rice::read(r, k, got)) << z << " k=" << k;
    ASSERT_EQ(got, z) << "k=" << k;
  }
  EXPECT_FALSE(r.overrun());
  EXPECT_LT(r.remaining(), 8u);
}

TEST(RiceCode, HandCheckedCodes) {
  auto bits = [](uint64_t z, unsigned k) {
    std::string out;
    BitWriter w(out);
    rice::write(w, z, k);
    const uint64_t n = w.bitCount();
    w.finish();
    std::string s;
    for (uint64_t i = 0; i < n; ++i) s += (static_cast<uint8_t>(out[i / 8]) >> (7 - i % 8)) & 1 ? '1' : '0';
    return s;
  };
  EXPECT_EQ(bits(0, 0), "0");
  EXPECT_EQ(bits(1, 0), "10");
  EXPECT_EQ(bits(7, 0), "11111110");
  EXPECT_EQ(bits(8, 0), "11111111" "000011" "000");  // escape: width 4, low 3 bits
  EXPECT_EQ(bits(50, 5), "10" "10010");
  EXPECT_EQ(bits(49, 5), "10" "10001");
  EXPECT_EQ(bits(3, 5), "0" "00011");
  EXPECT_EQ(bits(1000, 2), "11111111" "001001" "111101000");  // width 10 > 2 + 3
}

TEST(RiceCode, CostTablePicksTheBestKExactly) {
  std::mt19937_64 rng(11);
  for (int iter = 0; iter < 400; ++iter) {
    const size_t n = 1 + rng() % 300;
    const unsigned scale = static_cast<unsigned>(rng() % 57);
    std::vector<uint64_t> zs;
    rice::CostTable table;
    for (size_t i = 0; i < n; ++i) {
      uint64_t z;
      switch (rng() % 4) {
        case 0: z = 0; break;
        case 1: z = rng() >> (64 - std::max(1u, scale)); break;
        case 2: z = (rng() % 8) << (scale / 2); break;
        default: z = rng() >> (64 - rice::kMaxWidth); break;  // outliers
      }
      if (iter % 3 == 0) z = rng() % 5;
      zs.push_back(z);
      table.add(z);
    }
    unsigned k;
    uint64_t bits;
    table.best(k, bits);
    uint64_t brute = ~uint64_t{0};
    unsigned bruteK = 0;
    for (unsigned kk = 0; kk <= kMaxRiceK; ++kk) {
      uint64_t sum = 0;
      for (uint64_t z : zs) sum += rice::cost(z, kk);
      if (sum < brute) {
        brute = sum;
        bruteK = kk;
      }
    }
    ASSERT_EQ(bits, brute) << iter;
    ASSERT_EQ(k, bruteK) << iter;
  }
}

// ------------------------------------------------------------------------------------------
// Choosing the coding

TEST(DecimalPlan, PlannedBitsAreTheBitsWritten) {
  std::mt19937_64 rng(5);
  for (int iter = 0; iter < 300; ++iter) {
    const size_t n = 1 + rng() % 200;
    const unsigned d = static_cast<unsigned>(rng() % 10);
    std::vector<double> v;
    int64_t m = static_cast<int64_t>(rng() % 100'000);
    for (size_t i = 0; i < n; ++i) {
      m += static_cast<int64_t>(rng() % 41) - 20;
      v.push_back(fromScaled(m, d));
    }
    const ColumnPlan plan = planColumn(n, [&](size_t i) { return v[i]; });
    if (!plan.decimal) continue;
    BitCounter c;
    writeDecimalHeader(c, plan.params);
    DecimalCoder coder(plan.params);
    for (int64_t s : plan.scaled) coder.encode(c, s);
    ASSERT_EQ(c.bitCount(), plan.bits);
    XorCoder x;
    BitCounter xc;
    for (double e : v) x.encode(xc, std::bit_cast<uint64_t>(e));
    ASSERT_LT(plan.bits, xc.bitCount());
  }
}

TEST(DecimalPlan, ModeSelectionOnHandMadeColumns) {
  struct Case {
    const char* name;
    std::vector<double> values;
    bool decimal;
    unsigned d;
  };
  std::vector<double> bigJumps;  // decimal-coded deltas of 2^52 cost far more than XOR
  for (int i = 0; i < 50; ++i) bigJumps.push_back(i % 2 ? 0x1p52 : 0.0);
  const std::vector<Case> cases = {
      {"short decimals", {1.5, 2.25, -3.125, 0.0, 7.75, 2.5}, true, 3},
      {"counts", {17, 18, 17, 0, 3, 5, 8, 8, 9}, true, 0},
      {"pm2.5", {35.2, 35.9, 36.4, 33.0, 34.1, 34.5}, true, 1},
      {"large magnitude", {123456789012.345, 123456789012.346, 123456789012.344, 123456789012.35}, true, 3},
      {"0.1 + 0.2", {1.0, 0.1 + 0.2, 1.0, 1.5}, false, 0},
      {"-0.0", {1.0, -0.0, 2.0, 3.0}, false, 0},
      {"NaN", {1.0, std::numeric_limits<double>::quiet_NaN(), 2.0}, false, 0},
      {"infinity", {1.0, std::numeric_limits<double>::infinity()}, false, 0},
      {"full precision", {100.0, 100.83746, 99.1234567891, 101.5}, false, 0},
      {"too many decimals", {1.5, 1e-10}, false, 0},
      {"decimal but XOR is smaller", bigJumps, false, 0},
  };
  for (const Case& c : cases) {
    const auto in = regular(c.values);
    const std::string blob = encodeChunk(in);
    const auto mode = chunkValueMode(blob);
    EXPECT_EQ(mode.has_value(), c.decimal) << c.name;
    if (mode && c.decimal) {
      EXPECT_EQ(mode->d, c.d) << c.name;
    }
    expectSame(chunkRoundTrip(in), in, c.name);
  }
  // The -0.0 keeps its sign through XOR.
  const auto negZero = chunkRoundTrip(regular({1.0, -0.0}));
  ASSERT_EQ(negZero.size(), 2u);
  EXPECT_TRUE(std::signbit(negZero[1].v));
}

TEST(DecimalPlan, OrderFollowsTheData) {
  // A random walk: plain deltas.
  const auto walk = testdata::walk3Decimals(1000, 1);
  auto mode = chunkValueMode(encodeChunk(walk));
  ASSERT_TRUE(mode.has_value());
  EXPECT_EQ(mode->d, 3);
  EXPECT_FALSE(mode->dod);
  // A meter with a steady rate: delta-of-deltas, about 1 bit per value.
  const auto meter = testdata::meterReading(1000, 2);
  const std::string blob = encodeChunk(meter);
  mode = chunkValueMode(blob);
  ASSERT_TRUE(mode.has_value());
  EXPECT_TRUE(mode->dod);
  EXPECT_EQ(mode->k, 0);
  EXPECT_LT(blob.size(), 1000 * 3 / 8 + 40);  // time 1 bit + value ~1 bit + rate changes
  expectSame(chunkRoundTrip(meter), meter, "meter");
  // The river gauge is in cm.
  mode = chunkValueMode(encodeChunk(testdata::riverLevel(1440, 3)));
  ASSERT_TRUE(mode.has_value());
  EXPECT_EQ(mode->d, 2);
}

// ------------------------------------------------------------------------------------------
// Exact sizes

TEST(DecimalChunk, HandComputedTinyChunk) {
  // t = 1000, 61000, 121000; v = 1.5, 1.75, 1.5 -> d = 2, m = 150, 175, 150.
  const std::vector<Sample> in = {{1000, 1.5, 0}, {61'000, 1.75, 0}, {121'000, 1.5, 0}};
  const std::string blob = encodeChunk(in);
  // Decimal: deltas +25, -25 -> zigzag 50, 49; k = 5 (7 bits each; delta-of-deltas would
  // be 50, 99 -> 15 bits). 11 + 14 (first value) + 14 = 39 bits against 41 for XOR
  // (24 + 14 + 3). Times: the first delta is the header's mean step, so '0' and '0'.
  std::string expect = {'\x02', '\x09', '\x03', '\xe8', '\x07', '\xc0', '\xa9', '\x07'};
  expect += bitsToBytes(
      "0010" "0" "000101"          // d = 2, deltas, k = 5
      "1011001" "0001000"          // zigzag(150) = 300 in 6-bit groups: 44 + more, 4
      "0" "10" "10010"             // t: dod 0; v: z = 50, q = 1, low 5 bits
      "0" "10" "10001");           // t: dod 0; v: z = 49
  EXPECT_EQ(blob.size(), 14u);
  EXPECT_EQ(blob, expect);
  expectSame(chunkRoundTrip(in), in, "tiny");
}

TEST(DecimalChunk, ThreeDecimalWalkUnderOneBytePerSampleIn100SampleChunks) {
  size_t bytes = 0, samples = 0;
  for (uint32_t s = 0; s < 200; ++s) {
    const auto in = testdata::walk3Decimals(100, 100 + s);
    const std::string blob = encodeChunk(in);
    bytes += blob.size();
    samples += in.size();
    ASSERT_EQ(*decodeChunk(blob), in);
  }
  const double perSample = static_cast<double>(bytes) / static_cast<double>(samples);
  std::cout << "3-decimal walk, 100-sample chunks: " << perSample << " bytes/sample\n";
  EXPECT_LT(perSample, 1.0);
}

// ------------------------------------------------------------------------------------------
// Bit-exact round trips of random decimal columns, with and without values that force XOR.

TEST(DecimalChunk, RandomDecimalColumnsRoundTripBitExact) {
  std::mt19937_64 rng(2024);
  int decimalChunks = 0, xorChunks = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    const size_t n = 1 + rng() % 200;
    const unsigned d = static_cast<unsigned>(rng() % (kMaxDecimals + 1));
    const int magnitude = static_cast<int>(rng() % 5);
    const bool poison = rng() % 4 == 0;
    std::vector<Sample> in;
    int64_t t = static_cast<int64_t>(rng() % (uint64_t{1} << 45));
    int64_t m = 0;
    for (size_t i = 0; i < n; ++i) {
      t += rng() % 3 ? 60'000 : 1 + static_cast<int64_t>(rng() % 1'000'000);
      switch (magnitude) {
        case 0: m = static_cast<int64_t>(rng() % 21) - 10; break;                          // near zero
        case 1: m += static_cast<int64_t>(rng() % 201) - 100; break;                       // a walk
        case 2: m = static_cast<int64_t>(rng() % 2'000'000'000'001) - 1'000'000'000'000; break;
        case 3: m = static_cast<int64_t>(rng() % static_cast<uint64_t>(2 * kMaxScaled + 1)) - kMaxScaled; break;
        default: m = rng() % 2 ? kMaxScaled - static_cast<int64_t>(rng() % 3) : -kMaxScaled + static_cast<int64_t>(rng() % 3); break;
      }
      if (m > kMaxScaled) m = kMaxScaled;
      if (m < -kMaxScaled) m = -kMaxScaled;
      // Some values with fewer decimals, so the column mixes them.
      const unsigned dv = rng() % 5 == 0 ? static_cast<unsigned>(rng() % (d + 1)) : d;
      int64_t mv = m;
      if (dv < d) mv = m / static_cast<int64_t>(kPow10[d - dv]);
      double v = fromScaled(mv, dv);
      if (poison && rng() % 50 == 0) {
        const double bad[] = {-0.0, 0.1 + 0.2, std::numeric_limits<double>::quiet_NaN(), 1e-12, 0x1p60,
                              std::numeric_limits<double>::infinity()};
        v = bad[rng() % 6];
      }
      const uint8_t q = rng() % 8 == 0 ? static_cast<uint8_t>(rng() % 3) : 0;
      in.push_back({t, v, q});
    }
    const std::string blob = encodeChunk(in);
    (chunkValueMode(blob) ? decimalChunks : xorChunks)++;
    auto out = decodeChunk(blob);
    ASSERT_TRUE(out.ok()) << iter << ": " << out.error().message;
    expectSame(*out, in, "iteration " + std::to_string(iter));
    if (::testing::Test::HasFatalFailure()) return;

    // The same values as rollup columns.
    const auto buckets = rollup(in, std::vector<int64_t>{kMinute, 5 * kMinute, 3'600'000}[iter % 3]);
    auto rb = decodeRollups(encodeRollups(buckets));
    ASSERT_TRUE(rb.ok()) << iter << ": " << rb.error().message;
    ASSERT_EQ(*rb, buckets) << iter;
  }
  std::cout << "random columns: " << decimalChunks << " decimal chunks, " << xorChunks << " XOR chunks\n";
  EXPECT_GT(decimalChunks, 1000);
  EXPECT_GT(xorChunks, 300);
}

// ------------------------------------------------------------------------------------------
// Malformed decimal fields

/// A chunk of `count` samples at a 60 s cadence, all quality 0, with the decimal flag; `body`
/// writes the bit stream (decimal header, then per sample the time bit '0' for i > 0 and the value).
std::string decimalChunk(uint64_t count, const std::function<void(BitWriter&)>& body) {
  std::string out = {static_cast<char>(kChunkFormatVersion), '\x09'};
  putUvarint(out, count);
  putUvarint(out, static_cast<uint64_t>(kT0));
  putUvarint(out, count == 0 ? 0 : (count - 1) * 60'000);
  BitWriter w(out);
  body(w);
  w.finish();
  return out;
}

void header(BitWriter& w, unsigned d, bool dod, unsigned k) {
  w.write((uint64_t{d} << 7) | (uint64_t{dod} << 6) | k, 11);
}

TEST(DecimalChunk, HandBuiltValidBlobsDecode) {
  // Baselines for the malformed ones below.
  auto two = decodeChunk(decimalChunk(2, [](BitWriter& w) {
    header(w, 1, false, 0);
    w.writeVarBits(zigzag64(15), 6);  // 1.5
    w.write(0, 1);                    // time
    w.write(0b10, 2);                 // z = 1 -> delta -1 -> 1.4
  }));
  ASSERT_TRUE(two.ok()) << two.error().message;
  EXPECT_EQ(*two, (std::vector<Sample>{{kT0, 1.5, 0}, {kT0 + 60'000, 1.4, 0}}));

  // From the largest to the smallest m in one step: delta -(2^54 - 2), zigzag 2^55 - 5 (55 bits).
  auto max = decodeChunk(decimalChunk(2, [](BitWriter& w) {
    header(w, 0, true, 0);
    w.writeVarBits(zigzag64(kMaxScaled), 6);
    w.write(0, 1);
    const uint64_t z = zigzag64(-2 * kMaxScaled);
    ASSERT_EQ(std::bit_width(z), 55);
    w.write(0b11111111, 8);  // escape
    w.write(54, 6);          // width 55
    w.write(z, 54);          // the low 54 bits
  }));
  ASSERT_TRUE(max.ok()) << max.error().message;
  EXPECT_EQ((*max)[0].v, 0x1p53 - 1);
  EXPECT_EQ((*max)[1].v, -(0x1p53 - 1));
}

TEST(DecimalChunk, RejectsMalformedDecimalFields) {
  for (unsigned d = 10; d < 16; ++d) {
    const std::string b = decimalChunk(1, [d](BitWriter& w) {
      header(w, d, false, 0);
      w.writeVarBits(0, 6);
    });
    expectCorrupt(b, "d > 9");
    EXPECT_FALSE(peekChunk(b).ok());
  }
  for (unsigned k = kMaxRiceK + 1; k < 64; ++k) {
    expectCorrupt(decimalChunk(1, [k](BitWriter& w) {
      header(w, 0, false, k);
      w.writeVarBits(0, 6);
    }), "k > 56");
  }
  // The decimal flag on an empty chunk.
  expectCorrupt(std::string{static_cast<char>(kChunkFormatVersion), '\x08', '\x00'}, "decimal flag, count 0");
  expectCorrupt(std::string{static_cast<char>(kChunkFormatVersion), '\x09', '\x00'}, "decimal flag, count 0");
  // A header cut short.
  {
    std::string b = decimalChunk(1, [](BitWriter& w) { w.write(0, 8); });
    expectCorrupt(b, "short header");
  }
  // First value out of range, either sign.
  for (int64_t m : {kTwo53, -kTwo53, std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    expectCorrupt(decimalChunk(1, [m](BitWriter& w) {
      header(w, 0, false, 0);
      w.writeVarBits(zigzag64(m), 6);
    }), "first m out of range");
  }
  // A delta that leaves the range.
  expectCorrupt(decimalChunk(2, [](BitWriter& w) {
    header(w, 0, false, 0);
    w.writeVarBits(zigzag64(kMaxScaled), 6);
    w.write(0, 1);
    w.write(0b110, 3);  // z = 2 -> +1
  }), "m overflow by delta");
  expectCorrupt(decimalChunk(3, [](BitWriter& w) {
    header(w, 0, true, 0);
    w.writeVarBits(zigzag64(kMaxScaled - 1), 6);
    w.write(0, 1);
    w.write(0b10, 2);   // dod -1: m = max - 2, delta -1
    w.write(0, 1);
    w.write(0b11111111, 8);  // escape
    w.write(3, 6);           // width 4: z = 8 -> dod +4 -> delta +3 -> m = max + 1
    w.write(0, 3);
  }), "m overflow by delta-of-delta");
  // Escapes: too wide, and not canonical (short enough for the plain code).
  expectCorrupt(decimalChunk(2, [](BitWriter& w) {
    header(w, 0, false, 0);
    w.writeVarBits(0, 6);
    w.write(0, 1);
    w.write(0b11111111, 8);
    w.write(56, 6);  // width 57
    w.write(0, 56);
  }), "escape wider than 56 bits");
  for (unsigned width : {1u, 2u, 3u}) {
    expectCorrupt(decimalChunk(2, [width](BitWriter& w) {
      header(w, 0, false, 0);
      w.writeVarBits(0, 6);
      w.write(0, 1);
      w.write(0b11111111, 8);
      w.write(width - 1, 6);
      w.write(0, width - 1);
    }), "non-canonical escape");
  }
  // The plain code with k = 56 and q >= 1 reaches 2^56.
  expectCorrupt(decimalChunk(2, [](BitWriter& w) {
    header(w, 0, false, 56);
    w.writeVarBits(0, 6);
    w.write(0, 1);
    w.write(0b10, 2);
    w.write(0, 56);
  }), "z >= 2^56");
  // Varbits of the first value running past 64 bits.
  expectCorrupt(decimalChunk(1, [](BitWriter& w) {
    header(w, 0, false, 0);
    for (int i = 0; i < 12; ++i) w.write(0b1111111, 7);
  }), "first value too long");
}

TEST(DecimalRollups, ColumnModes) {
  auto roundTrips = [](const std::vector<Bucket>& b) {
    auto r = decodeRollups(encodeRollups(b));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r, b);
  };
  // Hourly buckets of a 3-decimal walk: sums of 60 decimals pick up rounding, so XOR; min,
  // max and last are readings, so decimal. No bucket has one sample: `single` is unused.
  const auto walk = testdata::walk3Decimals(48 * 60, 4);
  const auto hourly = rollup(walk, 60 * kMinute);
  auto modes = rollupModes(encodeRollups(hourly));
  ASSERT_EQ(modes.size(), 5u);
  EXPECT_FALSE(modes[0]);
  EXPECT_FALSE(modes[1]);
  for (int c = 2; c < 5; ++c) {
    ASSERT_TRUE(modes[c]) << c;
    EXPECT_EQ(modes[c]->d, 3) << c;
  }
  roundTrips(hourly);

  // 1-minute buckets of 1-minute data: all single values.
  const auto minutes = rollup(walk, kMinute);
  modes = rollupModes(encodeRollups(minutes));
  ASSERT_TRUE(modes[0]);
  EXPECT_EQ(modes[0]->d, 3);
  for (int c = 1; c < 5; ++c) EXPECT_FALSE(modes[c]) << c;
  roundTrips(minutes);

  // Counts: the sums are integers too.
  std::vector<double> counts;
  std::mt19937_64 rng(9);
  for (int i = 0; i < 24 * 60; ++i) counts.push_back(static_cast<double>(rng() % 30));
  const auto countBuckets = rollup(regular(counts), 60 * kMinute);
  modes = rollupModes(encodeRollups(countBuckets));
  for (int c = 1; c < 5; ++c) {
    ASSERT_TRUE(modes[c]) << c;
    EXPECT_EQ(modes[c]->d, 0) << c;
  }
  roundTrips(countBuckets);

  // An irregular sensor: some minutes have one reading, some two; both kinds of column are used.
  std::vector<Sample> irregular;
  for (size_t i = 0; i < walk.size(); ++i) {
    irregular.push_back(walk[i]);
    if (i % 3 == 0) irregular.push_back({walk[i].t + 30'000, (std::round(walk[i].v * 1000) + 4) / 1000, 0});
  }
  const auto mixed = rollup(irregular, kMinute);
  modes = rollupModes(encodeRollups(mixed));
  EXPECT_TRUE(modes[0]);
  EXPECT_TRUE(modes[2]);
  EXPECT_TRUE(modes[3]);
  EXPECT_TRUE(modes[4]);
  roundTrips(mixed);
}

TEST(DecimalRollups, RejectsMalformedColumnHeaders) {
  auto blob = [](unsigned d, unsigned k) {
    std::string out = {static_cast<char>(kRollupFormatVersion), '\x01', '\x00'};  // one bucket at 0
    BitWriter w(out);
    w.write(1, 1);  // single: decimal
    header(w, d, false, k);
    w.write(0, 4);  // sum, min, max, last: XOR
    w.write(0, 1);  // regular: count 1, offset 0
    w.writeVarBits(zigzag64(15), 6);
    w.finish();
    return out;
  };
  auto ok = decodeRollups(blob(1, 0));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(*ok, (std::vector<Bucket>{{0, 1, 1.5, 1.5, 1.5, 1.5, 0}}));
  for (unsigned d = 10; d < 16; ++d) EXPECT_FALSE(decodeRollups(blob(d, 0)).ok());
  for (unsigned k = kMaxRiceK + 1; k < 64; ++k) EXPECT_FALSE(decodeRollups(blob(1, k)).ok());
  std::string cut = blob(1, 0);
  cut.resize(4);
  EXPECT_FALSE(decodeRollups(cut).ok());
}

}  // namespace
}  // namespace cityops::tsdb
