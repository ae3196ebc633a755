// MQTT as the second transport of subscriptions: mqtt:// URL rules, topics, and the Deliverer publishing outbox rows
// to a REAL broker (/usr/sbin/mosquitto, see MosquittoBroker.hpp): topics and order, exactly once when nothing
// fails, a broker down at first, a broker restarted mid-stream (nothing lost), user + secret authentication, and
// stop() bounded while a broker hangs (a fake broker that never answers).
#include "MosquittoBroker.hpp"
#include "NotifyFixture.hpp"

#include "metrics/Registry.hpp"
#include "notify/AlertNotifier.hpp"
#include "notify/MqttConnection.hpp"
#include "store/SqliteStore.hpp"

#include <boost/json/parse.hpp>
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <set>

using namespace cityops;
using namespace cityops::notify;
using namespace cityops::notify::testing;
using cityops::testing::MosquittoBroker;
using cityops::testing::TestSubscriber;
using Message = TestSubscriber::Message;

namespace {

std::string mqttUrl(uint16_t port, const std::string& path = "", const std::string& user = "") {
  return "mqtt://" + (user.empty() ? "" : user + "@") + "127.0.0.1:" + std::to_string(port) + path;
}

/// An alert-change-like payload: what AlertNotifier writes, reduced to what topics are made of.
std::string alertPayload(int n, const std::string& severity, std::optional<std::string> type) {
  boost::json::object o{{"id", n}, {"severity", severity}, {"transition", "raise"}};
  if (type) o["entity_type"] = *type;
  else o["entity_type"] = nullptr;
  return boost::json::serialize(o);
}

std::vector<std::string> payloadsOf(const std::vector<Message>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms) out.push_back(m.payload);
  return out;
}

std::vector<Message> withPrefix(const std::vector<Message>& ms, const std::string& prefix) {
  std::vector<Message> out;
  for (const auto& m : ms)
    if (m.topic.rfind(prefix, 0) == 0) out.push_back(m);
  return out;
}

/// The first occurrence of each payload, in arrival order.
std::vector<std::string> firstOccurrences(const std::vector<Message>& ms) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& m : ms)
    if (seen.insert(m.payload).second) out.push_back(m.payload);
  return out;
}

// --------------------------------------------------------------------------------------------------------- URLs

TEST(MqttEndpoint, AcceptsMqttUrls) {
  auto e = parseEndpoint("mqtt://broker.example");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->transport, Endpoint::Transport::Mqtt);
  EXPECT_EQ(e->host, "broker.example");
  EXPECT_EQ(e->port, 1883);
  EXPECT_EQ(e->topicPrefix, "cityops/alerts");
  EXPECT_TRUE(e->user.empty());
  EXPECT_TRUE(e->target.empty());
  EXPECT_EQ(e->hostHeader, "broker.example");

  auto full = parseEndpoint("mqtt://ops@10.0.0.7:11883/city/da-nang/alerts");
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(full->host, "10.0.0.7");
  EXPECT_EQ(full->port, 11883);
  EXPECT_EQ(full->user, "ops");
  EXPECT_EQ(full->topicPrefix, "city/da-nang/alerts");
  EXPECT_EQ(full->hostHeader, "10.0.0.7:11883");

  EXPECT_EQ(parseEndpoint("mqtt://h/")->topicPrefix, "cityops/alerts");  // an empty path is the default
  EXPECT_EQ(parseEndpoint("MQTT://h:1/x")->transport, Endpoint::Transport::Mqtt);  // schemes are case-insensitive
  EXPECT_EQ(parseEndpoint("mqtt://h/Tam%20K%E1%BB%B3/x")->topicPrefix, "Tam K\xe1\xbb\xb3/x");  // decoded, UTF-8
  EXPECT_EQ(parseEndpoint("mqtt://us%40er@h/x")->user, "us@er");
  auto v6 = parseEndpoint("mqtt://[::1]:1884/a");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 1884);
  EXPECT_EQ(parseEndpoint("mqtt://h/" + std::string(512, 'a'))->topicPrefix.size(), 512u);

  // http is unchanged: no topic, no user, the Http transport.
  auto h = parseEndpoint("http://receiver.example:8080/hook");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->transport, Endpoint::Transport::Http);
  EXPECT_TRUE(h->topicPrefix.empty());
  EXPECT_TRUE(h->user.empty());
}

TEST(MqttEndpoint, RejectsEachRule) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"mqtt://h/a/+/b", "wildcards"},
      {"mqtt://h/a/%2B", "wildcards"},
      {"mqtt://h/a/%23", "wildcards"},
      {"mqtt://h/a%00b", "control"},
      {"mqtt://h/a%01b", "control"},
      {"mqtt://h/a%FFb", "UTF-8"},
      {"mqtt://h/a//b", "empty levels"},
      {"mqtt://h//a", "empty levels"},
      {"mqtt://h/a/", "end with '/'"},
      {"mqtt://h/a/b/", "end with '/'"},
      {"mqtt://h/" + std::string(513, 'a'), "at most 512 bytes"},
      {"mqtt://h/$SYS/x", "'$'"},
      {"mqtt://user:pass@h/x", "no password"},
      {"mqtt://user:@h/x", "no password"},
      {"mqtt://@h/x", "user name is empty"},
      {"mqtt://h/x?qos=2", "query"},
      {"mqtt://h/x#frag", "absolute URI"},  // parse_absolute_uri: no fragment in an absolute URI
      {"mqtt://h:0/x", "port"},
      {"mqtt://h:65536/x", "port"},
      {"mqtt:///x", "host"},
      {"mqtts://h/x", "mqtts"},
      {"mqtt:/x", "host"},
  };
  for (const auto& [url, why] : bad) {
    auto e = parseEndpoint(url);
    ASSERT_FALSE(e.ok()) << url;
    EXPECT_EQ(e.error().code, "bad_request") << url;
    EXPECT_NE(e.error().message.find(why), std::string::npos) << url << ": " << e.error().message;
  }
  // Only mqtt URLs may carry a user name: http keeps its message.
  auto http = parseEndpoint("http://user@receiver.example/");
  ASSERT_FALSE(http.ok());
  EXPECT_EQ(http.error().message, "the url must not carry a user name or password (userinfo)");
  auto ftp = parseEndpoint("ftp://h/x");
  ASSERT_FALSE(ftp.ok());
  EXPECT_NE(ftp.error().message.find("mqtt"), std::string::npos) << ftp.error().message;
}

TEST(MqttTopic, LevelsComeFromThePayloadSanitised) {
  EXPECT_EQ(mqttTopic("cityops/alerts", alertPayload(1, "critical", "WaterLevelStation")),
            "cityops/alerts/critical/WaterLevelStation");
  EXPECT_EQ(mqttTopic("p", alertPayload(1, "major", std::nullopt)), "p/major/unknown");  // null type
  EXPECT_EQ(mqttTopic("p", R"({"severity":"minor"})"), "p/minor/unknown");              // absent type
  EXPECT_EQ(mqttTopic("p", R"({"severity":3,"entity_type":""})"), "p/unknown/unknown");  // not a string, empty
  EXPECT_EQ(mqttTopic("p", "not json"), "p/unknown/unknown");
  EXPECT_EQ(mqttTopic("p", "[1,2]"), "p/unknown/unknown");
  EXPECT_EQ(mqttTopic("p", R"({"severity":"info","entity_type":"Water Level/Station+#"})"),
            "p/info/Water_Level_Station__");
  EXPECT_EQ(mqttTopicLevel("tr\xe1\xba\xa1m"), "tr___m");  // non-ASCII bytes too
  EXPECT_EQ(mqttTopicLevel(std::string(100, 'x')).size(), 64u);
}

// ------------------------------------------------------------------------------------------- MqttConnection alone

TEST(MqttConnectionTest, PublishesReconnectsAndReportsRefusal) {
  MosquittoBroker broker;
  ASSERT_TRUE(broker.start()) << broker.error();
  TestSubscriber sub(broker.port());
  ASSERT_TRUE(sub.start()) << sub.error();

  MqttConnection::Options o;
  o.host = "127.0.0.1";
  o.port = broker.port();
  o.clientId = MqttConnection::clientIdFor(7);
  EXPECT_EQ(o.clientId.rfind("cityops-7-", 0), 0u) << o.clientId;
  MqttConnection c(o);
  EXPECT_FALSE(c.connected());
  auto s = c.publish("cityops/t/1", "one");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(c.connected());
  ASSERT_TRUE(c.publish("cityops/t/2", "two").ok());

  broker.stop();
  auto down = c.publish("cityops/t/3", "three", 1, std::chrono::milliseconds(2000));
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, "unavailable");
  EXPECT_NE(down.error().message.find("127.0.0.1:" + std::to_string(broker.port())), std::string::npos)
      << down.error().message;
  EXPECT_FALSE(c.connected());
  auto refused = c.publish("cityops/t/3", "three", 1, std::chrono::milliseconds(2000));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("Connection refused"), std::string::npos) << refused.error().message;

  ASSERT_TRUE(broker.start()) << broker.error();
  ASSERT_TRUE(sub.start()) << sub.error();
  auto again = c.publish("cityops/t/4", "four");  // reconnects on the next publish
  ASSERT_TRUE(again.ok()) << again.error().message;
  ASSERT_TRUE(sub.waitFor(3));
  EXPECT_EQ(sub.messages(), (std::vector<Message>{{"cityops/t/1", "one"}, {"cityops/t/2", "two"},
                                                  {"cityops/t/4", "four"}}));
}

// ------------------------------------------------------------------------------------------ through the Deliverer

class MqttTest : public NotifyTest {
 protected:
  /// Clock-time back-off (1 min doubling) for ManualClock tests, no jitter, 5 ms polls.
  static Deliverer::Options clockOptions() {
    Deliverer::Options o;
    o.backoffBaseMs = 60'000;
    o.backoffMaxMs = 10 * 60'000;
    o.jitter = 0;
    o.attemptTimeoutMs = 3000;
    o.pollMs = 5;
    o.stopGraceMs = 200;
    return o;
  }
  /// Real-time milliseconds of back-off, no jitter.
  static Deliverer::Options quickOptions() {
    auto o = fastOptions();
    o.jitter = 0;
    return o;
  }
  bool settled(int64_t id, int64_t delivered) {
    auto s = status(id).status;
    return s.delivered == delivered && s.pending == 0;
  }
  /// Every message the broker forwarded before this call has reached `sub` when this returns true: a marker
  /// published (and acknowledged) now comes after them (one broker, one subscriber connection: in order).
  bool barrier(TestSubscriber& sub, uint16_t port, const std::string& user = "", const std::string& password = "") {
    MqttConnection::Options o;
    o.host = "127.0.0.1";
    o.port = port;
    o.user = user;
    o.password = password;
    MqttConnection c(o);
    const std::string topic = "cityops/test/barrier/" + std::to_string(++barriers_);
    auto s = c.publish(topic, "barrier");
    EXPECT_TRUE(s.ok()) << s.error().message;
    return eventually([&] {
      auto ms = sub.messages();
      return std::any_of(ms.begin(), ms.end(), [&](const Message& m) { return m.topic == topic; });
    });
  }
  static std::vector<Message> withoutBarriers(std::vector<Message> ms) {
    std::erase_if(ms, [](const Message& m) { return m.topic.rfind("cityops/test/barrier/", 0) == 0; });
    return ms;
  }

  int barriers_ = 0;
};

TEST_F(MqttTest, RowsArriveInOrderWithTheirTopicsExactlyOnce) {
  MosquittoBroker broker;
  ASSERT_TRUE(broker.start()) << broker.error();
  TestSubscriber sub(broker.port());
  ASSERT_TRUE(sub.start()) << sub.error();
  Filter critical;
  critical.severities = {"critical"};
  Subscription all = subscribe(mqttUrl(broker.port()));                                // default prefix
  Subscription crit = subscribe(mqttUrl(broker.port(), "/cityops/city-a/ops"), critical);  // its own prefix, filtered
  startDeliverer(quickOptions());

  const std::vector<std::optional<std::string>> types = {"WaterLevelStation", "camera", std::nullopt,
                                                         "Water Level/Station+#"};
  const std::vector<std::string> severities = {"info", "minor", "major", "critical"};
  std::vector<Message> wantAll, wantCrit;
  for (int i = 0; i < 24; ++i) {
    const auto& sev = severities[i % 4];
    const auto& type = types[(i / 2) % 4];
    const std::string p = alertPayload(i, sev, type);
    enqueue(p, event(sev, type.value_or("")));
    const std::string levels = "/" + sev + "/" + mqttTopicLevel(type.value_or(""));
    wantAll.push_back({"cityops/alerts" + levels, p});
    if (sev == "critical") wantCrit.push_back({"cityops/city-a/ops" + levels, p});
  }
  ASSERT_TRUE(sub.waitFor(wantAll.size() + wantCrit.size())) << sub.messages().size();
  ASSERT_TRUE(eventually([&] {
    return settled(all.id, static_cast<int64_t>(wantAll.size())) &&
           settled(crit.id, static_cast<int64_t>(wantCrit.size()));
  }));
  ASSERT_TRUE(barrier(sub, broker.port()));

  const auto got = withoutBarriers(sub.messages());
  EXPECT_EQ(withPrefix(got, "cityops/alerts/"), wantAll);  // in order, each once, payload verbatim
  EXPECT_EQ(withPrefix(got, "cityops/city-a/ops/"), wantCrit);
  EXPECT_EQ(got.size(), wantAll.size() + wantCrit.size());
  EXPECT_EQ(wantAll[6].topic, "cityops/alerts/major/Water_Level_Station__");
  EXPECT_EQ(wantAll[4].topic, "cityops/alerts/info/unknown");
  for (const auto& s : {status(all.id).status, status(crit.id).status}) {
    EXPECT_EQ(s.failures, 0);
    EXPECT_TRUE(s.lastSuccessMs.has_value());
  }
}

TEST_F(MqttTest, BrokerDownAtFirstRowsPileUpThenAllDeliveredOnceInOrder) {
  clock_.freeze(kT0);
  MosquittoBroker broker;  // its port is chosen, nothing listens on it yet
  Subscription s = subscribe(mqttUrl(broker.port()));
  startDeliverer(clockOptions());
  std::vector<std::string> want;
  for (int i = 0; i < 5; ++i) {
    want.push_back(alertPayload(i, "major", "WaterLevelStation"));
    enqueue(want.back());
  }
  ASSERT_TRUE(eventually([&] { return status(s.id).status.failures == 1; }));
  auto st = status(s.id).status;
  EXPECT_NE(st.lastError.find("cannot connect to 127.0.0.1:" + std::to_string(broker.port())), std::string::npos)
      << st.lastError;
  EXPECT_NE(st.lastError.find("Connection refused"), std::string::npos) << st.lastError;
  EXPECT_EQ(pending(s.id)[0].nextAttemptMs, kT0 + 60'000);

  clock_.advance(60'000);  // the second attempt fails too; more rows pile up behind the first
  deliverer_->wake();
  ASSERT_TRUE(eventually([&] { return status(s.id).status.failures == 2; }));
  for (int i = 5; i < 8; ++i) {
    want.push_back(alertPayload(i, "critical", "camera"));
    enqueue(want.back());
  }
  EXPECT_EQ(pending(s.id).size(), 8u);
  EXPECT_EQ(status(s.id).status.delivered, 0);

  ASSERT_TRUE(broker.start()) << broker.error();
  TestSubscriber sub(broker.port());
  ASSERT_TRUE(sub.start()) << sub.error();
  clock_.advance(120'000);  // the third attempt is due: the broker is up now
  deliverer_->wake();
  ASSERT_TRUE(sub.waitFor(8)) << sub.messages().size();
  ASSERT_TRUE(eventually([&] { return settled(s.id, 8); }));
  ASSERT_TRUE(barrier(sub, broker.port()));

  const auto got = withoutBarriers(sub.messages());
  EXPECT_EQ(payloadsOf(got), want);
  EXPECT_EQ(got[0].topic, "cityops/alerts/major/WaterLevelStation");
  EXPECT_EQ(got[7].topic, "cityops/alerts/critical/camera");
  st = status(s.id).status;
  EXPECT_EQ(st.failures, 2);
  EXPECT_EQ(st.delivered, 8);
  EXPECT_EQ(st.dropped, 0);
  EXPECT_EQ(st.lastFailureMs, kT0 + 60'000);
  EXPECT_EQ(st.lastSuccessMs, kT0 + 180'000);
}

TEST_F(MqttTest, BrokerRestartedMidStreamLosesNothing) {
  clock_.freeze(kT0);  // a failed row waits for the clock: nothing is published before the subscriber is back
  MosquittoBroker broker;
  ASSERT_TRUE(broker.start()) << broker.error();
  TestSubscriber sub(broker.port());
  ASSERT_TRUE(sub.start()) << sub.error();
  Subscription s = subscribe(mqttUrl(broker.port()));
  startDeliverer(clockOptions());

  std::vector<std::string> want;
  for (int i = 0; i < 200; ++i) {
    want.push_back(alertPayload(i, "minor", "station"));
    enqueue(want.back());
  }
  ASSERT_TRUE(sub.waitFor(20));
  broker.kill();  // SIGKILL, in the middle of the stream: no goodbye to anyone
  for (int i = 200; i < 210; ++i) {
    want.push_back(alertPayload(i, "major", "station"));
    enqueue(want.back());
  }
  ASSERT_TRUE(eventually([&] { return status(s.id).status.failures >= 1; }));
  const int64_t failures = status(s.id).status.failures;
  EXPECT_EQ(failures, 1) << "the clock stands still: one failed attempt, then back-off";
  EXPECT_GT(pending(s.id).size(), 0u);

  ASSERT_TRUE(broker.start()) << broker.error();  // same port, a fresh broker (no persistence)
  ASSERT_TRUE(sub.start()) << sub.error();        // resubscribed before anything is published again
  clock_.advance(60'000);
  deliverer_->wake();
  ASSERT_TRUE(eventually([&] { return settled(s.id, 210); }, 20s)) << status(s.id).status.delivered;
  ASSERT_TRUE(barrier(sub, broker.port()));

  // At least once: every row arrived, first occurrences in order; a duplicate only for the row whose PUBACK was
  // lost with the broker (the one the failed attempt was about), at most once per failed attempt.
  const auto got = withoutBarriers(sub.messages());
  EXPECT_EQ(firstOccurrences(got), want);
  EXPECT_LE(got.size(), want.size() + static_cast<size_t>(failures));
  auto st = status(s.id).status;
  EXPECT_EQ(st.delivered, 210);
  EXPECT_EQ(st.failures, failures);
  EXPECT_EQ(st.lastSuccessMs, kT0 + 60'000);
}

TEST_F(MqttTest, UserAndSecretAuthenticateWrongSecretIsNotAuthorised) {
  const std::string watcherPassword = "watcher-password-0123";
  MosquittoBroker broker(MosquittoBroker::Options{0, {{"cityops", kSecret}, {"watcher", watcherPassword}}});
  ASSERT_TRUE(broker.start()) << broker.error();
  TestSubscriber sub(broker.port(), "cityops/#", "watcher", watcherPassword);
  ASSERT_TRUE(sub.start()) << sub.error();

  Subscription good = subscribe(mqttUrl(broker.port(), "/cityops/secure", "cityops"), {}, kSecret);
  Subscription wrong = subscribe(mqttUrl(broker.port(), "/cityops/wrong", "cityops"), {}, "not-the-password-0123456");
  Subscription anonymous = subscribe(mqttUrl(broker.port(), "/cityops/anonymous"), {}, kSecret);
  startDeliverer(quickOptions());
  const std::string p = alertPayload(1, "critical", "WaterLevelStation");
  enqueue(p, event("critical"));

  ASSERT_TRUE(sub.waitFor(1));
  ASSERT_TRUE(eventually([&] { return settled(good.id, 1); }));
  EXPECT_EQ(sub.messages().at(0), (Message{"cityops/secure/critical/WaterLevelStation", p}));

  for (const auto& s : {wrong, anonymous}) {
    ASSERT_TRUE(eventually([&] { return status(s.id).status.failures >= 1; })) << s.url;
    const auto st = status(s.id).status;
    EXPECT_EQ(st.delivered, 0) << s.url;
    EXPECT_EQ(pending(s.id).size(), 1u) << s.url;
    EXPECT_NE(st.lastError.find("refused the connection"), std::string::npos) << st.lastError;
    EXPECT_TRUE(st.lastError.find("not authorised") != std::string::npos ||
                st.lastError.find("bad user name or password") != std::string::npos)
        << st.lastError;
  }
  ASSERT_TRUE(barrier(sub, broker.port(), "watcher", watcherPassword));
  EXPECT_EQ(withoutBarriers(sub.messages()).size(), 1u);  // nothing from the refused ones
}

// A fake broker on 127.0.0.1: accepts, answers CONNECT with CONNACK (accepted) unless `connack` is false, and answers
// a QoS 1 PUBLISH with its PUBACK after `pubackDelayMs` (never when negative). One connection at a time.
class FakeBroker {
 public:
  FakeBroker(bool connack, int pubackDelayMs) : connack_(connack), pubackDelayMs_(pubackDelayMs) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~FakeBroker() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  uint16_t port() const { return port_; }
  int publishes() const { return publishes_.load(); }

 private:
  bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 20) > 0;
  }
  void run() {
    while (!stop_) {
      if (!readable(fd_)) continue;
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      serve(c);
      ::close(c);
    }
  }
  void serve(int c) {
    std::string in;
    std::optional<std::chrono::steady_clock::time_point> pubackAt;
    std::string puback;
    while (!stop_) {
      if (pubackAt && std::chrono::steady_clock::now() >= *pubackAt) {
        (void)!::write(c, puback.data(), puback.size());
        pubackAt.reset();
      }
      if (!readable(c)) continue;
      char buf[4096];
      const ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) return;
      in.append(buf, static_cast<size_t>(n));
      for (;;) {  // whole packets: type byte, remaining length (varint), body
        size_t len = 0, i = 1;
        int shift = 0;
        while (i < in.size() && i < 5) {
          len |= static_cast<size_t>(static_cast<unsigned char>(in[i]) & 0x7f) << shift;
          shift += 7;
          if (!(static_cast<unsigned char>(in[i++]) & 0x80)) break;
        }
        if (in.size() < 2 || in.size() < i + len) break;
        const auto type = static_cast<unsigned char>(in[0]) >> 4;
        const std::string body = in.substr(i, len);
        in.erase(0, i + len);
        if (type == 1 && connack_) (void)!::write(c, "\x20\x02\x00\x00", 4);
        if (type == 3) {
          ++publishes_;
          const size_t topicLen = (static_cast<unsigned char>(body[0]) << 8) | static_cast<unsigned char>(body[1]);
          puback = std::string("\x40\x02", 2) + body.substr(2 + topicLen, 2);
          if (pubackDelayMs_ >= 0)
            pubackAt = std::chrono::steady_clock::now() + std::chrono::milliseconds(pubackDelayMs_);
        }
        if (type == 12) (void)!::write(c, "\xd0\x00", 2);
        if (type == 14) return;
      }
    }
  }

  const bool connack_;
  const int pubackDelayMs_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> publishes_{0};
  std::thread thread_;
};

TEST_F(MqttTest, StopAbandonsAConnectWithoutConnackAtOnce) {
  FakeBroker hung(false, -1);  // TCP accepted, CONNECT read, never a CONNACK
  Subscription s = subscribe(mqttUrl(hung.port()));
  auto o = clockOptions();
  o.attemptTimeoutMs = 10'000;
  o.stopGraceMs = 2000;  // not used: the PUBLISH never went out
  startDeliverer(o);
  enqueue(payload(1));
  ASSERT_TRUE(eventually([&] { return deliverer_->laneIds().size() == 1; }));
  std::this_thread::sleep_for(200ms);  // the lane is waiting for the CONNACK
  const auto start = std::chrono::steady_clock::now();
  deliverer_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(status(s.id).status.failures, 0);  // abandoned, not counted
  EXPECT_EQ(pending(s.id).size(), 1u);
  EXPECT_EQ(hung.publishes(), 0);
}

TEST_F(MqttTest, StopWaitsOnlyTheGraceForAPuback) {
  FakeBroker slow(true, -1);  // CONNACK, then never a PUBACK
  Subscription s = subscribe(mqttUrl(slow.port()));
  auto o = clockOptions();
  o.attemptTimeoutMs = 10'000;
  o.stopGraceMs = 300;
  startDeliverer(o);
  enqueue(payload(1));
  ASSERT_TRUE(eventually([&] { return slow.publishes() == 1; }));  // the PUBLISH is out
  const auto start = std::chrono::steady_clock::now();
  deliverer_->stop();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 250ms);  // it waited for the PUBACK...
  EXPECT_LT(took, 1s);     // ...for the grace period only
  EXPECT_EQ(status(s.id).status.failures, 0);
  EXPECT_EQ(status(s.id).status.delivered, 0);
  EXPECT_EQ(pending(s.id).size(), 1u);  // the next Deliverer publishes it again
}

TEST_F(MqttTest, APubackWithinTheGraceCountsAsDelivered) {
  FakeBroker slow(true, 300);  // PUBACK 300 ms after the PUBLISH
  Subscription s = subscribe(mqttUrl(slow.port()));
  auto o = clockOptions();
  o.stopGraceMs = 2000;
  startDeliverer(o);
  enqueue(payload(1));
  ASSERT_TRUE(eventually([&] { return slow.publishes() == 1; }));
  deliverer_->stop();
  EXPECT_EQ(status(s.id).status.delivered, 1);
  EXPECT_TRUE(pending(s.id).empty());  // so a restart publishes no duplicate
}

TEST_F(MqttTest, AnAttemptWithoutPubackTimesOutAsAFailure) {
  clock_.freeze(kT0);
  FakeBroker slow(true, -1);
  Subscription s = subscribe(mqttUrl(slow.port()));
  auto o = clockOptions();
  o.attemptTimeoutMs = 300;
  startDeliverer(o);
  enqueue(payload(1));
  ASSERT_TRUE(eventually([&] { return status(s.id).status.failures == 1; }));
  EXPECT_NE(status(s.id).status.lastError.find("PUBACK"), std::string::npos) << status(s.id).status.lastError;
  EXPECT_EQ(pending(s.id).at(0).nextAttemptMs, kT0 + 60'000);
}

// ------------------------------------------------------------------------------------------------ AlertNotifier

TEST_F(MqttTest, AlertNotifierPayloadCarriesTheEntityTypeAndTheTopicUsesIt) {
  metrics::Registry registry;
  store::SqliteStore::Options so;
  so.dataDir = dir_.string();  // the same database file as the notify stores, as in the server
  so.readers = 1;
  auto opened = store::SqliteStore::open(so, clock_, registry);
  ASSERT_TRUE(opened) << opened.error().message;
  auto store = std::move(*opened);
  model::Entity e;
  e.id = "wl.tamky";
  e.type = "WaterLevelStation";
  e.name = "Tam Ky";
  ASSERT_TRUE(store->createEntity(e));

  MosquittoBroker broker;
  ASSERT_TRUE(broker.start()) << broker.error();
  TestSubscriber sub(broker.port());
  ASSERT_TRUE(sub.start()) << sub.error();
  Subscription s = subscribe(mqttUrl(broker.port()));

  AlertNotifier notifier(*subs_, *store, clock_);
  alerts::Alert a;
  a.id = 1;
  a.rule = "tamky-levels";
  a.entity = "wl.tamky";
  a.metric = "water_level_m";
  a.severity = rules::Severity::Major;
  a.value = 2.41;
  alerts::HistoryEntry t;
  t.action = "raise";
  ASSERT_TRUE(notifier.enqueue(*db_, a, t));
  a.id = 2;
  a.entity = "wl.gone";  // an entity the store does not know
  ASSERT_TRUE(notifier.enqueue(*db_, a, t));

  auto rows = pending(s.id);
  ASSERT_EQ(rows.size(), 2u);
  const auto first = boost::json::parse(rows[0].payload);
  EXPECT_EQ(first.at("entity_type"), boost::json::value("WaterLevelStation"));
  EXPECT_EQ(first.at("transition"), boost::json::value("raise"));
  EXPECT_TRUE(boost::json::parse(rows[1].payload).at("entity_type").is_null());

  startDeliverer(quickOptions());
  ASSERT_TRUE(sub.waitFor(2));
  const auto got = sub.messages();
  EXPECT_EQ(got[0], (Message{"cityops/alerts/major/WaterLevelStation", rows[0].payload}));
  EXPECT_EQ(got[1], (Message{"cityops/alerts/major/unknown", rows[1].payload}));
  deliverer_.reset();
}

}  // namespace
