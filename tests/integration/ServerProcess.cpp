#include "ServerProcess.hpp"

#include "Clients.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

extern char** environ;

namespace cityops::it {

namespace {
std::mutex& tokensMutex() {
  static std::mutex mu;
  return mu;
}
std::map<uint16_t, std::string>& tokens() {
  static std::map<uint16_t, std::string> map;
  return map;
}

std::string& binaryPath() {
  static std::string path = [] {
    const char* env = std::getenv("CITYOPS_BIN");
    return std::string(env ? env : "");
  }();
  return path;
}
constexpr size_t kMaxOutput = 2u * 1024 * 1024;
}  // namespace

void setDefaultToken(uint16_t port, std::string token) {
  std::lock_guard lock(tokensMutex());
  if (token.empty()) tokens().erase(port);
  else tokens()[port] = std::move(token);
}

std::string defaultToken(uint16_t port) {
  std::lock_guard lock(tokensMutex());
  auto it = tokens().find(port);
  return it == tokens().end() ? std::string() : it->second;
}

const std::string& cityopsBinary() { return binaryPath(); }
void setCityopsBinary(std::string path) { binaryPath() = std::move(path); }

TempDir::TempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/cityops-it-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed: " + std::string(std::strerror(errno)));
  path_ = buf.data();
}

TempDir::~TempDir() {
  if (std::getenv("CITYOPS_KEEP_DATA")) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) kill9();
  joinReader();
}

bool ServerProcess::start(Options o) {
  if (pid_ > 0) {
    error_ = "already running";
    return false;
  }
  joinReader();
  {
    std::lock_guard lock(mu_);
    output_.clear();
    eof_ = false;
  }
  port_ = 0;
  adminToken_.clear();
  error_.clear();
  const std::string& bin = cityopsBinary();
  if (bin.empty() || ::access(bin.c_str(), X_OK) != 0) {
    error_ = "cityops binary not found (set CITYOPS_BIN or --cityops-bin=PATH): '" + bin + "'";
    return false;
  }

  std::vector<std::string> args = {bin,     "serve",          "--listen",  "127.0.0.1:0",
                                   "--data", o.dataDir,        "--threads", std::to_string(o.threads),
                                   "--log-level", o.logLevel};
  // No rate limits for the suites (they send many requests quickly), unless the test brings its own --config.
  bool ownConfig = false;
  for (const auto& a : o.extraArgs) ownConfig = ownConfig || a == "--config" || a.starts_with("--config=");
  if (o.unlimitedRates && !ownConfig) {
    const std::string config = (std::filesystem::path(o.dataDir) / "it-unlimited.toml").string();
    std::ofstream out(config, std::ios::trunc);
    out << "# Written by the integration tests (ServerProcess): no request rate limits.\n"
           "[security]\nrate_limit = 0\nanonymous_rate_limit = 0\n";
    if (!out.flush()) {
      error_ = "cannot write " + config;
      return false;
    }
    args.push_back("--config");
    args.push_back(config);
  }
  for (const auto& a : o.extraArgs) args.push_back(a);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  // Environment: the test's own, CITYOPS_ADMIN_PASSWORD = kAdminPassword, then Options::env (last one wins).
  std::vector<std::pair<std::string, std::string>> overrides = {{"CITYOPS_ADMIN_PASSWORD", kAdminPassword}};
  for (const auto& kv : o.env) overrides.push_back(kv);
  std::string adminPassword;
  std::map<std::string, std::string> set;
  for (const auto& [k, v] : overrides) set[k] = v;
  adminPassword = set["CITYOPS_ADMIN_PASSWORD"];
  std::vector<std::string> envs;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string_view::npos && set.count(std::string(kv.substr(0, eq)))) continue;
    envs.emplace_back(kv);
  }
  for (const auto& [k, v] : set) envs.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : envs) envp.push_back(e.data());
  envp.push_back(nullptr);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    error_ = "pipe: " + std::string(std::strerror(errno));
    return false;
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    error_ = "fork: " + std::string(std::strerror(errno));
    ::close(fds[0]);
    ::close(fds[1]);
    return false;
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::close_range(3, ~0U, 0);  // no test sockets leak into the server
    ::setpgid(0, 0);  // own process group: a ^C on the test run does not double-signal it
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  pid_ = pid;
  reader_ = std::thread([this, fd = fds[0]] { readLoop(fd); });

  const auto deadline = std::chrono::steady_clock::now() + o.startTimeout;
  if (!waitForPort(deadline)) {
    const bool exited = reap(std::chrono::milliseconds(0)) >= 0 || pid_ <= 0;
    return failStart(exited ? "the server exited before listening" : "the server did not log its port in time");
  }
  setDefaultToken(port_, "");  // a token left from an earlier server on the same port means nothing here
  // Ready when /readyz says so (asked without a token: it is public).
  for (;;) {
    auto r = httpGet(port_, "/readyz", 5s, "");
    if (r.status == 200) break;
    if (std::chrono::steady_clock::now() > deadline || reap(std::chrono::milliseconds(0)) >= 0 || pid_ <= 0)
      return failStart("/readyz never answered 200 (last: " + r.describe() + ")");
    std::this_thread::sleep_for(50ms);
  }
  if (o.loginAsAdmin && !login(adminPassword, deadline)) return failStart(error_);
  return true;
}

bool ServerProcess::failStart(std::string why) {
  error_ = std::move(why);
  if (pid_ > 0) kill9();
  joinReader();
  error_ += "; output:\n" + tail();
  return false;
}

bool ServerProcess::login(const std::string& password, std::chrono::steady_clock::time_point deadline) {
  // Anonymous requests may be rate-limited (a test's own config): wait out 429s and 503 busy until the deadline.
  const std::string body =
      boost::json::serialize(boost::json::object{{"username", "admin"}, {"password", password}});
  for (;;) {
    HttpClient c(port_, 30s);
    c.setToken("");
    auto r = c.postJson("/api/v1/auth/login", body);
    if (r.status == 200) {
      const auto v = r.json();
      const auto* o = v.if_object();
      const auto* t = o ? o->if_contains("token") : nullptr;
      if (!t || !t->is_string() || t->get_string().empty()) {
        error_ = "logging in as admin: no token in " + r.describe();
        return false;
      }
      adminToken_ = std::string(t->get_string());
      setDefaultToken(port_, adminToken_);
      return true;
    }
    const bool retry = r.status == 429 || r.status == 503;
    if (!retry || std::chrono::steady_clock::now() > deadline || reap(std::chrono::milliseconds(0)) >= 0 ||
        pid_ <= 0) {
      error_ = "logging in as admin: " + r.describe();
      return false;
    }
    const int after = std::atoi(r.header("Retry-After").c_str());
    std::this_thread::sleep_for(after > 0 ? std::chrono::milliseconds(after * 1000) : 100ms);
  }
}

void ServerProcess::readLoop(int fd) {
  static const std::regex kServing(R"(cityops serving .* on http://127\.0\.0\.1:([0-9]+) )");
  char buf[8192];
  std::string line;
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::lock_guard lock(mu_);
    output_.append(buf, static_cast<size_t>(n));
    if (output_.size() > kMaxOutput) output_.erase(0, output_.size() - kMaxOutput / 2);
    if (port_ == 0) {
      std::smatch m;
      if (std::regex_search(output_, m, kServing)) {
        port_ = static_cast<uint16_t>(std::stoi(m[1].str()));
        cv_.notify_all();
      }
    }
  }
  ::close(fd);
  std::lock_guard lock(mu_);
  eof_ = true;
  cv_.notify_all();
}

bool ServerProcess::waitForPort(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  cv_.wait_until(lock, deadline, [&] { return port_ != 0 || eof_; });
  return port_ != 0;
}

int ServerProcess::reap(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return status;
    }
    if (r < 0 && errno != EINTR) {
      pid_ = -1;
      return -1;
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(10ms);
  }
}

int ServerProcess::terminate(std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const int status = reap(timeout);
  if (pid_ > 0) {  // did not stop in time
    kill9();
    joinReader();
    return -1;
  }
  joinReader();
  return status;
}

void ServerProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  joinReader();
}

void ServerProcess::joinReader() {
  if (reader_.joinable()) reader_.join();
}

std::string ServerProcess::output() const {
  std::lock_guard lock(mu_);
  return output_;
}

std::string ServerProcess::tail(size_t lines) const {
  const std::string out = output();
  size_t pos = out.size();
  for (size_t n = 0; n <= lines && pos > 0; ++n) {
    const auto nl = out.rfind('\n', pos - 1);
    if (nl == std::string::npos) {
      pos = 0;
      break;
    }
    pos = nl;
  }
  return out.substr(pos);
}

bool ServerProcess::exitedCleanly(int s) { return s >= 0 && WIFEXITED(s) && WEXITSTATUS(s) == 0; }

std::string ServerProcess::describeStatus(int s) {
  if (s < 0) return "did not exit in time (SIGKILLed)";
  if (WIFEXITED(s)) return "exit code " + std::to_string(WEXITSTATUS(s));
  if (WIFSIGNALED(s)) return "killed by signal " + std::to_string(WTERMSIG(s));
  return "status " + std::to_string(s);
}

}  // namespace cityops::it
