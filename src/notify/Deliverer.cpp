#include "notify/Deliverer.hpp"

#include "notify/MqttConnection.hpp"
#include "notify/Signature.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

namespace cityops::notify {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using SteadyTime = std::chrono::steady_clock::time_point;

namespace {

/// A response body excerpt for last_error: printable ASCII only, at most 200 bytes.
std::string excerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, 200)) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

class Deliverer::Impl {
 public:
  class Lane;

  Impl(SubscriptionStore& s, Outbox& o, const Clock& c, Options opt)
      : subs(s), outbox(o), clock(c), options(std::move(opt)) {
    options.backoffBaseMs = std::max<int64_t>(options.backoffBaseMs, 1);
    options.backoffMaxMs = std::max(options.backoffMaxMs, options.backoffBaseMs);
    options.jitter = std::clamp(options.jitter, 0.0, 1.0);
    options.attemptTimeoutMs = std::max<int64_t>(options.attemptTimeoutMs, 1);
    options.pollMs = std::max<int64_t>(options.pollMs, 1);
    options.stopGraceMs = std::max<int64_t>(options.stopGraceMs, 0);
  }

  void supervise();

  SubscriptionStore& subs;
  Outbox& outbox;
  const Clock& clock;
  Options options;

  mutable std::mutex mu;  // guards everything below; lock order: mu, then a lane's mutex
  std::condition_variable cv;
  bool started = false;
  bool stopping = false;
  uint64_t wakeSeq = 0;
  std::map<int64_t, std::unique_ptr<Lane>> lanes;
  std::thread supervisor;
};

// ------------------------------------------------------------------------------------------------------------ lane

class Deliverer::Impl::Lane {
 public:
  Lane(Impl& d, Subscription sub, Endpoint ep)
      : d_(d), sub_(std::move(sub)), ep_(std::move(ep)), rng_(std::random_device{}()) {
    if (ep_.transport == Endpoint::Transport::Mqtt) {
      // One connection for the lane's life, kept between rows (MqttConnection reconnects after any failure).
      MqttConnection::Options o;
      o.host = ep_.host;
      o.port = ep_.port;
      o.user = ep_.user;
      if (!ep_.user.empty()) o.password = sub_.secret;
      o.clientId = MqttConnection::clientIdFor(sub_.id);
      o.interrupt = &stop_;
      o.graceMs = d_.options.stopGraceMs;
      mqtt_ = std::make_unique<MqttConnection>(std::move(o));
    }
  }

  void start() {
    thread_ = std::thread([this] { run(); });
  }
  void wake() {
    {
      std::lock_guard lock(mu_);
      ++wakes_;
    }
    cv_.notify_all();
  }
  /// Any thread: ends sleeps and the attempt in flight; run() returns soon after.
  void interrupt() {
    {
      std::lock_guard lock(mu_);
      stop_.store(true);
    }
    cv_.notify_all();
    ioc_.stop();  // thread-safe: makes run_one_until() in runUntil() return at once
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  enum class Outcome { Delivered, Failed, Stopped };
  enum class Wait { Done, TimedOut, Stopped };

  void run();
  Outcome attempt(const OutboxRow& row, int64_t nowMs, std::string& error);
  /// The mqtt:// attempt: publish with QoS 1 to <prefix>/<severity>/<entity type>; the PUBACK is the 2xx.
  Outcome publish(const OutboxRow& row, std::string& error);
  /// Runs the lane's io_context until `done`, the deadline, or a stop. `sent`: the request is out, so a stop waits up
  /// to stopGraceMs for the answer (a receiver that answers promptly is not sent a duplicate after a restart).
  Wait runUntil(const bool& done, SteadyTime deadline, bool sent, const std::function<void()>& cancel);
  /// Real-time sleep, cut short by wake() (also one that came while the lane was busy) and interrupt().
  /// false when stopping.
  bool sleepFor(int64_t ms);
  int64_t delayWithJitter(int64_t attempts);

  Impl& d_;
  const Subscription sub_;
  const Endpoint ep_;
  std::mt19937_64 rng_;
  asio::io_context ioc_;
  std::thread thread_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};  // written under mu_ (for the condition variable), read anywhere
  uint64_t wakes_ = 0;             // guarded by mu_
  uint64_t seenWakes_ = 0;         // lane thread only
  std::optional<SteadyTime> graceUntil_;  // lane thread only: set when a stop is first seen with a request out
  std::unique_ptr<MqttConnection> mqtt_;  // mqtt:// lanes only; used by the lane thread only
};

bool Deliverer::Impl::Lane::sleepFor(int64_t ms) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(ms, 0)),
               [&] { return stop_.load() || wakes_ != seenWakes_; });
  seenWakes_ = wakes_;
  return !stop_.load();
}

int64_t Deliverer::Impl::Lane::delayWithJitter(int64_t attempts) {
  const int64_t base = Deliverer::backoffMs(d_.options, attempts);
  const auto spread = static_cast<int64_t>(static_cast<double>(base) * d_.options.jitter);
  if (spread <= 0) return base;
  return base + std::uniform_int_distribution<int64_t>(0, spread)(rng_);
}

Deliverer::Impl::Lane::Wait Deliverer::Impl::Lane::runUntil(const bool& done, SteadyTime deadline, bool sent,
                                                            const std::function<void()>& cancel) {
  // interrupt() sets stop_ before it stops the io_context, and restart() comes before the stop_ check: whichever
  // order they run in, the loop below sees one or the other.
  ioc_.restart();
  Wait w = Wait::Done;
  while (!done) {
    const auto now = std::chrono::steady_clock::now();
    if (stop_.load()) {
      if (!sent) {
        w = Wait::Stopped;
        break;
      }
      if (!graceUntil_) {
        graceUntil_ = now + std::chrono::milliseconds(d_.options.stopGraceMs);
      }
      if (now >= *graceUntil_) {
        w = Wait::Stopped;
        break;
      }
      deadline = std::min(deadline, *graceUntil_);
    }
    if (now >= deadline) {
      w = stop_.load() ? Wait::Stopped : Wait::TimedOut;
      break;
    }
    // Stopped with an operation pending can only be interrupt()'s stop, which set stop_ first: clear it and look at
    // stop_ again (abandon, or keep running in the grace period) instead of returning at once forever.
    if (ioc_.stopped()) {
      ioc_.restart();
      continue;
    }
    ioc_.run_one_until(deadline);
  }
  if (!done) {
    cancel();  // the operation now completes (operation_aborted); run its handler so nothing refers to our locals
    while (!done) {
      ioc_.restart();
      ioc_.run_one();
    }
  }
  return w;
}

Deliverer::Impl::Lane::Outcome Deliverer::Impl::Lane::publish(const OutboxRow& row, std::string& error) {
  auto s = mqtt_->publish(mqttTopic(ep_.topicPrefix, row.payload), row.payload, 1,
                          std::chrono::milliseconds(d_.options.attemptTimeoutMs));
  if (s) return Outcome::Delivered;
  if (s.error().code == MqttConnection::kInterrupted) return Outcome::Stopped;
  error = s.error().message;
  return Outcome::Failed;
}

Deliverer::Impl::Lane::Outcome Deliverer::Impl::Lane::attempt(const OutboxRow& row, int64_t nowMs,
                                                              std::string& error) {
  if (mqtt_) return publish(row, error);
  auto signature = signatureHeader(sub_.secret, row.payload);
  if (!signature) {
    error = signature.error().message;
    return Outcome::Failed;
  }
  const auto& o = d_.options;
  const SteadyTime deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(o.attemptTimeoutMs);
  const std::string where = ep_.hostHeader;
  auto timedOut = [&](std::string_view phase) {
    error = "timed out after " + std::to_string(o.attemptTimeoutMs) + " ms (" + std::string(phase) + " " + where +
            ")";
    return Outcome::Failed;
  };

  beast::error_code ec;
  bool done = false;

  tcp::resolver resolver(ioc_);
  tcp::resolver::results_type endpoints;
  resolver.async_resolve(ep_.host, std::to_string(ep_.port),
                         [&](beast::error_code e, tcp::resolver::results_type r) {
                           ec = e;
                           endpoints = std::move(r);
                           done = true;
                         });
  Wait w = runUntil(done, deadline, false, [&] { resolver.cancel(); });
  if (w == Wait::Stopped) return Outcome::Stopped;
  if (w == Wait::TimedOut) return timedOut("resolving");
  if (ec) {
    error = "cannot resolve " + ep_.host + ": " + ec.message();
    return Outcome::Failed;
  }

  beast::tcp_stream stream(ioc_);
  auto closeStream = [&] {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.socket().close(ignored);
  };
  done = false;
  stream.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
    ec = e;
    done = true;
  });
  w = runUntil(done, deadline, false, closeStream);
  if (w == Wait::Stopped) return Outcome::Stopped;
  if (w == Wait::TimedOut) return timedOut("connecting to");
  if (ec) {
    error = "cannot connect to " + where + ": " + ec.message();
    return Outcome::Failed;
  }

  bhttp::request<bhttp::string_body> req{bhttp::verb::post, ep_.target, 11};
  req.set(bhttp::field::host, ep_.hostHeader);
  req.set(bhttp::field::user_agent, o.userAgent);
  req.set(bhttp::field::content_type, "application/json");
  req.set(kSignatureHeader, *signature);
  req.set(kDeliveryHeader, std::to_string(row.id));
  req.set(kTimestampHeader, std::to_string(nowMs));
  req.keep_alive(false);
  req.body() = row.payload;
  req.prepare_payload();
  done = false;
  bhttp::async_write(stream, req, [&](beast::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  w = runUntil(done, deadline, true, closeStream);
  if (w == Wait::Stopped) return Outcome::Stopped;
  if (w == Wait::TimedOut) return timedOut("sending to");
  if (ec) {
    error = "cannot send to " + where + ": " + ec.message();
    return Outcome::Failed;
  }

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(o.responseLimit);
  done = false;
  bhttp::async_read(stream, buffer, parser, [&](beast::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  w = runUntil(done, deadline, true, closeStream);
  if (w == Wait::Stopped) return Outcome::Stopped;
  if (w == Wait::TimedOut) return timedOut("waiting for the response of");
  // A body longer than the limit is fine: only the status line matters.
  if (ec && !(ec == bhttp::error::body_limit && parser.is_header_done())) {
    error = "no valid response from " + where + ": " + ec.message();
    closeStream();
    return Outcome::Failed;
  }
  closeStream();
  const unsigned status = parser.get().result_int();
  if (status >= 200 && status < 300) return Outcome::Delivered;
  error = "HTTP " + std::to_string(status) + " from " + where;
  if (std::string b = excerpt(parser.get().body()); !b.empty()) error += ": " + b;
  return Outcome::Failed;
}

void Deliverer::Impl::Lane::run() {
  const auto& o = d_.options;
  const int64_t id = sub_.id;
  bool failing = false;
  int64_t failedAttempts = 0;
  // A database error is logged once per streak, then retried every pollMs.
  bool dbFailing = false;
  auto dbError = [&](std::string_view what, const Error& e) {
    if (!dbFailing) spdlog::error("notify: subscription {}: {}: {}", id, what, e.message);
    dbFailing = true;
  };
  spdlog::debug("notify: delivering subscription {} to {}{}", id, mqtt_ ? "mqtt://" : "", ep_.hostHeader);

  while (!stop_.load()) {
    auto head = d_.outbox.oldest(id);
    if (!head) {
      dbError("cannot read the outbox", head.error());
      sleepFor(o.pollMs);
      continue;
    }
    dbFailing = false;
    if (!*head) {
      sleepFor(o.pollMs);  // nothing pending: wake() ends this at once when a row comes
      continue;
    }
    const OutboxRow row = std::move(**head);
    int64_t now = d_.clock.nowMs();
    if (row.nextAttemptMs > now) {
      sleepFor(std::min(row.nextAttemptMs - now, o.pollMs));
      continue;
    }

    std::string error;
    const Outcome outcome = attempt(row, now, error);
    if (outcome == Outcome::Stopped) break;  // not counted: the next Deliverer retries it
    now = d_.clock.nowMs();

    if (outcome == Outcome::Delivered) {
      // Retry the bookkeeping rather than re-send: a re-send would be a duplicate.
      for (;;) {
        auto s = d_.outbox.markDelivered(row, now);
        if (s) break;
        dbError("cannot record a delivery", s.error());
        if (!sleepFor(o.pollMs)) return;
      }
      dbFailing = false;
      if (failing)
        spdlog::info("notify: subscription {} delivers again ({} after {} failed attempt(s))", id, ep_.hostHeader,
                     failedAttempts);
      failing = false;
      failedAttempts = 0;
      continue;
    }

    ++failedAttempts;
    if (!failing)
      spdlog::warn("notify: subscription {} cannot deliver: {}; retrying with back-off", id, error);
    failing = true;
    const int64_t expiresAt = row.createdMs + o.maxAgeMs;
    if (now >= expiresAt) {
      if (auto s = d_.outbox.markFailed(row, error, now, now); !s) {
        dbError("cannot record a failed delivery", s.error());
        sleepFor(o.pollMs);
        continue;
      }
      if (auto n = d_.outbox.dropExpired(id, now - o.maxAgeMs, error); !n) {
        dbError("cannot drop expired notifications", n.error());
        sleepFor(o.pollMs);
      }
      continue;
    }
    const int64_t next = std::min(now + delayWithJitter(row.attempts + 1), expiresAt);
    if (auto s = d_.outbox.markFailed(row, error, now, next); !s) {
      dbError("cannot record a failed delivery", s.error());
      sleepFor(o.pollMs);
    }
  }
}

// ------------------------------------------------------------------------------------------------------ supervisor

void Deliverer::Impl::supervise() {
  std::set<int64_t> badUrlLogged;
  std::unique_lock lock(mu);
  while (!stopping) {
    const uint64_t seen = wakeSeq;
    lock.unlock();
    std::vector<Subscription> active = subs.active();  // outside mu: wake() must never wait for the store
    lock.lock();
    if (stopping) break;

    std::vector<std::unique_ptr<Lane>> retired;
    for (auto it = lanes.begin(); it != lanes.end();) {
      const bool keep =
          std::any_of(active.begin(), active.end(), [&](const Subscription& s) { return s.id == it->first; });
      if (keep) {
        ++it;
      } else {
        retired.push_back(std::move(it->second));
        it = lanes.erase(it);
      }
    }
    for (auto& s : active) {
      if (lanes.count(s.id)) continue;
      auto ep = parseEndpoint(s.url);
      if (!ep) {
        if (badUrlLogged.insert(s.id).second)
          spdlog::error("notify: subscription {} has an unusable url, not delivering: {}", s.id, ep.error().message);
        continue;
      }
      const int64_t id = s.id;
      auto lane = std::make_unique<Lane>(*this, std::move(s), std::move(*ep));
      lane->start();
      lanes.emplace(id, std::move(lane));
    }

    if (!retired.empty()) {
      lock.unlock();
      for (auto& l : retired) l->interrupt();
      for (auto& l : retired) l->join();
      retired.clear();
      lock.lock();
    }
    cv.wait_for(lock, std::chrono::milliseconds(options.pollMs), [&] { return stopping || wakeSeq != seen; });
  }
  auto all = std::move(lanes);
  lanes.clear();
  lock.unlock();
  for (auto& [id, l] : all) l->interrupt();
  for (auto& [id, l] : all) l->join();
}

// ------------------------------------------------------------------------------------------------------- Deliverer

Deliverer::Deliverer(SubscriptionStore& subscriptions, Outbox& outbox, const Clock& clock, Options options)
    : impl_(std::make_unique<Impl>(subscriptions, outbox, clock, std::move(options))) {}

Deliverer::Deliverer(SubscriptionStore& subscriptions, Outbox& outbox, const Clock& clock)
    : Deliverer(subscriptions, outbox, clock, Options{}) {}

Deliverer::~Deliverer() { stop(); }

void Deliverer::start() {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->started) return;
    impl_->started = true;
    impl_->supervisor = std::thread([impl = impl_.get()] { impl->supervise(); });
  }
  impl_->outbox.setOnEnqueued([this] { wake(); });
}

void Deliverer::wake() {
  std::lock_guard lock(impl_->mu);
  ++impl_->wakeSeq;
  impl_->cv.notify_all();
  for (auto& [id, lane] : impl_->lanes) lane->wake();
}

void Deliverer::stop() {
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->started || impl_->stopping) return;
  }
  impl_->outbox.setOnEnqueued(nullptr);  // waits for a hook call in progress (it may be inside wake())
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->supervisor.joinable()) impl_->supervisor.join();
}

int64_t Deliverer::backoffMs(const Options& o, int64_t attempts) {
  const int64_t base = std::max<int64_t>(o.backoffBaseMs, 1);
  const int64_t cap = std::max(o.backoffMaxMs, base);
  int64_t d = base;
  for (int64_t i = 1; i < attempts && d < cap; ++i) d *= 2;
  return std::min(d, cap);
}

std::vector<int64_t> Deliverer::laneIds() const {
  std::lock_guard lock(impl_->mu);
  std::vector<int64_t> ids;
  for (const auto& [id, lane] : impl_->lanes) ids.push_back(id);
  return ids;
}

}  // namespace cityops::notify
