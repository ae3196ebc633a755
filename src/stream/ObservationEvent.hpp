#pragma once
// What the store announces after a commit; listeners (live stream, rules) plug in here.
#include "model/Observation.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace cityops::stream {

/// Valid only during the call that delivers it.
struct ObservationEvent {
  const std::string* entity;
  const std::string* type;
  const std::string* metric;
  int64_t time;
  double value;
  model::Quality quality;
  uint32_t series = 0;  // the store's id of (entity, metric), stable while the process runs; 0 = not known
};

class ObservationSink {
 public:
  virtual ~ObservationSink() = default;
  /// Called on the writer thread right after the batch is durable. Must not block.
  virtual void onObservations(std::span<const ObservationEvent> events) = 0;
  /// False lets the store skip building events nobody would read.
  virtual bool listening() const { return true; }
};

}  // namespace cityops::stream
