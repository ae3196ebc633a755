#pragma once
// The six pollutants of the air-quality indices (VN_AQI of Decision 1459/QĐ-TCMT and the US EPA AQI), their JSON
// names and, for the gases, the molar masses used to turn µg/m³ into ppb/ppm (see UsAqi).
#include "common/Result.hpp"

#include <array>
#include <string_view>

namespace cityops::environment {

enum class Pollutant { Pm25, Pm10, O3, No2, So2, Co };

inline constexpr std::array<Pollutant, 6> kAllPollutants{Pollutant::Pm25, Pollutant::Pm10, Pollutant::O3,
                                                         Pollutant::No2,  Pollutant::So2,  Pollutant::Co};

/// The JSON name: "pm25", "pm10", "o3", "no2", "so2", "co".
std::string_view pollutantName(Pollutant p);
/// The name for people: "PM2.5", "PM10", "O3", "NO2", "SO2", "CO".
std::string_view pollutantLabel(Pollutant p);
/// The inverse of pollutantName (exact, lower case); a bad_request error listing the six names otherwise.
Result<Pollutant> parsePollutant(std::string_view name);
/// PM2.5 or PM10.
bool isParticulate(Pollutant p);
/// Molar mass in g/mol: O3 48.00, NO2 46.01, SO2 64.07, CO 28.01; 0 for PM (no conversion).
double molarMass(Pollutant p);

}  // namespace cityops::environment
