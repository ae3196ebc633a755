#pragma once
// DecimalCoder: a column of doubles that are all short decimals, coded as scaled integers and
// their deltas (the VictoriaMetrics idea), instead of Gorilla XOR.
//
// A column qualifies when one d in 0..9 gives every value v an integer m with
// |m| <= 2^53 - 1 and fromScaled(m, d) == v bit for bit. fromScaled is the one formula both
// encoder and decoder use: static_cast<double>(m) / 10^d, with 10^d an exact double. IEEE
// division rounds correctly, so that is exactly the double strtod gives for the text of the
// decimal ("1.234" -> 1234 / 1000.0). -0.0, NaN and infinities never qualify.
//
// Column header (kDecimalHeaderBits = 11 bits):
//   4 bits d (0..9), 1 bit order (0: deltas, 1: delta-of-deltas), 6 bits k (Rice parameter, 0..56)
// Values, one per row of the column:
//   first    zigzag(m) in 6-bit groups (BitWriter::writeVarBits)
//   others   z = zigzag(m - previous m)              (order 0)
//            z = zigzag(delta - previous delta)     (order 1; the delta before the second value is 0)
//            Rice coded with parameter k:
//              q = z >> k < 8:  q one bits, a zero bit, the low k bits of z
//              otherwise:       8 one bits, 6 bits b - 1 with b = bit width of z (k + 3 < b <= 56),
//                               the low b - 1 bits of z (its top bit is implicit)
// The decoder rejects d > 9, k > 56, z >= 2^56, a non-canonical escape and any m outside
// +-(2^53 - 1), so no arithmetic can overflow.
#include <bit>
#include <cassert>
#include <cstdint>
#include <vector>

#include "tsdb/BitReader.hpp"
#include "tsdb/BitWriter.hpp"
#include "tsdb/Sample.hpp"
#include "tsdb/XorCoder.hpp"

namespace cityops::tsdb {

inline constexpr unsigned kMaxDecimals = 9;
inline constexpr double kPow10[kMaxDecimals + 1] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
inline constexpr int64_t kMaxScaled = (int64_t{1} << 53) - 1;
inline constexpr unsigned kMaxRiceK = 56;
inline constexpr unsigned kDecimalHeaderBits = 11;

/// The one formula that turns a scaled integer back into a double (|m| <= kMaxScaled, d <= 9).
inline double fromScaled(int64_t m, unsigned d) { return static_cast<double>(m) / kPow10[d]; }

/// Finds m with fromScaled(m, d) bitwise equal to v and |m| <= kMaxScaled; false if there is
/// none. v * 10^d is within 1.5 of such an m (v is m / 10^d rounded, then the product is
/// rounded), so the nearest integer or one of its neighbours is it.
inline bool toScaled(double v, unsigned d, int64_t& m) {
  const double x = v * kPow10[d];
  if (!(x >= -0x1p53 && x <= 0x1p53)) return false;  // NaN, infinities, too large
  int64_t r = static_cast<int64_t>(x);               // toward zero
  const double frac = x - static_cast<double>(r);    // exact
  if (frac >= 0.5) {
    ++r;
  } else if (frac <= -0.5) {
    --r;
  }
  if (r <= kMaxScaled && r >= -kMaxScaled && sameBits(fromScaled(r, d), v)) [[likely]] {
    m = r;
    return true;
  }
  for (const int64_t c : {r - 1, r + 1}) {
    if (c <= kMaxScaled && c >= -kMaxScaled && sameBits(fromScaled(c, d), v)) {
      m = c;
      return true;
    }
  }
  return false;
}

inline uint64_t zigzag64(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t unzigzag64(uint64_t u) { return static_cast<int64_t>((u >> 1) ^ (0 - (u & 1))); }

struct DecimalParams {
  uint8_t d = 0;     // decimals, 0..9
  bool dod = false;  // order: false = deltas, true = delta-of-deltas
  uint8_t k = 0;     // Rice parameter, 0..kMaxRiceK
  bool operator==(const DecimalParams&) const = default;
};

template <class W>
void writeDecimalHeader(W& w, const DecimalParams& p) {
  w.write((uint64_t{p.d} << 7) | (uint64_t{p.dod} << 6) | p.k, kDecimalHeaderBits);
}

/// Reads and validates a column header. False on overrun, d > 9 or k > 56.
inline bool readDecimalHeader(BitReader& r, DecimalParams& p) {
  const uint64_t h = r.readUnchecked(kDecimalHeaderBits);
  p.d = static_cast<uint8_t>(h >> 7);
  p.dod = ((h >> 6) & 1) != 0;
  p.k = static_cast<uint8_t>(h & 63);
  return !r.overrun() && p.d <= kMaxDecimals && p.k <= kMaxRiceK;
}

namespace rice {

inline constexpr unsigned kMaxQ = 8;       // q >= kMaxQ takes the escape
inline constexpr unsigned kLenBits = 6;    // escape: bit width - 1
inline constexpr unsigned kMaxWidth = 56;  // z < 2^56

/// Bits of z with parameter k.
inline unsigned cost(uint64_t z, unsigned k) {
  const auto b = static_cast<unsigned>(std::bit_width(z));
  if (b <= k + 3) return static_cast<unsigned>(z >> k) + 1 + k;
  return kMaxQ + kLenBits + b - 1;
}

template <class W>
void write(W& w, uint64_t z, unsigned k) {
  const auto b = static_cast<unsigned>(std::bit_width(z));
  assert(b <= kMaxWidth && k <= kMaxRiceK);
  if (b <= k + 3) {
    const auto q = static_cast<unsigned>(z >> k);  // < 8
    const uint64_t low = k == 0 ? 0 : z & (~uint64_t{0} >> (64 - k));
    w.write((((uint64_t{1} << q) - 1) << (k + 1)) | low, q + 1 + k);  // at most 64 bits
    return;
  }
  w.write((uint64_t{1} << kMaxQ) - 1, kMaxQ);
  w.write(b - 1, kLenBits);
  w.write(z, b - 1);  // write() keeps the low b - 1 bits
}

/// Reads one value. False on a value of 2^56 or more or a non-canonical escape; underrun is
/// left to BitReader::overrun().
inline bool read(BitReader& r, unsigned k, uint64_t& z) {
  const uint64_t w = r.peek();
  const auto q = static_cast<unsigned>(std::countl_one(w));
  if (q < kMaxQ) [[likely]] {
    const unsigned n = q + 1 + k;
    if (k == 0) {
      z = q;
      r.skip(n);
      return true;
    }
    if (n <= 57) {
      z = (uint64_t{q} << k) | ((w << (q + 1)) >> (64 - k));
      r.skip(n);
    } else {
      r.skip(q + 1);
      z = (uint64_t{q} << k) | r.readUnchecked(k);
    }
    return (z >> kMaxWidth) == 0;
  }
  r.skip(kMaxQ);
  const auto b = static_cast<unsigned>(r.readUnchecked(kLenBits)) + 1;
  if (b > kMaxWidth || b <= k + 3) return false;
  z = (uint64_t{1} << (b - 1)) | r.readUnchecked(b - 1);
  return true;
}

/// The exact cost of a sequence of values for every k at once, fed one value at a time:
/// O(1) per value, O(kMaxRiceK) to pick the best k. With b the bit width of z, the cost is
/// k + 1 for b <= k, (z >> k) + 1 + k for k < b <= k + 3 (z >> k is the top 1..3 bits of z),
/// and an escape for b > k + 3; so per width it takes the number of values and how many have
/// the second and the third bit from the top set.
class CostTable {
 public:
  void add(uint64_t z) {
    const auto b = static_cast<unsigned>(std::bit_width(z));
    assert(b <= kMaxWidth);  // holds for deltas and delta-of-deltas of |m| <= kMaxScaled
    ++n_[b];
    second_[b] += (z >> (b >= 2 ? b - 2 : 63)) & 1;
    third_[b] += (z >> (b >= 3 ? b - 3 : 63)) & 1;
  }

  /// The k with the fewest bits (the smallest such k) and that number of bits.
  void best(unsigned& bestK, uint64_t& bestBits) const {
    uint64_t escape[kMaxWidth + 2] = {};  // escape[w]: bits of the escapes of all values of width >= w
    for (unsigned b = kMaxWidth + 1; b-- > 0;) escape[b] = escape[b + 1] + n_[b] * (kMaxQ + kLenBits + b - 1);
    uint64_t narrow = 0;  // values of width <= k + 3
    for (unsigned b = 0; b <= 2; ++b) narrow += n_[b];
    bestK = 0;
    bestBits = ~uint64_t{0};
    for (unsigned k = 0; k <= kMaxRiceK; ++k) {
      if (k + 3 <= kMaxWidth) narrow += n_[k + 3];
      uint64_t bits = narrow * (k + 1);
      // Sum of z >> k over widths k + 1 .. k + 3 (top 1, 2 or 3 bits).
      if (k + 1 <= kMaxWidth) bits += n_[k + 1];
      if (k + 2 <= kMaxWidth) bits += 2 * n_[k + 2] + second_[k + 2];
      if (k + 3 <= kMaxWidth) bits += 4 * n_[k + 3] + 2 * second_[k + 3] + third_[k + 3];
      if (k + 4 <= kMaxWidth) bits += escape[k + 4];
      if (bits < bestBits) {
        bestBits = bits;
        bestK = k;
      }
    }
  }

 private:
  uint64_t n_[kMaxWidth + 1] = {};
  uint64_t second_[kMaxWidth + 1] = {};
  uint64_t third_[kMaxWidth + 1] = {};
};

}  // namespace rice

/// Codes one decimal column (see the top of this file). The same state type drives encoding
/// and decoding.
class DecimalCoder {
 public:
  DecimalCoder() = default;
  explicit DecimalCoder(const DecimalParams& p) : div_(kPow10[p.d]), k_(p.k), dod_(p.dod) {}

  /// W is BitWriter or BitCounter. |m| <= kMaxScaled.
  template <class W>
  void encode(W& w, int64_t m) {
    if (!started_) [[unlikely]] {
      started_ = true;
      prev_ = m;
      w.writeVarBits(zigzag64(m), kFirstGroup);
      return;
    }
    const int64_t delta = m - prev_;
    const uint64_t z = zigzag64(dod_ ? delta - prevDelta_ : delta);
    prev_ = m;
    prevDelta_ = delta;
    rice::write(w, z, k_);
  }

  /// Decodes the next value. False on a malformed value (corrupt input); underrun is left to
  /// BitReader::overrun().
  bool decode(BitReader& r, double& v) {
    int64_t m;
    if (!started_) [[unlikely]] {
      uint64_t z;
      if (!r.readVarBits(kFirstGroup, z)) return false;
      started_ = true;
      m = unzigzag64(z);
    } else {
      uint64_t z;
      if (!rice::read(r, k_, z)) return false;
      int64_t delta = unzigzag64(z);  // |delta| < 2^55
      if (dod_) delta += prevDelta_;  // |prevDelta_| < 2^54
      prevDelta_ = delta;
      m = prev_ + delta;
    }
    if (m > kMaxScaled || m < -kMaxScaled) return false;
    prev_ = m;
    v = static_cast<double>(m) / div_;  // fromScaled
    return true;
  }

  static constexpr unsigned kFirstGroup = 6;

 private:
  double div_ = 1;
  unsigned k_ = 0;
  bool dod_ = false;
  bool started_ = false;
  int64_t prev_ = 0;
  int64_t prevDelta_ = 0;
};

/// Finds the smallest d (0..9) such that every value v = get(i), i < n, has an m with
/// toScaled(v, d, m), and fills `scaled` with those m. False if there is no such d.
/// (A value that fits d fits every larger d while m stays below 2^53: same rational number,
/// same correctly rounded quotient. So d only ever has to grow.)
template <class Get>
bool scaleColumn(size_t n, Get&& get, unsigned& d, std::vector<int64_t>& scaled) {
  scaled.resize(n);
  d = 0;
  size_t sameFrom = 0;  // scaled[sameFrom..i) were scaled with the current d
  for (size_t i = 0; i < n; ++i) {
    const double v = get(i);
    while (!toScaled(v, d, scaled[i])) {
      if (d == kMaxDecimals) return false;
      ++d;
      sameFrom = i;
    }
  }
  // Values before the last change of d: scale (and check) again with the final d.
  for (size_t i = 0; i < sameFrom; ++i) {
    if (!toScaled(get(i), d, scaled[i])) return false;
  }
  return true;
}

/// How the encoder codes one value column: XOR, or decimal with `params` and the scaled
/// integers (one per value). Chosen by exact bit counts: decimal only when it is smaller.
struct ColumnPlan {
  bool decimal = false;
  DecimalParams params;
  std::vector<int64_t> scaled;  // when decimal
  uint64_t bits = 0;            // when decimal: its bits, including the column header
};

/// Plans a column of n values, get(i) -> double.
template <class Get>
ColumnPlan planColumn(size_t n, Get&& get) {
  ColumnPlan plan;
  unsigned d;
  if (n == 0 || !scaleColumn(n, get, d, plan.scaled)) {
    plan.scaled.clear();
    return plan;
  }
  const std::vector<int64_t>& m = plan.scaled;
  // Exact cost of both orders for every k.
  rice::CostTable deltas, dods;
  int64_t prevDelta = 0;
  for (size_t i = 1; i < n; ++i) {
    const int64_t delta = m[i] - m[i - 1];
    deltas.add(zigzag64(delta));
    dods.add(zigzag64(delta - prevDelta));
    prevDelta = delta;
  }
  unsigned kDelta, kDod;
  uint64_t bitsDelta, bitsDod;
  deltas.best(kDelta, bitsDelta);
  dods.best(kDod, bitsDod);
  BitCounter first;
  first.writeVarBits(zigzag64(m[0]), DecimalCoder::kFirstGroup);
  const bool dod = bitsDod < bitsDelta;
  const uint64_t decimalBits = kDecimalHeaderBits + first.bitCount() + (dod ? bitsDod : bitsDelta);
  // XOR only if it is at most as small: stop counting its bits once it is larger.
  XorCoder x;
  BitCounter xorBits;
  for (size_t i = 0; i < n && xorBits.bitCount() <= decimalBits; ++i) x.encode(xorBits, std::bit_cast<uint64_t>(get(i)));
  if (xorBits.bitCount() <= decimalBits) {
    plan.scaled.clear();
    return plan;
  }
  plan.decimal = true;
  plan.params = DecimalParams{static_cast<uint8_t>(d), dod, static_cast<uint8_t>(dod ? kDod : kDelta)};
  plan.bits = decimalBits;
  return plan;
}

}  // namespace cityops::tsdb
