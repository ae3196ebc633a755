#pragma once
// What an AQI computation needs: the standard, the period and, per pollutant, hourly means in µg/m³ (oldest first,
// std::nullopt for a missing hour).
//   period Hour: the last element of each series is the hour being rated; series may differ in length (they are
//                aligned on their last element); at most kMaxHourlyElements are accepted.
//   period Day:  every series holds exactly the day's 24 hours (01:00 .. 24:00 in the decision's wording).
#include "common/Result.hpp"
#include "environment/Pollutant.hpp"
#include "environment/SeriesStats.hpp"

#include <map>
#include <string_view>

namespace cityops::environment {

enum class Standard { Vn, Us };
enum class Period { Hour, Day };

using PollutantSeries = std::map<Pollutant, HourlySeries>;

inline constexpr size_t kDayHours = 24;
inline constexpr size_t kMaxHourlyElements = 24;  // 12 for the PM NowCast, 8 for ozone/CO, 24 for the US SO2 rule

struct AqiRequest {
  Standard standard = Standard::Vn;
  Period period = Period::Hour;
  PollutantSeries hourly;
};

/// Every series non-empty, at most kMaxHourlyElements long for Hour and exactly kDayHours for Day, every present
/// value finite and >= 0. The bad_request message names the element: "hourly.pm25[3] is negative (-1)".
Status checkSeries(const PollutantSeries& hourly, Period period);
/// The length part of checkSeries for one series.
Status checkSeriesLength(Pollutant p, size_t length, Period period);
/// The value part of checkSeries for element `index` of one series.
Status checkSeriesValue(Pollutant p, size_t index, double value);

/// "vn", "us".
std::string_view standardName(Standard s);
Result<Standard> parseStandard(std::string_view text);
/// "hour", "day".
std::string_view periodName(Period p);
Result<Period> parsePeriod(std::string_view text);

}  // namespace cityops::environment
