#pragma once
// BackgroundDetector: the default Detector. Background subtraction (MOG2 or KNN) on a frame downscaled to
// `downscaleWidth`; shadows (marked 127 by the subtractor) are dropped; the mask is opened (speckle) and closed
// (holes); every outer contour whose bounding box covers at least `minAreaPx` source pixels is a detection, its box
// scaled back to source pixels.
//
// Held regions (Detector::holdRegions): the subtractor is fed the current background image there instead of the
// frame, so it does not learn a vehicle that stopped while it is tracked; inside those regions the foreground is the
// frame's difference to the background image (above `heldDiffThreshold` grey levels).
#include "traffic/CameraSpec.hpp"
#include "traffic/Detector.hpp"

#include <opencv2/core/mat.hpp>
#include <opencv2/video/background_segm.hpp>

#include <memory>

namespace cityops::traffic {

struct BackgroundDetectorOptions {
  DetectorKind kind = DetectorKind::Mog2;
  int downscaleWidth = 640;
  double minAreaPx = 150;          // source pixels²
  int history = 500;               // frames the background model remembers
  int warmupFrames = 3;            // no detections while the model first learns the scene
  double heldDiffThreshold = 30;   // grey levels

  static BackgroundDetectorOptions from(const CameraSpec& spec);
};

class BackgroundDetector : public Detector {
 public:
  explicit BackgroundDetector(BackgroundDetectorOptions options);
  static std::unique_ptr<BackgroundDetector> create(const CameraSpec& spec);

  Result<std::vector<Detection>> detect(const cv::Mat& frame, int64_t timeMs) override;
  void holdRegions(const std::vector<cv::Rect2d>& regions) override;

  /// The last binary foreground mask (processing size), for diagnostics.
  const cv::Mat& foreground() const { return mask_; }

 private:
  std::vector<Detection> detectScaled(const cv::Mat& small, double scale);

  BackgroundDetectorOptions options_;
  cv::Ptr<cv::BackgroundSubtractor> model_;
  std::vector<cv::Rect2d> held_;  // source pixels
  cv::Mat mask_;
  cv::Mat openKernel_;
  cv::Mat closeKernel_;
  int64_t frames_ = 0;
};

}  // namespace cityops::traffic
