#pragma once
// CameraSpec <-> JSON (the camera file of docs/traffic.md). The decoder is total and strict: any bad shape, unknown
// member or out-of-range value is a "bad_request" error whose message names the member ("lines[1].forward must ...");
// it never throws. Optional members take the defaults of CameraSpec.hpp.
//
//   {"id": "cam-nguyen-hue",
//    "lines": [{"id": "stop-line", "a": [640, 80], "b": [640, 640], "forward": [1, 0]}],
//    "lanes": [{"id": "lane-1", "polygon": [[0, 360], [1280, 360], [1280, 640], [0, 640]], "forward": [1, 0]}],
//    "calibration": {"meters_per_pixel": 0.05},
//    "interval_s": 60, "classes": "vehicles"}
#include "common/Result.hpp"
#include "traffic/CameraSpec.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace cityops::traffic {

inline constexpr size_t kMaxLines = 64;
inline constexpr size_t kMaxLanes = 64;
inline constexpr size_t kMaxPolygonPoints = 100;
inline constexpr size_t kMaxSpecId = 64;          // bytes
inline constexpr double kMaxCoordinate = 1.0e6;   // |pixels| and |metres|

class CameraSpecCodec {
 public:
  static Result<CameraSpec> fromJson(const boost::json::value& v);
  /// JSON text -> spec; text that is not JSON is a bad_request naming the parse error.
  static Result<CameraSpec> parse(std::string_view text);
  /// Reads and parses a camera file: not_found when it cannot be read.
  static Result<CameraSpec> load(const std::string& path);
  /// Every member, defaults included (fromJson(toJson(s)) == s).
  static boost::json::object toJson(const CameraSpec& spec);
};

/// "vehicles" / "people", "mog2" / "knn".
std::string_view classesName(Classes c);
std::string_view detectorName(DetectorKind d);

}  // namespace cityops::traffic
