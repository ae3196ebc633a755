#include "tsdb/RollupCodec.hpp"

#include <bit>
#include <cassert>
#include <limits>

#include "tsdb/BitReader.hpp"
#include "tsdb/BitWriter.hpp"
#include "tsdb/Corrupt.hpp"
#include "tsdb/DecimalCoder.hpp"
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

// Value columns, in the order of their headers.
enum Column { kSingle, kSum, kMin, kMax, kLast, kColumns };

struct ColumnEncoder {
  ColumnPlan plan;
  std::vector<double> values;
  size_t next = 0;
  XorCoder x;
  DecimalCoder d;

  void writeHeader(BitWriter& w) {
    w.writeBit(plan.decimal);
    if (plan.decimal) {
      writeDecimalHeader(w, plan.params);
      d = DecimalCoder(plan.params);
    }
  }
  void encodeNext(BitWriter& w) {
    const size_t i = next++;
    if (plan.decimal) {
      d.encode(w, plan.scaled[i]);
    } else {
      x.encode(w, bitsOf(values[i]));
    }
  }
};

struct ColumnDecoder {
  bool decimal = false;
  XorCoder x;
  DecimalCoder d;

  bool readHeader(BitReader& r) {
    bool flag;
    if (!r.readBit(flag)) return false;
    decimal = flag;
    if (!decimal) return true;
    DecimalParams p;
    if (!readDecimalHeader(r, p)) return false;
    d = DecimalCoder(p);
    return true;
  }
  bool decode(BitReader& r, double& v) {
    if (decimal) return d.decode(r, v);
    uint64_t bits;
    if (!x.decode(r, bits)) return false;
    v = std::bit_cast<double>(bits);
    return true;
  }
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

  ColumnEncoder cols[kColumns];
  for (const Bucket& b : buckets) {
    if (isCompact(b)) {
      cols[kSingle].values.push_back(b.last);
    } else {
      cols[kSum].values.push_back(b.sum);
      cols[kMin].values.push_back(b.min);
      cols[kMax].values.push_back(b.max);
      cols[kLast].values.push_back(b.last);
    }
  }
  BitWriter w(out);
  for (ColumnEncoder& c : cols) {
    c.plan = planColumn(c.values.size(), [&](size_t i) { return c.values[i]; });
    c.writeHeader(w);
  }

  DodCoder starts(first);
  uint64_t prevCount = 1;
  uint64_t prevOffset = 0;
  for (size_t i = 0; i < buckets.size(); ++i) {
    const Bucket& b = buckets[i];
    assert(b.lastT >= b.start);
    assert(i == 0 || b.start > buckets[i - 1].start);
    const bool compact = isCompact(b);
    const bool canonical = compact || b.count != 1;
    const uint64_t offset = static_cast<uint64_t>(b.lastT) - static_cast<uint64_t>(b.start);
    if ((i == 0 || starts.continues(b.start)) && b.count == prevCount && canonical && offset == prevOffset) {
      w.write(0, 1);  // regular
      int64_t t = b.start;
      if (i > 0) starts.repeat(t);
      assert(t == b.start);
    } else {
      w.write(1, 1);
      if (i > 0) starts.encode(w, b.start);
      if (b.count == prevCount && canonical) {
        w.write(0, 1);
      } else {
        w.write(canonical ? 0b10 : 0b11, 2);
        w.writeVarBits(zigzag(uint64_t{b.count} - prevCount), kCountGroup);
        prevCount = b.count;
      }
      if (offset == prevOffset) {
        w.write(0, 1);
      } else {
        w.write(1, 1);
        w.writeVarBits(zigzag(offset - prevOffset), kOffsetGroup);
        prevOffset = offset;
      }
    }
    if (compact) {
      cols[kSingle].encodeNext(w);
    } else {
      for (int c = kSum; c <= kLast; ++c) cols[c].encodeNext(w);
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
  // The column headers cost at least 5 bits, every bucket at least 2 (flag and value).
  const uint64_t bodyBits = uint64_t{blob.size() - pos} * 8;
  if (bodyBits < 8 || count - 1 > (bodyBits - 7) / 2) return Corrupt("rollup: count exceeds data");

  BitReader r(blob.substr(pos));
  ColumnDecoder cols[kColumns];
  for (ColumnDecoder& c : cols) {
    if (!c.readHeader(r)) return Corrupt("rollup: bad column header");
  }

  std::vector<Bucket> out(count);
  DodCoder starts(static_cast<int64_t>(first));
  uint64_t prevCount = 1;
  uint64_t prevOffset = 0;
  double v;
  for (size_t i = 0; i < count; ++i) {
    Bucket& b = out[i];
    b.start = static_cast<int64_t>(first);
    bool canonical = true;
    const uint64_t fw = r.peek();
    if ((fw >> 63) == 0) {  // regular
      r.skip(1);
      if (i > 0 && !starts.repeat(b.start)) return Corrupt("rollup: starts not increasing");
    } else {
      r.skip(1);
      if (i > 0 && !starts.decode(r, b.start)) return Corrupt("rollup: starts not increasing");
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
      const uint64_t ow = r.peek();
      r.skip(1);
      if ((ow >> 63) != 0) {
        uint64_t z;
        if (!r.readVarBits(kOffsetGroup, z)) return Corrupt("rollup: bad lastT offset");
        prevOffset += unzigzag(z);
      }
    }
    b.count = static_cast<uint32_t>(prevCount);
    if (prevOffset > kMaxTime - static_cast<uint64_t>(b.start)) return Corrupt("rollup: bad lastT offset");
    b.lastT = b.start + static_cast<int64_t>(prevOffset);

    if (canonical && b.count == 1) {
      if (!cols[kSingle].decode(r, v)) return Corrupt("rollup: bad value");
      b.sum = b.min = b.max = b.last = v;
    } else {
      if (!cols[kSum].decode(r, b.sum)) return Corrupt("rollup: bad sum");
      if (!cols[kMin].decode(r, b.min)) return Corrupt("rollup: bad min");
      if (!cols[kMax].decode(r, b.max)) return Corrupt("rollup: bad max");
      if (!cols[kLast].decode(r, b.last)) return Corrupt("rollup: bad last");
    }
  }
  if (r.overrun()) return Corrupt("rollup: truncated");
  const uint64_t pad = r.remaining();
  if (pad >= 8 || r.readUnchecked(static_cast<unsigned>(pad)) != 0) return Corrupt("rollup: trailing data");
  return out;
}

}  // namespace cityops::tsdb
