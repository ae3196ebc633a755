#include "tsdb/BitReader.hpp"

namespace cityops::tsdb {

uint64_t BitReader::peekTail() const {
  const size_t byte = pos_ >> 3;
  uint64_t w = 0;
  for (size_t i = 0; i < 8 && byte + i < size_; ++i) w |= uint64_t{p_[byte + i]} << (56 - 8 * i);
  return w << (pos_ & 7);
}

bool BitReader::readVarBits(unsigned group, uint64_t& out) {
  out = 0;
  for (unsigned shift = 0; shift < 64; shift += group) {
    const uint64_t g = readUnchecked(group + 1);
    if (overrun()) return false;
    const uint64_t payload = g >> 1;
    if (shift > 0 && (payload >> (64 - shift)) != 0) return false;  // bits beyond 64
    out |= payload << shift;
    if ((g & 1) == 0) return true;
  }
  return false;  // continuation past 64 bits
}

}  // namespace cityops::tsdb
