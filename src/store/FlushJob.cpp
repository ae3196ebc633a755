#include "store/FlushJob.hpp"

#include <spdlog/spdlog.h>

namespace cityops::store {

Status FlushJob::apply(SqliteDb& db) {
  if (!pass_) {
    pass_ = std::make_shared<Pass>();
    pass_->started = std::chrono::steady_clock::now();
    pass_->logUpTo = store_.lastLogId_;
    for (auto& s : store_.registry_.all())
      if (s->headSize() > 0) pass_->series.push_back(std::move(s));
  }
  auto upd = db.prepare("UPDATE series SET sealed_to=?2, last_t=?3, last_v=?4, last_q=?5 WHERE id=?1");
  if (!upd) return upd.error();
  const size_t end = std::min(pass_->series.size(), pass_->next + kSeriesPerSlice);
  for (size_t i = pass_->next; i < end; ++i) {
    const auto& s = pass_->series[i];
    if (s->deleted) continue;
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
    sealedSamples_ += head.size();
  }
  if (end == pass_->series.size()) {
    auto del = db.prepare("DELETE FROM wal_batches WHERE id <= ?1");
    if (!del) return del.error();
    del->bind(1, pass_->logUpTo);
    if (auto r = del->run(); !r) return r;
  }
  store_.sealGeneration_.fetch_add(1);  // odd: readers must not combine heads with what is being committed
  return {};
}

void FlushJob::committed() {
  for (auto& [s, sealedTo] : sealed_) {
    s->sealedTo = sealedTo;
    s->clearHead();
  }
  store_.headSamples_ -= std::min(store_.headSamples_.load(), sealedSamples_);
  store_.sealGeneration_.fetch_add(1);
  pass_->next = std::min(pass_->series.size(), pass_->next + kSeriesPerSlice);
  if (pass_->next < pass_->series.size()) {
    // Let queued ingest commit first, then seal the next slice.
    store_.writer_->submit(std::unique_ptr<WriteJob>(new FlushJob(store_, done_, pass_)));
    return;
  }
  store_.oldestUnsealedMs_ = store_.headSamples_.load() ? store_.clock_.nowMs() : 0;
  store_.flushQueued_ = false;
  store_.releaseFreePages(false);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - pass_->started).count();
  store_.sealSeconds_->observe(secs);
  if (!pass_->series.empty()) spdlog::debug("store: sealed {} series in {:.3f} s", pass_->series.size(), secs);
  if (done_) done_->set_value(Status{});
}

void FlushJob::failed(const Error& e) {
  if (store_.sealGeneration_.load() % 2 == 1) store_.sealGeneration_.fetch_add(1);
  store_.flushQueued_ = false;
  spdlog::error("store: sealing failed: {}", e.message);
  if (done_) done_->set_value(e);
}

}  // namespace cityops::store
