#pragma once
// FrameQueue: the bounded hand-over between a live camera's capture thread and its analysis thread. A camera does
// not wait for its analysis: when the queue is full the OLDEST waiting frame is dropped (and counted), so the
// analysis always works on the newest frames and never falls behind real time by more than `capacity` frames.
#include <opencv2/core/mat.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace cityops::traffic {

struct QueuedFrame {
  cv::Mat image;    // BGR, owned by the queue entry
  int64_t tMs = 0;  // the frame's time on the camera's clock
};

class FrameQueue {
 public:
  /// capacity >= 1.
  explicit FrameQueue(size_t capacity);

  /// Adds a frame, dropping the oldest waiting one when full. Returns false when a frame was dropped. Ignored
  /// (false) after close().
  bool push(QueuedFrame frame);
  /// The oldest waiting frame; waits up to `timeout` for one. nullopt on timeout or once closed.
  std::optional<QueuedFrame> pop(std::chrono::milliseconds timeout);
  /// Wakes every waiter; later pushes are ignored and pops return nullopt.
  void close();

  size_t capacity() const { return capacity_; }
  size_t size() const;
  uint64_t pushed() const;   // frames offered (dropped ones included)
  uint64_t dropped() const;  // frames dropped because the analysis was behind

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<QueuedFrame> frames_;
  uint64_t pushed_ = 0;
  uint64_t dropped_ = 0;
  bool closed_ = false;
};

}  // namespace cityops::traffic
