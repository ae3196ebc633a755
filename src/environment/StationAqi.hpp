#pragma once
// The AQI of a station from what the store holds: hourly means of its pollutant metrics (pm25, pm10, o3, no2, so2,
// co in µg/m³) → VnAqi / UsAqi. Hours are clock hours (buckets aligned on the hour; Vietnam's offset is a whole
// number of hours, so they are local hours too). An hour without readings is a missing hour.
//   period hour, at T: the hour being rated is the last hour that closed at or before T, [H, H+1h) with H+1h <= T;
//                      up to 24 hours ending with it are read (12 for the PM NowCast, 8 for ozone/CO, 24 for SO2).
//   period day,  at T: the local calendar day containing T - 1 ms (00:00..24:00 at the city's UTC offset).
#include "common/Result.hpp"
#include "environment/AqiRequest.hpp"
#include "environment/AqiReport.hpp"
#include "store/Store.hpp"

#include <cstdint>
#include <string>

namespace cityops::environment {

inline constexpr std::string_view kAirQualityType = "AirQualityStation";
inline constexpr int64_t kHourMs = 3600000;

struct StationAqiWindow {
  int64_t fromMs = 0;  // first hour's start
  int64_t toMs = 0;    // end of the hour (or day) rated, exclusive
};

/// The hours a request at `atMs` reads (see above).
StationAqiWindow aqiWindow(Period period, int64_t atMs, int utcOffsetMinutes);

/// Hourly means per pollutant over the window, oldest first (missing hours std::nullopt); pollutants the station
/// never reported in the window are left out.
Result<PollutantSeries> hourlyMeans(const store::Store& store, const std::string& entity, const StationAqiWindow& w);

/// The station's index; "not_found" for an unknown entity, "bad_request" (from the standard's rules) when the data
/// do not allow one (e.g. no PM for VN_AQI).
Result<AqiReport> stationAqi(const store::Store& store, const std::string& entity, Standard standard, Period period,
                             int64_t atMs, int utcOffsetMinutes);

}  // namespace cityops::environment
