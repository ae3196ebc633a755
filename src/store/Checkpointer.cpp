#include "store/Checkpointer.hpp"

#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include <chrono>

namespace cityops::store {

Result<std::unique_ptr<Checkpointer>> Checkpointer::start(const std::string& path, SqliteDb& writer) {
  auto db = SqliteDb::open(path, false, false);
  if (!db) return db.error();
  std::unique_ptr<Checkpointer> c(new Checkpointer());
  c->db_ = std::move(*db);
  c->writer_ = &writer;
  sqlite3_wal_hook(writer.raw(), &Checkpointer::onCommit, c.get());  // replaces the automatic checkpoint hook
  c->thread_ = std::thread([p = c.get()] { p->loop(); });
  return c;
}

Checkpointer::~Checkpointer() {
  if (writer_) sqlite3_wal_hook(writer_->raw(), nullptr, nullptr);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int Checkpointer::onCommit(void* self, sqlite3* db, const char*, int frames) {
  if (frames >= kFinishFrames) {
    // With commits arriving all the time the background copy never catches the WAL's end, and the WAL only
    // restarts after a checkpoint that did. Finish here, on the writer between two commits: the background has
    // copied nearly everything already, so this is short.
    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (frames >= kWakeFrames) {
    auto* c = static_cast<Checkpointer*>(self);
    {
      std::lock_guard lock(c->mu_);
      c->due_ = true;
    }
    c->cv_.notify_one();
  }
  return SQLITE_OK;
}

void Checkpointer::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    // Also every few seconds: a quiet database should not keep a large WAL around.
    cv_.wait_for(lock, std::chrono::seconds(5), [&] { return due_ || stopping_; });
    if (stopping_) return;
    due_ = false;
    lock.unlock();
    // PASSIVE never waits for readers or the writer; what it cannot copy now is copied next time.
    if (auto s = db_->exec("PRAGMA wal_checkpoint(PASSIVE)"); !s)
      spdlog::warn("store: checkpoint failed: {}", s.error().message);
    lock.lock();
  }
}

}  // namespace cityops::store
