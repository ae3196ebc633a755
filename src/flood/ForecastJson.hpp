#pragma once
// The JSON shape of a station forecast (for GET /api/v1/flood/stations/{id}/forecast):
// {"station": "wl.caulau", "method": "upstream", "detail": "...", "notes": [...],
//  "issued_at": RFC 3339, "last_reading": {"time": ..., "value": 4.81}, "band": {"z": 1.96, "coverage": 0.95},
//  "points": [{"time": ..., "lead_minutes": 60, "value": 5.02, "lower": 4.91, "upper": 5.13}, ...],
//  "crossings": [{"level": "bd3", "threshold": 4.0, "above": false, "at": RFC 3339 | null,
//                 "upper_at": RFC 3339 | null}, ...],
//  "upstream_fit": {"lag_minutes": 180, "gain": 0.8, "offset": 1.2, "r2": 0.97, "residual_se": 0.03,
//                   "residual_rho": 0.9, "pairs": 280} | null,
//  "tide": {"m2_amplitude": 0.28, "k1_amplitude": 0.05, "explained": 0.9} | null}
// Levels are rounded to the millimetre, fit coefficients to 4 decimals, crossing times to the minute.
#include "flood/Forecast.hpp"

#include <boost/json/object.hpp>

namespace cityops::flood {

boost::json::object forecastJson(const StationForecast& f);

}  // namespace cityops::flood
