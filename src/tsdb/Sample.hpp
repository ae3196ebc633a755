#pragma once
// Sample: one time-series point. Bucket: one rollup interval of samples.
#include <bit>
#include <cstdint>

namespace cityops::tsdb {

/// Quality flags carried with every sample.
enum Quality : uint8_t { kGood = 0, kSuspect = 1, kBad = 2 };
inline constexpr uint8_t kMaxQuality = 2;

struct Sample {
  int64_t t;  // epoch milliseconds UTC, >= 0
  double v;
  uint8_t q;  // Quality: 0 good, 1 suspect, 2 bad
};

/// Aggregate of the samples whose time falls in [start, start + resolution).
struct Bucket {
  int64_t start;  // bucket start, epoch ms
  uint32_t count;
  double sum, min, max, last;
  int64_t lastT;  // time of the `last` sample
};

// Bitwise equality on doubles, so -0.0 != 0.0 and equal NaN payloads compare equal.
inline bool sameBits(double a, double b) {
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

inline bool operator==(const Sample& a, const Sample& b) {
  return a.t == b.t && sameBits(a.v, b.v) && a.q == b.q;
}

inline bool operator==(const Bucket& a, const Bucket& b) {
  return a.start == b.start && a.count == b.count && sameBits(a.sum, b.sum) &&
         sameBits(a.min, b.min) && sameBits(a.max, b.max) && sameBits(a.last, b.last) &&
         a.lastT == b.lastT;
}

}  // namespace cityops::tsdb
