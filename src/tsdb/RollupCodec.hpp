#pragma once
// RollupCodec: compressed blob of rollup buckets with strictly increasing starts.
//
// Layout (format version 2; decoders reject every other version):
//   byte     version (2)
//   uvarint  count
//   if count > 0:
//     uvarint  first start
//     bit stream:
//       five value column headers, in the order single, sum, min, max, last:
//         '0' XOR coded, or '1' + the decimal column header (11 bits, see DecimalCoder.hpp)
//       per bucket i:
//         '0'     regular: start continues the cadence (i > 0: DodCoder dod 0, no bits),
//                 count same as previous (starts at 1), canonical form, lastT offset same as
//                 previous (starts at 0)
//         '1'     then:
//           start   i > 0: DodCoder
//           count   '0' same as previous, canonical form
//                   '10' + zigzag(count - previous) in 4-bit groups, canonical form
//                   '11' + same, full form
//           lastT   offset from start: '0' same as previous offset,
//                   '1' + zigzag(offset - previous) in 7-bit groups
//         values  canonical form with count == 1 and sum == min == max == last (bitwise):
//                   one value in the `single` column
//                 otherwise: one value in each of the sum, min, max and last columns
//                 Each column is its own stream (XorCoder starting from 0, or DecimalCoder)
//                 over the buckets that use it, interleaved in bucket order.
//     zero padding to the next byte; nothing may follow.
// The encoder picks decimal coding per column when all its values are short decimals and that
// takes fewer bits (sums of decimals often are not short decimals: those stay XOR).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/Result.hpp"
#include "tsdb/Sample.hpp"

namespace cityops::tsdb {

inline constexpr uint8_t kRollupFormatVersion = 2;

/// Encodes buckets. Preconditions (asserted in debug builds): starts are >= 0 and strictly
/// increasing, lastT >= start. Values are kept bit-exact.
std::string encodeRollups(std::span<const Bucket> buckets);

/// Decodes a blob from encodeRollups. Any malformed input gives an Error with code "corrupt".
Result<std::vector<Bucket>> decodeRollups(std::string_view blob);

}  // namespace cityops::tsdb
