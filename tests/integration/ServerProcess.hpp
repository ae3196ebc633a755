#pragma once
// Runs the real `cityops` binary for the integration tests: fork/exec on 127.0.0.1:0 in a data directory,
// the port read back from its log (a pipe), /readyz awaited, stopped by PID with SIGTERM or SIGKILL.
// A server is never left behind: the destructor SIGKILLs and reaps it, and the child asks the kernel to
// SIGKILL it if the test process dies (PR_SET_PDEATHSIG) - so start() must run on the test's main thread.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cityops::it {

/// The cityops binary: $CITYOPS_BIN (set by CMake), or --cityops-bin=PATH on the test command line.
const std::string& cityopsBinary();
void setCityopsBinary(std::string path);

/// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction
/// (kept when $CITYOPS_KEEP_DATA is set, for post-mortems).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class ServerProcess {
 public:
  struct Options {
    std::string dataDir;
    int threads = 4;
    std::string logLevel = "info";
    std::vector<std::string> extraArgs;
    std::chrono::seconds startTimeout{60};  // ASan + log replay can be slow
  };

  ServerProcess() = default;
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  /// Starts the server and waits until it logged its port and /readyz answered 200.
  /// Returns false (with the reason in error()) otherwise; the process is then already gone.
  bool start(Options options);
  /// SIGTERM, then waits up to `timeout` for the exit. Returns the wait status (see exitedCleanly()),
  /// or -1 when it had to be SIGKILLed after the timeout.
  int terminate(std::chrono::seconds timeout = std::chrono::seconds(60));
  /// SIGKILL and reap.
  void kill9();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  const std::string& error() const { return error_; }
  /// Everything the server printed so far (the last ~2 MiB), for failure messages.
  std::string output() const;
  /// The last `lines` lines of output().
  std::string tail(size_t lines = 40) const;

  static bool exitedCleanly(int waitStatus);
  static std::string describeStatus(int waitStatus);

 private:
  void readLoop(int fd);
  bool waitForPort(std::chrono::steady_clock::time_point deadline);
  int reap(std::chrono::milliseconds timeout);
  void joinReader();

  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string error_;
  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string output_;
  bool eof_ = false;
};

}  // namespace cityops::it
