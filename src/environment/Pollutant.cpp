#include "environment/Pollutant.hpp"

#include <string>

namespace cityops::environment {

namespace {

struct Info {
  Pollutant pollutant;
  std::string_view name;
  std::string_view label;
  double molarMass;
};

constexpr std::array<Info, 6> kInfo{{
    {Pollutant::Pm25, "pm25", "PM2.5", 0.0},
    {Pollutant::Pm10, "pm10", "PM10", 0.0},
    {Pollutant::O3, "o3", "O3", 48.00},
    {Pollutant::No2, "no2", "NO2", 46.01},
    {Pollutant::So2, "so2", "SO2", 64.07},
    {Pollutant::Co, "co", "CO", 28.01},
}};

const Info& info(Pollutant p) {
  for (const auto& i : kInfo)
    if (i.pollutant == p) return i;
  return kInfo[0];
}

}  // namespace

std::string_view pollutantName(Pollutant p) { return info(p).name; }
std::string_view pollutantLabel(Pollutant p) { return info(p).label; }
bool isParticulate(Pollutant p) { return p == Pollutant::Pm25 || p == Pollutant::Pm10; }
double molarMass(Pollutant p) { return info(p).molarMass; }

Result<Pollutant> parsePollutant(std::string_view name) {
  for (const auto& i : kInfo)
    if (i.name == name) return i.pollutant;
  std::string shown(name.substr(0, 64));
  if (name.size() > 64) shown += "...";
  return BadRequest("unknown pollutant '" + shown + "' (expected pm25, pm10, o3, no2, so2 or co)");
}

}  // namespace cityops::environment
