#include "api/MjpegStream.hpp"

#include <algorithm>
#include <cmath>

namespace cityops::api {

namespace {

constexpr auto kRepeatAfter = std::chrono::seconds(5);  // an unchanged frame is sent again after this
constexpr int kQuality = 75;

}  // namespace

MjpegStream::MjpegStream(std::shared_ptr<cameras::LiveView> view, double fps, int64_t maxFrames)
    : view_(std::move(view)),
      interval_(std::max<int64_t>(20, std::llround(1000.0 / std::max(0.1, fps)))),
      maxFrames_(maxFrames) {}

std::optional<std::string> MjpegStream::next() {
  if (closed_) return std::nullopt;
  if (view_->ended || (maxFrames_ > 0 && sent_ >= maxFrames_)) {
    closed_ = true;
    return "--" + std::string(kBoundary) + "--\r\n";
  }
  const uint64_t version = view_->snapshot.version();
  const auto now = std::chrono::steady_clock::now();
  if (version == 0 || (version == lastVersion_ && now - lastSent_ < kRepeatAfter)) return std::string();
  auto jpeg = view_->snapshot.jpeg(kQuality);
  if (!jpeg) return std::string();
  lastVersion_ = version;
  lastSent_ = now;
  ++sent_;
  std::string part = "--" + std::string(kBoundary) + "\r\nContent-Type: image/jpeg\r\nContent-Length: " +
                     std::to_string(jpeg->size()) + "\r\n\r\n";
  part.reserve(part.size() + jpeg->size() + 2);
  part += *jpeg;
  part += "\r\n";
  return part;
}

}  // namespace cityops::api
