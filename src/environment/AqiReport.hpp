#pragma once
// The result of an AQI computation: the overall index, the dominant pollutant, the category, and one sub-index per
// pollutant that could be rated (with the statistics it was computed from); pollutants that were supplied but could
// not be rated are listed with the reason.
#include "common/Result.hpp"
#include "environment/AqiCategory.hpp"
#include "environment/AqiRequest.hpp"
#include "environment/Pollutant.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cityops::environment {

/// Which statistic of the hourly series a sub-index was computed from.
enum class Basis {
  NowCast,    // "nowcast": the 12-hour PM NowCast
  Hour,       // "value_1h": the 1-hour mean of the rated hour
  NowCast8h,  // "nowcast_8h": the EPA 8-hour ozone NowCast
  Mean8h,     // "mean_8h": the 8-hour mean ending at the rated hour (US CO)
  Mean24h,    // "mean_24h": the 24-hour mean
  Max1h,      // "max_1h": the day's highest 1-hour mean
  Max8h,      // "max_8h": the day's highest 8-hour running mean
};

/// "nowcast", "value_1h", "nowcast_8h", "mean_8h", "mean_24h", "max_1h", "max_8h".
std::string_view basisName(Basis b);

struct SubIndex {
  Pollutant pollutant = Pollutant::Pm25;
  double index = 0;  // unrounded (VN); US: EPA rounds each sub-index, so index == aqi
  int aqi = 0;       // rounded half up
  Basis basis = Basis::Hour;
  double concentration = 0;  // µg/m³: the statistic named by `basis`
  std::vector<std::pair<Basis, double>> stats;  // every statistic computed on the way, µg/m³ (includes the basis)
  std::optional<double> epaConcentration;       // US: the truncated value in the EPA unit that was rated
  std::string_view epaUnit;                     // "µg/m³", "ppm", "ppb"
  bool capped = false;  // above the scale used: the index is that scale's ceiling (500; US SO2 1-h: 200)
  int validHours = 0;   // present hours in the data the statistic was taken from
};

struct Unavailable {
  Pollutant pollutant = Pollutant::Pm25;
  std::string reason;
};

struct AqiReport {
  Standard standard = Standard::Vn;
  Period period = Period::Hour;
  int aqi = 0;  // max of the sub-indices, rounded half up
  Pollutant dominant = Pollutant::Pm25;
  const AqiCategory* category = nullptr;  // never null in a report returned by assemble()
  std::vector<SubIndex> subIndices;       // in kAllPollutants order
  std::vector<Unavailable> unavailable;   // in kAllPollutants order

  const SubIndex* find(Pollutant p) const;

  /// The overall index from the sub-indices: AQI = round-half-up(max index); dominant = the pollutant with the
  /// largest index (the first in kAllPollutants order on a tie). VN_AQI needs a PM2.5 or PM10 sub-index (Decision
  /// 1459, 2.1.b); the US AQI needs at least one sub-index. Otherwise a bad_request error that lists the reasons.
  static Result<AqiReport> assemble(Standard standard, Period period, std::vector<SubIndex> subIndices,
                                    std::vector<Unavailable> unavailable);
};

}  // namespace cityops::environment
