#include "store/FlushJob.hpp"

#include <spdlog/spdlog.h>

namespace cityops::store {

Status FlushJob::apply(SqliteDb& db) {
  started_ = std::chrono::steady_clock::now();
  auto upd = db.prepare("UPDATE series SET sealed_to=?2, last_t=?3, last_v=?4, last_q=?5 WHERE id=?1");
  if (!upd) return upd.error();
  for (const auto& s : store_.registry_.all()) {
    // Heads only change on this (the writer) thread, so the copy is the whole head.
    auto head = s->headCopy();
    if (head.empty()) continue;
    if (auto r = store_.chunks_->sealSamples(s->id(), head, s->sealedTo); !r) return r;
    const int64_t sealedTo = std::max(s->sealedTo.load(), head.back().t);
    tsdb::Sample last{};
    s->latest(last);
    upd->bind(1, static_cast<int64_t>(s->id())).bind(2, sealedTo).bind(3, last.t).bind(4, last.v)
        .bind(5, static_cast<int64_t>(last.q));
    if (auto r = upd->run(); !r) return r;
    sealed_.emplace_back(s, sealedTo);
  }
  auto del = db.prepare("DELETE FROM wal_batches WHERE id <= ?1");
  if (!del) return del.error();
  del->bind(1, store_.lastLogId_);
  if (auto r = del->run(); !r) return r;
  store_.sealGeneration_.fetch_add(1);  // odd: readers must not combine heads with what is being committed
  return {};
}

void FlushJob::committed() {
  for (auto& [s, sealedTo] : sealed_) {
    s->sealedTo = sealedTo;
    s->clearHead();
  }
  store_.headSamples_ = 0;
  store_.oldestUnsealedMs_ = 0;
  store_.flushQueued_ = false;
  store_.sealGeneration_.fetch_add(1);
  (void)store_.db_->exec("PRAGMA wal_checkpoint(PASSIVE)");
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  store_.sealSeconds_->observe(secs);
  if (!sealed_.empty()) spdlog::debug("store: sealed {} series in {:.3f} s", sealed_.size(), secs);
  if (done_) done_->set_value(Status{});
}

void FlushJob::failed(const Error& e) {
  if (store_.sealGeneration_.load() % 2 == 1) store_.sealGeneration_.fetch_add(1);
  store_.flushQueued_ = false;
  spdlog::error("store: sealing failed: {}", e.message);
  if (done_) done_->set_value(e);
}

}  // namespace cityops::store
