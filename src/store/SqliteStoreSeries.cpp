// SqliteStore: the observation paths (ingest and series queries).
#include "store/IngestJob.hpp"
#include "store/SqliteStore.hpp"
#include "tsdb/Rollup.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace cityops::store {

void SqliteStore::ingest(std::vector<model::Observation> batch, IngestCallback done) {
  if (!ready()) return done(Unavailable("the store is closed"));
  // Backpressure: a writer that cannot keep up must not turn into unbounded memory.
  if (writer_->queuedWeight() + batch.size() > options_.maxQueuedObservations) {
    rejectedBatches_->inc();
    return done(Error{"busy", "the store is saturated with queued writes; retry shortly"});
  }
  std::vector<std::shared_ptr<Series>> series(batch.size());
  // Resolve known series here, on the caller's thread; the writer only creates the new ones.
  registry_.findAll(batch, [](const model::Observation& o) { return std::pair<std::string_view, std::string_view>(o.entity, o.metric); },
                    series);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!series[i] && !catalog_.contains(batch[i].entity)) {
      rejectedBatches_->inc();
      return done(Error{"unknown_entity", "item " + std::to_string(i) + ": no entity '" + batch[i].entity + "'"});
    }
  }
  writer_->submit(std::make_unique<IngestJob>(*this, std::move(batch), std::move(series), std::move(done)));
}

namespace {

double aggregate(const tsdb::Bucket& b, Agg agg) {
  switch (agg) {
    case Agg::Avg: return b.sum / b.count;
    case Agg::Min: return b.min;
    case Agg::Max: return b.max;
    case Agg::Sum: return b.sum;
    case Agg::Count: return b.count;
    case Agg::Last: return b.last;
  }
  return 0;
}

}  // namespace

Result<std::vector<tsdb::Sample>> SqliteStore::rawRange(ReaderPool::Lease& lease, const Series& s, int64_t from,
                                                        int64_t to) const {
  auto head = s.headRange(from, to);
  auto sealed = lease.chunks().samples(s.id(), from, to);
  if (!sealed) return sealed.error();
  return head.empty() ? std::move(*sealed) : tsdb::overlay(*sealed, head);
}

Result<std::vector<tsdb::Bucket>> SqliteStore::bucketsAt(ReaderPool::Lease& lease, const Series& s, int64_t res,
                                                         int64_t from, int64_t to) const {
  // Whole `res` buckets inside [from, to] come from the rollups, the partial ones at the edges from raw samples.
  const int64_t innerFrom = tsdb::bucketStart(from + res - 1, res);  // first bucket start >= from
  const int64_t innerEnd = tsdb::bucketStart(to + 1, res);           // end (exclusive) of the last whole bucket
  if (innerFrom >= innerEnd) {
    auto raw = rawRange(lease, s, from, to);
    if (!raw) return raw.error();
    return tsdb::rollup(tsdb::withoutBad(*raw), res);
  }
  auto stored = lease.chunks().buckets(s.id(), res, innerFrom, innerEnd - 1);
  if (!stored) return stored.error();
  // Head samples after the sealed range add to the stored buckets. A late head sample may replace a sealed one
  // at the same time, so the buckets it falls in are rebuilt from raw samples instead.
  std::vector<tsdb::Bucket> fresh;
  std::vector<int64_t> lateStarts;
  s.rollupHead(innerFrom, innerEnd - 1, res, s.sealedTo.load(), fresh, lateStarts);
  auto inner = stored->empty() ? std::move(fresh) : tsdb::merge(*stored, fresh);
  if (!lateStarts.empty()) {
    auto raw = rawRange(lease, s, lateStarts.front(), lateStarts.back() + res - 1);
    if (!raw) return raw.error();
    const auto rebuilt = tsdb::rollup(tsdb::withoutBad(*raw), res);
    std::vector<tsdb::Bucket> kept;
    kept.reserve(inner.size());
    for (const auto& b : inner)
      if (!std::binary_search(lateStarts.begin(), lateStarts.end(), b.start)) kept.push_back(b);
    std::vector<tsdb::Bucket> replaced;
    for (const auto& b : rebuilt)
      if (std::binary_search(lateStarts.begin(), lateStarts.end(), b.start)) replaced.push_back(b);
    inner = tsdb::merge(kept, replaced);
  }
  std::vector<tsdb::Bucket> out;
  if (from < innerFrom) {
    auto raw = rawRange(lease, s, from, innerFrom - 1);
    if (!raw) return raw.error();
    out = tsdb::rollup(tsdb::withoutBad(*raw), res);
  }
  out.insert(out.end(), inner.begin(), inner.end());
  if (innerEnd <= to) {
    auto raw = rawRange(lease, s, innerEnd, to);
    if (!raw) return raw.error();
    auto tail = tsdb::rollup(tsdb::withoutBad(*raw), res);
    out.insert(out.end(), tail.begin(), tail.end());
  }
  return out;
}

Result<std::vector<SeriesPoint>> SqliteStore::querySeries(const SeriesQuery& q) const {
  if (!ready()) return Unavailable("the store is closed");
  const auto started = std::chrono::steady_clock::now();
  auto series = registry_.find(q.entity, q.metric);
  if (!series) {
    if (!catalog_.contains(q.entity)) return NotFound("no entity '" + q.entity + "'");
    return std::vector<SeriesPoint>{};
  }
  if (q.intervalMs < 0 || (q.intervalMs > 0 && q.intervalMs % kMinute != 0))
    return BadRequest("interval must be a whole number of minutes");
  auto lease = readers_.acquire();
  std::vector<SeriesPoint> points;
  for (int attempt = 0;; ++attempt) {
    // Heads and sealed data must come from the same side of a seal: retry if one committed meanwhile.
    const uint64_t gen = sealGeneration_.load();
    if (gen % 2 == 1) {
      std::this_thread::yield();
      continue;
    }
    points.clear();
    if (q.intervalMs == 0) {
      auto raw = rawRange(lease, *series, q.from, q.to);
      if (!raw) return raw.error();
      for (const auto& s : *raw) {
        if (points.size() >= q.limit) break;
        points.push_back({s.t, s.v, static_cast<model::Quality>(s.q), 0});
      }
    } else {
      const int64_t res = q.intervalMs % kDay == 0 ? kDay : q.intervalMs % kHour == 0 ? kHour : kMinute;
      auto buckets = bucketsAt(lease, *series, res, q.from, q.to);
      if (!buckets) return buckets.error();
      auto grouped = q.intervalMs == res ? std::move(*buckets) : tsdb::regroup(*buckets, q.intervalMs);
      for (const auto& b : grouped) {
        if (b.count == 0) continue;
        if (points.size() >= q.limit) break;
        points.push_back({b.start, aggregate(b, q.agg), model::Quality::Good, b.count});
      }
    }
    if (sealGeneration_.load() == gen || attempt > 100) break;
  }
  querySeconds_->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return points;
}

}  // namespace cityops::store
