#include "store/ReaderPool.hpp"

namespace cityops::store {

Status ReaderPool::open(const std::string& path, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    auto db = SqliteDb::open(path, false, false);
    if (!db) return db.error();
    auto c = std::make_unique<Conn>();
    c->db = std::move(*db);
    c->chunks = std::make_unique<ChunkTable>(*c->db);
    std::lock_guard lock(mu_);
    free_.push_back(std::move(c));
  }
  return {};
}

ReaderPool::Lease ReaderPool::acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !free_.empty(); });
  auto c = std::move(free_.back());
  free_.pop_back();
  return Lease(*this, std::move(c));
}

void ReaderPool::release(std::unique_ptr<Conn> c) {
  {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(c));
  }
  cv_.notify_one();
}

void ReaderPool::close() {
  std::lock_guard lock(mu_);
  free_.clear();
}

}  // namespace cityops::store
