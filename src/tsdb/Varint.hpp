#pragma once
// Byte-level LEB128 unsigned varints for blob headers.
#include <cstdint>
#include <string>
#include <string_view>

namespace cityops::tsdb {

inline void putUvarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

/// Reads a varint at `pos`, advancing it. False on truncation or a value over 64 bits.
inline bool getUvarint(std::string_view in, size_t& pos, uint64_t& out) {
  out = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    if (pos >= in.size()) return false;
    const auto b = static_cast<uint8_t>(in[pos++]);
    const uint64_t payload = b & 0x7f;
    if (shift == 63 && payload > 1) return false;
    out |= payload << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace cityops::tsdb
