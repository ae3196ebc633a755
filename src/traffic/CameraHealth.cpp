#include "traffic/CameraHealth.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdio>

namespace cityops::traffic {

namespace {

std::string fixed(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

CameraHealth::CameraHealth(const CameraSpec& spec, IncidentLog& log) : t_(spec.health), camera_(spec.id), log_(log) {}

bool CameraHealth::track(Condition& c, bool now, int64_t tMs, double afterS, double value, const std::string& details) {
  if (!now) {
    if (c.incident) log_.close(c.incident, tMs);
    c.incident = 0;
    c.since.reset();
    return false;
  }
  if (!c.since) c.since = tMs;
  if (!c.incident && static_cast<double>(tMs - *c.since) >= afterS * 1000.0) {
    Incident i;
    i.kind = c.kind;
    i.startMs = *c.since;
    i.camera = camera_;
    i.value = value;
    i.details = details;
    c.incident = log_.open(std::move(i));
  }
  return c.incident != 0;
}

const HealthState& CameraHealth::update(const cv::Mat& grey, int64_t tMs) {
  track(offline_, false, tMs, 0, 0, "");
  state_.offline = false;
  lastFrameMs_ = tMs;

  state_.meanLuma = cv::mean(grey)[0];
  cv::Mat lap;
  cv::Laplacian(grey, lap, CV_32F);
  cv::Scalar mean, stddev;
  cv::meanStdDev(lap, mean, stddev);
  state_.laplacianVar = stddev[0] * stddev[0];
  if (!previous_.empty() && previous_.size() == grey.size()) {
    cv::Mat diff;
    cv::absdiff(grey, previous_, diff);
    state_.frameDiff = cv::mean(diff)[0];
  } else {
    state_.frameDiff = -1;
  }
  grey.copyTo(previous_);

  const bool dark = state_.meanLuma < t_.darkMeanLuma;
  const bool blurred = !dark && state_.laplacianVar < t_.blurLaplacianVar;
  const bool unchanged = state_.frameDiff >= 0 && state_.frameDiff < t_.frozenMaxDiff;
  state_.dark = track(dark_, dark, tMs, t_.sustainS, state_.meanLuma,
                      "mean luma " + fixed(state_.meanLuma) + " below " + fixed(t_.darkMeanLuma));
  state_.blurred = track(blurred_, blurred, tMs, t_.sustainS, state_.laplacianVar,
                         "variance of the Laplacian " + fixed(state_.laplacianVar) + " below " +
                             fixed(t_.blurLaplacianVar) + " (blurred or obstructed)");
  state_.frozen = track(frozen_, unchanged, tMs, t_.frozenAfterS, state_.frameDiff,
                        "the picture has not changed (mean difference " + fixed(state_.frameDiff, 2) + ")");
  return state_;
}

void CameraHealth::checkOffline(int64_t nowMs) {
  if (!watchStartMs_) watchStartMs_ = nowMs;
  const int64_t last = lastFrameMs_ ? *lastFrameMs_ : *watchStartMs_;
  if (nowMs - last < static_cast<int64_t>(t_.offlineAfterS * 1000.0)) return;
  if (!offline_.since) offline_.since = last;
  state_.offline = track(offline_, true, nowMs, t_.offlineAfterS, static_cast<double>(nowMs - last) / 1000.0,
                         "no frame since " + fixed(static_cast<double>(nowMs - last) / 1000.0) + " s");
}

void CameraHealth::finish(int64_t endMs) {
  for (Condition* c : {&dark_, &blurred_, &frozen_, &offline_})
    if (c->incident) track(*c, false, endMs, 0, 0, "");
}

}  // namespace cityops::traffic
