// The Deliverer against a real receiver (cityops' own HttpServer): signatures and headers, retries until accepted
// exactly once and in order, isolation of dead and hung endpoints, restart and kill -9, back-off and 24 h expiry on a
// manual clock, status counters, subscriptions coming and going.
#include "NotifyFixture.hpp"

#include "common/Time.hpp"

#include <signal.h>
#include <set>
#include <sys/wait.h>

using namespace cityops;
using namespace cityops::notify;
using namespace cityops::notify::testing;

namespace {

std::vector<std::string> payloads(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(payload(i));
  return out;
}

class DelivererTest : public NotifyTest {
 protected:
  /// Clock-time options for ManualClock tests: back-off in clock minutes, sleeps of 5 ms real time, no jitter.
  static Deliverer::Options clockOptions() {
    Deliverer::Options o;
    o.backoffBaseMs = 60'000;
    o.backoffMaxMs = 10 * 60'000;
    o.jitter = 0;
    o.attemptTimeoutMs = 3000;
    o.pollMs = 5;
    return o;
  }
  /// Failed attempts of the subscription's oldest row; -1 when it has none.
  int64_t headAttempts(int64_t id) {
    auto p = pending(id);
    return p.empty() ? -1 : p[0].attempts;
  }
  bool settled(int64_t id, int64_t delivered) {
    auto s = status(id).status;
    return s.delivered == delivered && s.pending == 0;
  }
};

TEST(Backoff, DoublesFromBaseToCap) {
  Deliverer::Options o;  // the defaults: 1 s doubling to 10 min
  EXPECT_EQ(Deliverer::backoffMs(o, 1), 1000);
  EXPECT_EQ(Deliverer::backoffMs(o, 2), 2000);
  EXPECT_EQ(Deliverer::backoffMs(o, 3), 4000);
  EXPECT_EQ(Deliverer::backoffMs(o, 10), 512'000);
  EXPECT_EQ(Deliverer::backoffMs(o, 11), 600'000);
  EXPECT_EQ(Deliverer::backoffMs(o, 1000), 600'000);
  EXPECT_EQ(Deliverer::backoffMs(o, 0), 1000);
  EXPECT_EQ(o.attemptTimeoutMs, 10'000);
  EXPECT_EQ(o.maxAgeMs, 24 * kHour);
}

TEST_F(DelivererTest, DeliversSignedJsonWithHeaders) {
  Receiver rx;
  Subscription s = subscribe(rx.url("a"));
  startDeliverer();
  const int64_t before = clock_.nowMs();
  auto ids = enqueue(payload(1));
  ASSERT_EQ(ids.size(), 1u);
  ASSERT_TRUE(rx.waitAccepted("a", 1));
  const int64_t after = clock_.nowMs();
  auto r = rx.accepted("a").at(0);
  EXPECT_EQ(r.body, payload(1));
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_EQ(r.headers["host"], "127.0.0.1:" + std::to_string(rx.port()));
  EXPECT_EQ(r.headers["x-cityops-delivery"], std::to_string(ids[0]));
  // The signature, checked with libsodium independently of notify/Signature.cpp.
  EXPECT_EQ(r.headers["x-cityops-signature"], "sha256=" + hmacHex(kSecret, r.body));
  EXPECT_NE(r.headers["x-cityops-signature"], "sha256=" + hmacHex("some-other-secret-0123", r.body));
  const int64_t ts = std::stoll(r.headers["x-cityops-timestamp"]);
  EXPECT_GE(ts, before);
  EXPECT_LE(ts, after);
  EXPECT_FALSE(r.headers["user-agent"].empty());

  ASSERT_TRUE(eventually([&] { return settled(s.id, 1); }));
  auto st = status(s.id).status;
  EXPECT_TRUE(st.lastSuccessMs.has_value());
  EXPECT_EQ(st.failures, 0);
  EXPECT_EQ(rx.attempts("a").size(), 1u);
}

TEST_F(DelivererTest, RetriesUntilAcceptedExactlyOnceInOrder) {
  Receiver rx;
  rx.failFirst("a", 7);  // 503 for the first 7 requests, then 200
  Subscription s = subscribe(rx.url("a"));
  startDeliverer();
  std::vector<int64_t> ids;
  for (const auto& p : payloads(0, 10)) ids.push_back(enqueue(p).at(0));
  ASSERT_TRUE(rx.waitAccepted("a", 10));
  ASSERT_TRUE(eventually([&] { return settled(s.id, 10); }));
  std::this_thread::sleep_for(100ms);  // nothing more arrives

  EXPECT_EQ(rx.acceptedBodies("a"), payloads(0, 10));
  auto all = rx.attempts("a");
  ASSERT_EQ(all.size(), 17u);
  for (int i = 0; i < 8; ++i) {  // the oldest row blocks the others: 7 failures and the success are all row 0
    EXPECT_EQ(all[i].body, payload(0)) << i;
    EXPECT_EQ(all[i].headers["x-cityops-delivery"], std::to_string(ids[0])) << i;  // the same id on every retry
  }
  auto acc = rx.accepted("a");
  for (size_t i = 0; i < acc.size(); ++i) EXPECT_EQ(acc[i].headers["x-cityops-delivery"], std::to_string(ids[i]));
  auto st = status(s.id).status;
  EXPECT_EQ(st.failures, 7);
  EXPECT_EQ(st.delivered, 10);
  EXPECT_EQ(st.dropped, 0);
  EXPECT_NE(st.lastError.find("HTTP 503"), std::string::npos) << st.lastError;
}

TEST_F(DelivererTest, ReceiverDownForAWhileThenBackGetsEverythingOnceInOrder) {
  uint16_t port = 0;
  {
    Receiver probe;  // find a free port, then leave it closed: the receiver is down
    port = probe.port();
  }
  Subscription s = subscribe("http://127.0.0.1:" + std::to_string(port) + "/hook/a");
  startDeliverer();
  for (const auto& p : payloads(0, 5)) enqueue(p);
  ASSERT_TRUE(eventually([&] { return status(s.id).status.failures >= 3; }));
  EXPECT_NE(status(s.id).status.lastError.find("connect"), std::string::npos) << status(s.id).status.lastError;
  for (const auto& p : payloads(5, 8)) enqueue(p);  // more while it is down

  Receiver rx(port);  // back up on the same port
  ASSERT_TRUE(rx.waitAccepted("a", 8));
  ASSERT_TRUE(eventually([&] { return settled(s.id, 8); }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(rx.acceptedBodies("a"), payloads(0, 8));
  EXPECT_EQ(rx.attempts("a").size(), 8u);
}

TEST_F(DelivererTest, OrderIsPerEndpointWithItsOwnFilter) {
  Receiver rx;
  rx.failFirst("a", 3);
  rx.failFirst("c", 5);
  Filter critical;
  critical.severities = {"critical"};
  Filter stations;
  stations.types = {"station"};
  Subscription a = subscribe(rx.url("a"));
  Subscription b = subscribe(rx.url("b"), critical);
  Subscription c = subscribe(rx.url("c"), stations);
  startDeliverer();
  std::vector<std::string> wantA, wantB, wantC;
  for (int i = 0; i < 30; ++i) {
    const std::string sev = i % 3 == 0 ? "critical" : "minor";
    const std::string type = i % 2 == 0 ? "station" : "camera";
    enqueue(payload(i), event(sev, type));
    wantA.push_back(payload(i));
    if (sev == "critical") wantB.push_back(payload(i));
    if (type == "station") wantC.push_back(payload(i));
  }
  ASSERT_TRUE(eventually([&] {
    return settled(a.id, 30) && settled(b.id, static_cast<int64_t>(wantB.size())) &&
           settled(c.id, static_cast<int64_t>(wantC.size()));
  }));
  EXPECT_EQ(rx.acceptedBodies("a"), wantA);
  EXPECT_EQ(rx.acceptedBodies("b"), wantB);
  EXPECT_EQ(rx.acceptedBodies("c"), wantC);
}

TEST_F(DelivererTest, DeadAndHungEndpointsDoNotDelayOthers) {
  Receiver rx;
  BlackHole hole;  // accepts connections in the kernel, never answers
  Subscription dead = subscribe("http://127.0.0.1:" + std::to_string(deadPort()) + "/hook");
  Subscription hung = subscribe("http://127.0.0.1:" + std::to_string(hole.port()) + "/hook");
  Subscription good = subscribe(rx.url("good"));
  auto o = fastOptions();
  o.attemptTimeoutMs = 5000;
  o.stopGraceMs = 200;
  startDeliverer(o);

  enqueue(payload(0));  // the hung lane is now stuck in its first attempt, for 5 s
  ASSERT_TRUE(rx.waitAccepted("good", 1));
  const auto start = std::chrono::steady_clock::now();
  for (const auto& p : payloads(1, 21)) enqueue(p);
  ASSERT_TRUE(rx.waitAccepted("good", 21, 4s));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, 2s);  // far less than one attempt of the hung endpoint
  EXPECT_EQ(rx.acceptedBodies("good"), payloads(0, 21));

  // Meanwhile: the hung endpoint is still on its first attempt, the dead one keeps failing fast; neither lost a row.
  EXPECT_EQ(status(hung.id).status.failures, 0);
  EXPECT_EQ(pending(hung.id).size(), 21u);
  EXPECT_GT(status(dead.id).status.failures, 0);
  EXPECT_EQ(pending(dead.id).size(), 21u);

  // A clean stop ends the attempt in flight after the grace period (its request is out), without counting it.
  const auto stopStart = std::chrono::steady_clock::now();
  deliverer_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stopStart, 1s);
  EXPECT_EQ(status(hung.id).status.failures, 0);
  EXPECT_EQ(pending(hung.id).size(), 21u);
}

TEST_F(DelivererTest, RestartedDelivererDeliversPendingRowsExactlyOnce) {
  Receiver rx;
  rx.failFirst("a", 1'000'000);  // down (503) until further notice
  Subscription s = subscribe(rx.url("a"));
  startDeliverer();
  std::vector<int64_t> ids;
  for (const auto& p : payloads(0, 6)) ids.push_back(enqueue(p).at(0));
  ASSERT_TRUE(eventually([&] { return headAttempts(s.id) >= 3; }));
  deliverer_.reset();  // stop (an attempt in flight is interrupted and not counted)
  EXPECT_TRUE(rx.accepted("a").empty());

  close();  // a new process: new connection, new stores, new Deliverer
  open();
  ASSERT_EQ(pending(s.id).size(), 6u);
  EXPECT_GE(pending(s.id)[0].attempts, 3);  // the back-off state survived
  rx.failFirst("a", 0);
  startDeliverer();
  ASSERT_TRUE(rx.waitAccepted("a", 6));
  ASSERT_TRUE(eventually([&] { return settled(s.id, 6); }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(rx.acceptedBodies("a"), payloads(0, 6));
  auto acc = rx.accepted("a");
  for (size_t i = 0; i < acc.size(); ++i) EXPECT_EQ(acc[i].headers["x-cityops-delivery"], std::to_string(ids[i]));
}

TEST_F(DelivererTest, KillMinus9AfterEnqueueLosesNothing) {
  Receiver rx;
  Subscription s = subscribe(rx.url("a"));
  close();  // the child opens the database itself, as the server process would
  const std::string path = dbPath();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The "server": enqueue, then die at once: no destructors, no checkpoint, no close.
    auto db = store::SqliteDb::open(path, false, false);
    if (!db) ::_exit(2);
    if (!Outbox::migrate(**db)) ::_exit(3);
    auto subs = SubscriptionStore::open(**db, clock_);
    if (!subs) ::_exit(4);
    Outbox outbox(**subs, clock_);
    for (const auto& p : payloads(0, 5))
      if (!outbox.enqueue(p, event()).ok()) ::_exit(5);
    ::raise(SIGKILL);
    ::_exit(6);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exit code " << WEXITSTATUS(wstatus);
  ASSERT_EQ(WTERMSIG(wstatus), SIGKILL);

  open();
  ASSERT_EQ(pending(s.id).size(), 5u);
  startDeliverer();
  ASSERT_TRUE(rx.waitAccepted("a", 5));
  ASSERT_TRUE(eventually([&] { return settled(s.id, 5); }));
  EXPECT_EQ(rx.acceptedBodies("a"), payloads(0, 5));
}

TEST_F(DelivererTest, BackoffFollowsTheClockAndExpiresAfter24Hours) {
  clock_.freeze(kT0);
  Receiver rx;
  rx.failFirst("a", 1'000'000);
  Subscription s = subscribe(rx.url("a"));
  startDeliverer(clockOptions());
  enqueue(payload(1));
  enqueue(payload(2));

  // Attempt 1 at T0 fails: next in 1 min (base), the second row waits behind the first.
  ASSERT_TRUE(eventually([&] { return headAttempts(s.id) == 1; }));
  auto rows = pending(s.id);
  EXPECT_EQ(rows[0].nextAttemptMs, kT0 + 60'000);
  EXPECT_NE(rows[0].lastError.find("HTTP 503"), std::string::npos) << rows[0].lastError;
  EXPECT_EQ(rows[1].attempts, 0);
  std::this_thread::sleep_for(100ms);  // the clock stands still: no retry before its time
  EXPECT_EQ(rx.attempts("a").size(), 1u);

  // Attempt 2 once the clock reaches it: next doubles to 2 min.
  clock_.advance(60'000);
  deliverer_->wake();
  ASSERT_TRUE(eventually([&] { return headAttempts(s.id) == 2; }));
  EXPECT_EQ(pending(s.id)[0].nextAttemptMs, kT0 + 60'000 + 120'000);

  // 23 h later a third row arrives (its enqueue wakes the deliverer); the first row is due: attempt 3.
  clock_.freeze(kT0 + 23 * kHour);
  enqueue(payload(3));
  ASSERT_TRUE(eventually([&] { return headAttempts(s.id) == 3; }));
  EXPECT_EQ(pending(s.id)[0].nextAttemptMs, kT0 + 23 * kHour + 240'000);

  // At T0 + 24 h attempt 4 fails too: rows 1 and 2 (24 h old) are dropped; row 3 (1 h old) is tried and kept.
  clock_.freeze(kT0 + 24 * kHour);
  deliverer_->wake();
  ASSERT_TRUE(eventually([&] {
    auto p = pending(s.id);
    return status(s.id).status.dropped == 2 && p.size() == 1 && p[0].attempts == 1;
  }));
  rows = pending(s.id);
  EXPECT_EQ(rows[0].payload, payload(3));
  EXPECT_EQ(rows[0].nextAttemptMs, kT0 + 24 * kHour + 60'000);
  for (const auto& r : rx.attempts("a")) EXPECT_NE(r.body, payload(2));  // never got its turn
  auto st = status(s.id).status;
  EXPECT_EQ(st.failures, 5);  // row 1 four times, row 3 once
  EXPECT_EQ(st.lastFailureMs, kT0 + 24 * kHour);
  EXPECT_EQ(st.delivered, 0);

  // The next attempt is never scheduled past the row's 24 h: at T0+47h-10s the back-off (2 min) is cut to T0+47h...
  clock_.freeze(kT0 + 47 * kHour - 10'000);
  deliverer_->wake();
  ASSERT_TRUE(eventually([&] { return headAttempts(s.id) == 2; }));
  EXPECT_EQ(pending(s.id)[0].nextAttemptMs, kT0 + 47 * kHour);
  // ...where its last attempt fails and it is dropped.
  clock_.freeze(kT0 + 47 * kHour);
  deliverer_->wake();
  ASSERT_TRUE(eventually([&] { return status(s.id).status.dropped == 3; }));
  EXPECT_TRUE(pending(s.id).empty());
  EXPECT_EQ(status(s.id).status.failures, 7);
}

TEST_F(DelivererTest, JitterStaysWithinItsBound) {
  clock_.freeze(kT0);
  auto o = clockOptions();
  o.jitter = 0.2;
  Receiver rx;
  rx.failFirst("a", 1'000'000);
  std::vector<Subscription> subs;
  for (int i = 0; i < 8; ++i) subs.push_back(subscribe(rx.url("a")));
  startDeliverer(o);
  enqueue(payload(1));
  std::set<int64_t> nexts;
  for (const auto& s : subs) {
    ASSERT_TRUE(eventually([&] { return headAttempts(s.id) == 1; }));
    const int64_t next = pending(s.id)[0].nextAttemptMs;
    EXPECT_GE(next, kT0 + 60'000);
    EXPECT_LE(next, kT0 + 72'000);
    nexts.insert(next);
  }
  EXPECT_GT(nexts.size(), 1u);  // 8 draws from 12 001 values: equal only by a tiny chance
}

TEST_F(DelivererTest, StatusCountersAfterFailuresThenSuccess) {
  clock_.freeze(kT0);
  Receiver rx;
  rx.failFirst("a", 2, 500);
  Subscription s = subscribe(rx.url("a"));
  startDeliverer(clockOptions());
  enqueue(payload(1));
  ASSERT_TRUE(eventually([&] { return status(s.id).status.failures == 1; }));
  clock_.advance(60'000);
  deliverer_->wake();
  ASSERT_TRUE(eventually([&] { return status(s.id).status.failures == 2; }));
  clock_.advance(120'000);
  deliverer_->wake();
  ASSERT_TRUE(eventually([&] { return settled(s.id, 1); }));

  auto sub = status(s.id);
  const auto& st = sub.status;
  EXPECT_EQ(st.failures, 2);
  EXPECT_EQ(st.delivered, 1);
  EXPECT_EQ(st.dropped, 0);
  EXPECT_EQ(st.pending, 0);
  EXPECT_EQ(st.lastFailureMs, kT0 + 60'000);
  EXPECT_EQ(st.lastSuccessMs, kT0 + 180'000);
  EXPECT_NE(st.lastError.find("HTTP 500"), std::string::npos) << st.lastError;
  auto j = toJson(sub);
  EXPECT_EQ(j.at("status").at("last_success_at").as_string(), formatTime(kT0 + 180'000));
  EXPECT_EQ(j.at("status").at("failures").as_int64(), 2);
  EXPECT_EQ(j.at("status").at("delivered").as_int64(), 1);
}

TEST_F(DelivererTest, SubscriptionsComeAndGo) {
  Receiver rx;
  startDeliverer();
  EXPECT_TRUE(deliverer_->laneIds().empty());

  Subscription a = subscribe(rx.url("a"));  // after start: picked up on wake()
  deliverer_->wake();
  ASSERT_TRUE(eventually([&] { return deliverer_->laneIds() == std::vector<int64_t>{a.id}; }));
  enqueue(payload(1));
  ASSERT_TRUE(rx.waitAccepted("a", 1));

  // Disabled: no lane, no new rows.
  ASSERT_TRUE(subs_->setEnabled(a.id, false).ok());
  deliverer_->wake();
  ASSERT_TRUE(eventually([&] { return deliverer_->laneIds().empty(); }));
  EXPECT_TRUE(enqueue(payload(2)).empty());

  // Enabled again: delivers again.
  ASSERT_TRUE(subs_->setEnabled(a.id, true).ok());
  deliverer_->wake();
  ASSERT_TRUE(eventually([&] { return deliverer_->laneIds().size() == 1; }));
  enqueue(payload(3));
  ASSERT_TRUE(rx.waitAccepted("a", 2));
  EXPECT_EQ(rx.acceptedBodies("a"), (std::vector<std::string>{payload(1), payload(3)}));

  // Deleted with rows pending for a dead endpoint: rows gone, lane retired; the other subscription unaffected.
  Subscription dead = subscribe("http://127.0.0.1:" + std::to_string(deadPort()) + "/x");
  deliverer_->wake();
  enqueue(payload(4));
  ASSERT_TRUE(eventually([&] { return status(dead.id).status.failures >= 1; }));
  ASSERT_TRUE(subs_->remove(dead.id).ok());
  deliverer_->wake();
  ASSERT_TRUE(eventually([&] { return deliverer_->laneIds() == std::vector<int64_t>{a.id}; }));
  EXPECT_TRUE(pending(dead.id).empty());
  ASSERT_TRUE(rx.waitAccepted("a", 3));
}

TEST_F(DelivererTest, StopLetsAnAttemptWhoseRequestIsOutReadItsAnswer) {
  Receiver rx;
  rx.delay("a", 300);
  Subscription s = subscribe(rx.url("a"));
  startDeliverer();  // stopGraceMs 1000
  enqueue(payload(1));
  ASSERT_TRUE(rx.waitAttempts("a", 1));  // the request is out; the answer comes in 300 ms
  deliverer_->stop();
  EXPECT_EQ(status(s.id).status.delivered, 1);
  EXPECT_TRUE(pending(s.id).empty());  // so a restart sends no duplicate
}

TEST_F(DelivererTest, AnAnswerSlowerThanTheGraceIsRetriedByTheNextDeliverer) {
  Receiver rx;
  rx.delay("a", 600);
  Subscription s = subscribe(rx.url("a"));
  auto o = fastOptions();
  o.stopGraceMs = 50;
  startDeliverer(o);
  auto ids = enqueue(payload(1));
  ASSERT_TRUE(rx.waitAttempts("a", 1));
  deliverer_->stop();
  auto st = status(s.id).status;
  EXPECT_EQ(st.delivered, 0);  // abandoned, and not counted as a failure either
  EXPECT_EQ(st.failures, 0);
  ASSERT_EQ(pending(s.id).size(), 1u);
  EXPECT_EQ(pending(s.id)[0].attempts, 0);

  rx.delay("a", 0);
  startDeliverer(o);
  ASSERT_TRUE(eventually([&] { return settled(s.id, 1); }));
  auto all = rx.attempts("a");  // at least once: the receiver saw it twice, with the same delivery id
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].headers["x-cityops-delivery"], std::to_string(ids.at(0)));
  EXPECT_EQ(all[1].headers["x-cityops-delivery"], std::to_string(ids.at(0)));
}

TEST_F(DelivererTest, StopIsIdempotentAndDestructorStops) {
  Receiver rx;
  subscribe(rx.url("a"));
  startDeliverer();
  deliverer_->start();  // a second start is ignored
  enqueue(payload(1));
  ASSERT_TRUE(rx.waitAccepted("a", 1));
  deliverer_->stop();
  deliverer_->stop();
  enqueue(payload(2));  // the hook is gone: stays pending
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(rx.accepted("a").size(), 1u);
  EXPECT_EQ(*outbox_->pendingCount(), 1);
  Deliverer never(*subs_, *outbox_, clock_);  // never started: destructor is a no-op
}

}  // namespace
