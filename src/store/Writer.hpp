#pragma once
// The single writer: one owner of the write connection at a time commits queued jobs in groups (group commit:
// concurrent small writes share one transaction and one sync). The owner is the writer thread, or, for a small job
// submitted while nothing is being written, the submitting thread itself (leader-style, as RocksDB's write thread).
#include "common/Result.hpp"
#include "store/SqliteDb.hpp"

#include <atomic>
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
    size_t inlineMaxWeight = 1000;   // a job this small may be committed on the submitting thread when idle
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
  /// Observations waiting in the queue (not yet being committed).
  size_t queuedWeight() const;

 private:
  void loop();
  void runGroup(std::vector<std::unique_ptr<WriteJob>>& group);
  void takeGroup(std::vector<std::unique_ptr<WriteJob>>& group);  // under mu_, queue_ not empty
  Status run(int which);  // one of the prepared transaction statements below

  enum { kBegin, kCommit, kRollback, kSavepoint, kRelease, kRollbackTo, kStatements };
  std::vector<SqliteStatement> tx_;  // prepared once: parsing "BEGIN" per commit is measurable

  SqliteDb& db_;
  Options options_;
  std::function<void()> idle_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<WriteJob>> queue_;
  bool writing_ = false;
  size_t queuedWeight_ = 0;  // someone (the writer thread or an inline submitter) owns the connection
  bool stopping_ = false, running_ = false;
  std::thread thread_;
};

}  // namespace cityops::store
