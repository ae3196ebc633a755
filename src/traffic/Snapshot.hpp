#pragma once
// Snapshot: the latest (annotated) frame of a camera, as JPEG on request - what a /snapshot.jpg endpoint serves.
// Thread-safe: the camera's worker updates it, HTTP handlers read it. The JPEG of the latest frame is encoded once
// (per quality) however many readers ask.
#include "common/Result.hpp"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace cityops::traffic {

class Snapshot {
 public:
  /// Keeps a copy of `bgr` (8-bit, 1 or 3 channels) taken at tMs.
  void update(const cv::Mat& bgr, int64_t tMs);
  /// The latest frame as JPEG bytes (quality 1..100); not_found before the first frame.
  Result<std::string> jpeg(int quality = 80) const;
  /// When the latest frame was taken.
  std::optional<int64_t> timeMs() const;
  /// Counts the updates (0 before the first frame): a reader can tell whether there is a new frame.
  uint64_t version() const;

  /// Any 8-bit image as JPEG bytes.
  static Result<std::string> encodeJpeg(const cv::Mat& image, int quality = 80);

 private:
  mutable std::mutex mu_;
  cv::Mat frame_;
  std::optional<int64_t> tMs_;
  uint64_t version_ = 0;
  mutable std::shared_ptr<const std::string> cached_;  // the JPEG of cachedVersion_ at cachedQuality_
  mutable uint64_t cachedVersion_ = 0;
  mutable int cachedQuality_ = 0;
};

}  // namespace cityops::traffic
