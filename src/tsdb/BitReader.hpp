#pragma once
// BitReader: reads a big-endian bit stream written by BitWriter. Never touches memory past the
// end: bits past the end read as zero and overrun() reports it, so corrupt input is caught
// by one check after decoding rather than one per read.
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace cityops::tsdb {

class BitReader {
 public:
  explicit BitReader(std::string_view bytes)
      : p_(reinterpret_cast<const uint8_t*>(bytes.data())), size_(bytes.size()), bits_(bytes.size() * 8) {}

  /// The next bits, left-aligned in the result. At least the top 57 are valid; bits past the
  /// end of the input are zero. Does not consume.
  uint64_t peek() const {
    const size_t byte = pos_ >> 3;
    if (byte + 8 <= size_) [[likely]] return load64(p_ + byte) << (pos_ & 7);
    return peekTail();
  }

  /// Consumes `n` bits (may move past the end; see overrun()).
  void skip(unsigned n) { pos_ += n; }

  /// Reads `n` bits (0..64) unchecked: past the end reads zeros and sets overrun().
  uint64_t readUnchecked(unsigned n) {
    if (n == 0) return 0;
    if (n > 57) {
      const uint64_t hi = readUnchecked(32);
      return (hi << (n - 32)) | readUnchecked(n - 32);
    }
    const uint64_t v = peek() >> (64 - n);
    pos_ += n;
    return v;
  }

  /// Reads `n` bits (0..64); false if that runs past the end.
  bool read(unsigned n, uint64_t& out) {
    out = readUnchecked(n);
    return !overrun();
  }

  bool readBit(bool& out) {
    uint64_t v;
    const bool ok = read(1, v);
    out = v != 0;
    return ok;
  }

  /// Reads a BitWriter::writeVarBits value. False on overrun or a value that exceeds 64 bits.
  bool readVarBits(unsigned group, uint64_t& out);

  /// True once any read went past the end of the input.
  bool overrun() const { return pos_ > bits_; }
  uint64_t position() const { return pos_; }
  uint64_t bitSize() const { return bits_; }
  uint64_t remaining() const { return pos_ >= bits_ ? 0 : bits_ - pos_; }

 private:
  static uint64_t load64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
    return v;
  }
  uint64_t peekTail() const;

  const uint8_t* p_;
  size_t size_;
  uint64_t bits_;
  uint64_t pos_ = 0;
};

}  // namespace cityops::tsdb
