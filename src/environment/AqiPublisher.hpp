#pragma once
// Derived observations: as each hour closes, the hourly VN_AQI and US AQI of every AirQualityStation are written as
// observations `aqi_vn` and `aqi_us` at the hour's end (so rules, charts, the stream and exports see them like any
// reading). At start it catches up on the hours of the last day that have no `aqi_vn` yet. A station whose data do
// not allow an index for an hour (no PM, too few hours) gets no value for that hour.
#include "common/Clock.hpp"
#include "store/Store.hpp"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace cityops::environment {

class AqiPublisher {
 public:
  struct Options {
    int64_t graceMs = 60000;   // wait this long after the hour for late readings
    int64_t catchUpHours = 24;
    int64_t pollMs = 10000;    // real time between clock checks
  };
  AqiPublisher(store::Store& store, const Clock& clock, Options options) : store_(store), clock_(clock), options_(options) {}
  AqiPublisher(store::Store& store, const Clock& clock) : AqiPublisher(store, clock, Options{}) {}
  ~AqiPublisher() { stop(); }

  /// Computes and writes the indices of the hour ending at hourEndMs for every station; the number written.
  Result<size_t> publishHour(int64_t hourEndMs);
  /// Every closed hour since the last one written (at most catchUpHours), up to the clock's now - grace.
  Result<size_t> catchUp();

  void start();
  void stop();

 private:
  store::Store& store_;
  const Clock& clock_;
  const Options options_;
  int64_t lastHourEnd_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cityops::environment
