#pragma once
// CaptureSource: frames from cv::VideoCapture (FFmpeg backend by default, with open and read time-outs so that a
// dead stream fails instead of hanging): a video file (paced at its own frame rate, looping at its end) or a
// stream URL (rtsp://, http:// MJPEG, ...; live, its end is a failure). cv::Exception stops here.
#include "traffic/FrameSource.hpp"

#include <opencv2/videoio.hpp>

namespace cityops::traffic {

class CaptureSource final : public FrameSource {
 public:
  CaptureSource(std::string input, CaptureOptions options);

  Status open() override;
  Result<std::optional<SourceFrame>> read(int64_t elapsedMs) override;
  bool paced() const override { return isFile_ && fps_ > 0; }
  bool loops() const override { return isFile_; }

 private:
  std::string input_;
  CaptureOptions options_;
  bool isFile_ = false;
  cv::VideoCapture capture_;
  double fps_ = 0;
  int64_t index_ = 0;
  cv::Mat frame_;
};

}  // namespace cityops::traffic
