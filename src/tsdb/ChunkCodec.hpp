#pragma once
// ChunkCodec: compressed blob of samples with strictly increasing times (Gorilla style).
//
// Layout (format version 1):
//   byte     version (1)
//   byte     flags: bit0 = every sample has the same quality, bits1-2 = that quality
//   uvarint  count
//   if count > 0:
//     uvarint  first t
//     uvarint  last t - first t
//     bit stream, per sample i:
//       t   i > 0: DodCoder (delta-of-delta; a regular cadence costs 1 bit)
//       v   XorCoder (Gorilla XOR, previous value starts at 0)
//       q   only without the uniform flag: '0' same as previous (starts at 0), '1' + 2 bits
//     zero padding to the next byte; nothing may follow.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/Result.hpp"
#include "tsdb/Sample.hpp"

namespace cityops::tsdb {

inline constexpr uint8_t kChunkFormatVersion = 1;

/// What peekChunk reads from the header without decoding the samples.
struct ChunkHeader {
  uint32_t count = 0;
  int64_t firstT = 0;  // 0 when count == 0
  int64_t lastT = 0;
  bool operator==(const ChunkHeader&) const = default;
};

/// Encodes samples. Preconditions (asserted in debug builds): times are >= 0 and strictly
/// increasing, q <= 2, at most UINT32_MAX samples. Values are kept bit-exact (-0.0, NaN too).
std::string encodeChunk(std::span<const Sample> samples);

/// Decodes a blob from encodeChunk. Any malformed input gives an Error with code "corrupt".
Result<std::vector<Sample>> decodeChunk(std::string_view blob);

/// Like decodeChunk but appends to `out`; on error `out` is left as it was.
Status decodeChunkInto(std::string_view blob, std::vector<Sample>& out);

/// Reads and validates the header only: count, first and last time.
Result<ChunkHeader> peekChunk(std::string_view blob);

}  // namespace cityops::tsdb
