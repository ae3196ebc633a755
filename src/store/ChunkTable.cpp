#include "store/ChunkTable.hpp"

#include "tsdb/ChunkCodec.hpp"
#include "tsdb/Rollup.hpp"
#include "tsdb/RollupCodec.hpp"

#include <algorithm>

namespace cityops::store {

namespace {

enum Stmt {
  kChunksIn, kLastChunk, kDelChunk, kInsChunk, kRollupsIn, kLastRollup, kDelRollup, kInsRollup, kDropChunks,
  kDropRollups
};

constexpr const char* kSql[] = {
    // Chunks do not overlap: the one starting at or before ?2 and every one starting in (?2, ?3].
    "SELECT start_t, data FROM chunks WHERE series=?1 AND start_t<=?3 AND start_t>="
    "coalesce((SELECT max(start_t) FROM chunks WHERE series=?1 AND start_t<=?2), ?2) ORDER BY start_t",
    "SELECT start_t, data FROM chunks WHERE series=?1 ORDER BY start_t DESC LIMIT 1",
    "DELETE FROM chunks WHERE series=?1 AND start_t=?2",
    "INSERT INTO chunks(series, start_t, end_t, n, data) VALUES(?1, ?2, ?3, ?4, ?5)",
    "SELECT start_t, data FROM rollups WHERE series=?1 AND res=?2 AND start_t<=?4 AND start_t>="
    "coalesce((SELECT max(start_t) FROM rollups WHERE series=?1 AND res=?2 AND start_t<=?3), ?3) ORDER BY start_t",
    "SELECT start_t, data FROM rollups WHERE series=?1 AND res=?2 ORDER BY start_t DESC LIMIT 1",
    "DELETE FROM rollups WHERE series=?1 AND res=?2 AND start_t=?3",
    "INSERT INTO rollups(series, res, start_t, end_t, n, data) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    "DELETE FROM chunks WHERE series=?1",
    "DELETE FROM rollups WHERE series=?1",
};

}  // namespace

Result<SqliteStatement*> ChunkTable::stmt(int which) {
  auto& slot = stmts_[static_cast<size_t>(which)];
  if (!slot) {
    auto st = db_.prepare(kSql[which]);
    if (!st) return st.error();
    slot.emplace(std::move(*st));
  }
  slot->reset();
  return &*slot;
}

Result<std::vector<tsdb::Sample>> ChunkTable::samples(uint32_t series, int64_t from, int64_t to) {
  auto st = stmt(kChunksIn);
  if (!st) return st.error();
  (*st)->bind(1, static_cast<int64_t>(series)).bind(2, from).bind(3, to);
  std::vector<tsdb::Sample> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return row.error();
    if (!*row) break;
    auto decoded = tsdb::decodeChunk((*st)->blob(1));
    if (!decoded) return Internal("chunk of series " + std::to_string(series) + ": " + decoded.error().message);
    for (const auto& s : *decoded)
      if (s.t >= from && s.t <= to) out.push_back(s);
  }
  (*st)->reset();
  return out;
}

Result<std::vector<tsdb::Bucket>> ChunkTable::buckets(uint32_t series, int64_t res, int64_t from, int64_t to) {
  auto st = stmt(kRollupsIn);
  if (!st) return st.error();
  (*st)->bind(1, static_cast<int64_t>(series)).bind(2, res).bind(3, from).bind(4, to);
  std::vector<tsdb::Bucket> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return row.error();
    if (!*row) break;
    auto decoded = tsdb::decodeRollups((*st)->blob(1));
    if (!decoded) return Internal("rollup of series " + std::to_string(series) + ": " + decoded.error().message);
    for (const auto& b : *decoded)
      if (b.start >= from && b.start <= to) out.push_back(b);
  }
  (*st)->reset();
  return out;
}

Result<std::optional<tsdb::Sample>> ChunkTable::lastSample(uint32_t series) {
  auto st = stmt(kLastChunk);
  if (!st) return st.error();
  (*st)->bind(1, static_cast<int64_t>(series));
  auto row = (*st)->step();
  if (!row) return row.error();
  std::optional<tsdb::Sample> out;
  if (*row) {
    auto decoded = tsdb::decodeChunk((*st)->blob(1));
    if (!decoded) return Internal("chunk of series " + std::to_string(series) + ": " + decoded.error().message);
    if (!decoded->empty()) out = decoded->back();
  }
  (*st)->reset();
  return out;
}

Status ChunkTable::writeChunks(uint32_t series, std::span<const tsdb::Sample> all) {
  for (size_t i = 0; i < all.size(); i += kMaxChunkSamples) {
    auto part = all.subspan(i, std::min(kMaxChunkSamples, all.size() - i));
    auto st = stmt(kInsChunk);
    if (!st) return st.error();
    (*st)->bind(1, static_cast<int64_t>(series))
        .bind(2, part.front().t)
        .bind(3, part.back().t)
        .bind(4, static_cast<int64_t>(part.size()))
        .bindBlob(5, tsdb::encodeChunk(part));
    if (auto s = (*st)->run(); !s) return s;
  }
  return {};
}

Status ChunkTable::writeRollups(uint32_t series, int64_t res, std::span<const tsdb::Bucket> all) {
  for (size_t i = 0; i < all.size(); i += kMaxRollupBuckets) {
    auto part = all.subspan(i, std::min(kMaxRollupBuckets, all.size() - i));
    auto st = stmt(kInsRollup);
    if (!st) return st.error();
    (*st)->bind(1, static_cast<int64_t>(series))
        .bind(2, res)
        .bind(3, part.front().start)
        .bind(4, part.back().start)
        .bind(5, static_cast<int64_t>(part.size()))
        .bindBlob(6, tsdb::encodeRollups(part));
    if (auto s = (*st)->run(); !s) return s;
  }
  return {};
}

Status ChunkTable::sealSamples(uint32_t series, std::span<const tsdb::Sample> fresh, int64_t sealedTo) {
  if (fresh.empty()) return {};
  if (fresh.front().t > sealedTo) return appendSamples(series, fresh);
  return rewriteSamples(series, fresh);
}

Status ChunkTable::appendSamples(uint32_t series, std::span<const tsdb::Sample> fresh) {
  // Raw: top up the last chunk if it has room, then add new chunks.
  std::vector<tsdb::Sample> all;
  {
    auto st = stmt(kLastChunk);
    if (!st) return st.error();
    (*st)->bind(1, static_cast<int64_t>(series));
    auto row = (*st)->step();
    if (!row) return row.error();
    if (*row) {
      const int64_t start = (*st)->int64(0);
      auto decoded = tsdb::decodeChunk((*st)->blob(1));
      if (!decoded) return Internal("chunk of series " + std::to_string(series) + ": " + decoded.error().message);
      (*st)->reset();
      if (decoded->size() < kMaxChunkSamples) {
        all = std::move(*decoded);
        auto del = stmt(kDelChunk);
        if (!del) return del.error();
        (*del)->bind(1, static_cast<int64_t>(series)).bind(2, start);
        if (auto s = (*del)->run(); !s) return s;
      }
    }
  }
  all.insert(all.end(), fresh.begin(), fresh.end());
  if (auto s = writeChunks(series, all); !s) return s;
  // Rollups: new buckets combine with the newest stored ones.
  const auto good = tsdb::withoutBad(fresh);
  for (int64_t res : kRollupResolutions) {
    auto b = tsdb::rollup(good, res);
    if (auto s = appendBuckets(series, res, b); !s) return s;
  }
  return {};
}

Status ChunkTable::appendBuckets(uint32_t series, int64_t res, std::span<const tsdb::Bucket> fresh) {
  if (fresh.empty()) return {};
  std::vector<tsdb::Bucket> older;
  auto st = stmt(kLastRollup);
  if (!st) return st.error();
  (*st)->bind(1, static_cast<int64_t>(series)).bind(2, res);
  auto row = (*st)->step();
  if (!row) return row.error();
  if (*row) {
    const int64_t start = (*st)->int64(0);
    auto decoded = tsdb::decodeRollups((*st)->blob(1));
    if (!decoded) return Internal("rollup of series " + std::to_string(series) + ": " + decoded.error().message);
    (*st)->reset();
    // Keep full chunks as they are unless the fresh buckets overlap them.
    if (decoded->size() < kMaxRollupBuckets || decoded->back().start >= fresh.front().start) {
      older = std::move(*decoded);
      auto del = stmt(kDelRollup);
      if (!del) return del.error();
      (*del)->bind(1, static_cast<int64_t>(series)).bind(2, res).bind(3, start);
      if (auto s = (*del)->run(); !s) return s;
    }
  }
  (*st)->reset();
  auto all = tsdb::merge(older, fresh);
  return writeRollups(series, res, all);
}

Status ChunkTable::rewriteSamples(uint32_t series, std::span<const tsdb::Sample> fresh) {
  const int64_t from = fresh.front().t, to = fresh.back().t;
  // Every chunk overlapping [from, to] is decoded, merged with the fresh samples and written again.
  std::vector<tsdb::Sample> old;
  std::vector<int64_t> starts;
  {
    auto st = stmt(kChunksIn);
    if (!st) return st.error();
    (*st)->bind(1, static_cast<int64_t>(series)).bind(2, from).bind(3, to);
    for (;;) {
      auto row = (*st)->step();
      if (!row) return row.error();
      if (!*row) break;
      starts.push_back((*st)->int64(0));
      auto decoded = tsdb::decodeChunk((*st)->blob(1));
      if (!decoded) return Internal("chunk of series " + std::to_string(series) + ": " + decoded.error().message);
      old.insert(old.end(), decoded->begin(), decoded->end());
    }
    (*st)->reset();
  }
  for (int64_t start : starts) {
    auto del = stmt(kDelChunk);
    if (!del) return del.error();
    (*del)->bind(1, static_cast<int64_t>(series)).bind(2, start);
    if (auto s = (*del)->run(); !s) return s;
  }
  if (auto s = writeChunks(series, tsdb::overlay(old, fresh)); !s) return s;
  for (int64_t res : kRollupResolutions)
    if (auto s = recomputeBuckets(series, res, tsdb::bucketStart(from, res), tsdb::bucketStart(to, res)); !s) return s;
  return {};
}

Status ChunkTable::recomputeBuckets(uint32_t series, int64_t res, int64_t from, int64_t to) {
  // Buckets with from <= start <= to are rebuilt from the sealed samples, which already include the fresh ones.
  auto raw = samples(series, from, to + res - 1);
  if (!raw) return raw.error();
  auto rebuilt = tsdb::rollup(tsdb::withoutBad(*raw), res);
  std::vector<tsdb::Bucket> kept;
  std::vector<int64_t> starts;
  {
    auto st = stmt(kRollupsIn);
    if (!st) return st.error();
    (*st)->bind(1, static_cast<int64_t>(series)).bind(2, res).bind(3, from).bind(4, to);
    for (;;) {
      auto row = (*st)->step();
      if (!row) return row.error();
      if (!*row) break;
      starts.push_back((*st)->int64(0));
      auto decoded = tsdb::decodeRollups((*st)->blob(1));
      if (!decoded) return Internal("rollup of series " + std::to_string(series) + ": " + decoded.error().message);
      for (const auto& b : *decoded)
        if (b.start < from || b.start > to) kept.push_back(b);
    }
    (*st)->reset();
  }
  for (int64_t start : starts) {
    auto del = stmt(kDelRollup);
    if (!del) return del.error();
    (*del)->bind(1, static_cast<int64_t>(series)).bind(2, res).bind(3, start);
    if (auto s = (*del)->run(); !s) return s;
  }
  return writeRollups(series, res, tsdb::merge(kept, rebuilt));
}

Status ChunkTable::dropSeries(uint32_t series) {
  for (int which : {kDropChunks, kDropRollups}) {
    auto st = stmt(which);
    if (!st) return st.error();
    (*st)->bind(1, static_cast<int64_t>(series));
    if (auto s = (*st)->run(); !s) return s;
  }
  return {};
}

}  // namespace cityops::store
