#pragma once
// The early part of early warning: every `every` (and at start) it forecasts each water-level station that has alarm
// levels and writes the highest water level forecast within the horizon as the observation
// "water_level_m_forecast" at the issue time. StationRules' forecast rules ("forecast.<station>", kind forecast,
// the station's alarm levels) read that series, so a forecast crossing of BĐ I/II/III raises an alert through the
// generic engine before the river gets there. A station without recent readings gets no value (and its forecast
// alert, if any, stays as it was until a forecast is possible again).
#include "common/Clock.hpp"
#include "flood/StationForecasts.hpp"
#include "store/Store.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace cityops::flood {

class ForecastWarner {
 public:
  struct Options {
    int64_t everyMs = 15 * 60000;
    int64_t horizonMs = 6 * 3600000;
  };
  ForecastWarner(store::Store& store, const Clock& clock, Options options)
      : store_(store), clock_(clock), options_(options), forecasts_(store) {}
  ~ForecastWarner() { stop(); }

  /// One pass over every station; the number of forecast values written.
  Result<size_t> issue();
  /// The forecast values of a pass issued at nowMs, without writing them (replay writes and evaluates them itself).
  Result<std::vector<model::Observation>> forecastsAt(int64_t nowMs) const;
  /// Passes every everyMs (the clock's time), the first at once.
  void start();
  void stop();

 private:
  store::Store& store_;
  const Clock& clock_;
  const Options options_;
  StationForecasts forecasts_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cityops::flood
