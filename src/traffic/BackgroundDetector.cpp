#include "traffic/BackgroundDetector.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video.hpp>

#include <algorithm>
#include <cmath>

namespace cityops::traffic {

namespace {

int oddAtLeast3(double v) {
  int k = std::max(3, static_cast<int>(std::lround(v)));
  return k % 2 == 0 ? k + 1 : k;
}

/// A source-pixel rectangle on the processing image, padded and clipped.
cv::Rect toProcessing(const cv::Rect2d& r, double scale, int pad, const cv::Size& size) {
  cv::Rect p(static_cast<int>(std::floor(r.x * scale)) - pad, static_cast<int>(std::floor(r.y * scale)) - pad,
             static_cast<int>(std::ceil(r.width * scale)) + 2 * pad,
             static_cast<int>(std::ceil(r.height * scale)) + 2 * pad);
  return p & cv::Rect(0, 0, size.width, size.height);
}

}  // namespace

BackgroundDetectorOptions BackgroundDetectorOptions::from(const CameraSpec& spec) {
  BackgroundDetectorOptions o;
  o.kind = spec.detector;
  o.downscaleWidth = spec.downscaleWidth;
  o.minAreaPx = spec.minAreaPx;
  return o;
}

BackgroundDetector::BackgroundDetector(BackgroundDetectorOptions options) : options_(options) {
  if (options_.kind == DetectorKind::Knn)
    model_ = cv::createBackgroundSubtractorKNN(options_.history, 400.0, true);
  else
    model_ = cv::createBackgroundSubtractorMOG2(options_.history, 16.0, true);
}

std::unique_ptr<BackgroundDetector> BackgroundDetector::create(const CameraSpec& spec) {
  return std::make_unique<BackgroundDetector>(BackgroundDetectorOptions::from(spec));
}

void BackgroundDetector::holdRegions(const std::vector<cv::Rect2d>& regions) { held_ = regions; }

Result<std::vector<Detection>> BackgroundDetector::detect(const cv::Mat& frame, int64_t timeMs) {
  if (frame.empty()) return BadRequest("empty frame");
  if (frame.type() != CV_8UC3 && frame.type() != CV_8UC1) return BadRequest("frames must be 8-bit BGR or grey");
  try {
    const double scale =
        frame.cols > options_.downscaleWidth ? static_cast<double>(options_.downscaleWidth) / frame.cols : 1.0;
    cv::Mat small;
    if (scale < 1.0) cv::resize(frame, small, cv::Size(), scale, scale, cv::INTER_AREA);
    else small = frame;
    return detectScaled(small, scale);
  } catch (const cv::Exception& e) {
    return Internal(std::string("background subtraction failed: ") + e.what());
  }
}

std::vector<Detection> BackgroundDetector::detectScaled(const cv::Mat& small, double scale) {
  const cv::Size size = small.size();
  if (openKernel_.empty()) {
    const double rel = size.width / 640.0;
    openKernel_ = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(3, 3));
    const int k = oddAtLeast3(7 * rel);
    closeKernel_ = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(k, k));
  }
  std::vector<cv::Rect> held;
  cv::Mat background;
  if (!held_.empty() && frames_ > 0) {
    for (const auto& r : held_) {
      cv::Rect p = toProcessing(r, scale, 2, size);
      if (p.area() > 0) held.push_back(p);
    }
    if (!held.empty()) model_->getBackgroundImage(background);
    if (background.size() != size || background.type() != small.type()) held.clear();
  }
  cv::Mat raw;
  if (held.empty()) {
    model_->apply(small, raw);
  } else {
    cv::Mat input = small.clone();
    for (const auto& r : held) background(r).copyTo(input(r));
    model_->apply(input, raw);
    for (const auto& r : held) {
      cv::Mat diff, grey, fg;
      cv::absdiff(small(r), background(r), diff);
      if (diff.channels() == 3) cv::cvtColor(diff, grey, cv::COLOR_BGR2GRAY);
      else grey = diff;
      cv::threshold(grey, fg, options_.heldDiffThreshold, 255, cv::THRESH_BINARY);
      cv::Mat dst = raw(r);
      cv::bitwise_or(dst, fg, dst);
    }
  }
  ++frames_;
  // 255 foreground, 127 shadow, 0 background: shadows go.
  cv::threshold(raw, mask_, 200, 255, cv::THRESH_BINARY);
  cv::morphologyEx(mask_, mask_, cv::MORPH_OPEN, openKernel_);
  cv::morphologyEx(mask_, mask_, cv::MORPH_CLOSE, closeKernel_);

  std::vector<Detection> out;
  if (frames_ <= options_.warmupFrames) return out;
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask_, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  for (const auto& c : contours) {
    const cv::Rect b = cv::boundingRect(c);
    const cv::Rect2d box(b.x / scale, b.y / scale, b.width / scale, b.height / scale);
    if (box.area() < options_.minAreaPx) continue;
    out.push_back(Detection{box, 1.0, ""});
  }
  return out;
}

}  // namespace cityops::traffic
