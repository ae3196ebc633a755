#pragma once
// One validated ingest batch on its way through the writer: log row in, heads and listeners after commit.
#include "store/SqliteStore.hpp"

#include <chrono>

namespace cityops::store {

class IngestJob final : public WriteJob {
 public:
  /// `series[i]` is the known series of batch[i], or null when it must be created.
  IngestJob(SqliteStore& store, std::vector<model::Observation> batch, std::vector<std::shared_ptr<Series>> series,
            Store::IngestCallback done);
  size_t weight() const override { return batch_.size(); }
  Status apply(SqliteDb& db) override;
  void committed() override;
  void failed(const Error& e) override;

 private:
  Status resolveSeries(SqliteDb& db);

  SqliteStore& store_;
  std::vector<model::Observation> batch_;
  std::vector<std::shared_ptr<Series>> series_;
  std::vector<std::string> created_;  // keys of series this job created (pending until commit)
  Store::IngestCallback done_;
  std::chrono::steady_clock::time_point submitted_;
};

}  // namespace cityops::store
