#pragma once
// One client connection to an MQTT broker (libmosquitto, MQTT 3.1.1), for the Deliverer's lane of an mqtt://
// subscription: publish() returns once the broker acknowledged the message (PUBACK for QoS 1), so the lane can mark
// the outbox row delivered exactly when a webhook's 2xx would.
//
// Threading: one object, one thread. There is no libmosquitto network thread (no mosquitto_loop_start): publish()
// drives the network itself with mosquitto_loop() on the calling thread until its message is acknowledged, its
// deadline passes, or the interrupt flag is set; callbacks run inside those calls, on that thread.
//
// Connection: made lazily by publish() — non-blocking TCP connect (mosquitto_connect_async, bounded by the publish
// deadline and the interrupt flag, like the rest), CONNECT with a clean session, keepalive 30 s, client id
// `cityops-<subscription id>-<random>`, the user name and password when given — and kept between publishes. After any
// failure (refused, lost, no CONNACK or PUBACK in time, interrupted) the connection is thrown away and the next
// publish connects anew; so is one idle for longer than the keepalive (nobody answered the broker's keepalive in the
// meantime) or one the broker closed. A message is never re-sent by libmosquitto on its own: retries are the
// caller's, which keeps "one outbox row attempt = one PUBLISH" (at least once: a PUBACK lost with its connection
// means the broker may have the message already, and the caller publishes it again).
//
// Limitation: a broker host name is resolved with a blocking getaddrinfo inside libmosquitto (an IP address never
// is); a hung DNS lookup holds that one lane, like a webhook's.
//
// Process-wide side effect: libmosquitto's mosquitto_new() sets SIGPIPE to SIG_IGN (it writes with write(), so a
// broker that went away must not kill the process); cityops' own sockets do not depend on SIGPIPE either way.
//
// Nothing throws: every failure is a Status ("unavailable", or kInterrupted) with a sentence naming the broker and
// the reason (mosquitto_strerror, mosquitto_connack_string, strerror).
#include "common/Result.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct mosquitto;

namespace cityops::notify {

class MqttConnection {
 public:
  /// The Error code of a publish() cut short by the interrupt flag: nothing to count, the caller retries later.
  static constexpr std::string_view kInterrupted = "interrupted";

  struct Options {
    std::string host;  // name or IP address (IPv6 without brackets)
    uint16_t port = 1883;
    std::string user;      // empty: anonymous
    std::string password;  // sent only with a user
    std::string clientId;  // empty: "cityops-<random>"; see clientIdFor()
    int keepaliveSeconds = 30;
    /// Set by another thread to cut publish() short: before the PUBLISH is out it returns kInterrupted at once;
    /// after, it keeps waiting for the PUBACK for up to graceMs more (a PUBACK then counts: success). Optional.
    const std::atomic<bool>* interrupt = nullptr;
    int64_t graceMs = 1000;
  };

  explicit MqttConnection(Options options);
  ~MqttConnection();  // DISCONNECT (when connected, without waiting), then frees the client
  MqttConnection(const MqttConnection&) = delete;
  MqttConnection& operator=(const MqttConnection&) = delete;

  /// Publishes `payload` to `topic` (not retained) and returns when the broker acknowledged it (QoS 1: PUBACK;
  /// QoS 2: PUBCOMP; QoS 0: once written to the socket), connecting first when needed. `timeout` bounds everything
  /// (connect, CONNACK, PUBLISH, acknowledgement). Errors: "unavailable" with the reason, or kInterrupted.
  Status publish(std::string_view topic, std::string_view payload, int qos = 1,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));

  /// Connected now (CONNACK accepted, nothing failed since).
  bool connected() const;
  /// "host:port" ("[v6]:port"), as errors and logs name the broker.
  const std::string& where() const { return where_; }

  /// "cityops-<subscriptionId>-<8 random hex digits>".
  static std::string clientIdFor(int64_t subscriptionId);

 private:
  struct State;
  Status connect(std::chrono::steady_clock::time_point deadline);
  Status waitWritable(std::chrono::steady_clock::time_point deadline);
  /// One mosquitto_loop() turn of at most 100 ms (less when the deadline is nearer); the loop's rc.
  int loopOnce(std::chrono::steady_clock::time_point deadline);
  bool interrupted() const;
  void reset();  // frees the client (no DISCONNECT): the next publish connects anew
  Status fail(std::string message);  // reset() + "unavailable"

  Options options_;
  std::string where_;
  std::unique_ptr<State> state_;  // what the callbacks write; stable address (the client's user data)
  ::mosquitto* m_ = nullptr;
  std::chrono::steady_clock::time_point lastActivity_{};
};

/// The topic of one notification: `<prefix>/<severity>/<entity type>`, both taken from the payload JSON's top-level
/// "severity" and "entity_type" strings; a missing, null, non-string or empty one (or a payload that is not a JSON
/// object) gives the level "unknown". Each level is sanitised to [A-Za-z0-9_-] (any other byte becomes '_') and cut
/// to 64 bytes.
std::string mqttTopic(std::string_view prefix, std::string_view payloadJson);
/// One topic level as mqttTopic() makes it: "unknown" for an empty value.
std::string mqttTopicLevel(std::string_view value);

}  // namespace cityops::notify
