#pragma once
// Rollup helpers: aggregate samples into fixed-resolution buckets and combine buckets.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "tsdb/Sample.hpp"

namespace cityops::tsdb {

/// floor(t / res) * res, also for negative t (saturates near INT64_MIN). res > 0.
int64_t bucketStart(int64_t t, int64_t resolutionMs);

/// Adds `s` to the last bucket of `out`, or opens a new one when `s` falls in a later bucket. Samples must come in
/// time order. rollup() is this over a whole list.
inline void accumulate(std::vector<Bucket>& out, const Sample& s, int64_t resolutionMs) {
  const int64_t start = bucketStart(s.t, resolutionMs);
  if (out.empty() || out.back().start != start) {
    out.push_back(Bucket{start, 1, s.v, s.v, s.v, s.v, s.t});
    return;
  }
  Bucket& b = out.back();
  if (b.count < std::numeric_limits<uint32_t>::max()) ++b.count;
  b.sum += s.v;
  b.min = std::min(b.min, s.v);
  b.max = std::max(b.max, s.v);
  if (s.t >= b.lastT) {
    b.last = s.v;
    b.lastT = s.t;
  }
}


/// Buckets for samples sorted by t (all qualities counted; the caller filters). A bucket's
/// start is bucketStart(t, res); `last` is the value of the latest sample (the later one on
/// equal times). Returns {} when resolutionMs <= 0.
std::vector<Bucket> rollup(std::span<const Sample> samples, int64_t resolutionMs);

/// Combines two buckets of the same interval: count and sum add (count saturates), min/max,
/// last from the one with the later lastT (ties -> b). start comes from a. A bucket with
/// count 0 is treated as empty.
Bucket combine(const Bucket& a, const Bucket& b);

/// Sorted union of two bucket lists sorted by start (strictly increasing within each);
/// buckets with equal start are combined as combine(older, newer).
std::vector<Bucket> merge(std::span<const Bucket> older, std::span<const Bucket> newer);

/// Union of two lists of samples sorted by t with unique times; on equal times the sample from `newer` wins.
std::vector<Sample> overlay(std::span<const Sample> older, std::span<const Sample> newer);

/// The samples whose quality is not bad: what aggregates are computed from.
std::vector<Sample> withoutBad(std::span<const Sample> samples);

/// Re-buckets sorted buckets at a coarser resolution (a multiple of theirs, e.g. 1 min ->
/// 5 min). Returns {} when coarserResMs <= 0.
std::vector<Bucket> regroup(std::span<const Bucket> buckets, int64_t coarserResMs);

}  // namespace cityops::tsdb
