#pragma once
// Seals every series head into compressed chunks and rollups, and deletes the log rows it covers.
#include "store/SqliteStore.hpp"

#include <future>

namespace cityops::store {

class FlushJob final : public WriteJob {
 public:
  /// `done` (optional) receives the outcome.
  FlushJob(SqliteStore& store, std::promise<Status>* done) : store_(store), done_(done) {}
  bool exclusive() const override { return true; }
  Status apply(SqliteDb& db) override;
  void committed() override;
  void failed(const Error& e) override;

 private:
  SqliteStore& store_;
  std::promise<Status>* done_;
  std::vector<std::pair<std::shared_ptr<Series>, int64_t>> sealed_;  // series, new sealedTo
  std::chrono::steady_clock::time_point started_;
};

}  // namespace cityops::store
