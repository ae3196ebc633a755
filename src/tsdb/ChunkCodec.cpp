#include "tsdb/ChunkCodec.hpp"

#include <bit>
#include <cassert>
#include <limits>
#include <optional>

#include "tsdb/BitReader.hpp"
#include "tsdb/BitWriter.hpp"
#include "tsdb/Corrupt.hpp"
#include "tsdb/DecimalCoder.hpp"
#include "tsdb/DodCoder.hpp"
#include "tsdb/Varint.hpp"
#include "tsdb/XorCoder.hpp"

namespace cityops::tsdb {
namespace {

constexpr uint8_t kUniformQuality = 0x01;
constexpr uint8_t kQualityShift = 1;
constexpr uint8_t kDecimalValues = 0x08;
constexpr uint8_t kKnownFlags = 0x0f;
constexpr uint64_t kMaxTime = std::numeric_limits<int64_t>::max();

struct ParsedHeader {
  ChunkHeader h;
  bool uniform = false;
  uint8_t quality = 0;  // when uniform
  bool decimal = false;
  DecimalParams dec;    // when decimal
  size_t body = 0;      // offset of the bit stream (the decimal column header comes first)
};

// The delta the time coder starts from: the mean step, exact for a regular cadence.
uint64_t initialDelta(const ChunkHeader& h) {
  return h.count < 2 ? 0 : (static_cast<uint64_t>(h.lastT) - static_cast<uint64_t>(h.firstT)) / (h.count - 1);
}

std::optional<Error> parseHeader(std::string_view blob, ParsedHeader& p) {
  if (blob.size() < 3) return Corrupt("chunk: too short");
  if (static_cast<uint8_t>(blob[0]) != kChunkFormatVersion) return Corrupt("chunk: unknown format version");
  const auto flags = static_cast<uint8_t>(blob[1]);
  if ((flags & ~kKnownFlags) != 0) return Corrupt("chunk: unknown flags");
  p.uniform = (flags & kUniformQuality) != 0;
  p.quality = static_cast<uint8_t>((flags >> kQualityShift) & 3);
  p.decimal = (flags & kDecimalValues) != 0;
  if (p.quality > kMaxQuality || (!p.uniform && p.quality != 0)) return Corrupt("chunk: bad quality flags");

  size_t pos = 2;
  uint64_t count, first = 0, span = 0;
  if (!getUvarint(blob, pos, count)) return Corrupt("chunk: bad count");
  if (count > std::numeric_limits<uint32_t>::max()) return Corrupt("chunk: count too large");
  if (count == 0) {
    if (p.decimal) return Corrupt("chunk: decimal flag without values");
    if (pos != blob.size()) return Corrupt("chunk: trailing bytes");
    p.h = {};
    p.body = pos;
    return std::nullopt;
  }
  if (!getUvarint(blob, pos, first) || first > kMaxTime) return Corrupt("chunk: bad first time");
  if (!getUvarint(blob, pos, span) || span > kMaxTime - first) return Corrupt("chunk: bad time span");
  if (span < count - 1) return Corrupt("chunk: time span too small for count");
  // Every sample after the first costs at least 2 bits (time + value); the first at least 1.
  const uint64_t bodyBits = uint64_t{blob.size() - pos} * 8;
  if (bodyBits == 0 || (count - 1) > bodyBits / 2) return Corrupt("chunk: count exceeds data");
  if (p.decimal) {
    BitReader r(blob.substr(pos));
    if (!readDecimalHeader(r, p.dec)) return Corrupt("chunk: bad decimal column header");
  }
  p.h.count = static_cast<uint32_t>(count);
  p.h.firstT = static_cast<int64_t>(first);
  p.h.lastT = static_cast<int64_t>(first + span);
  p.body = pos;
  return std::nullopt;
}

// Checks the stream ended exactly at the last byte with zero padding.
bool finishedCleanly(BitReader& r) {
  if (r.overrun()) return false;
  const uint64_t pad = r.remaining();
  if (pad >= 8) return false;
  return r.readUnchecked(static_cast<unsigned>(pad)) == 0;
}

// Value streams for the encode and decode loops (templated so each loop has one coder).
struct XorValues {
  XorCoder c;
  void encode(BitWriter& w, const Sample& s, size_t) { c.encode(w, std::bit_cast<uint64_t>(s.v)); }
  bool decode(BitReader& r, double& v) {
    uint64_t bits;
    if (!c.decode(r, bits)) return false;
    v = std::bit_cast<double>(bits);
    return true;
  }
};

struct DecimalValues {
  DecimalCoder c;
  const int64_t* scaled = nullptr;  // encoding only
  void encode(BitWriter& w, const Sample&, size_t i) { c.encode(w, scaled[i]); }
  bool decode(BitReader& r, double& v) { return c.decode(r, v); }
};

template <class Values>
void encodeBody(BitWriter& w, std::span<const Sample> samples, bool uniform, uint64_t delta0, Values values) {
  DodCoder times(samples.front().t, delta0);
  uint8_t prevQ = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    const Sample& s = samples[i];
    if (i > 0) {
      assert(s.t > samples[i - 1].t);
      times.encode(w, s.t);
    }
    values.encode(w, s, i);
    if (!uniform) {
      if (s.q == prevQ) {
        w.write(0, 1);
      } else {
        w.write(0b100u | s.q, 3);
        prevQ = s.q;
      }
    }
  }
}

// Decodes the samples into o[0..count); nullptr on success, else what is wrong.
template <class Values>
const char* decodeBody(BitReader& r, const ParsedHeader& p, Values values, Sample* o) {
  const size_t n = p.h.count;
  DodCoder times(p.h.firstT, initialDelta(p.h));
  double v;
  uint8_t q = p.quality;
  for (size_t i = 0; i < n; ++i) {
    int64_t t = p.h.firstT;
    if (i > 0 && !times.decode(r, t)) return "chunk: times not increasing";
    if (!values.decode(r, v)) return "chunk: bad value";
    if (!p.uniform) {
      const uint64_t w = r.peek();
      if ((w >> 63) == 0) {
        r.skip(1);
      } else {
        q = static_cast<uint8_t>((w >> 61) & 3);
        r.skip(3);
        if (q > kMaxQuality) return "chunk: bad quality";
      }
    }
    o[i] = Sample{t, v, q};
  }
  return nullptr;
}

}  // namespace

std::string encodeChunk(std::span<const Sample> samples) {
  assert(samples.size() <= std::numeric_limits<uint32_t>::max());
  std::string out;
  out.reserve(16 + samples.size() * 2);
  out.push_back(static_cast<char>(kChunkFormatVersion));

  bool uniform = true;
  const uint8_t q0 = samples.empty() ? 0 : samples[0].q;
  for (const Sample& s : samples) {
    assert(s.q <= kMaxQuality);
    if (s.q != q0) {
      uniform = false;
      break;
    }
  }
  const ColumnPlan plan = planColumn(samples.size(), [&](size_t i) { return samples[i].v; });
  uint8_t flags = uniform ? static_cast<uint8_t>(kUniformQuality | (q0 << kQualityShift)) : 0;
  if (plan.decimal) flags |= kDecimalValues;
  out.push_back(static_cast<char>(flags));
  putUvarint(out, samples.size());
  if (samples.empty()) return out;

  const int64_t first = samples.front().t;
  assert(first >= 0);
  ChunkHeader h{static_cast<uint32_t>(samples.size()), first, samples.back().t};
  putUvarint(out, static_cast<uint64_t>(first));
  putUvarint(out, static_cast<uint64_t>(h.lastT) - static_cast<uint64_t>(first));

  BitWriter w(out);
  if (plan.decimal) {
    writeDecimalHeader(w, plan.params);
    encodeBody(w, samples, uniform, initialDelta(h), DecimalValues{DecimalCoder(plan.params), plan.scaled.data()});
  } else {
    encodeBody(w, samples, uniform, initialDelta(h), XorValues{});
  }
  w.finish();
  return out;
}

Status decodeChunkInto(std::string_view blob, std::vector<Sample>& out) {
  ParsedHeader p;
  if (auto err = parseHeader(blob, p)) return std::move(*err);
  const size_t n = p.h.count;
  if (n == 0) return Status::Ok();

  const size_t base = out.size();
  out.resize(base + n);
  Sample* o = out.data() + base;
  auto fail = [&](const char* msg) {
    out.resize(base);
    return Status(Corrupt(msg));
  };

  BitReader r(blob.substr(p.body));
  const char* err;
  if (p.decimal) {
    r.skip(kDecimalHeaderBits);  // validated by parseHeader
    err = decodeBody(r, p, DecimalValues{DecimalCoder(p.dec)}, o);
  } else {
    err = decodeBody(r, p, XorValues{}, o);
  }
  if (err) return fail(err);
  // Reads past the end yield zeros, so the loop above is safe; check once here.
  if (r.overrun()) return fail("chunk: truncated");
  if (!finishedCleanly(r)) return fail("chunk: trailing data");
  if (o[n - 1].t != p.h.lastT) return fail("chunk: last time does not match header");
  return Status::Ok();
}

Result<std::vector<Sample>> decodeChunk(std::string_view blob) {
  std::vector<Sample> out;
  Status st = decodeChunkInto(blob, out);
  if (!st) return st.error();
  return out;
}

Result<ChunkHeader> peekChunk(std::string_view blob) {
  ParsedHeader p;
  if (auto err = parseHeader(blob, p)) return std::move(*err);
  return p.h;
}

}  // namespace cityops::tsdb
