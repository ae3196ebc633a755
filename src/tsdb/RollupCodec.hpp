#pragma once
// RollupCodec: compressed blob of rollup buckets with strictly increasing starts.
//
// Layout (format version 1):
//   byte     version (1)
//   uvarint  count
//   if count > 0:
//     uvarint  first start
//     bit stream, per bucket i:
//       start   i > 0: DodCoder
//       count   '0' same as previous (starts at 1), canonical form
//               '10' + zigzag(count - previous) in 4-bit groups, canonical form
//               '11' + same, full form
//       values  canonical form with count == 1 and sum == min == max == last (bitwise):
//                 one value in the `last` XOR stream; the other streams take it as previous
//               otherwise: sum, min, max, last, each in its own XOR stream
//       lastT   offset from start: '0' same as previous offset (starts at 0),
//               '1' + zigzag(offset - previous) in 7-bit groups
//     zero padding to the next byte; nothing may follow.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/Result.hpp"
#include "tsdb/Sample.hpp"

namespace cityops::tsdb {

inline constexpr uint8_t kRollupFormatVersion = 1;

/// Encodes buckets. Preconditions (asserted in debug builds): starts are >= 0 and strictly
/// increasing, lastT >= start. Values are kept bit-exact.
std::string encodeRollups(std::span<const Bucket> buckets);

/// Decodes a blob from encodeRollups. Any malformed input gives an Error with code "corrupt".
Result<std::vector<Bucket>> decodeRollups(std::string_view blob);

}  // namespace cityops::tsdb
