#pragma once
// The log record of one acknowledged ingest: (series id, sample) entries in a compact blob.
// Written in the same transaction that acknowledges the batch; replayed into series heads at open.
#include "common/Result.hpp"
#include "tsdb/Sample.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace cityops::store {

struct WalEntry {
  uint32_t series;
  tsdb::Sample sample;
};

class WalBatchCodec {
 public:
  /// Appends entries to one blob; `count` must be the number of add() calls that follow.
  class Encoder {
   public:
    explicit Encoder(size_t count);
    void add(const WalEntry& e);
    std::string finish() { return std::move(out_); }

   private:
    std::string out_;
    int64_t prevT_ = 0;
  };
  static std::string encode(const std::vector<WalEntry>& entries);
  /// Calls `each` for every entry; error "corrupt" on a malformed blob (entries before the error were delivered).
  static Status decode(std::string_view blob, const std::function<void(const WalEntry&)>& each);
};

}  // namespace cityops::store
