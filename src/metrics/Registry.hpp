#pragma once
// Prometheus-style counters and histograms. Registration takes a lock; updates are lock-free atomics.
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace cityops::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class Gauge {
 public:
  void set(double v) { v_.store(v, std::memory_order_relaxed); }
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upperBounds);
  void observe(double seconds);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const;
  const std::vector<double>& bounds() const { return bounds_; }
  uint64_t bucketCount(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }  // non-cumulative

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1 (+Inf)
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sumNanos_{0};
};

class Registry {
 public:
  Registry();
  ~Registry();  // out of line: Family is incomplete here
  /// Returns the same object for the same (name, labels). References stay valid for the registry's life.
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help, const Labels& labels = {},
                       std::vector<double> upperBounds = defaultLatencyBounds());
  /// Prometheus text exposition format 0.0.4.
  std::string render() const;

  static std::vector<double> defaultLatencyBounds();  // 50us .. 10s

 private:
  struct Family;
  Family& family(const std::string& name, const std::string& help, const char* type);
  mutable std::mutex mu_;
  std::deque<std::unique_ptr<Family>> families_;
};

}  // namespace cityops::metrics
