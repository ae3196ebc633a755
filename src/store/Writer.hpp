#pragma once
// The single writer: one thread owns the write connection and commits queued jobs in groups
// (group commit: concurrent small writes share one transaction and one sync).
#include "common/Result.hpp"
#include "store/SqliteDb.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace cityops::store {

class WriteJob {
 public:
  virtual ~WriteJob() = default;
  /// Observations carried, used to bound a group's size.
  virtual size_t weight() const { return 1; }
  /// Runs alone in its own transaction (e.g. sealing heads).
  virtual bool exclusive() const { return false; }
  /// Inside a savepoint of the group's transaction; an error rolls back this job only.
  virtual Status apply(SqliteDb& db) = 0;
  /// After the group committed: update memory, notify, reply.
  virtual void committed() = 0;
  virtual void failed(const Error& e) = 0;
};

class Writer {
 public:
  struct Options {
    size_t maxGroupWeight = 400000;  // observations per transaction
    int idleMs = 1000;               // the idle hook runs at least this often
  };
  /// `idle` runs on the writer thread when the queue is empty (background maintenance); may submit nothing.
  Writer(SqliteDb& db, Options options, std::function<void()> idle);
  ~Writer();

  void start();
  /// Runs every queued job, then stops the thread. Later submits fail with "unavailable".
  void stop();
  void submit(std::unique_ptr<WriteJob> job);
  /// Runs `job` on the writer thread as an exclusive job and waits for it.
  Status runExclusive(std::unique_ptr<WriteJob> job);
  size_t queued() const;
  uint64_t commits() const { return commits_; }

 private:
  void loop();
  void runGroup(std::vector<std::unique_ptr<WriteJob>>& group);
  Status run(int which);  // one of the prepared transaction statements below

  enum { kBegin, kCommit, kRollback, kSavepoint, kRelease, kRollbackTo, kStatements };
  std::vector<SqliteStatement> tx_;  // prepared once: parsing "BEGIN" per commit is measurable

  SqliteDb& db_;
  Options options_;
  std::function<void()> idle_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<WriteJob>> queue_;
  bool stopping_ = false, running_ = false;
  std::thread thread_;
  uint64_t commits_ = 0;
};

}  // namespace cityops::store
