#pragma once
// CameraStatus: what GET /api/v1/cameras/{id} tells about a live camera's worker (a copy, taken under its lock).
#include "cameras/IncidentArchive.hpp"
#include "traffic/IntervalMetrics.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cityops::cameras {

enum class CameraState { Starting, Connecting, Connected, Reconnecting, Failed, Stopped };

/// "starting", "connecting", "connected", "reconnecting", "failed" (cannot run: see last_error), "stopped".
std::string_view stateName(CameraState s);

struct CameraStatus {
  std::string id;
  std::string source;                 // redacted (no credentials)
  CameraState state = CameraState::Starting;
  int64_t startedMs = 0;              // the worker started
  int64_t connectedMs = 0;            // the current connection opened (0: not connected)
  int64_t lastFrameMs = 0;            // time of the last analysed frame (0: none yet)
  double fps = 0;                     // frames analysed per second, over the last few seconds
  double captureFps = 0;              // frames received per second, over the last few seconds
  uint64_t frames = 0;                // analysed
  uint64_t captured = 0;              // received from the source
  uint64_t dropped = 0;               // dropped because the analysis was behind (FrameQueue)
  uint64_t connects = 0;              // connection attempts, the first included
  uint64_t reconnects = 0;            // attempts after a failure
  uint64_t consecutiveFailures = 0;   // failures since the last frame
  uint64_t writeErrors = 0;           // observation batches the store refused
  std::string lastError;              // "" when none
  int64_t lastErrorMs = 0;
  int64_t retryAtMs = 0;              // next connection attempt while reconnecting
  int width = 0, height = 0;          // of the last frame
  std::optional<traffic::IntervalMetrics> latest;  // the last closed interval
  std::vector<IncidentRecord> active;              // open incidents, oldest first
};

}  // namespace cityops::cameras
