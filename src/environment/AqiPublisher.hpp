#pragma once
// Derived observations: as each hour closes, the hourly VN_AQI and US AQI of every AirQualityStation are written as
// observations `aqi_vn` and `aqi_us` at the hour's end (so rules, charts, the stream and exports see them like any
// reading). Each time an hour closes (and at start) every station is rated from its own last rated hour on, at most
// catchUpHours back: a new station, or one whose readings arrived late, catches up. An hour already rated is not
// rated again. A station whose data do not allow an index for an hour (no PM, too few hours) gets no value for it.
#include "common/Clock.hpp"
#include "store/Store.hpp"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
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
  /// When an hour closed since the last pass: every station's closed hours after its last rated one (at most
  /// catchUpHours), up to the clock's now - grace.
  Result<size_t> catchUp();

  void start();
  void stop();

 private:
  /// The hours ending in [fromEnd, toEnd] of one station.
  Result<size_t> publishStation(const std::string& station, int64_t fromEnd, int64_t toEnd);

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
