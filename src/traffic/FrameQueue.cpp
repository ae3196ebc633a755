#include "traffic/FrameQueue.hpp"

#include <algorithm>

namespace cityops::traffic {

FrameQueue::FrameQueue(size_t capacity) : capacity_(std::max<size_t>(1, capacity)) {}

bool FrameQueue::push(QueuedFrame frame) {
  bool dropped = false;
  {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    ++pushed_;
    if (frames_.size() >= capacity_) {
      frames_.pop_front();
      ++dropped_;
      dropped = true;
    }
    frames_.push_back(std::move(frame));
  }
  cv_.notify_one();
  return !dropped;
}

std::optional<QueuedFrame> FrameQueue::pop(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, timeout, [&] { return closed_ || !frames_.empty(); })) return std::nullopt;
  if (closed_ || frames_.empty()) return std::nullopt;
  QueuedFrame f = std::move(frames_.front());
  frames_.pop_front();
  return f;
}

void FrameQueue::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    frames_.clear();
  }
  cv_.notify_all();
}

size_t FrameQueue::size() const {
  std::lock_guard lock(mu_);
  return frames_.size();
}

uint64_t FrameQueue::pushed() const {
  std::lock_guard lock(mu_);
  return pushed_;
}

uint64_t FrameQueue::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

}  // namespace cityops::traffic
