#pragma once
// VN_AQI, Decision 1459/QĐ-TCMT (Vietnam Environment Administration, 12 November 2019).
//
// Sub-index (formula 1/2 of the decision): AQI_x = (I_{i+1} - I_i) / (BP_{i+1} - BP_i) × (C_x - BP_i) + I_i over
// Table 2, every concentration in µg/m³:
//   I     O3 1-h  O3 8-h  CO      SO2   NO2   PM10  PM2.5
//   0     0       0       0       0     0     0     0
//   50    160     100     10000   125   100   50    25
//   100   200     120     30000   350   200   150   50
//   150   300     170     45000   550   700   250   80
//   200   400     210     60000   800   1200  350   150
//   300   800     400     90000   1600  2350  420   250
//   400   1000    -       120000  2100  3100  500   350
//   500   1200    -       150000  2630  3850  600   500
// Above the top breakpoint the sub-index is 500 with `capped` set (the decision writes the last row as "≥"); the O3
// 8-h column stops at 400 µg/m³ and is not used above it.
//
// Hourly (2.2.1): PM2.5 and PM10 from the 12-hour NowCast (NowCast::kVnParticulate, the decision's own formulas);
// O3, NO2, SO2, CO from the 1-hour mean of the rated hour (O3 on the 1-h scale only).
// Daily (2.2.2): PM from the 24-hour mean; SO2, NO2, CO from the highest 1-hour mean; O3 the larger of the index of
// the highest 1-hour mean (1-h scale) and of the highest 8-hour running mean (8-h scale, skipped above 400 µg/m³).
// A pollutant enters the daily index only with at least kMinDailyHours present hours; an 8-hour mean needs
// kMinEightHourValid of its 8 hours.
// Overall: the largest sub-index rounded half up; at least one of PM2.5/PM10 is required.
#include "common/Result.hpp"
#include "environment/AqiReport.hpp"
#include "environment/AqiRequest.hpp"
#include "environment/BreakpointTable.hpp"

#include <optional>

namespace cityops::environment {

class VnAqi {
 public:
  enum class Scale { O3_1h, O3_8h, Co, So2, No2, Pm10, Pm25 };

  static constexpr int kMinDailyHours = 18;     // of 24 (75 %)
  static constexpr int kEightHours = 8;
  static constexpr int kMinEightHourValid = 6;  // of 8 (75 %)

  static const BreakpointTable& table(Scale scale);
  /// The sub-index of a concentration in µg/m³ (unrounded); nothing where the column does not apply (O3 8-h above
  /// 400 µg/m³, negative or NaN input).
  static std::optional<Interpolation> subIndex(Scale scale, double ugm3);

  /// The hourly AQI (AQI^h). Each series: hourly means, oldest first, the last element the rated hour.
  static Result<AqiReport> hourly(const PollutantSeries& hourly);
  /// The daily AQI (AQI^d). Each series: exactly the day's 24 hourly means.
  static Result<AqiReport> daily(const PollutantSeries& hourly);
};

}  // namespace cityops::environment
