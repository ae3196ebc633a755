#pragma once
// Calibration: image pixels -> metres on the ground plane. Either a uniform scale (meters_per_pixel, a camera looking
// straight down) or the homography through four image points and their ground positions
// (cv::getPerspectiveTransform). Both are held as one 3x3 homography.
#include "common/Result.hpp"
#include "traffic/CameraSpec.hpp"

#include <opencv2/core/matx.hpp>
#include <opencv2/core/types.hpp>

namespace cityops::traffic {

class Calibration {
 public:
  /// bad_request when the homography is degenerate (points on a line, not invertible).
  static Result<Calibration> create(const CalibrationSpec& spec);
  static Calibration scale(double metersPerPixel);

  /// Ground position (metres) of an image point.
  cv::Point2d toGround(const cv::Point2d& px) const;
  /// Ground distance between two image points, metres.
  double distance(const cv::Point2d& a, const cv::Point2d& b) const;
  /// Ground-plane area of an image rectangle (its four corners mapped), m².
  double area(const cv::Rect2d& box) const;
  const cv::Matx33d& homography() const { return h_; }

 private:
  explicit Calibration(const cv::Matx33d& h) : h_(h) {}
  cv::Matx33d h_;
};

/// Where a box stands on the ground: the middle of its bottom edge.
inline cv::Point2d footPoint(const cv::Rect2d& box) { return {box.x + box.width / 2, box.y + box.height}; }

}  // namespace cityops::traffic
