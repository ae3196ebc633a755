#pragma once
// A real MQTT broker for tests: /usr/sbin/mosquitto (Debian package `mosquitto`, see tools/deps.sh) on 127.0.0.1, on
// a port picked free at construction, with its config, password file and log in a temporary directory; started and
// stopped by PID. And TestSubscriber: a libmosquitto client recording every (topic, payload) it receives, in order.
//
// Header-only and free of gtest and cityops types, so integration tests can reuse it.
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace cityops::testing {

inline constexpr const char* kMosquittoBinary = "/usr/sbin/mosquitto";
inline constexpr const char* kMosquittoPasswd = "/usr/bin/mosquitto_passwd";

/// A port on 127.0.0.1 that was free a moment ago (bound to port 0, read, closed).
inline uint16_t freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

/// true when something accepts TCP connections on 127.0.0.1:port.
inline bool loopbackAccepts(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

/// Runs a program to completion (fork/exec, output to /dev/null); its exit status, -1 when it could not run.
inline int runProgram(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) {
      ::dup2(null, 1);
      ::dup2(null, 2);
    }
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class MosquittoBroker {
 public:
  struct Options {
    uint16_t port = 0;  // 0: a free one
    /// Empty: anonymous clients allowed. Otherwise only these (user, password) pairs (allow_anonymous false and a
    /// password_file made with mosquitto_passwd).
    std::vector<std::pair<std::string, std::string>> users;
  };

  MosquittoBroker() : MosquittoBroker(Options{}) {}
  /// Writes the configuration; does not start the broker (start()).
  explicit MosquittoBroker(Options options) : options_(std::move(options)) {
    port_ = options_.port ? options_.port : freeLoopbackPort();
    dir_ = std::filesystem::temp_directory_path() /
           ("cityops-mosquitto-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    std::ofstream conf(configPath());
    conf << "listener " << port_ << " 127.0.0.1\n"
         << "persistence false\n"
         << "log_dest stderr\n"
         << "log_type all\n"
         // Started as root (as in CI containers), mosquitto 2 would switch to the user `mosquitto`, which may not
         // read this directory; as any other user this line is ignored.
         << "user root\n";
    if (options_.users.empty()) {
      conf << "allow_anonymous true\n";
    } else {
      const std::string passwords = (dir_ / "passwords").string();
      bool first = true;
      for (const auto& [user, password] : options_.users) {
        std::vector<std::string> argv{kMosquittoPasswd, "-b"};
        if (first) argv.push_back("-c");
        argv.insert(argv.end(), {passwords, user, password});
        if (runProgram(argv) != 0) error_ = "mosquitto_passwd failed for user " + user;
        first = false;
      }
      conf << "allow_anonymous false\n"
           << "password_file " << passwords << "\n";
    }
  }
  ~MosquittoBroker() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  uint16_t port() const { return port_; }
  bool running() const { return pid_ > 0; }
  /// Why start() failed (empty when it did not), with the broker's log.
  const std::string& error() const { return error_; }
  std::string configPath() const { return (dir_ / "mosquitto.conf").string(); }
  std::string logPath() const { return (dir_ / "mosquitto.log").string(); }
  std::string log() const {
    std::ifstream in(logPath());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  /// Starts `mosquitto -c <config>` and waits (at most `timeout`) until the port accepts connections.
  bool start(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    if (pid_ > 0) return true;
    if (!error_.empty()) return false;
    const std::string binary = kMosquittoBinary, flag = "-c", config = configPath();
    char* argv[] = {const_cast<char*>(binary.c_str()), const_cast<char*>(flag.c_str()),
                    const_cast<char*>(config.c_str()), nullptr};
    const int logFd = ::open(logPath().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (logFd < 0) {
      error_ = "cannot open " + logPath();
      return false;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
      ::close(logFd);
      error_ = "fork failed";
      return false;
    }
    if (pid == 0) {  // only async-signal-safe calls from here on
      ::dup2(logFd, 1);
      ::dup2(logFd, 2);
      ::execv(argv[0], argv);
      ::_exit(127);
    }
    ::close(logFd);
    pid_ = pid;
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (!loopbackAccepts(port_)) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        error_ = "mosquitto exited at start:\n" + log();
        return false;
      }
      if (std::chrono::steady_clock::now() >= end) {
        stop();
        error_ = "mosquitto did not listen on port " + std::to_string(port_) + " in time:\n" + log();
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  /// SIGTERM, then SIGKILL after `grace`; waits for the process. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(3)) {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    const auto end = std::chrono::steady_clock::now() + grace;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) != pid_) {
      if (std::chrono::steady_clock::now() >= end) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    pid_ = -1;
  }

  /// Kills the broker at once (SIGKILL): no goodbye to its clients.
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  Options options_;
  uint16_t port_ = 0;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  std::string error_;
};

/// A subscriber on the broker (its own libmosquitto network thread), recording every message in arrival order.
/// start() connects and subscribes, and returns once the broker acknowledged the subscription.
class TestSubscriber {
 public:
  struct Message {
    std::string topic;
    std::string payload;
    bool operator==(const Message&) const = default;
  };

  TestSubscriber(uint16_t port, std::string filter = "cityops/#", std::string user = {}, std::string password = {})
      : port_(port), filter_(std::move(filter)), user_(std::move(user)), password_(std::move(password)) {
    mosquitto_lib_init();  // reference counted in libmosquitto 2; no cleanup: the library stays usable
  }
  ~TestSubscriber() { stop(); }
  TestSubscriber(const TestSubscriber&) = delete;
  TestSubscriber& operator=(const TestSubscriber&) = delete;

  /// Connects (QoS 1 subscription to the filter); false, with error(), when not subscribed within `timeout`.
  bool start(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    stop();
    {
      std::lock_guard lock(mu_);
      subscribed_ = false;
      error_.clear();
    }
    const std::string id = "cityops-test-sub-" + std::to_string(std::random_device{}());
    m_ = mosquitto_new(id.c_str(), true, this);
    if (!m_) return fail("mosquitto_new failed");
    mosquitto_int_option(m_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    if (!user_.empty()) mosquitto_username_pw_set(m_, user_.c_str(), password_.c_str());
    mosquitto_connect_callback_set(m_, [](mosquitto* m, void* obj, int rc) {
      auto* self = static_cast<TestSubscriber*>(obj);
      if (rc != 0) {
        self->fail(std::string("CONNACK: ") + mosquitto_connack_string(rc));
        return;
      }
      mosquitto_subscribe(m, nullptr, self->filter_.c_str(), 1);
    });
    mosquitto_subscribe_callback_set(m_, [](mosquitto*, void* obj, int, int, const int*) {
      auto* self = static_cast<TestSubscriber*>(obj);
      std::lock_guard lock(self->mu_);
      self->subscribed_ = true;
      self->cv_.notify_all();
    });
    mosquitto_message_callback_set(m_, [](mosquitto*, void* obj, const mosquitto_message* msg) {
      auto* self = static_cast<TestSubscriber*>(obj);
      std::lock_guard lock(self->mu_);
      self->messages_.push_back(
          {msg->topic, std::string(static_cast<const char*>(msg->payload), static_cast<size_t>(msg->payloadlen))});
      self->cv_.notify_all();
    });
    if (int rc = mosquitto_connect(m_, "127.0.0.1", port_, 30); rc != MOSQ_ERR_SUCCESS)
      return fail(std::string("connect: ") + mosquitto_strerror(rc));
    if (int rc = mosquitto_loop_start(m_); rc != MOSQ_ERR_SUCCESS)
      return fail(std::string("loop_start: ") + mosquitto_strerror(rc));
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return subscribed_ || !error_.empty(); });
    if (!subscribed_ && error_.empty()) error_ = "not subscribed in time";
    return subscribed_;
  }

  /// Disconnects and joins the network thread. Messages received so far are kept.
  void stop() {
    if (!m_) return;
    mosquitto_disconnect(m_);
    mosquitto_loop_stop(m_, true);
    mosquitto_destroy(m_);
    m_ = nullptr;
  }

  std::vector<Message> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }
  /// Waits (at most `timeout`) until at least n messages arrived.
  bool waitFor(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return messages_.size() >= n; });
  }
  std::string error() const {
    std::lock_guard lock(mu_);
    return error_;
  }

 private:
  bool fail(std::string e) {
    std::lock_guard lock(mu_);
    error_ = std::move(e);
    cv_.notify_all();
    return false;
  }

  uint16_t port_;
  std::string filter_, user_, password_;
  mosquitto* m_ = nullptr;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool subscribed_ = false;
  std::string error_;
  std::vector<Message> messages_;
};

}  // namespace cityops::testing
