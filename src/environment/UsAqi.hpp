#pragma once
// The US EPA AQI, Technical Assistance Document for the Reporting of Daily Air Quality – the Air Quality Index
// (EPA-454/B-24-002, May 2024), with the 2024 PM2.5 breakpoints.
//
// Breakpoints (Table 6), each row Clo–Chi -> Ilo–Ihi:
//   AQI       PM2.5 24-h     PM10 24-h  O3 8-h ppm     O3 1-h ppm     CO 8-h ppm  SO2 1-h ppb      NO2 1-h ppb
//   0–50      0.0–9.0        0–54       0.000–0.054    -              0.0–4.4     0–35             0–53
//   51–100    9.1–35.4       55–154     0.055–0.070    -              4.5–9.4     36–75            54–100
//   101–150   35.5–55.4      155–254    0.071–0.085    0.125–0.164    9.5–12.4    76–185           101–360
//   151–200   55.5–125.4     255–354    0.086–0.105    0.165–0.204    12.5–15.4   186–304          361–649
//   201–300   125.5–225.4    355–424    0.106–0.200    0.205–0.404    15.5–30.4   305–604 (24-h)   650–1249
//   301–500   225.5–325.4    425–604    -              0.405–0.604    30.5–50.4   605–1004 (24-h)  1250–2049
// Concentrations are first truncated (PM2.5 to 0.1 µg/m³, PM10 to 1 µg/m³, O3 to 0.001 ppm, CO to 0.1 ppm, SO2 and
// NO2 to 1 ppb), then I = (Ihi - Ilo) / (BPhi - BPlo) × (C - BPlo) + Ilo is rounded to the nearest integer (half up).
// Above the last breakpoint: 500 with `capped`. O3 8-h above 0.200 ppm: the 8-h scale does not apply (1-h only);
// O3 1-h below 0.125 ppm: the 1-h scale does not apply; where both apply the larger index counts. SO2 1-h above
// 304 ppb: the 24-hour mean is rated on the 24-h rows when it reaches 305 ppb, otherwise the index is 200 (capped).
//
// Units: inputs are µg/m³; gases are converted at 25 °C and 1 atm (molar volume 24.45 L/mol):
//   ppb = µg/m³ × 24.45 / M,  ppm = ppb / 1000,  M = 48.00 (O3), 46.01 (NO2), 64.07 (SO2), 28.01 (CO) g/mol.
//
// Hourly (as AirNow reports it): PM2.5/PM10 from the 12-hour NowCast (NowCast::kEpaParticulate); O3 the larger of
// the 8-hour ozone NowCast (NowCast::kEpaOzone) on the 8-h scale and the rated hour on the 1-h scale; CO from the
// 8-hour mean ending at the rated hour (6 of 8 hours); NO2 and SO2 from the rated hour.
// Daily: PM from the 24-hour mean; O3 the larger of the highest 8-hour running mean (8-h scale) and the highest hour
// (1-h scale); CO the highest 8-hour running mean; NO2 and SO2 the highest hour. Same completeness rules as VnAqi:
// 18 of 24 hours per pollutant and day, 6 of 8 hours per 8-hour mean.
#include "common/Result.hpp"
#include "environment/AqiReport.hpp"
#include "environment/AqiRequest.hpp"
#include "environment/BreakpointTable.hpp"

#include <optional>
#include <string_view>

namespace cityops::environment {

class UsAqi {
 public:
  enum class Scale { Pm25, Pm10, O3_8h, O3_1h, Co_8h, So2_1h, So2_24h, No2_1h };

  static constexpr double kMolarVolume = 24.45;  // L/mol at 25 °C, 1 atm
  static constexpr int kMinDailyHours = 18;
  static constexpr int kMinEightHourValid = 6;

  /// µg/m³ -> the EPA unit of the pollutant: µg/m³ for PM, ppm for O3 and CO, ppb for NO2 and SO2.
  static double toEpaUnit(Pollutant p, double ugm3);
  /// "µg/m³", "ppm" or "ppb".
  static std::string_view epaUnit(Pollutant p);
  /// The concentration (EPA unit) truncated to the scale's reporting resolution.
  static double truncate(Scale scale, double c);
  /// The sub-index of a concentration in the EPA unit: truncated, interpolated, rounded (index == an integer);
  /// nothing where the scale does not apply (see above).
  static std::optional<Interpolation> subIndex(Scale scale, double c);

  /// The hourly (NowCast) AQI. Each series: hourly means in µg/m³, oldest first, the last element the rated hour.
  static Result<AqiReport> hourly(const PollutantSeries& hourly);
  /// The daily AQI. Each series: exactly the day's 24 hourly means in µg/m³.
  static Result<AqiReport> daily(const PollutantSeries& hourly);
};

}  // namespace cityops::environment
