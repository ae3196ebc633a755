#include "traffic/TrackKinematics.hpp"

#include <algorithm>
#include <cmath>

namespace cityops::traffic {

namespace {

constexpr size_t kMaxAreas = 256;

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  return v[mid];
}

}  // namespace

void TrackKinematics::add(int64_t tMs, const cv::Point2d& ground, double areaM2, bool clipped) {
  auto& areas = clipped ? clippedAreas_ : areas_;
  if (areas.size() < kMaxAreas && std::isfinite(areaM2)) areas.push_back(areaM2);
  if (clipped || !std::isfinite(ground.x) || !std::isfinite(ground.y)) return;

  window_.push_back({tMs, ground});
  while (window_.size() > 2 && tMs - window_[1].t >= windowMs_) window_.pop_front();
  const Fix& first = window_.front();
  const int64_t span = tMs - first.t;
  if (span * 2 >= windowMs_ && span > 0) {
    const double v = std::hypot(ground.x - first.p.x, ground.y - first.p.y) / (span / 1000.0);
    speed_ = v;
    speedSum_ += v;
    ++speedN_;
    speedMax_ = std::max(speedMax_, v);
  }
  if (!anchor_) {
    anchor_ = Fix{tMs, ground};
  } else if ((tMs - anchor_->t) * 2 >= windowMs_) {
    distance_ += std::hypot(ground.x - anchor_->p.x, ground.y - anchor_->p.y);
    anchor_ = Fix{tMs, ground};
  }
}

std::optional<double> TrackKinematics::meanSpeedMps() const {
  if (speedN_ == 0) return std::nullopt;
  return speedSum_ / static_cast<double>(speedN_);
}

std::optional<double> TrackKinematics::maxSpeedMps() const {
  if (speedN_ == 0) return std::nullopt;
  return speedMax_;
}

double TrackKinematics::areaM2() const { return median(areas_.empty() ? clippedAreas_ : areas_); }

VehicleClass TrackKinematics::classify(Classes classes, const ClassSizes& sizes) const {
  return traffic::classify(areaM2(), classes, sizes);
}

}  // namespace cityops::traffic
