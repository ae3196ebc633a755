#include "store/Writer.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <future>

namespace cityops::store {

Writer::Writer(SqliteDb& db, Options options, std::function<void()> idle)
    : db_(db), options_(options), idle_(std::move(idle)) {}

Writer::~Writer() { stop(); }

void Writer::start() {
  std::lock_guard lock(mu_);
  if (running_) return;
  running_ = true;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void Writer::stop() {
  {
    std::lock_guard lock(mu_);
    if (!running_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  std::lock_guard lock(mu_);
  running_ = false;
}

void Writer::submit(std::unique_ptr<WriteJob> job) {
  std::unique_lock lock(mu_);
  if (stopping_ || !running_) {
    lock.unlock();
    return job->failed(Unavailable("the store is closed"));
  }
  const bool small = !job->exclusive() && job->weight() <= options_.inlineMaxWeight;
  queuedWeight_ += job->weight();
  queue_.push_back(std::move(job));
  if (!small || writing_ || queue_.size() > 1) {
    cv_.notify_one();
    return;
  }
  // Nobody is writing and this is the only job: commit it on the calling thread, saving the two thread hand-offs
  // (to the writer and back) that dominate the latency of a small write. Still one writer at a time.
  writing_ = true;
  std::vector<std::unique_ptr<WriteJob>> group;
  takeGroup(group);
  lock.unlock();
  runGroup(group);
  lock.lock();
  writing_ = false;
  if (!queue_.empty() || stopping_) cv_.notify_one();
}

void Writer::takeGroup(std::vector<std::unique_ptr<WriteJob>>& group) {
  size_t weight = 0;
  if (queue_.front()->exclusive()) {
    queuedWeight_ -= queue_.front()->weight();
    group.push_back(std::move(queue_.front()));
    queue_.pop_front();
    return;
  }
  while (!queue_.empty() && !queue_.front()->exclusive() &&
         (group.empty() || weight + queue_.front()->weight() <= options_.maxGroupWeight)) {
    weight += queue_.front()->weight();
    group.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  queuedWeight_ -= weight;
}

namespace {
class WaitingJob final : public WriteJob {
 public:
  WaitingJob(std::unique_ptr<WriteJob> inner, std::promise<Status>& done) : inner_(std::move(inner)), done_(done) {}
  bool exclusive() const override { return true; }
  Status apply(SqliteDb& db) override {
    status_ = inner_->apply(db);
    return status_;
  }
  void committed() override {
    inner_->committed();
    done_.set_value(status_);
  }
  void failed(const Error& e) override {
    inner_->failed(e);
    done_.set_value(e);
  }

 private:
  std::unique_ptr<WriteJob> inner_;
  std::promise<Status>& done_;
  Status status_;
};
}  // namespace

Status Writer::runExclusive(std::unique_ptr<WriteJob> job) {
  std::promise<Status> done;
  auto f = done.get_future();
  submit(std::make_unique<WaitingJob>(std::move(job), done));
  return f.get();
}

size_t Writer::queuedWeight() const {
  std::lock_guard lock(mu_);
  return queuedWeight_;
}

void Writer::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait_for(lock, std::chrono::milliseconds(options_.idleMs),
                 [&] { return (stopping_ && !writing_) || (!queue_.empty() && !writing_); });
    if (writing_) continue;  // a caller is committing inline; it notifies when done
    if (queue_.empty()) {
      if (stopping_) return;
      writing_ = true;
      lock.unlock();
      if (idle_) idle_();
      lock.lock();
      writing_ = false;
      continue;
    }
    std::vector<std::unique_ptr<WriteJob>> group;
    takeGroup(group);
    writing_ = true;
    lock.unlock();
    runGroup(group);
    lock.lock();
    writing_ = false;
  }
}

Status Writer::run(int which) {
  if (tx_.empty()) {
    for (const char* sql : {"BEGIN IMMEDIATE", "COMMIT", "ROLLBACK", "SAVEPOINT job", "RELEASE job", "ROLLBACK TO job"}) {
      auto st = db_.prepare(sql);
      if (!st) {
        tx_.clear();
        return st.error();
      }
      tx_.push_back(std::move(*st));
    }
  }
  return tx_[static_cast<size_t>(which)].run();
}

void Writer::runGroup(std::vector<std::unique_ptr<WriteJob>>& group) {
  auto failAll = [&](const Error& e) {
    for (auto& j : group)
      if (j) j->failed(e);
  };
  if (auto s = run(kBegin); !s) {
    spdlog::error("writer: cannot begin a transaction: {}", s.error().message);
    return failAll(s.error());
  }
  std::vector<bool> ok(group.size(), false);
  const bool single = group.size() == 1;
  for (size_t i = 0; i < group.size(); ++i) {
    if (!single) (void)run(kSavepoint);
    Status s = group[i]->apply(db_);
    if (s) {
      if (!single) (void)run(kRelease);
      ok[i] = true;
    } else {
      if (!single) {
        (void)run(kRollbackTo);
        (void)run(kRelease);
      }
      group[i]->failed(s.error());
      group[i].reset();
    }
  }
  if (single && !ok[0]) {
    (void)run(kRollback);
    return;
  }
  if (auto s = run(kCommit); !s) {
    spdlog::error("writer: commit failed: {}", s.error().message);
    (void)run(kRollback);
    return failAll(s.error());
  }
  for (auto& j : group)
    if (j) j->committed();
}

}  // namespace cityops::store
