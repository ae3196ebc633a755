#pragma once
// VideoAnalyzer: runs a CameraPipeline over a cv::VideoCapture source (a file path or a URL: rtsp://, http://)
// as fast as it can decode, optionally writing an annotated copy (cv::VideoWriter: .mp4 as mp4v, .avi as MJPG) and
// publishing the latest annotated frame to a Snapshot, and returns the AnalysisResult.
//
// Frame times: frame i is at startMs + i * 1000 / fps with the source's declared fps (or `fps` when given); a
// source without a usable fps (some streams) uses the wall clock since the start.
#include "common/Result.hpp"
#include "traffic/AnalysisResult.hpp"
#include "traffic/CameraSpec.hpp"
#include "traffic/Detector.hpp"
#include "traffic/Snapshot.hpp"

#include <opencv2/videoio.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace cityops::traffic {

struct AnalyzeProgress {
  int64_t frames = 0;        // analysed so far
  int64_t totalFrames = 0;   // the source's frame count, 0 when unknown (streams)
  int64_t mediaMs = 0;       // video time reached
  double elapsedS = 0;       // wall time
  double framesPerSecond = 0;
};

struct AnalyzeOptions {
  std::string input;                 // file path or URL
  /// The cv::VideoCapture backend: FFmpeg reads files, RTSP and HTTP; cv::CAP_GSTREAMER for a GStreamer pipeline,
  /// cv::CAP_ANY to let OpenCV try each (some backends print warnings while probing).
  int videoBackend = cv::CAP_FFMPEG;
  CameraSpec camera;
  std::string annotatePath;          // "" for none
  int64_t startMs = 0;               // time of the first frame (epoch ms for a recording with a known start)
  double fps = 0;                    // > 0: overrides the source's frame rate for frame times
  int64_t maxFrames = 0;             // > 0: stop after this many frames
  std::function<void(const AnalyzeProgress&)> progress;  // called about every progressEveryS of wall time and at the end
  double progressEveryS = 0.5;
  Snapshot* snapshot = nullptr;      // receives an annotated frame about every snapshotEveryMs of video time
  int64_t snapshotEveryMs = 1000;
  /// Makes the detector (default: BackgroundDetector for the camera).
  std::function<std::unique_ptr<Detector>(const CameraSpec&)> detectorFactory;
};

class VideoAnalyzer {
 public:
  explicit VideoAnalyzer(AnalyzeOptions options) : options_(std::move(options)) {}

  /// Errors: not_found (the input cannot be opened), bad_request (the camera spec, the annotated output path),
  /// internal (a decoding or analysis failure mid-way).
  Result<AnalysisResult> run();
  /// From another thread: run() ends after the current frame and returns what it has (stopped_early).
  void stop() { stop_ = true; }

 private:
  AnalyzeOptions options_;
  std::atomic<bool> stop_{false};
};

/// VideoAnalyzer(options).run().
Result<AnalysisResult> analyzeVideo(AnalyzeOptions options);

}  // namespace cityops::traffic
