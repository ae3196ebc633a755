#pragma once
// ForecastStation from a WaterLevelStation entity's attributes (what examples/tamky/cityops.toml declares):
//   bd1, bd2, bd3          alarm levels (alarmLevelsOf)
//   upstream               the upstream station's id (string), optional
//   tidal                  true/false; default: the entity has the tag "tidal" (the tide is removed, then added back)
//   runoff                 optional table, the catchment for the runoff model:
//     rain                 a rain gauge id or a list of them (their mean is used)          required
//     area_km2, tc_h       catchment area (km²), time of concentration (hours)             required
//     cn                   curve number (default 75), ia_ratio (0.2), dry_reset_h (12), uh ("curvilinear" or
//                          "triangular"), step_min (15), baseflow_m3s (0), cn_spread (5), noise_m (0.03)
//     rating               optional {a, b, h0}: stage = a·Q^b + h0; without it stage is learned from discharge
// Example (docs/forecast.md):
//   runoff = { rain = ["rain.tamky"], cn = 80, area_km2 = 150, tc_h = 6, rating = { a = 0.12, b = 0.5, h0 = 0.3 } }
#include "common/Result.hpp"
#include "flood/Forecast.hpp"
#include "model/Entity.hpp"

#include <vector>

namespace cityops::flood {

/// The station of one entity; errors ("bad_request") name the attribute.
Result<ForecastStation> forecastStationOf(const model::Entity& e);

/// The stations among `entities` (type WaterLevelStation); the first bad one is an error naming its id.
Result<std::vector<ForecastStation>> forecastStationsOf(const std::vector<model::Entity>& entities);

}  // namespace cityops::flood
