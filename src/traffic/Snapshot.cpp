#include "traffic/Snapshot.hpp"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <vector>

namespace cityops::traffic {

void Snapshot::update(const cv::Mat& bgr, int64_t tMs) {
  cv::Mat copy = bgr.clone();
  std::lock_guard lock(mu_);
  frame_ = std::move(copy);
  tMs_ = tMs;
  ++version_;
}

Result<std::string> Snapshot::jpeg(int quality) const {
  cv::Mat frame;
  uint64_t version = 0;
  {
    std::lock_guard lock(mu_);
    if (cached_ && cachedVersion_ == version_ && cachedQuality_ == quality) return *cached_;
    frame = frame_;  // shared, never written again: update() replaces it
    version = version_;
  }
  if (frame.empty()) return NotFound("no frame yet");
  auto encoded = encodeJpeg(frame, quality);
  if (!encoded) return encoded;
  std::lock_guard lock(mu_);
  if (version >= cachedVersion_) {
    cached_ = std::make_shared<const std::string>(*encoded);
    cachedVersion_ = version;
    cachedQuality_ = quality;
  }
  return encoded;
}

std::optional<int64_t> Snapshot::timeMs() const {
  std::lock_guard lock(mu_);
  return tMs_;
}

uint64_t Snapshot::version() const {
  std::lock_guard lock(mu_);
  return version_;
}

Result<std::string> Snapshot::encodeJpeg(const cv::Mat& image, int quality) {
  if (image.empty()) return BadRequest("empty image");
  if (image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3))
    return BadRequest("JPEG needs an 8-bit grey or BGR image");
  std::vector<uchar> buf;
  try {
    const std::vector<int> params{cv::IMWRITE_JPEG_QUALITY, std::clamp(quality, 1, 100)};
    if (!cv::imencode(".jpg", image, buf, params)) return Internal("JPEG encoding failed");
  } catch (const cv::Exception& e) {
    return Internal(std::string("JPEG encoding failed: ") + e.what());
  }
  return std::string(buf.begin(), buf.end());
}

}  // namespace cityops::traffic
