#include "tsdb/RollupCodec.hpp"

#include <bit>
#include <cassert>
#include <limits>

#include "tsdb/BitReader.hpp"
#include "tsdb/BitWriter.hpp"
#include "tsdb/Corrupt.hpp"
#include "tsdb/DodCoder.hpp"
#include "tsdb/Varint.hpp"
#include "tsdb/XorCoder.hpp"

namespace cityops::tsdb {
namespace {

constexpr unsigned kCountGroup = 4;
constexpr unsigned kOffsetGroup = 7;
constexpr uint64_t kMaxTime = std::numeric_limits<int64_t>::max();

uint64_t zigzag(uint64_t d) { return (d << 1) ^ (0 - (d >> 63)); }
uint64_t unzigzag(uint64_t u) { return (u >> 1) ^ (0 - (u & 1)); }

uint64_t bitsOf(double d) { return std::bit_cast<uint64_t>(d); }

bool isCompact(const Bucket& b) {
  const uint64_t l = bitsOf(b.last);
  return b.count == 1 && bitsOf(b.sum) == l && bitsOf(b.min) == l && bitsOf(b.max) == l;
}

struct Streams {
  XorCoder sum, min, max, last;
};

}  // namespace

std::string encodeRollups(std::span<const Bucket> buckets) {
  std::string out;
  out.reserve(16 + buckets.size() * 4);
  out.push_back(static_cast<char>(kRollupFormatVersion));
  putUvarint(out, buckets.size());
  if (buckets.empty()) return out;

  const int64_t first = buckets.front().start;
  assert(first >= 0);
  putUvarint(out, static_cast<uint64_t>(first));

  BitWriter w(out);
  DodCoder starts(first);
  Streams s;
  uint64_t prevCount = 1;
  uint64_t prevOffset = 0;
  for (size_t i = 0; i < buckets.size(); ++i) {
    const Bucket& b = buckets[i];
    assert(b.lastT >= b.start);
    if (i > 0) {
      assert(b.start > buckets[i - 1].start);
      starts.encode(w, b.start);
    }
    const bool compact = isCompact(b);
    const bool canonical = compact || b.count != 1;
    if (b.count == prevCount && canonical) {
      w.write(0, 1);
    } else {
      w.write(canonical ? 0b10 : 0b11, 2);
      w.writeVarBits(zigzag(uint64_t{b.count} - prevCount), kCountGroup);
      prevCount = b.count;
    }
    if (compact) {
      const uint64_t v = bitsOf(b.last);
      s.last.encode(w, v);
      s.sum.setPrev(v);
      s.min.setPrev(v);
      s.max.setPrev(v);
    } else {
      s.sum.encode(w, bitsOf(b.sum));
      s.min.encode(w, bitsOf(b.min));
      s.max.encode(w, bitsOf(b.max));
      s.last.encode(w, bitsOf(b.last));
    }
    const uint64_t offset = static_cast<uint64_t>(b.lastT) - static_cast<uint64_t>(b.start);
    if (offset == prevOffset) {
      w.write(0, 1);
    } else {
      w.write(1, 1);
      w.writeVarBits(zigzag(offset - prevOffset), kOffsetGroup);
      prevOffset = offset;
    }
  }
  w.finish();
  return out;
}

Result<std::vector<Bucket>> decodeRollups(std::string_view blob) {
  if (blob.size() < 2) return Corrupt("rollup: too short");
  if (static_cast<uint8_t>(blob[0]) != kRollupFormatVersion) return Corrupt("rollup: unknown format version");
  size_t pos = 1;
  uint64_t count, first;
  if (!getUvarint(blob, pos, count)) return Corrupt("rollup: bad count");
  if (count == 0) {
    if (pos != blob.size()) return Corrupt("rollup: trailing bytes");
    return std::vector<Bucket>{};
  }
  if (!getUvarint(blob, pos, first) || first > kMaxTime) return Corrupt("rollup: bad first start");
  // Every bucket after the first costs at least 4 bits; the first at least 3.
  const uint64_t bodyBits = uint64_t{blob.size() - pos} * 8;
  if (bodyBits < 3 || count - 1 > bodyBits / 4) return Corrupt("rollup: count exceeds data");

  std::vector<Bucket> out(count);
  BitReader r(blob.substr(pos));
  DodCoder starts(static_cast<int64_t>(first));
  Streams s;
  uint64_t prevCount = 1;
  uint64_t prevOffset = 0;
  uint64_t v;
  for (size_t i = 0; i < count; ++i) {
    Bucket& b = out[i];
    b.start = static_cast<int64_t>(first);
    if (i > 0 && !starts.decode(r, b.start)) return Corrupt("rollup: starts not increasing");

    bool canonical = true;
    const uint64_t cw = r.peek();
    if ((cw >> 63) == 0) {
      r.skip(1);
    } else {
      canonical = ((cw >> 62) & 1) == 0;
      r.skip(2);
      uint64_t z;
      if (!r.readVarBits(kCountGroup, z)) return Corrupt("rollup: bad count");
      prevCount += unzigzag(z);
      if (prevCount > std::numeric_limits<uint32_t>::max()) return Corrupt("rollup: bad count");
      if (!canonical && prevCount != 1) return Corrupt("rollup: full form needs count 1");
    }
    b.count = static_cast<uint32_t>(prevCount);

    if (canonical && b.count == 1) {
      if (!s.last.decode(r, v)) return Corrupt("rollup: bad value window");
      s.sum.setPrev(v);
      s.min.setPrev(v);
      s.max.setPrev(v);
      b.sum = b.min = b.max = b.last = std::bit_cast<double>(v);
    } else {
      if (!s.sum.decode(r, v)) return Corrupt("rollup: bad sum window");
      b.sum = std::bit_cast<double>(v);
      if (!s.min.decode(r, v)) return Corrupt("rollup: bad min window");
      b.min = std::bit_cast<double>(v);
      if (!s.max.decode(r, v)) return Corrupt("rollup: bad max window");
      b.max = std::bit_cast<double>(v);
      if (!s.last.decode(r, v)) return Corrupt("rollup: bad last window");
      b.last = std::bit_cast<double>(v);
    }

    const uint64_t ow = r.peek();
    r.skip(1);
    if ((ow >> 63) != 0) {
      uint64_t z;
      if (!r.readVarBits(kOffsetGroup, z)) return Corrupt("rollup: bad lastT offset");
      prevOffset += unzigzag(z);
    }
    if (prevOffset > kMaxTime - static_cast<uint64_t>(b.start)) return Corrupt("rollup: bad lastT offset");
    b.lastT = b.start + static_cast<int64_t>(prevOffset);
  }
  if (r.overrun()) return Corrupt("rollup: truncated");
  const uint64_t pad = r.remaining();
  if (pad >= 8 || r.readUnchecked(static_cast<unsigned>(pad)) != 0) return Corrupt("rollup: trailing data");
  return out;
}

}  // namespace cityops::tsdb
