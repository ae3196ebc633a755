#pragma once
// MjpegStream: a live camera's latest annotated frame as multipart/x-mixed-replace JPEG parts (what browsers show
// in an <img>), for GET /api/v1/cameras/{id}/stream.mjpeg. A part goes out when the frame changed, at most `fps`
// times a second (and the same frame again every few seconds, so that a client that went away is noticed); the
// stream ends after `maxFrames` parts (0: never), when the camera stops, or when the client goes away.
#include "cameras/CameraWorker.hpp"
#include "http/Message.hpp"

#include <chrono>
#include <memory>

namespace cityops::api {

class MjpegStream final : public http::BodyStream {
 public:
  static constexpr std::string_view kBoundary = "cityopsframe";
  static std::string contentType() { return "multipart/x-mixed-replace; boundary=" + std::string(kBoundary); }

  MjpegStream(std::shared_ptr<cameras::LiveView> view, double fps, int64_t maxFrames);

  std::optional<std::string> next() override;
  std::chrono::milliseconds interval() const override { return interval_; }

 private:
  std::shared_ptr<cameras::LiveView> view_;
  std::chrono::milliseconds interval_;
  int64_t maxFrames_;
  int64_t sent_ = 0;
  uint64_t lastVersion_ = 0;
  std::chrono::steady_clock::time_point lastSent_{};
  bool closed_ = false;
};

}  // namespace cityops::api
