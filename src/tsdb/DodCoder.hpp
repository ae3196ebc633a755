#pragma once
// DodCoder: delta-of-delta coding of strictly increasing int64 times (Gorilla, with the
// Prometheus bucket widths for millisecond times):
//   '0'            dod == 0
//   '10'   + 14b   signed dod
//   '110'  + 17b
//   '1110' + 20b
//   '1111' + 64b
// The first time is stored elsewhere; the delta before the first coded time is 0 unless the
// caller passes a better guess both sides know (ChunkCodec: the mean step from its header).
#include <bit>
#include <cstdint>
#include <limits>

#include "tsdb/BitReader.hpp"
#include "tsdb/BitWriter.hpp"

namespace cityops::tsdb {

class DodCoder {
 public:
  explicit DodCoder(int64_t first, uint64_t initialDelta = 0) : prevT_(first), prevDelta_(initialDelta) {}

  void encode(BitWriter& w, int64_t t) {
    const uint64_t delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(prevT_);
    const int64_t dod = static_cast<int64_t>(delta - prevDelta_);
    prevT_ = t;
    prevDelta_ = delta;
    if (dod == 0) {
      w.write(0, 1);
    } else if (fits(dod, 14)) {
      w.write((uint64_t{0b10} << 14) | mask(dod, 14), 16);
    } else if (fits(dod, 17)) {
      w.write((uint64_t{0b110} << 17) | mask(dod, 17), 20);
    } else if (fits(dod, 20)) {
      w.write((uint64_t{0b1110} << 20) | mask(dod, 20), 24);
    } else {
      w.write(0b1111, 4);
      w.write(static_cast<uint64_t>(dod), 64);
    }
  }

  /// Decodes the next time. False if it would not be strictly greater than the previous one
  /// or would overflow int64. Underrun is not checked here; see BitReader::overrun().
  bool decode(BitReader& r, int64_t& t) {
    const uint64_t w = r.peek();
    uint64_t dod;
    if ((w >> 63) == 0) {
      r.skip(1);
      dod = 0;
    } else {
      switch (std::countl_one(w)) {
        case 1: dod = sext((w << 2) >> 50, 14); r.skip(16); break;
        case 2: dod = sext((w << 3) >> 47, 17); r.skip(20); break;
        case 3: dod = sext((w << 4) >> 44, 20); r.skip(24); break;
        default: r.skip(4); dod = r.readUnchecked(64); break;
      }
    }
    return apply(dod, t);
  }

  /// True if t continues the current cadence (its dod would be 0).
  bool continues(int64_t t) const {
    return static_cast<uint64_t>(t) - static_cast<uint64_t>(prevT_) == prevDelta_;
  }

  /// Advances by the current delta without coding anything (both sides must do the same).
  /// False, as decode(), if that would not increase the time or would overflow.
  bool repeat(int64_t& t) { return apply(0, t); }

  int64_t prev() const { return prevT_; }

 private:
  bool apply(uint64_t dod, int64_t& t) {
    const uint64_t delta = prevDelta_ + dod;
    const auto sdelta = static_cast<int64_t>(delta);
    if (sdelta <= 0 || prevT_ > std::numeric_limits<int64_t>::max() - sdelta) return false;
    prevT_ += sdelta;
    prevDelta_ = delta;
    t = prevT_;
    return true;
  }

  static bool fits(int64_t v, unsigned n) {
    const int64_t lim = int64_t{1} << (n - 1);
    return v >= -lim && v < lim;
  }
  static uint64_t mask(int64_t v, unsigned n) {
    return static_cast<uint64_t>(v) & ((uint64_t{1} << n) - 1);
  }
  static uint64_t sext(uint64_t v, unsigned n) {
    return static_cast<uint64_t>(static_cast<int64_t>(v << (64 - n)) >> (64 - n));
  }

  int64_t prevT_;
  uint64_t prevDelta_;
};

}  // namespace cityops::tsdb
