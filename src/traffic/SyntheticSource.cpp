#include "traffic/SyntheticSource.hpp"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>

namespace cityops::traffic {

Status SyntheticSource::open() {
  try {
    scene_ = std::make_unique<SyntheticScene>(options_);
  } catch (const cv::Exception& e) {
    return Unavailable(std::string("cannot set up the synthetic scene: ") + e.what());
  }
  index_ = 0;
  return {};
}

Result<std::optional<SourceFrame>> SyntheticSource::read(int64_t elapsedMs) {
  if (!scene_) return Unavailable("the source is not open");
  const double frameMs = scene_->frameMs();
  const int64_t due = static_cast<int64_t>(std::floor(static_cast<double>(elapsedMs) / frameMs));
  index_ = std::max(index_, due);
  SourceFrame f;
  try {
    scene_->render(index_, f.image);
  } catch (const cv::Exception& e) {
    return Unavailable(std::string("rendering failed: ") + e.what());
  }
  const double t = static_cast<double>(index_) * frameMs;
  f.offsetMs = static_cast<int64_t>(std::llround(t));
  if (index_ % 256 == 0) scene_->forgetBefore(t - 10000);
  ++index_;
  return std::optional<SourceFrame>(std::move(f));
}

}  // namespace cityops::traffic
