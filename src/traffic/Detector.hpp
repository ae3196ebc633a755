#pragma once
// Detector: finds the moving objects of one camera, frame after frame. BackgroundDetector (background subtraction)
// is the default; a cv::dnn detector running an operator-supplied ONNX model fits behind the same interface (it
// would fill Detection::label and score, and ignore holdRegions).
//
// A detector belongs to one camera and is fed its frames in time order from one thread.
#include "common/Result.hpp"
#include "traffic/Detection.hpp"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <vector>

namespace cityops::traffic {

class Detector {
 public:
  virtual ~Detector() = default;
  /// The objects in `frame` (BGR, source size) at `timeMs`. OpenCV failures come back as an Error, never thrown.
  virtual Result<std::vector<Detection>> detect(const cv::Mat& frame, int64_t timeMs) = 0;
  /// Where tracked objects are expected in the next frame (source pixels). A background model does not learn these
  /// regions, so a vehicle that stops is not absorbed into the background while it is being tracked.
  virtual void holdRegions(const std::vector<cv::Rect2d>& regions) {}
};

}  // namespace cityops::traffic
