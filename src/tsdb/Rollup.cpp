#include "tsdb/Rollup.hpp"

#include <algorithm>
#include <limits>

namespace cityops::tsdb {

int64_t bucketStart(int64_t t, int64_t resolutionMs) {
  int64_t r = t % resolutionMs;
  if (r < 0) r += resolutionMs;
  int64_t start;
  if (__builtin_sub_overflow(t, r, &start)) return std::numeric_limits<int64_t>::min();  // t near INT64_MIN
  return start;
}

std::vector<Bucket> rollup(std::span<const Sample> samples, int64_t resolutionMs) {
  std::vector<Bucket> out;
  if (resolutionMs <= 0 || samples.empty()) return out;
  for (const Sample& s : samples) accumulate(out, s, resolutionMs);
  return out;
}

Bucket combine(const Bucket& a, const Bucket& b) {
  if (b.count == 0) return a;
  if (a.count == 0) {
    Bucket r = b;
    r.start = a.start;
    return r;
  }
  Bucket r = a;
  const uint64_t n = uint64_t{a.count} + b.count;
  r.count = static_cast<uint32_t>(std::min<uint64_t>(n, std::numeric_limits<uint32_t>::max()));
  r.sum = a.sum + b.sum;
  r.min = std::min(a.min, b.min);
  r.max = std::max(a.max, b.max);
  if (b.lastT >= a.lastT) {
    r.last = b.last;
    r.lastT = b.lastT;
  }
  return r;
}

std::vector<Bucket> merge(std::span<const Bucket> older, std::span<const Bucket> newer) {
  std::vector<Bucket> out;
  out.reserve(older.size() + newer.size());
  size_t i = 0, j = 0;
  while (i < older.size() && j < newer.size()) {
    if (older[i].start < newer[j].start) {
      out.push_back(older[i++]);
    } else if (newer[j].start < older[i].start) {
      out.push_back(newer[j++]);
    } else {
      out.push_back(combine(older[i++], newer[j++]));
    }
  }
  out.insert(out.end(), older.begin() + static_cast<std::ptrdiff_t>(i), older.end());
  out.insert(out.end(), newer.begin() + static_cast<std::ptrdiff_t>(j), newer.end());
  return out;
}

std::vector<Bucket> regroup(std::span<const Bucket> buckets, int64_t coarserResMs) {
  std::vector<Bucket> out;
  if (coarserResMs <= 0) return out;
  for (const Bucket& b : buckets) {
    const int64_t start = bucketStart(b.start, coarserResMs);
    if (!out.empty() && out.back().start == start) {
      out.back() = combine(out.back(), b);
    } else {
      Bucket c = b;
      c.start = start;
      out.push_back(c);
    }
  }
  return out;
}

std::vector<Sample> overlay(std::span<const Sample> older, std::span<const Sample> newer) {
  std::vector<Sample> out;
  out.reserve(older.size() + newer.size());
  size_t i = 0, j = 0;
  while (i < older.size() || j < newer.size()) {
    if (j == newer.size() || (i < older.size() && older[i].t < newer[j].t)) {
      out.push_back(older[i++]);
    } else {
      if (i < older.size() && older[i].t == newer[j].t) ++i;
      out.push_back(newer[j++]);
    }
  }
  return out;
}

std::vector<Sample> withoutBad(std::span<const Sample> samples) {
  std::vector<Sample> out;
  out.reserve(samples.size());
  for (const auto& s : samples)
    if (s.q != kBad) out.push_back(s);
  return out;
}

}  // namespace cityops::tsdb
