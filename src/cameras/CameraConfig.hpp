#pragma once
// CameraConfig: what a live camera worker needs from a TrafficCamera entity's attributes (docs/traffic.md,
// "Cameras in the server"):
//   source     string  "synthetic:?...", a video file path, rtsp://..., http://... (MJPEG)   (no source: not live)
//   analytics  object  the camera file (CameraSpecCodec): lines, lanes, calibration, interval_s, ...
//   enabled    bool    optional, default true; false keeps the camera off without losing its settings
// The analytics' `id` is the entity id. Line and lane ids become metric suffixes (CameraMetrics: "__stop_line"),
// so they must stay distinct once lower-cased with other characters as '_', and short enough for a metric name.
#include "common/Result.hpp"
#include "model/Entity.hpp"
#include "traffic/CameraSpec.hpp"

#include <optional>
#include <string>

namespace cityops::cameras {

inline constexpr std::string_view kCameraType = "TrafficCamera";

struct CameraConfig {
  std::string id;          // the entity id
  std::string name;        // the entity name
  std::string source;      // as given (may hold credentials: show redactSource(source))
  traffic::CameraSpec spec;
  std::string signature;   // source + analytics as stored: a change restarts the worker

  /// nullopt when the entity is not a live camera (another type, no `source`, or enabled = false); bad_request
  /// naming the attribute when its attributes cannot be used.
  static Result<std::optional<CameraConfig>> fromEntity(const model::Entity& e);
};

/// Whether the entity asks for a live camera (a TrafficCamera with a string `source`), however valid the rest.
bool hasSource(const model::Entity& e);

}  // namespace cityops::cameras
