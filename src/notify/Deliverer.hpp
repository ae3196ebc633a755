#pragma once
// Delivers the outbox: POSTs every row to its subscription's URL (http://), or publishes it to its MQTT broker
// (mqtt://), strictly in order per subscription, retrying with exponential back-off plus jitter until a 2xx answer (the
// broker's PUBACK) or 24 h of failures.
//
// Design: one lane — a thread with its own io_context and synchronous-looking Beast client — per enabled
// subscription, and one supervisor thread that starts and retires lanes as subscriptions come, go, or are disabled.
// Why threads rather than one thread with async Beast clients and per-endpoint queues:
//  - isolation by construction: whatever a lane waits on — a connect or a response that hangs until the attempt
//    timeout, a DNS lookup (getaddrinfo cannot be cancelled), a SQLite write waiting for the busy timeout — holds up
//    that subscription only. With one shared thread, every blocking call on it (the database above all) would stall
//    every endpoint, which is exactly the failure this component exists to avoid.
//  - strict order is the program order of one loop (oldest row → attempt → mark → next): no per-endpoint queue or
//    state machine to keep consistent with the table, and nothing to rebuild after a restart but "read the table".
//  - the cost is one mostly idle thread per enabled subscription; cities have a handful (the store caps them).
//
// A lane, forever: read its subscription's oldest row. None: sleep until wake(). Its next_attempt_ms (Clock time)
// still ahead: sleep until then. Else POST it — one connection per attempt (Connection: close), the whole attempt
// (resolve, connect, write, read) bounded by attemptTimeoutMs of real time — with headers Content-Type:
// application/json, X-Cityops-Signature: sha256=<hex HMAC-SHA256(secret, body)>, X-Cityops-Delivery: <outbox row
// id>, X-Cityops-Timestamp: <Clock ms of the attempt>. 2xx: the row is deleted and counted as delivered. Anything
// else (resolve/connect error, timeout, non-2xx): a failure is counted and the next attempt scheduled after
// backoffMs(attempts) plus a uniform jitter in [0, jitter × that], but never later than created + maxAgeMs; a failure
// at or after created + maxAgeMs drops that row and every other row of the subscription as old (one warning line,
// counted as dropped). The oldest row blocks the later rows of its subscription, and only those.
//
// MQTT (an mqtt:// subscription, see parseEndpoint): the lane keeps one MqttConnection (MQTT 3.1.1, clean session,
// kept between rows, re-made after any failure; the subscription's secret is the password when the URL names a user)
// and, instead of the POST, publishes the row's payload verbatim with QoS 1, not retained, to
// <topic prefix>/<severity>/<entity type> (mqttTopic: both from the payload JSON, "unknown" when missing, sanitised to
// [A-Za-z0-9_-]). The broker's PUBACK within attemptTimeoutMs is the 2xx; anything else (connect error, CONNACK
// refusal such as "not authorised", a lost connection, no PUBACK in time) is a failed attempt with the same back-off,
// expiry and status bookkeeping. stop() works the same way: an attempt still connecting is abandoned at once, one whose
// PUBLISH is out may wait stopGraceMs for its PUBACK. No signature headers: MQTT 3.1.1 has none (the broker's
// authentication and ACLs are the protection). Delivery is at least once: a row whose PUBACK was lost is published
// again (subscribers de-duplicate on the payload's alert id and updated_at/transition).
//
// Time: back-off and expiry decisions use the injected Clock; sleeping is real time in slices of at most pollMs, so a
// ManualClock moved by a test takes effect within pollMs (at once after wake()). Attempt timeouts are real time.
// Restart: all delivery state lives in the outbox rows (attempts, next_attempt_ms), so a new Deliverer on the same
// database resumes where the old one stopped, back-off included; rows are committed before Outbox::enqueue returns,
// so a kill -9 loses none. Delivery is at least once (see Outbox.hpp). One Deliverer per database.
#include "common/Clock.hpp"
#include "notify/Outbox.hpp"
#include "notify/SubscriptionStore.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cityops::notify {

class Deliverer {
 public:
  struct Options {
    int64_t backoffBaseMs = 1000;           // the delay after the first failure; doubles per failure...
    int64_t backoffMaxMs = 10 * 60 * 1000;  // ...up to this
    double jitter = 0.2;                    // plus uniform [0, jitter × delay]; 0 in tests that check times
    int64_t attemptTimeoutMs = 10'000;      // one attempt, from resolve to the end of the response (real time)
    int64_t maxAgeMs = 24LL * 3600 * 1000;  // a row still failing this long after its creation is dropped
    int64_t pollMs = 1000;                  // longest real sleep before a lane re-reads the Clock and its rows
    int64_t stopGraceMs = 1000;             // stop(): how long an attempt with its request out may read the answer
    std::size_t responseLimit = 64 * 1024;  // response bytes read (only the status matters; a longer body is fine)
    std::string userAgent = "cityops-notify/1";
  };

  /// The store, the outbox and the clock must outlive the Deliverer. Nothing runs before start().
  Deliverer(SubscriptionStore& subscriptions, Outbox& outbox, const Clock& clock, Options options);
  Deliverer(SubscriptionStore& subscriptions, Outbox& outbox, const Clock& clock);
  ~Deliverer();  // stop()
  Deliverer(const Deliverer&) = delete;
  Deliverer& operator=(const Deliverer&) = delete;

  /// Starts the supervisor (which starts a lane per enabled subscription, and resumes their pending rows) and
  /// installs wake() as the outbox's onEnqueued hook. Once per object.
  void start();
  /// New rows or subscriptions: lanes re-read their oldest row at once, the supervisor re-reads the subscriptions
  /// (created, deleted, enabled, disabled). Cheap, never blocks on I/O; any thread.
  void wake();
  /// Removes the hook and joins every thread. An attempt in flight that has not sent its request yet is abandoned at
  /// once; one whose request is out may read its answer for up to stopGraceMs (a 2xx then counts as delivered).
  /// Abandoned attempts are not counted; the next Deliverer retries their rows (the receiver may then see a row
  /// twice: same X-Cityops-Delivery). Retiring the lane of a deleted or disabled subscription works the same way.
  /// Idempotent.
  void stop();

  /// The delay after the `attempts`-th consecutive failure of a row, without jitter:
  /// min(backoffBaseMs × 2^(attempts-1), backoffMaxMs).
  static int64_t backoffMs(const Options& options, int64_t attempts);

  /// Ids of the subscriptions that have a lane now (tests, status pages).
  std::vector<int64_t> laneIds() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cityops::notify
