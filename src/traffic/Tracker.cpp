#include "traffic/Tracker.hpp"

#include "traffic/Hungarian.hpp"

#include <opencv2/video/tracking.hpp>

#include <algorithm>
#include <cmath>

namespace cityops::traffic {

namespace {

constexpr int kState = 8;    // cx cy w h vcx vcy vw vh
constexpr int kMeasure = 4;  // cx cy w h
constexpr double kRefused = 1e6;

double sizeOf(const cv::Rect2d& b) { return std::max({b.width, b.height, 4.0}); }

}  // namespace

struct Tracker::Slot {
  Track track;
  cv::KalmanFilter kf{kState, kMeasure, 0, CV_64F};
};

TrackerOptions TrackerOptions::from(const TrackerSpec& spec) {
  TrackerOptions o;
  o.confirmHits = spec.confirmHits;
  o.maxMisses = spec.maxMisses;
  o.minIou = spec.minIou;
  return o;
}

Tracker::Tracker(TrackerOptions options) : options_(options) {}
Tracker::~Tracker() = default;

double Tracker::iou(const cv::Rect2d& a, const cv::Rect2d& b) {
  const double inter = (a & b).area();
  const double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0;
}

cv::Rect2d Tracker::boxOf(const Slot& s) {
  const cv::Mat& x = s.kf.statePost;
  const double w = std::max(1.0, x.at<double>(2)), h = std::max(1.0, x.at<double>(3));
  return {x.at<double>(0) - w / 2, x.at<double>(1) - h / 2, w, h};
}

std::unique_ptr<Tracker::Slot> Tracker::start(const Detection& d, int64_t timeMs) {
  auto s = std::make_unique<Slot>();
  const cv::Rect2d& b = d.box;
  const double size = sizeOf(b);
  auto& kf = s->kf;
  kf.measurementMatrix = cv::Mat::zeros(kMeasure, kState, CV_64F);
  for (int i = 0; i < kMeasure; ++i) kf.measurementMatrix.at<double>(i, i) = 1;
  kf.statePost = (cv::Mat_<double>(kState, 1) << b.x + b.width / 2, b.y + b.height / 2, b.width, b.height, 0, 0, 0, 0);
  const double m = options_.measurePerSize * size + 1;
  const double v = 10 * size;  // unknown velocity: up to ten box sizes per second
  kf.errorCovPost = cv::Mat::diag((cv::Mat_<double>(kState, 1) << m * m, m * m, m * m, m * m, v * v, v * v,
                                   v * v / 16, v * v / 16));
  s->track.id = nextId_++;
  s->track.box = b;
  s->track.hits = 1;
  s->track.confirmed = options_.confirmHits <= 1;
  s->track.firstMs = timeMs;
  s->track.lastMatchMs = timeMs;
  return s;
}

void Tracker::predict(Slot& s, double dt) const {
  // Always predict (dt 0 is the identity): correct() works from the prediction.
  dt = std::max(0.0, dt);
  auto& kf = s.kf;
  kf.transitionMatrix = cv::Mat::eye(kState, kState, CV_64F);
  for (int i = 0; i < 4; ++i) kf.transitionMatrix.at<double>(i, i + 4) = dt;
  // Discrete white-noise acceleration per coordinate: σa² [dt⁴/4, dt³/2; dt³/2, dt²].
  const double size = sizeOf(boxOf(s));
  kf.processNoiseCov = cv::Mat::zeros(kState, kState, CV_64F);
  for (int i = 0; i < 4; ++i) {
    const double sa = options_.accelPerSize * size * (i < 2 ? 1.0 : 0.25);
    const double q = sa * sa;
    kf.processNoiseCov.at<double>(i, i) = q * dt * dt * dt * dt / 4;
    kf.processNoiseCov.at<double>(i, i + 4) = q * dt * dt * dt / 2;
    kf.processNoiseCov.at<double>(i + 4, i) = q * dt * dt * dt / 2;
    kf.processNoiseCov.at<double>(i + 4, i + 4) = q * dt * dt;
  }
  kf.predict();
  // A box never shrinks below a pixel.
  for (int i = 2; i < 4; ++i) {
    double& wh = kf.statePost.at<double>(i);
    if (wh < 1) {
      wh = 1;
      kf.statePost.at<double>(i + 4) = 0;
    }
  }
}

void Tracker::correct(Slot& s, const cv::Rect2d& b) const {
  const double m = options_.measurePerSize * sizeOf(b) + 1;
  s.kf.measurementNoiseCov = cv::Mat::eye(kMeasure, kMeasure, CV_64F) * (m * m);
  const cv::Mat z = (cv::Mat_<double>(kMeasure, 1) << b.x + b.width / 2, b.y + b.height / 2, b.width, b.height);
  s.kf.correct(z);
}

std::vector<Track> Tracker::update(const std::vector<Detection>& detections, int64_t timeMs) {
  ended_.clear();
  const double dt = started_ ? std::max<int64_t>(0, timeMs - lastMs_) / 1000.0 : 0.0;
  started_ = true;
  lastMs_ = timeMs;

  for (auto& s : slots_) predict(*s, dt);

  // Assignment on 1 - IoU of the predicted boxes.
  const size_t nT = slots_.size(), nD = detections.size();
  std::vector<int> trackToDet(nT, -1);
  if (nT > 0 && nD > 0) {
    CostMatrix cost(nT, nD, kRefused);
    std::vector<cv::Rect2d> predicted(nT);
    for (size_t t = 0; t < nT; ++t) predicted[t] = boxOf(*slots_[t]);
    for (size_t t = 0; t < nT; ++t)
      for (size_t d = 0; d < nD; ++d) {
        const double o = iou(predicted[t], detections[d].box);
        if (o >= options_.minIou) cost(t, d) = 1.0 - o;
      }
    trackToDet = Hungarian::solve(cost);
    for (size_t t = 0; t < nT; ++t)
      if (trackToDet[t] >= 0 && cost(t, static_cast<size_t>(trackToDet[t])) >= kRefused) trackToDet[t] = -1;
  }

  std::vector<char> detUsed(nD, 0);
  std::vector<std::unique_ptr<Slot>> kept;
  kept.reserve(nT + nD);
  for (size_t t = 0; t < nT; ++t) {
    auto& s = slots_[t];
    Track& tr = s->track;
    const int d = trackToDet[t];
    if (d >= 0) {
      detUsed[static_cast<size_t>(d)] = 1;
      correct(*s, detections[static_cast<size_t>(d)].box);
      tr.hits += 1;
      tr.misses = 0;
      tr.detection = d;
      tr.lastMatchMs = timeMs;
      if (tr.hits >= options_.confirmHits) tr.confirmed = true;
    } else {
      tr.misses += 1;
      tr.detection = -1;
    }
    tr.box = boxOf(*s);
    tr.velocity = {s->kf.statePost.at<double>(4), s->kf.statePost.at<double>(5)};
    const bool gone = tr.confirmed ? tr.misses > options_.maxMisses : tr.misses > 0;
    if (gone) ended_.push_back(tr);
    else kept.push_back(std::move(s));
  }
  for (size_t d = 0; d < nD; ++d) {
    if (detUsed[d]) continue;
    auto s = start(detections[d], timeMs);
    s->track.detection = static_cast<int>(d);
    kept.push_back(std::move(s));
  }
  slots_ = std::move(kept);

  std::vector<Track> live;
  live.reserve(slots_.size());
  for (const auto& s : slots_) live.push_back(s->track);
  return live;
}

std::vector<Track> Tracker::finish() {
  std::vector<Track> out;
  for (const auto& s : slots_) out.push_back(s->track);
  slots_.clear();
  return out;
}

}  // namespace cityops::traffic
