#pragma once
// Copies the WAL back into the database file on its own thread and connection, so that no commit (and no HTTP
// request committing inline) pays for a checkpoint. The writer connection's WAL hook wakes it.
#include "store/SqliteDb.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace cityops::store {

class Checkpointer {
 public:
  static constexpr int kWakeFrames = 2000;    // about 8 MB of WAL: wake the background copy
  static constexpr int kFinishFrames = 6000;  // about 24 MB: the writer finishes the checkpoint itself

  /// Takes over checkpointing of `writer` (its automatic checkpoints are turned off).
  static Result<std::unique_ptr<Checkpointer>> start(const std::string& path, SqliteDb& writer);
  ~Checkpointer();

 private:
  Checkpointer() = default;
  static int onCommit(void* self, struct sqlite3*, const char*, int frames);
  void loop();

  std::unique_ptr<SqliteDb> db_;
  SqliteDb* writer_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  bool due_ = false, stopping_ = false;
  std::thread thread_;
};

}  // namespace cityops::store
