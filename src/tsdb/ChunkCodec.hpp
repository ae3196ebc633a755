#pragma once
// ChunkCodec: compressed blob of samples with strictly increasing times (Gorilla style, with
// decimal values as scaled integers).
//
// Layout (format version 2; decoders reject every other version):
//   byte     version (2)
//   byte     flags: bit0 = every sample has the same quality, bits1-2 = that quality,
//                   bit3 = values are decimal-coded (only with count > 0); bits 4-7 zero
//   uvarint  count
//   if count > 0:
//     uvarint  first t
//     uvarint  last t - first t
//     bit stream:
//       with bit3: the decimal column header (11 bits, see DecimalCoder.hpp)
//       per sample i:
//         t   i > 0: DodCoder, starting from delta (last t - first t) / (count - 1), so a
//             regular cadence costs 1 bit from the first delta on
//         v   bit3 clear: XorCoder (Gorilla XOR, previous value starts at 0)
//             bit3 set:   DecimalCoder (scaled integer: first value, then Rice-coded deltas
//                         or delta-of-deltas)
//         q   only without the uniform flag: '0' same as previous (starts at 0), '1' + 2 bits
//     zero padding to the next byte; nothing may follow.
// The encoder picks decimal coding when every value is a short decimal (DecimalCoder.hpp) and
// that takes fewer bits than XOR; either way values come back bit-exact.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/Result.hpp"
#include "tsdb/Sample.hpp"

namespace cityops::tsdb {

inline constexpr uint8_t kChunkFormatVersion = 2;

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
