#include "traffic/Calibration.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <array>
#include <cmath>

namespace cityops::traffic {

Calibration Calibration::scale(double metersPerPixel) {
  return Calibration(cv::Matx33d(metersPerPixel, 0, 0, 0, metersPerPixel, 0, 0, 0, 1));
}

Result<Calibration> Calibration::create(const CalibrationSpec& spec) {
  if (!spec.usesHomography()) {
    if (!(spec.metersPerPixel > 0) || !std::isfinite(spec.metersPerPixel))
      return BadRequest("calibration.meters_per_pixel must be above 0");
    return scale(spec.metersPerPixel);
  }
  if (spec.imagePoints.size() != 4 || spec.worldPointsM.size() != 4)
    return BadRequest("calibration needs four image_points and four world_points_m");
  std::array<cv::Point2f, 4> src, dst;
  for (size_t i = 0; i < 4; ++i) {
    src[i] = cv::Point2f(static_cast<float>(spec.imagePoints[i].x), static_cast<float>(spec.imagePoints[i].y));
    dst[i] = cv::Point2f(static_cast<float>(spec.worldPointsM[i].x), static_cast<float>(spec.worldPointsM[i].y));
  }
  cv::Mat m;
  try {
    m = cv::getPerspectiveTransform(src.data(), dst.data(), cv::DECOMP_LU);
  } catch (const cv::Exception& e) {
    return BadRequest(std::string("calibration: no homography through these points (") + e.what() + ")");
  }
  if (m.rows != 3 || m.cols != 3 || m.type() != CV_64F) return BadRequest("calibration: no homography through these points");
  cv::Matx33d h;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) h(r, c) = m.at<double>(r, c);
  const double det = cv::determinant(h);
  bool finite = std::isfinite(det);
  for (int i = 0; i < 9; ++i) finite = finite && std::isfinite(h.val[i]);
  if (!finite || std::fabs(det) < 1e-15) return BadRequest("calibration: the points give a degenerate homography");
  // The ground plane must not pass through the camera inside the calibrated quadrilateral.
  for (const auto& p : spec.imagePoints) {
    const double w = h(2, 0) * p.x + h(2, 1) * p.y + h(2, 2);
    if (std::fabs(w) < 1e-12) return BadRequest("calibration: an image point maps to infinity");
  }
  return Calibration(h);
}

cv::Point2d Calibration::toGround(const cv::Point2d& p) const {
  const double x = h_(0, 0) * p.x + h_(0, 1) * p.y + h_(0, 2);
  const double y = h_(1, 0) * p.x + h_(1, 1) * p.y + h_(1, 2);
  double w = h_(2, 0) * p.x + h_(2, 1) * p.y + h_(2, 2);
  if (std::fabs(w) < 1e-12) w = w < 0 ? -1e-12 : 1e-12;  // the horizon: far away, not a crash
  return {x / w, y / w};
}

double Calibration::distance(const cv::Point2d& a, const cv::Point2d& b) const {
  const cv::Point2d d = toGround(a) - toGround(b);
  return std::hypot(d.x, d.y);
}

double Calibration::area(const cv::Rect2d& box) const {
  const std::array<cv::Point2d, 4> c{toGround({box.x, box.y}), toGround({box.x + box.width, box.y}),
                                     toGround({box.x + box.width, box.y + box.height}),
                                     toGround({box.x, box.y + box.height})};
  double a = 0;
  for (size_t i = 0; i < 4; ++i) a += c[i].x * c[(i + 1) % 4].y - c[(i + 1) % 4].x * c[i].y;
  return std::fabs(a) / 2;
}

}  // namespace cityops::traffic
