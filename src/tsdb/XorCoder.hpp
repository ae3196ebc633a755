#pragma once
// XorCoder: Gorilla XOR coding of a stream of 64-bit values (doubles as bits).
//   '0'                         same as previous
//   '10' + meaningful bits      XOR fits the previous leading/trailing-zero window
//   '11' + 5b lead + 6b sig + sig bits   new window (sig 64 written as 0)
// The same state type drives encoding and decoding. The previous value starts at 0.
#include <algorithm>
#include <bit>
#include <cstdint>

#include "tsdb/BitReader.hpp"
#include "tsdb/BitWriter.hpp"

namespace cityops::tsdb {

class XorCoder {
 public:
  /// W is BitWriter, or BitCounter to measure what the coding would cost.
  template <class W>
  void encode(W& w, uint64_t bits) {
    const uint64_t x = bits ^ prev_;
    prev_ = bits;
    if (x == 0) {
      w.write(0, 1);
      return;
    }
    const unsigned lead = std::min(std::countl_zero(x), 31);
    const unsigned trail = static_cast<unsigned>(std::countr_zero(x));
    const unsigned sig = 64 - lead - trail;
    if (lead_ != kNoWindow && lead >= lead_ && trail >= trail_) {
      const unsigned wsig = 64u - lead_ - trail_;
      // Reuse unless a fresh window is cheaper (it costs 11 header bits).
      if (wsig <= sig + 11) {
        w.write(0b10, 2);
        w.write(x >> trail_, wsig);
        return;
      }
    }
    lead_ = static_cast<uint8_t>(lead);
    trail_ = static_cast<uint8_t>(trail);
    w.write((uint64_t{0b11} << 11) | (lead << 6) | (sig & 63), 13);
    w.write(x >> trail, sig);
  }

  /// Decodes the next value into `bits`. False on a malformed window (corrupt input).
  /// Underrun is not checked here; see BitReader::overrun().
  bool decode(BitReader& r, uint64_t& bits) {
    const uint64_t w = r.peek();
    if ((w >> 63) == 0) {
      r.skip(1);
      bits = prev_;
      return true;
    }
    if (((w >> 62) & 1) == 0) {
      if (lead_ == kNoWindow) return false;
      r.skip(2);
    } else {
      const unsigned lead = (w >> 57) & 31;
      unsigned sig = (w >> 51) & 63;
      if (sig == 0) sig = 64;
      if (lead + sig > 64) return false;
      r.skip(13);
      lead_ = static_cast<uint8_t>(lead);
      trail_ = static_cast<uint8_t>(64 - lead - sig);
    }
    prev_ ^= r.readUnchecked(64u - lead_ - trail_) << trail_;
    bits = prev_;
    return true;
  }

  /// Sets the previous value without coding anything (both sides must do the same).
  void setPrev(uint64_t bits) { prev_ = bits; }
  uint64_t prev() const { return prev_; }

 private:
  static constexpr uint8_t kNoWindow = 0xff;
  uint64_t prev_ = 0;
  uint8_t lead_ = kNoWindow;
  uint8_t trail_ = 0;
};

}  // namespace cityops::tsdb
