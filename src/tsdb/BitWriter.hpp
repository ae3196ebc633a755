#pragma once
// BitWriter: appends a big-endian (most significant bit first) bit stream to a std::string.
#include <cstdint>
#include <string>

namespace cityops::tsdb {

class BitWriter {
 public:
  /// Appends to `out` (after whatever it already holds). Call finish() before using `out`.
  explicit BitWriter(std::string& out) : out_(out) {}
  BitWriter(const BitWriter&) = delete;
  BitWriter& operator=(const BitWriter&) = delete;

  /// Appends the low `n` bits of `v` (n in 0..64), most significant first.
  void write(uint64_t v, unsigned n) {
    if (n == 0) return;
    if (n < 64) v &= (uint64_t{1} << n) - 1;
    const unsigned room = 64 - used_;
    if (n < room) {
      acc_ |= v << (room - n);
      used_ += n;
      return;
    }
    acc_ |= v >> (n - room);
    flushWord();
    used_ = n - room;
    acc_ = used_ ? v << (64 - used_) : 0;
  }

  void writeBit(bool b) { write(b ? 1 : 0, 1); }

  /// Variable-length unsigned: groups of `group` payload bits (low first), each followed by a
  /// continuation bit. Read back with BitReader::readVarBits.
  void writeVarBits(uint64_t v, unsigned group);

  /// Bits written so far.
  uint64_t bitCount() const { return bits_ + used_; }

  /// Flushes the last partial byte, zero-padded. The writer may not be used afterwards.
  void finish();

 private:
  void flushWord();

  std::string& out_;
  uint64_t acc_ = 0;    // pending bits, left-aligned
  unsigned used_ = 0;   // number of pending bits in acc_ (0..63)
  uint64_t bits_ = 0;   // bits already flushed to out_
};

/// Counts the bits a BitWriter would write, for dry runs of a coder templated on its writer.
class BitCounter {
 public:
  void write(uint64_t, unsigned n) { bits_ += n; }
  void writeBit(bool) { ++bits_; }
  void writeVarBits(uint64_t v, unsigned group) {
    do {
      bits_ += group + 1;
      v >>= group;
    } while (v != 0);
  }
  uint64_t bitCount() const { return bits_; }

 private:
  uint64_t bits_ = 0;
};

}  // namespace cityops::tsdb
