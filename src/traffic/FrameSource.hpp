#pragma once
// FrameSource: where a live camera's frames come from. makeFrameSource picks the implementation from the entity's
// `source` attribute: "synthetic:..." is a SyntheticSource (a generated street, docs/traffic.md), anything else a
// CaptureSource (OpenCV's FFmpeg backend: a file path, rtsp://, http:// MJPEG or HLS, ...).
//
// Paced sources (files, synthetic) give each frame the media time it is due at after open(); the camera worker
// plays them in real time. Live streams give no time: a frame is stamped when it arrives.
#include "common/Result.hpp"

#include <opencv2/core/mat.hpp>
#include <opencv2/videoio.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cityops::traffic {

struct SourceFrame {
  cv::Mat image;          // 8-bit BGR
  int64_t offsetMs = -1;  // paced sources: media time since open(); -1 for live streams
};

struct CaptureOptions {
  int backend = cv::CAP_FFMPEG;
  int openTimeoutMs = 10000;  // FFmpeg: connecting / probing a stream
  int readTimeoutMs = 10000;  // FFmpeg: one read on a stream that went silent
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;
  /// Opens (or reopens from the start). Errors: not_found (no such file), unavailable (cannot connect or decode).
  virtual Status open() = 0;
  /// The next frame. `elapsedMs`: wall time since open(), which a paced generator uses to skip frames it is too
  /// late for. nullopt at the end of a file; an error when a stream fails (the caller reconnects).
  virtual Result<std::optional<SourceFrame>> read(int64_t elapsedMs) = 0;
  /// Frames carry the media time to be shown at (offsetMs).
  virtual bool paced() const = 0;
  /// At its end the source starts again (a file loops); otherwise the end of the source is a failure.
  virtual bool loops() const = 0;
};

/// The source for an entity's `source` attribute; bad_request for a malformed synthetic: source.
Result<std::unique_ptr<FrameSource>> makeFrameSource(const std::string& source, const CaptureOptions& options = {});
/// `source` without credentials, for status pages and logs: "rtsp://user:secret@cam/1" -> "rtsp://***@cam/1".
std::string redactSource(std::string_view source);

}  // namespace cityops::traffic
