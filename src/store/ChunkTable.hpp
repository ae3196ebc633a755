#pragma once
// Sealed data on one SQLite connection: compressed sample chunks and rollup chunks per series.
//   chunks (series, start_t, end_t, n, data)        raw samples, tsdb::encodeChunk
//   rollups(series, res, start_t, end_t, n, data)   buckets at res = 1 min / 1 h / 1 day, tsdb::encodeRollups
#include "common/Result.hpp"
#include "store/SqliteDb.hpp"
#include "tsdb/Sample.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace cityops::store {

inline constexpr int64_t kMinute = 60000, kHour = 3600000, kDay = 86400000;
inline constexpr std::array<int64_t, 3> kRollupResolutions = {kMinute, kHour, kDay};

class ChunkTable {
 public:
  static constexpr size_t kMaxChunkSamples = 1024;
  static constexpr size_t kMaxRollupBuckets = 1440;

  explicit ChunkTable(SqliteDb& db) : db_(db) {}

  /// Sealed samples with from <= t <= to.
  Result<std::vector<tsdb::Sample>> samples(uint32_t series, int64_t from, int64_t to);
  /// Sealed rollup buckets at `res` with from <= start <= to.
  Result<std::vector<tsdb::Bucket>> buckets(uint32_t series, int64_t res, int64_t from, int64_t to);
  /// The newest sample in sealed chunks.
  Result<std::optional<tsdb::Sample>> lastSample(uint32_t series);

  // Writes (writer connection, inside a transaction).
  /// Merges `fresh` (sorted, unique times) into the sealed chunks; a fresh sample replaces a sealed one at the same time.
  /// `sealedTo` is the newest sealed time (-1 if none): fresh samples after it are appended to the last chunk.
  Status sealSamples(uint32_t series, std::span<const tsdb::Sample> fresh, int64_t sealedTo);
  /// Deletes every chunk and rollup of the series.
  Status dropSeries(uint32_t series);

 private:
  Status appendSamples(uint32_t series, std::span<const tsdb::Sample> fresh);
  Status rewriteSamples(uint32_t series, std::span<const tsdb::Sample> fresh);
  Status writeChunks(uint32_t series, std::span<const tsdb::Sample> all);
  Status appendBuckets(uint32_t series, int64_t res, std::span<const tsdb::Bucket> fresh);
  Status recomputeBuckets(uint32_t series, int64_t res, int64_t from, int64_t to);
  Status writeRollups(uint32_t series, int64_t res, std::span<const tsdb::Bucket> all);
  Result<SqliteStatement*> stmt(int which);

  SqliteDb& db_;
  std::array<std::optional<SqliteStatement>, 10> stmts_;
};

}  // namespace cityops::store
