#pragma once
// Seals series heads into compressed chunks and rollups, a slice of series per transaction so that ingest
// commits interleave with a long seal; the last slice deletes the log rows that the whole pass covered.
#include "store/SqliteStore.hpp"

#include <future>

namespace cityops::store {

class FlushJob final : public WriteJob {
 public:
  static constexpr size_t kSeriesPerSlice = 1000;

  /// `done` (optional) receives the outcome once every slice committed.
  FlushJob(SqliteStore& store, std::promise<Status>* done) : store_(store), done_(done) {}
  bool exclusive() const override { return true; }
  Status apply(SqliteDb& db) override;
  void committed() override;
  void failed(const Error& e) override;

 private:
  struct Pass {
    std::vector<std::shared_ptr<Series>> series;  // those with a head when the pass began
    size_t next = 0;
    int64_t logUpTo = 0;  // log rows <= this are covered once every slice committed
    std::chrono::steady_clock::time_point started;
  };
  FlushJob(SqliteStore& store, std::promise<Status>* done, std::shared_ptr<Pass> pass)
      : store_(store), done_(done), pass_(std::move(pass)) {}

  SqliteStore& store_;
  std::promise<Status>* done_;
  std::shared_ptr<Pass> pass_;
  std::vector<std::pair<std::shared_ptr<Series>, int64_t>> sealed_;  // series, new sealedTo
  size_t sealedSamples_ = 0;
};

}  // namespace cityops::store
