#pragma once
// The stateless AQI compute request and reply as JSON (docs/environment.md has the shapes).
//
//   request  {"standard": "vn" | "us", "period": "hour" | "day",
//             "hourly": {"pm25": [18.2, null, 20.6], "pm10": [...], "o3": [...], "no2": [...], "so2": [...],
//                        "co": [...]}}
//            hourly means in µg/m³, oldest first, null for a missing hour; "hour": the last element is the hour
//            being rated, at most 24 elements; "day": exactly the day's 24 hours.
//   reply    {"standard", "period", "aqi", "level", "dominant", "category", "category_en", "category_vi", "colour",
//             "colour_vi", "colour_hex", "colour_rgb", "health": {vi, en},
//             "advice": {"vi": {"general", "sensitive"}, "en": {...}},
//             "sub_indices": {"pm25": {"aqi", "index", "basis", "<basis>": µg/m³, ..., "unit", "valid_hours",
//                                      "capped"[, "epa_concentration", "epa_unit"]}, ...},
//             "unavailable": {"pm10": "why", ...}}
//
// The decoder is total: any JSON value gives a request or a bad_request error naming the member; it never throws.
#include "common/Result.hpp"
#include "environment/AqiReport.hpp"
#include "environment/AqiRequest.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string_view>

namespace cityops::environment {

class AqiCodec {
 public:
  static Result<AqiRequest> decodeRequest(const boost::json::value& body);
  /// The same from JSON text (a request body); malformed text is a bad_request too.
  static Result<AqiRequest> parseRequest(std::string_view text);
  static boost::json::object encodeRequest(const AqiRequest& request);
  static boost::json::object encodeReport(const AqiReport& report);
  /// decodeRequest + AqiCalculator::compute + encodeReport: the body of POST /api/v1/environment/aqi/compute.
  static Result<boost::json::object> compute(const boost::json::value& body);
};

}  // namespace cityops::environment
