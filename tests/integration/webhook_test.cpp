// Webhooks through the running server: every alert change is POSTed to the subscriptions whose filter matches it,
// signed (X-Cityops-Signature: sha256=<HMAC-SHA256(secret, body)>), in order, and - because the outbox row commits
// with the alert change - none is lost to a receiver outage or to kill -9. The receiver is a small Beast server in
// this process on 127.0.0.1, which can answer 503, or be stopped (nothing listening) and started again on the same
// port. Signatures are checked here with libsodium's crypto_auth_hmacsha256_verify, not with the server's code.
#include "Support.hpp"

#include <sodium.h>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <atomic>
#include <cctype>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

namespace cityops::it {
namespace {

namespace json = boost::json;
namespace bhttp = boost::beast::http;

// --------------------------------------------------------------------------------------------------------- receiver

/// A webhook receiver on 127.0.0.1: records every request (target, headers, body) with the status it answered.
/// Answers `status()` (200 unless told otherwise). stop() closes the listener and every connection: the port then
/// refuses connections until start(samePort).
class Receiver {
 public:
  struct Received {
    std::string target;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
    int status = 0;                              // what this receiver answered
    std::chrono::steady_clock::time_point at;    // when the request had been read

    std::string header(const std::string& lowerName) const {
      const auto it = headers.find(lowerName);
      return it == headers.end() ? std::string() : it->second;
    }
    std::string delivery() const { return header("x-cityops-delivery"); }
    bool accepted() const { return status >= 200 && status < 300; }
  };

  Receiver() = default;
  ~Receiver() { stop(); }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  /// Listens on 127.0.0.1:port (0: any free port). Retries the bind for a few seconds (a port just released).
  ::testing::AssertionResult start(uint16_t port = 0) {
    stop();
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    for (;;) {
      auto ioc = std::make_unique<asio::io_context>();
      auto acceptor = std::make_unique<tcp::acceptor>(*ioc);
      const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
      beast::error_code ec;
      acceptor->open(ep.protocol(), ec);
      if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec) acceptor->bind(ep, ec);
      if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
      if (!ec) {
        ioc_ = std::move(ioc);
        acceptor_ = std::move(acceptor);
        port_ = acceptor_->local_endpoint().port();
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline)
        return ::testing::AssertionFailure() << "cannot listen on 127.0.0.1:" << port << ": " << ec.message();
      std::this_thread::sleep_for(100ms);
    }
    accept();
    thread_ = std::thread([ioc = ioc_.get()] { ioc->run(); });
    return ::testing::AssertionSuccess();
  }

  /// Closes the listener and every open connection; nothing listens on port() afterwards.
  void stop() {
    if (!ioc_) return;
    asio::post(*ioc_, [this] {
      beast::error_code ec;
      acceptor_->close(ec);
      for (auto& w : sessions_)
        if (auto s = w.lock()) s->close();
      sessions_.clear();
    });
    thread_.join();  // run() returns once every operation completed (aborted)
    acceptor_.reset();
    ioc_.reset();
  }

  uint16_t port() const { return port_; }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  void setStatus(int status) { status_.store(status); }

  std::vector<Received> all() const {
    std::lock_guard lock(mu_);
    return received_;
  }
  /// The requests answered 2xx whose target is `target` (every target when empty), in arrival order.
  std::vector<Received> accepted(const std::string& target = {}) const {
    std::vector<Received> out;
    for (auto& r : all())
      if (r.accepted() && (target.empty() || r.target == target)) out.push_back(std::move(r));
    return out;
  }
  size_t countFor(const std::string& target) const {
    size_t n = 0;
    for (const auto& r : all()) n += r.target == target ? 1 : 0;
    return n;
  }

 private:
  class Session : public std::enable_shared_from_this<Session> {
   public:
    Session(Receiver& r, tcp::socket s) : r_(r), stream_(std::move(s)) {}
    void run() {
      stream_.expires_after(30s);
      bhttp::async_read(stream_, buffer_, req_,
                        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
    }
    void close() {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      stream_.socket().close(ec);
    }

   private:
    void onRead(beast::error_code ec) {
      if (ec) return close();
      Received rec;
      rec.target = std::string(req_.target());
      rec.body = req_.body();
      for (const auto& f : req_) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        rec.headers[name] = std::string(f.value());
      }
      rec.status = r_.status_.load();
      rec.at = std::chrono::steady_clock::now();
      res_.result(static_cast<unsigned>(rec.status));
      res_.version(11);
      res_.set(bhttp::field::content_type, "text/plain");
      res_.body() = rec.accepted() ? "ok" : "receiver unavailable (test)";
      res_.keep_alive(false);
      res_.prepare_payload();
      {
        std::lock_guard lock(r_.mu_);
        r_.received_.push_back(std::move(rec));
      }
      stream_.expires_after(30s);
      bhttp::async_write(stream_, res_, [self = shared_from_this()](beast::error_code, std::size_t) {
        self->close();
      });
    }

    Receiver& r_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    bhttp::request<bhttp::string_body> req_;
    bhttp::response<bhttp::string_body> res_;
  };

  void accept() {
    acceptor_->async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed by stop()
      auto s = std::make_shared<Session>(*this, std::move(socket));
      std::erase_if(sessions_, [](const std::weak_ptr<Session>& w) { return w.expired(); });
      sessions_.push_back(s);
      s->run();
      accept();
    });
  }

  std::unique_ptr<asio::io_context> ioc_;
  std::unique_ptr<tcp::acceptor> acceptor_;
  std::thread thread_;
  std::vector<std::weak_ptr<Session>> sessions_;  // io thread only
  uint16_t port_ = 0;
  std::atomic<int> status_{200};
  mutable std::mutex mu_;
  std::vector<Received> received_;
};

// ---------------------------------------------------------------------------------------------------------- helpers

// 32-byte secrets: crypto_auth_hmacsha256_verify takes a key of exactly crypto_auth_hmacsha256_KEYBYTES.
const std::string kSecret = "it-webhook-secret-0123456789abcd";
const std::string kOtherSecret = "it-webhook-other-0123456789abcde";

// 1.5 normal, 1.8 minor (raise), 2.3 major (escalate), 2.25 still major (hysteresis), 2.8 critical (escalate),
// 2.1 minor (deescalate), 1.6 clear (resolve).
const std::vector<double> kValues = {1.5, 1.8, 2.3, 2.25, 2.8, 2.1, 1.6};
const std::vector<std::string> kTransitions = {"raise", "escalate", "escalate", "deescalate", "resolve"};
const std::vector<std::string> kSeverities = {"minor", "major", "critical", "minor", "minor"};

/// X-Cityops-Signature is "sha256=" + 64 lower-case hex digits of HMAC-SHA256(secret, body).
::testing::AssertionResult validSignature(const std::string& secret, const std::string& body,
                                          const std::string& header) {
  if (sodium_init() < 0) return ::testing::AssertionFailure() << "libsodium does not initialise";
  if (secret.size() != crypto_auth_hmacsha256_KEYBYTES)
    return ::testing::AssertionFailure() << "test secrets must be " << crypto_auth_hmacsha256_KEYBYTES << " bytes";
  const std::string prefix = "sha256=";
  if (header.rfind(prefix, 0) != 0 || header.size() != prefix.size() + 2 * crypto_auth_hmacsha256_BYTES)
    return ::testing::AssertionFailure() << "malformed signature header '" << header << "'";
  const std::string hex = header.substr(prefix.size());
  if (hex.find_first_not_of("0123456789abcdef") != std::string::npos)
    return ::testing::AssertionFailure() << "signature is not lower-case hex: '" << header << "'";
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  size_t len = 0;
  if (sodium_hex2bin(mac, sizeof mac, hex.data(), hex.size(), nullptr, &len, nullptr) != 0 || len != sizeof mac)
    return ::testing::AssertionFailure() << "cannot decode '" << header << "'";
  if (crypto_auth_hmacsha256_verify(mac, reinterpret_cast<const unsigned char*>(body.data()), body.size(),
                                    reinterpret_cast<const unsigned char*>(secret.data())) != 0)
    return ::testing::AssertionFailure() << "signature '" << header << "' does not match the body " << body;
  return ::testing::AssertionSuccess();
}

/// Polls `pred` every 50 ms until it holds or `timeout` passed; returns its last value.
bool eventually(std::chrono::milliseconds timeout, const std::function<bool()>& pred) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return pred();
    std::this_thread::sleep_for(50ms);
  }
}

std::string describe(const std::vector<Receiver::Received>& rs) {
  std::string out;
  for (const auto& r : rs)
    out += "\n  " + std::to_string(r.status) + " " + r.target + " delivery=" + r.delivery() + " " + r.body;
  return out.empty() ? " (none)" : out;
}

int64_t deliveryId(const Receiver::Received& r) {
  try {
    return std::stoll(r.delivery());
  } catch (...) {
    return -1;
  }
}

class Webhooks : public TamkyLevelsServer {
 protected:

  void subscribe(const std::string& url, const std::string& secret, const std::string& filter, int64_t& id) {
    HttpClient c(port());
    const std::string body = R"({"url":")" + url + R"(","secret":")" + secret + R"(","filter":)" + filter + "}";
    auto r = c.postJson("/api/v1/subscriptions", body);
    ASSERT_EQ(r.status, 201) << r.describe();
    const auto v = r.json();
    ASSERT_TRUE(v.is_object()) << r.describe();
    EXPECT_FALSE(v.as_object().contains("secret")) << r.describe();
    id = v.at("id").as_int64();
  }

  /// The subscription as GET /api/v1/subscriptions lists it (null when absent or on error).
  json::value listed(int64_t id) {
    HttpClient c(port());
    auto r = c.get("/api/v1/subscriptions");
    EXPECT_EQ(r.status, 200) << r.describe();
    if (r.status != 200) return nullptr;
    const auto list = r.json();
    if (!list.is_array()) return nullptr;
    for (const auto& s : list.as_array())
      if (s.at("id").as_int64() == id) return s;
    return nullptr;
  }
  int64_t statusField(int64_t id, const char* field) {
    auto s = listed(id);
    return s.is_null() ? -1 : s.at("status").at(field).to_number<int64_t>();
  }

  void post(HttpClient& c, int64_t t, double v) {
    auto r = c.postJson("/api/v1/observations", "[" + obsJson(Obs{"wl.tamky", "water_level_m", t, v}) + "]");
    ASSERT_EQ(r.status, 200) << r.describe() << "\n" << server_.tail();
  }
  void postAll(const std::vector<double>& values) {
    HttpClient c(port());
    const int64_t t0 = nowMs() - 60000;
    for (size_t i = 0; i < values.size(); ++i)
      ASSERT_NO_FATAL_FAILURE(post(c, t0 + static_cast<int64_t>(i) * 1000, values[i]));
  }
  /// Waits (≤ 20 s) until the rule's only alert is resolved with `changes` history entries: every change committed.
  void waitResolved(size_t changes) {
    HttpClient c(port());
    json::value last;
    const bool ok = eventually(20s, [&] {
      auto r = c.get("/api/v1/alerts?rule=tamky-levels");
      if (r.status != 200) return false;
      last = r.json();
      const auto& a = last.as_array();
      if (a.size() != 1 || a[0].at("state") != "resolved") return false;
      auto one = c.get("/api/v1/alerts/" + std::to_string(a[0].at("id").as_int64()));
      return one.status == 200 && one.json().at("history").as_array().size() == changes;
    });
    ASSERT_TRUE(ok) << "the alert never reached its final state: " << json::serialize(last);
  }

  /// The five changes of kValues, each exactly once among the 2xx-answered deliveries, in order, signed.
  static void expectFiveChanges(const std::vector<Receiver::Received>& accepted, const std::string& secret,
                                const std::string& target) {
    ASSERT_EQ(accepted.size(), kTransitions.size()) << describe(accepted);
    std::set<int64_t> ids;
    int64_t alertId = -1, previous = -1;
    for (size_t i = 0; i < accepted.size(); ++i) {
      const auto& r = accepted[i];
      SCOPED_TRACE("delivery " + std::to_string(i) + ": " + r.body);
      EXPECT_EQ(r.target, target);
      EXPECT_EQ(r.header("content-type"), "application/json");
      EXPECT_TRUE(validSignature(secret, r.body, r.header("x-cityops-signature")));
      EXPECT_FALSE(validSignature(kSecret == secret ? kOtherSecret : kSecret, r.body,
                                  r.header("x-cityops-signature")))
          << "the check above would accept anything";
      const int64_t id = deliveryId(r);
      EXPECT_GT(id, 0) << "X-Cityops-Delivery '" << r.delivery() << "'";
      EXPECT_TRUE(ids.insert(id).second) << "delivery id " << id << " accepted twice";
      EXPECT_GT(id, previous) << "delivery ids out of order";
      previous = id;
      EXPECT_FALSE(r.header("x-cityops-timestamp").empty());
      boost::system::error_code ec;
      const auto v = json::parse(r.body, ec);
      ASSERT_FALSE(ec) << "not JSON";
      ASSERT_TRUE(v.is_object());
      EXPECT_EQ(v.at("transition"), json::value(kTransitions[i]));
      EXPECT_EQ(v.at("severity"), json::value(kSeverities[i]));
      EXPECT_EQ(v.at("state"), json::value(i + 1 == kTransitions.size() ? "resolved" : "active"));
      EXPECT_EQ(v.at("rule"), "tamky-levels");
      EXPECT_EQ(v.at("entity"), "wl.tamky");
      if (alertId < 0) alertId = v.at("id").as_int64();
      EXPECT_EQ(v.at("id").as_int64(), alertId) << "one alert, five changes";
    }
  }

};

// ------------------------------------------------------------------------------------------------------------ tests

TEST_F(Webhooks, EveryChangeArrivesOnceInOrderAfterAnOutage) {
  Receiver rx;
  rx.setStatus(503);
  ASSERT_TRUE(rx.start());
  ASSERT_NO_FATAL_FAILURE(seed());
  int64_t sub = 0;
  ASSERT_NO_FATAL_FAILURE(subscribe(rx.url("/hooks/cityops"), kSecret,
                                    R"({"severities":[],"types":[],"rules":[],"entities":[]})", sub));

  const auto outageStart = std::chrono::steady_clock::now();
  ASSERT_NO_FATAL_FAILURE(postAll(kValues));
  ASSERT_NO_FATAL_FAILURE(waitResolved(kTransitions.size()));
  // ~5 s of 503s: the first attempt comes at once, the retries after 1 s, 2 s, 4 s (plus up to 20 % jitter).
  std::this_thread::sleep_until(outageStart + 5s);
  const auto during = rx.all();
  ASSERT_FALSE(during.empty()) << "no attempt during the outage";
  rx.setStatus(200);

  const bool arrived = eventually(60s, [&] {
    return rx.accepted().size() >= kTransitions.size() && statusField(sub, "delivered") == 5 &&
           statusField(sub, "pending") == 0;
  });
  const auto all = rx.all();
  ASSERT_TRUE(arrived) << "received:" << describe(all) << "\nsubscription: " << json::serialize(listed(sub)) << "\n"
                       << server_.tail();

  const auto accepted = rx.accepted();
  ASSERT_NO_FATAL_FAILURE(expectFiveChanges(accepted, kSecret, "/hooks/cityops"));

  // Every refused request was a retry of the oldest notification (it blocks the others): same id, same bytes.
  int refused = 0;
  for (const auto& r : all) {
    if (r.accepted()) continue;
    ++refused;
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.delivery(), accepted.front().delivery()) << "a later notification overtook the oldest one";
    EXPECT_EQ(r.body, accepted.front().body);
    EXPECT_TRUE(validSignature(kSecret, r.body, r.header("x-cityops-signature")));
  }
  EXPECT_GE(refused, 1);
  // Back-off: the k-th retry of the oldest notification comes at least 1 s × 2^(k-1) after the previous attempt
  // (lower bounds only: a loaded machine makes every delay longer, never shorter).
  std::vector<Receiver::Received> attempts;
  for (const auto& r : all)
    if (r.delivery() == accepted.front().delivery()) attempts.push_back(r);
  ASSERT_EQ(attempts.size(), static_cast<size_t>(refused) + 1) << describe(all);
  for (size_t k = 1; k < attempts.size(); ++k) {
    const auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(attempts[k].at - attempts[k - 1].at);
    const int64_t minimum = (int64_t{1000} << (k - 1)) * 95 / 100;
    EXPECT_GE(gap.count(), minimum) << "retry " << k << " of delivery " << attempts[k].delivery() << describe(all);
  }

  const auto s = listed(sub);
  ASSERT_TRUE(s.is_object());
  const auto& st = s.at("status");
  EXPECT_EQ(st.at("delivered").to_number<int64_t>(), 5) << json::serialize(s);
  EXPECT_EQ(st.at("pending").to_number<int64_t>(), 0) << json::serialize(s);
  EXPECT_EQ(st.at("dropped").to_number<int64_t>(), 0) << json::serialize(s);
  EXPECT_EQ(st.at("failures").to_number<int64_t>(), refused) << json::serialize(s);
  EXPECT_NE(std::string(st.at("last_error").as_string()).find("503"), std::string::npos) << json::serialize(s);
  EXPECT_FALSE(st.at("last_success_at").is_null()) << json::serialize(s);
  EXPECT_FALSE(s.as_object().contains("secret"));
}

TEST_F(Webhooks, Kill9LosesNoNotification) {
  Receiver rx;
  ASSERT_TRUE(rx.start());
  const uint16_t rxPort = rx.port();
  const std::string url = rx.url("/hooks/kill9");
  rx.stop();  // down: connections to rxPort are refused

  ASSERT_NO_FATAL_FAILURE(seed());
  int64_t sub = 0;
  ASSERT_NO_FATAL_FAILURE(subscribe(url, kSecret, "{}", sub));
  ASSERT_NO_FATAL_FAILURE(postAll(kValues));
  ASSERT_NO_FATAL_FAILURE(waitResolved(kTransitions.size()));
  // The alert changes committed, and with them their outbox rows.
  EXPECT_EQ(statusField(sub, "pending"), 5) << json::serialize(listed(sub));
  EXPECT_EQ(statusField(sub, "delivered"), 0);

  server_.kill9();
  ASSERT_NO_FATAL_FAILURE(startServer(server_, dir_.path(), 2));
  {
    const auto s = listed(sub);
    ASSERT_TRUE(s.is_object()) << "the subscription did not survive kill -9";
    EXPECT_EQ(s.at("url"), json::value(url));
    EXPECT_EQ(s.at("status").at("delivered").to_number<int64_t>(), 0) << json::serialize(s);
  }
  ASSERT_TRUE(rx.start(rxPort));
  ASSERT_EQ(rx.port(), rxPort);

  const bool arrived = eventually(60s, [&] {
    return rx.accepted().size() >= kTransitions.size() && statusField(sub, "delivered") == 5 &&
           statusField(sub, "pending") == 0;
  });
  const auto all = rx.all();
  ASSERT_TRUE(arrived) << "received:" << describe(all) << "\nsubscription: " << json::serialize(listed(sub)) << "\n"
                       << server_.tail();
  ASSERT_NO_FATAL_FAILURE(expectFiveChanges(rx.accepted(), kSecret, "/hooks/kill9"));
  EXPECT_EQ(all.size(), kTransitions.size()) << "the receiver answered 200 to everything:" << describe(all);
  const auto s = listed(sub);
  EXPECT_EQ(s.at("status").at("dropped").to_number<int64_t>(), 0) << json::serialize(s);
  EXPECT_GE(s.at("status").at("failures").to_number<int64_t>(), 1) << json::serialize(s);
}

TEST_F(Webhooks, FiltersThatDoNotMatchReceiveNothing) {
  Receiver rx;
  ASSERT_TRUE(rx.start());
  ASSERT_NO_FATAL_FAILURE(seed());
  int64_t critical = 0, camera = 0, elsewhere = 0, minor = 0;
  // Only minor happens below: 1.8 raises a minor alert, 1.6 resolves it (a resolved alert keeps its severity).
  ASSERT_NO_FATAL_FAILURE(subscribe(rx.url("/critical"), kOtherSecret, R"({"severities":["critical"]})", critical));
  ASSERT_NO_FATAL_FAILURE(subscribe(rx.url("/camera"), kOtherSecret, R"({"types":["TrafficCamera"]})", camera));
  // Every list matches but one: the lists are ANDed.
  ASSERT_NO_FATAL_FAILURE(subscribe(rx.url("/elsewhere"), kOtherSecret,
                                    R"({"severities":["minor","major"],"types":["WaterLevelStation"],)"
                                    R"("rules":["tamky-levels"],"entities":["wl.elsewhere"]})",
                                    elsewhere));
  ASSERT_NO_FATAL_FAILURE(subscribe(rx.url("/minor"), kSecret,
                                    R"({"severities":["minor"],"types":["WaterLevelStation"],)"
                                    R"("rules":["tamky-levels"],"entities":["wl.tamky"]})",
                                    minor));

  ASSERT_NO_FATAL_FAILURE(postAll({1.5, 1.8, 1.6}));
  const bool arrived = eventually(30s, [&] {
    return rx.accepted("/minor").size() >= 2 && statusField(minor, "delivered") == 2 &&
           statusField(minor, "pending") == 0;
  });
  ASSERT_TRUE(arrived) << "received:" << describe(rx.all()) << "\n" << server_.tail();
  const auto got = rx.accepted("/minor");
  ASSERT_EQ(got.size(), 2u) << describe(got);
  EXPECT_EQ(json::parse(got[0].body).at("transition"), "raise");
  EXPECT_EQ(json::parse(got[1].body).at("transition"), "resolve");
  for (const auto& r : got) EXPECT_TRUE(validSignature(kSecret, r.body, r.header("x-cityops-signature")));
  EXPECT_LT(deliveryId(got[0]), deliveryId(got[1]));

  // The other subscriptions' rows would have been written in the same transactions as the ones delivered above: none
  // pending and none delivered means none was ever created.
  for (const auto& [id, target] : std::vector<std::pair<int64_t, std::string>>{
           {critical, "/critical"}, {camera, "/camera"}, {elsewhere, "/elsewhere"}}) {
    SCOPED_TRACE(target);
    const auto s = listed(id);
    ASSERT_TRUE(s.is_object());
    EXPECT_EQ(s.at("status").at("pending").to_number<int64_t>(), 0) << json::serialize(s);
    EXPECT_EQ(s.at("status").at("delivered").to_number<int64_t>(), 0) << json::serialize(s);
    EXPECT_EQ(s.at("status").at("failures").to_number<int64_t>(), 0) << json::serialize(s);
    EXPECT_EQ(rx.countFor(target), 0u) << describe(rx.all());
  }
}

}  // namespace
}  // namespace cityops::it
