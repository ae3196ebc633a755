#pragma once
// A migrated SQLite database in a temporary directory with the notify stores on it, a clock that is either the
// system clock or frozen (ManualClock semantics), and Receiver: cityops' own HttpServer recording every webhook POST.
#include "common/Clock.hpp"
#include "http/HttpServer.hpp"
#include "http/Router.hpp"
#include "metrics/Registry.hpp"
#include "notify/Deliverer.hpp"
#include "notify/Outbox.hpp"
#include "notify/SubscriptionStore.hpp"
#include "store/SqliteDb.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace cityops::notify::testing {

using namespace std::chrono_literals;

inline constexpr int64_t kT0 = 1764201600000;  // 2025-11-27T00:00:00Z
inline constexpr int64_t kHour = 3600 * 1000;
inline const std::string kSecret = "s3cret-s3cret-s3cret-0123456789";  // 31 bytes

/// The system clock, or frozen at a time the test sets and moves.
class TestClock final : public Clock {
 public:
  int64_t nowMs() const override { return frozen_.load() ? manual_.nowMs() : system_.nowMs(); }
  void freeze(int64_t ms) {
    manual_.set(ms);
    frozen_.store(true);
  }
  void advance(int64_t ms) { manual_.advance(ms); }

 private:
  SystemClock system_;
  ManualClock manual_{kT0};
  std::atomic<bool> frozen_{false};
};

/// Polls `pred` every 5 ms until it holds or `timeout` passes; returns its last value.
inline bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 10s) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(5ms);
  }
}

/// HMAC-SHA256(secret, body) as lower-case hex, computed here with libsodium, independently of notify/Signature.
inline std::string hmacHex(const std::string& secret, const std::string& body) {
  EXPECT_GE(sodium_init(), 0);
  crypto_auth_hmacsha256_state st;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

/// One POST as the receiver saw it.
struct Received {
  std::string name;  // the {name} of /hook/{name}
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  int answered = 0;                            // the status the receiver answered
};

/// cityops' HttpServer on 127.0.0.1 (an ephemeral port unless given), recording POST /hook/{name}. Each name answers
/// `failFirst(name)` requests with `failStatus` and then 200.
class Receiver {
 public:
  explicit Receiver(uint16_t port = 0) {
    router_.add("POST", "/hook/{name}", [this](http::Request&& req, http::Reply reply) {
      Received r;
      r.name = req.params["name"];
      r.body = req.body;
      for (const auto& [k, v] : req.headers) {
        std::string lower;
        for (char c : k) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        r.headers[lower] = v;
      }
      int delayMs = 0;
      {
        std::lock_guard lock(mu_);
        delayMs = delayMs_[r.name];
        int& left = failLeft_[r.name];
        if (left > 0) {
          --left;
          r.answered = failStatus_;
        } else {
          r.answered = 200;
        }
        all_.push_back(r);
      }
      if (delayMs > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delayMs));  // a slow receiver
      reply(http::Response::json(r.answered, boost::json::object{{"ok", r.answered == 200}}));
    });
    http::HttpServer::Options o;
    o.host = "127.0.0.1";
    o.port = port;
    o.threads = 2;
    server_ = std::make_unique<http::HttpServer>(o, router_, registry_);
    auto s = server_->start();
    EXPECT_TRUE(s.ok()) << s.error().message;
  }
  ~Receiver() { server_->stop(); }

  uint16_t port() const { return server_->port(); }
  std::string url(const std::string& name) const {
    return "http://127.0.0.1:" + std::to_string(port()) + "/hook/" + name;
  }
  void failFirst(const std::string& name, int n, int status = 503) {
    std::lock_guard lock(mu_);
    failLeft_[name] = n;
    failStatus_ = status;
  }
  /// `name` answers `ms` after it recorded the request.
  void delay(const std::string& name, int ms) {
    std::lock_guard lock(mu_);
    delayMs_[name] = ms;
  }
  /// Every request to `name` (all attempts), in arrival order.
  std::vector<Received> attempts(const std::string& name) const {
    std::lock_guard lock(mu_);
    std::vector<Received> out;
    for (const auto& r : all_)
      if (r.name == name) out.push_back(r);
    return out;
  }
  /// The requests to `name` answered 200, in arrival order.
  std::vector<Received> accepted(const std::string& name) const {
    auto a = attempts(name);
    std::erase_if(a, [](const Received& r) { return r.answered != 200; });
    return a;
  }
  std::vector<std::string> acceptedBodies(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& r : accepted(name)) out.push_back(r.body);
    return out;
  }
  bool waitAccepted(const std::string& name, size_t n, std::chrono::milliseconds timeout = 10s) const {
    return eventually([&] { return accepted(name).size() >= n; }, timeout);
  }
  bool waitAttempts(const std::string& name, size_t n, std::chrono::milliseconds timeout = 10s) const {
    return eventually([&] { return attempts(name).size() >= n; }, timeout);
  }

 private:
  http::Router router_;
  metrics::Registry registry_;
  std::unique_ptr<http::HttpServer> server_;
  mutable std::mutex mu_;
  std::map<std::string, int> failLeft_;
  std::map<std::string, int> delayMs_;
  int failStatus_ = 503;
  std::vector<Received> all_;
};

/// A small JSON payload, numbered.
inline std::string payload(int i) {
  return R"({"alert":{"id":)" + std::to_string(i) + R"(},"n":)" + std::to_string(i) + "}";
}

/// A port on 127.0.0.1 with nothing listening (connection refused).
inline uint16_t deadPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

/// A listening socket that never accepts: connections complete in the kernel's backlog, the request is buffered, and
/// no answer ever comes (a hung endpoint).
class BlackHole {
 public:
  BlackHole() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 64), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~BlackHole() { ::close(fd_); }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

class NotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cityops-notify-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    open();
  }
  void TearDown() override {
    close();
    std::filesystem::remove_all(dir_);
  }

  std::string dbPath() const { return (dir_ / "cityops.db").string(); }

  void open() {
    close();
    auto db = store::SqliteDb::open(dbPath(), false, false);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(*db);
    auto s = Outbox::migrate(*db_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    auto subs = SubscriptionStore::open(*db_, clock_);
    ASSERT_TRUE(subs.ok()) << subs.error().message;
    subs_ = std::move(*subs);
    outbox_ = std::make_unique<Outbox>(*subs_, clock_);
  }
  void close() {
    deliverer_.reset();
    outbox_.reset();
    subs_.reset();
    db_.reset();
  }

  /// Milliseconds everywhere, so retries take milliseconds.
  static Deliverer::Options fastOptions() {
    Deliverer::Options o;
    o.backoffBaseMs = 5;
    o.backoffMaxMs = 50;
    o.jitter = 0.2;
    o.attemptTimeoutMs = 3000;
    o.pollMs = 20;
    return o;
  }
  void startDeliverer(Deliverer::Options o = fastOptions()) {
    deliverer_ = std::make_unique<Deliverer>(*subs_, *outbox_, clock_, o);
    deliverer_->start();
  }

  Subscription subscribe(const std::string& url, Filter filter = {}, const std::string& secret = kSecret) {
    NewSubscription n;
    n.url = url;
    n.secret = secret;
    n.filter = std::move(filter);
    auto s = subs_->create(n);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? *s : Subscription{};
  }

  static EventAttributes event(std::string severity = "major", std::string type = "station",
                               std::string rule = "tamky-levels", std::string entity = "station:tamky") {
    return EventAttributes{std::move(severity), std::move(type), std::move(rule), std::move(entity)};
  }
  std::vector<int64_t> enqueue(const std::string& payload, const EventAttributes& attrs = event()) {
    auto r = outbox_->enqueue(payload, attrs);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : std::vector<int64_t>{};
  }
  static std::string payload(int i) { return notify::testing::payload(i); }

  Subscription status(int64_t id) {
    auto s = subs_->get(id);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? *s : Subscription{};
  }
  std::vector<OutboxRow> pending(int64_t id) {
    auto r = outbox_->pending(id);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : std::vector<OutboxRow>{};
  }

  std::filesystem::path dir_;
  TestClock clock_;
  std::unique_ptr<store::SqliteDb> db_;
  std::unique_ptr<SubscriptionStore> subs_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Deliverer> deliverer_;
};

}  // namespace cityops::notify::testing
