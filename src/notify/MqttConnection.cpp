#include "notify/MqttConnection.hpp"

#include <boost/json/parse.hpp>
#include <mosquitto.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <random>

namespace cityops::notify {

namespace {

using Steady = std::chrono::steady_clock;
constexpr int64_t kLoopSliceMs = 100;  // longest mosquitto_loop() wait: how soon the interrupt flag is seen
constexpr size_t kMaxLevel = 64;

void initLibrary() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });  // never cleaned up: other lanes may still use it
}

std::string randomHex() {
  char hex[16];
  std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(std::random_device{}()));
  return hex;
}

std::string errnoText(int e) {
  char buf[256];
  return ::strerror_r(e, buf, sizeof buf);  // the GNU variant: returns the message
}

/// A libmosquitto rc as a phrase, without the trailing period; MOSQ_ERR_ERRNO as the errno's text.
std::string reason(int rc, int savedErrno) {
  std::string s = rc == MOSQ_ERR_ERRNO ? errnoText(savedErrno) : std::string(mosquitto_strerror(rc));
  while (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

int64_t msUntil(Steady::time_point t) {
  return std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(t - Steady::now()).count());
}

}  // namespace

struct MqttConnection::State {
  bool connackSeen = false;
  int connackRc = -1;
  bool disconnected = false;
  int lastAckedMid = -1;
  int64_t timeoutMs = 0;  // of the publish() in progress, for messages

  static void onConnect(::mosquitto*, void* obj, int rc) {
    auto* s = static_cast<State*>(obj);
    s->connackSeen = true;
    s->connackRc = rc;
  }
  static void onDisconnect(::mosquitto*, void* obj, int) { static_cast<State*>(obj)->disconnected = true; }
  static void onPublish(::mosquitto*, void* obj, int mid) { static_cast<State*>(obj)->lastAckedMid = mid; }
};

MqttConnection::MqttConnection(Options options) : options_(std::move(options)), state_(std::make_unique<State>()) {
  if (options_.clientId.empty()) options_.clientId = "cityops-" + randomHex();
  options_.keepaliveSeconds = std::max(options_.keepaliveSeconds, 5);  // libmosquitto's minimum
  options_.graceMs = std::max<int64_t>(options_.graceMs, 0);
  const bool v6 = options_.host.find(':') != std::string::npos;
  where_ = (v6 ? "[" + options_.host + "]" : options_.host) + ":" + std::to_string(options_.port);
}

MqttConnection::~MqttConnection() {
  if (!m_) return;
  if (connected()) mosquitto_disconnect(m_);  // written at once: there is no network thread to hand it to
  mosquitto_destroy(m_);
}

std::string MqttConnection::clientIdFor(int64_t subscriptionId) {
  return "cityops-" + std::to_string(subscriptionId) + "-" + randomHex();
}

bool MqttConnection::connected() const {
  return m_ && state_->connackSeen && state_->connackRc == 0 && !state_->disconnected;
}

bool MqttConnection::interrupted() const { return options_.interrupt && options_.interrupt->load(); }

void MqttConnection::reset() {
  if (m_) mosquitto_destroy(m_);
  m_ = nullptr;
  const int64_t timeoutMs = state_->timeoutMs;
  *state_ = State{};
  state_->timeoutMs = timeoutMs;
}

Status MqttConnection::fail(std::string message) {
  reset();
  return Error{"unavailable", std::move(message)};
}

int MqttConnection::loopOnce(Steady::time_point deadline) {
  const auto slice = static_cast<int>(std::clamp<int64_t>(msUntil(deadline), 1, kLoopSliceMs));
  return mosquitto_loop(m_, slice, 1);
}

Status MqttConnection::waitWritable(Steady::time_point deadline) {
  // The TCP connect, which mosquitto_connect_async() left pending: wait here, so that it is bounded by the deadline
  // and the interrupt flag, and so that a failure is told with its errno (libmosquitto reports it vaguely).
  const int fd = mosquitto_socket(m_);
  if (fd < 0) return fail("cannot connect to " + where_ + ": no socket");
  for (;;) {
    if (interrupted()) {
      reset();
      return Error{std::string(kInterrupted), "interrupted while connecting to " + where_};
    }
    if (Steady::now() >= deadline)
      return fail("timed out after " + std::to_string(state_->timeoutMs) + " ms connecting to " + where_);
    pollfd p{fd, POLLOUT, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::clamp<int64_t>(msUntil(deadline), 1, kLoopSliceMs)));
    if (n < 0) {
      const int e = errno;
      if (e == EINTR) continue;
      return fail("cannot connect to " + where_ + ": poll: " + errnoText(e));
    }
    if (n <= 0) continue;
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) return fail("cannot connect to " + where_ + ": " + errnoText(err));
    return {};
  }
}

Status MqttConnection::connect(Steady::time_point deadline) {
  reset();
  initLibrary();
  m_ = mosquitto_new(options_.clientId.c_str(), true, state_.get());  // clean session
  if (!m_) {
    const int e = errno;
    return fail("cannot create an MQTT client: " + errnoText(e));
  }
  mosquitto_int_option(m_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_connect_callback_set(m_, &State::onConnect);
  mosquitto_disconnect_callback_set(m_, &State::onDisconnect);
  mosquitto_publish_callback_set(m_, &State::onPublish);
  if (!options_.user.empty()) {
    errno = 0;
    const int rc = mosquitto_username_pw_set(m_, options_.user.c_str(), options_.password.c_str());
    const int e = errno;
    if (rc != MOSQ_ERR_SUCCESS) return fail("cannot use the MQTT user name or password: " + reason(rc, e));
  }
  errno = 0;
  const int rc = mosquitto_connect_async(m_, options_.host.c_str(), options_.port, options_.keepaliveSeconds);
  const int e = errno;
  if (rc != MOSQ_ERR_SUCCESS) return fail("cannot connect to " + where_ + ": " + reason(rc, e));
  if (auto s = waitWritable(deadline); !s) return s;

  while (!state_->connackSeen) {
    if (interrupted()) {
      reset();
      return Error{std::string(kInterrupted), "interrupted while connecting to " + where_};
    }
    if (Steady::now() >= deadline)
      return fail("timed out after " + std::to_string(state_->timeoutMs) + " ms waiting for the CONNACK of " +
                  where_);
    errno = 0;
    const int lrc = loopOnce(deadline);
    const int e = errno;
    if (state_->connackSeen) break;
    if (lrc != MOSQ_ERR_SUCCESS)
      return fail("connection to " + where_ + " failed before its CONNACK: " + reason(lrc, e));
  }
  if (state_->connackRc != 0) {
    std::string why = mosquitto_connack_string(state_->connackRc);
    while (!why.empty() && why.back() == '.') why.pop_back();
    return fail("the broker " + where_ + " refused the connection: " + why);
  }
  lastActivity_ = Steady::now();
  return {};
}

Status MqttConnection::publish(std::string_view topic, std::string_view payload, int qos,
                               std::chrono::milliseconds timeout) {
  auto deadline = Steady::now() + std::max(timeout, std::chrono::milliseconds(1));
  state_->timeoutMs = timeout.count();
  if (interrupted()) return Error{std::string(kInterrupted), "interrupted before publishing to " + where_};
  if (payload.size() > static_cast<size_t>(INT_MAX)) return Error{"unavailable", "the MQTT payload is too large"};

  // A connection idle for a keepalive period or more may have been dropped by the broker meanwhile (nobody sent its
  // PINGREQs): start afresh rather than fail on it. Then let libmosquitto notice a close by the broker.
  if (m_ && (!connected() || Steady::now() - lastActivity_ >= std::chrono::seconds(options_.keepaliveSeconds)))
    reset();
  if (m_ && (mosquitto_loop(m_, 0, 1) != MOSQ_ERR_SUCCESS || !connected())) reset();
  if (!m_) {
    if (auto s = connect(deadline); !s) return s;
  }

  const std::string topicText(topic);
  int mid = 0;
  state_->lastAckedMid = -1;
  errno = 0;
  const int rc = mosquitto_publish(m_, &mid, topicText.c_str(), static_cast<int>(payload.size()), payload.data(),
                                   qos, false);
  const int e = errno;
  if (rc != MOSQ_ERR_SUCCESS) return fail("cannot publish to " + where_ + ": " + reason(rc, e));

  // The PUBLISH is out: an interrupt now waits up to graceMs for its acknowledgement, which then counts.
  std::optional<Steady::time_point> graceUntil;
  while (state_->lastAckedMid != mid) {
    const auto now = Steady::now();
    if (interrupted()) {
      if (!graceUntil) graceUntil = now + std::chrono::milliseconds(options_.graceMs);
      if (now >= *graceUntil) {
        reset();
        return Error{std::string(kInterrupted), "interrupted while waiting for the PUBACK of " + where_};
      }
      deadline = std::min(deadline, *graceUntil);
    }
    if (now >= deadline) {
      if (graceUntil) {  // stopping, and the attempt's time is up: abandoned, like the grace period's end
        reset();
        return Error{std::string(kInterrupted), "interrupted while waiting for the PUBACK of " + where_};
      }
      return fail("timed out after " + std::to_string(state_->timeoutMs) + " ms waiting for the PUBACK of " +
                  where_);
    }
    errno = 0;
    const int lrc = loopOnce(deadline);
    const int e = errno;
    if (state_->lastAckedMid == mid) break;
    if (lrc != MOSQ_ERR_SUCCESS)
      return fail("connection to " + where_ + " lost before the PUBACK: " + reason(lrc, e));
  }
  lastActivity_ = Steady::now();
  return {};
}

std::string mqttTopicLevel(std::string_view value) {
  if (value.empty()) return "unknown";
  std::string out;
  for (char c : value.substr(0, kMaxLevel)) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    out.push_back(ok ? c : '_');
  }
  return out;
}

std::string mqttTopic(std::string_view prefix, std::string_view payloadJson) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(boost::json::string_view(payloadJson.data(), payloadJson.size()), ec);
  auto level = [&](std::string_view key) -> std::string {
    if (ec || !v.is_object()) return "unknown";
    const auto* f = v.get_object().if_contains(boost::json::string_view(key.data(), key.size()));
    if (!f || !f->is_string()) return "unknown";
    return mqttTopicLevel(std::string_view(f->get_string().data(), f->get_string().size()));
  };
  std::string topic(prefix);
  topic += '/';
  topic += level("severity");
  topic += '/';
  topic += level("entity_type");
  return topic;
}

}  // namespace cityops::notify
