#pragma once
// CameraHealth: is the picture usable? Measured on every frame (grey, at the processing size):
//  - camera_dark: mean luma below `dark_mean_luma` for `sustain_s`;
//  - camera_blurred: variance of the Laplacian below `blur_laplacian_var` for `sustain_s` (not while dark: a dark
//    picture has no edges either) - defocus, rain or dirt on the lens, an obstruction;
//  - camera_frozen: the mean absolute luma difference to the previous frame below `frozen_max_diff` for
//    `frozen_after_s` (a stalled encoder repeating its last picture);
//  - camera_offline: no frame for `offline_after_s`, reported by the caller through checkOffline (a reader blocked
//    on a dead stream cannot tell).
// Each is an incident from when the condition began until it ended.
#include "traffic/CameraSpec.hpp"
#include "traffic/IncidentLog.hpp"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <optional>

namespace cityops::traffic {

struct HealthState {
  double meanLuma = 0;
  double laplacianVar = 0;
  double frameDiff = -1;  // -1 for the first frame
  bool dark = false;
  bool blurred = false;
  bool frozen = false;
  bool offline = false;
};

class CameraHealth {
 public:
  /// `log` outlives this object.
  CameraHealth(const CameraSpec& spec, IncidentLog& log);

  /// One frame, 8-bit grey. Returns the measurements and the reported conditions.
  const HealthState& update(const cv::Mat& grey, int64_t tMs);
  /// The caller's watchdog: no frame since the last update (or since the first call) for offline_after_s opens
  /// camera_offline; the next frame closes it.
  void checkOffline(int64_t nowMs);
  /// Closes whatever is open (the end of a video).
  void finish(int64_t endMs);

  const HealthState& state() const { return state_; }

 private:
  struct Condition {
    const char* kind;
    std::optional<int64_t> since;
    uint64_t incident = 0;
  };
  bool track(Condition& c, bool now, int64_t tMs, double afterS, double value, const std::string& details);

  HealthThresholds t_;
  std::string camera_;
  IncidentLog& log_;
  HealthState state_;
  cv::Mat previous_;
  Condition dark_{"camera_dark", {}, 0};
  Condition blurred_{"camera_blurred", {}, 0};
  Condition frozen_{"camera_frozen", {}, 0};
  Condition offline_{"camera_offline", {}, 0};
  std::optional<int64_t> lastFrameMs_;
  std::optional<int64_t> watchStartMs_;
};

}  // namespace cityops::traffic
