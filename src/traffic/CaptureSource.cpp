#include "traffic/CaptureSource.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <filesystem>
#include <vector>

namespace cityops::traffic {

CaptureSource::CaptureSource(std::string input, CaptureOptions options)
    : input_(std::move(input)), options_(options), isFile_(input_.find("://") == std::string::npos) {}

Status CaptureSource::open() {
  index_ = 0;
  fps_ = 0;
  if (isFile_) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(input_, ec)) return NotFound("no such video file: " + input_);
  }
  try {
    capture_.release();
    const std::vector<int> params{cv::CAP_PROP_OPEN_TIMEOUT_MSEC, options_.openTimeoutMs,
                                  cv::CAP_PROP_READ_TIMEOUT_MSEC, options_.readTimeoutMs};
    if (!capture_.open(input_, options_.backend, params) || !capture_.isOpened())
      return Unavailable("cannot open " + redactSource(input_));
    const double fps = capture_.get(cv::CAP_PROP_FPS);
    fps_ = std::isfinite(fps) && fps > 0 && fps < 1000 ? fps : 0;
  } catch (const cv::Exception& e) {
    return Unavailable("cannot open " + redactSource(input_) + ": " + e.what());
  }
  return {};
}

Result<std::optional<SourceFrame>> CaptureSource::read(int64_t) {
  try {
    if (!capture_.isOpened()) return Unavailable("the source is not open");
    if (!capture_.read(frame_) || frame_.empty()) {
      if (isFile_) return std::optional<SourceFrame>();
      return Unavailable("the stream ended or went silent");
    }
    SourceFrame f;
    if (frame_.depth() != CV_8U) return Unavailable("the source decodes to frames that are not 8-bit");
    if (frame_.channels() == 1) cv::cvtColor(frame_, f.image, cv::COLOR_GRAY2BGR);
    else if (frame_.channels() == 4) cv::cvtColor(frame_, f.image, cv::COLOR_BGRA2BGR);
    else f.image = frame_.clone();
    f.offsetMs = paced() ? static_cast<int64_t>(std::llround(static_cast<double>(index_) * 1000.0 / fps_)) : -1;
    ++index_;
    return std::optional<SourceFrame>(std::move(f));
  } catch (const cv::Exception& e) {
    return Unavailable(std::string("decoding failed: ") + e.what());
  }
}

}  // namespace cityops::traffic
