#pragma once
// Topic fan-out for the live stream. Topics: "observations:entity:<id>", "observations:type:<type>", "alerts".
#include "common/Result.hpp"
#include "stream/ObservationEvent.hpp"

#include <boost/json/value.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

namespace cityops::stream {

/// A receiver of text frames, e.g. a WebSocket client. deliver() must never block; false drops the subscriber.
class Subscriber {
 public:
  virtual ~Subscriber() = default;
  virtual bool deliver(std::string text) = 0;
};

class Hub final : public ObservationSink {
 public:
  static constexpr size_t kMaxTopicsPerSubscriber = 1000;

  /// Adds topics for a subscriber (repeated calls add more). Errors name the first invalid topic.
  Status subscribe(const std::shared_ptr<Subscriber>& s, const std::vector<std::string>& topics);
  void unsubscribe(const Subscriber* s);

  /// Sends each interested subscriber one frame per committed batch: {"channel":"observations","observations":[...]}.
  void onObservations(std::span<const ObservationEvent> events) override;
  bool listening() const override { return observationSubscribers_.load(std::memory_order_relaxed) > 0; }
  /// Sends {"channel": topic, "data": data} to the subscribers of `topic` (e.g. "alerts").
  void publish(const std::string& topic, const boost::json::value& data);

  size_t subscriberCount() const;

 private:
  struct Entry {
    std::weak_ptr<Subscriber> sub;
    std::set<std::string> entities, types;
    std::set<std::string> other;  // e.g. "alerts"
  };
  void drop(const std::vector<const Subscriber*>& dead);

  mutable std::shared_mutex mu_;
  std::map<const Subscriber*, Entry> entries_;
  std::atomic<size_t> observationSubscribers_{0};
};

}  // namespace cityops::stream
