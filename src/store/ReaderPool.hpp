#pragma once
// Read connections (WAL readers never block the writer), each with its own ChunkTable statements.
#include "common/Result.hpp"
#include "store/ChunkTable.hpp"
#include "store/SqliteDb.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace cityops::store {

class ReaderPool {
 public:
  struct Conn {
    std::unique_ptr<SqliteDb> db;
    std::unique_ptr<ChunkTable> chunks;
  };
  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<Conn> c) : pool_(pool), c_(std::move(c)) {}
    ~Lease() { pool_.release(std::move(c_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    SqliteDb& db() { return *c_->db; }
    ChunkTable& chunks() { return *c_->chunks; }

   private:
    ReaderPool& pool_;
    std::unique_ptr<Conn> c_;
  };

  Status open(const std::string& path, size_t count);
  /// Waits for a free connection.
  Lease acquire();
  void close();

 private:
  void release(std::unique_ptr<Conn> c);
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> free_;
};

}  // namespace cityops::store
