#pragma once
// One (entity, metric) series in memory: its unsealed head and its latest sample.
#include "tsdb/Sample.hpp"

#include <cstdint>
#include <atomic>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

namespace cityops::store {

class Series {
 public:
  Series(uint32_t id, std::string entity, std::string metric) : id_(id), entity_(std::move(entity)), metric_(std::move(metric)) {}

  uint32_t id() const { return id_; }
  const std::string& entity() const { return entity_; }
  const std::string& metric() const { return metric_; }
  /// The entity's type, kept in step with entity updates.
  std::shared_ptr<const std::string> type() const;
  void setType(std::shared_ptr<const std::string> type);

  /// Writer thread only. Keeps the head sorted by time; a repeated time replaces the earlier sample.
  void append(const tsdb::Sample& s);
  /// Writer thread only: forget the head after it was sealed.
  void clearHead();
  /// Restores the latest sample known from sealed data (at open).
  void setLatest(const tsdb::Sample& s);

  /// Copies head samples with from <= t <= to.
  std::vector<tsdb::Sample> headRange(int64_t from, int64_t to) const;
  std::vector<tsdb::Sample> headCopy() const;
  /// Buckets at `res` of the head samples in [from, to] newer than `sealedTo`, skipping quality bad, computed in
  /// place under the lock (no copy of the head); the bucket starts of older (late) head samples go to `lateStarts`.
  void rollupHead(int64_t from, int64_t to, int64_t res, int64_t sealedTo, std::vector<tsdb::Bucket>& out,
                  std::vector<int64_t>& lateStarts) const;
  size_t headSize() const;
  bool latest(tsdb::Sample& out) const;

  /// Highest time already in sealed chunks (-1: none). Written by the writer thread only.
  std::atomic<int64_t> sealedTo{-1};
  std::atomic<bool> deleted{false};

 private:
  const uint32_t id_;
  const std::string entity_, metric_;
  mutable std::shared_mutex mu_;
  std::vector<tsdb::Sample> head_;
  std::shared_ptr<const std::string> type_;
  tsdb::Sample latest_{};
  bool hasLatest_ = false;
};

}  // namespace cityops::store
