#pragma once
// Runs the real `cityops` binary for the integration tests: fork/exec on 127.0.0.1:0 in a data directory,
// the port read back from its log (a pipe), /readyz awaited, then logged in as the first admin (its password is
// it::kAdminPassword, given through CITYOPS_ADMIN_PASSWORD), stopped by PID with SIGTERM or SIGKILL.
// The admin's token becomes the default token of the server's port: HttpClient, httpGet and WsClient send it
// unless told otherwise (see Clients.hpp).
// A server is never left behind: the destructor SIGKILLs and reaps it, and the child asks the kernel to
// SIGKILL it if the test process dies (PR_SET_PDEATHSIG) - so start() must run on the test's main thread.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace cityops::it {

/// The password of the first admin of every server started here (CITYOPS_ADMIN_PASSWORD), unless Options::env
/// sets another.
inline constexpr const char* kAdminPassword = "it-Admin-password-2025";

/// The token a client sends to `port` when not told otherwise ("" = none). start() sets it to the admin's token
/// (or clears it when it does not log in). Thread-safe.
void setDefaultToken(uint16_t port, std::string token);
std::string defaultToken(uint16_t port);

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
    /// Extra environment for the server (added to the test's own; overrides CITYOPS_ADMIN_PASSWORD=kAdminPassword).
    std::vector<std::pair<std::string, std::string>> env;
    /// Log in as 'admin' once ready (with CITYOPS_ADMIN_PASSWORD from env, else kAdminPassword); the token is
    /// adminToken() and the port's default token.
    bool loginAsAdmin = true;
    /// Start with `--config <dataDir>/it-unlimited.toml` ([security] rate_limit = 0, anonymous_rate_limit = 0):
    /// the suites send many requests quickly. Set false to run with the defaults or with a --config of your own
    /// in extraArgs.
    bool unlimitedRates = true;
  };

  ServerProcess() = default;
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  /// Starts the server, waits until it logged its port and /readyz answered 200, then logs in as admin (unless
  /// options.loginAsAdmin is false). Returns false (with the reason in error()) otherwise; the process is then
  /// already gone.
  bool start(Options options);
  /// SIGTERM, then waits up to `timeout` for the exit. Returns the wait status (see exitedCleanly()),
  /// or -1 when it had to be SIGKILLed after the timeout.
  int terminate(std::chrono::seconds timeout = std::chrono::seconds(60));
  /// SIGKILL and reap.
  void kill9();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  /// The admin's session token from the last start() (empty when it did not log in).
  const std::string& adminToken() const { return adminToken_; }
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
  bool login(const std::string& password, std::chrono::steady_clock::time_point deadline);
  /// Kills the process after a failed start and completes error_ with the output.
  bool failStart(std::string why);
  int reap(std::chrono::milliseconds timeout);
  void joinReader();

  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string adminToken_;
  std::string error_;
  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string output_;
  bool eof_ = false;
};

}  // namespace cityops::it
