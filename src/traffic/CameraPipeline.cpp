#include "traffic/CameraPipeline.hpp"

#include "traffic/BackgroundDetector.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace cityops::traffic {

namespace {

int64_t floorTo(int64_t t, int64_t step) {
  int64_t q = t / step;
  if (t % step != 0 && t < 0) --q;
  return q * step;
}

/// The box touches the frame edge (within `margin` pixels): the object is partly outside.
bool clipped(const cv::Rect2d& b, const cv::Size& size, double margin) {
  return b.x <= margin || b.y <= margin || b.x + b.width >= size.width - margin ||
         b.y + b.height >= size.height - margin;
}

}  // namespace

Result<std::unique_ptr<CameraPipeline>> CameraPipeline::create(const CameraSpec& spec,
                                                               std::unique_ptr<Detector> detector) {
  auto calibration = Calibration::create(spec.calibration);
  if (!calibration) return calibration.error();
  if (!(spec.intervalS > 0)) return BadRequest("interval_s must be above 0");
  if (!detector) detector = BackgroundDetector::create(spec);
  return std::unique_ptr<CameraPipeline>(new CameraPipeline(spec, *calibration, std::move(detector)));
}

CameraPipeline::CameraPipeline(const CameraSpec& spec, const Calibration& calibration,
                               std::unique_ptr<Detector> detector)
    : spec_(spec),
      calibration_(calibration),
      detector_(std::move(detector)),
      tracker_(TrackerOptions::from(spec.tracker)),
      counter_(spec),
      incidentDetector_(spec, calibration, log_),
      health_(spec, log_),
      intervalMs_(std::max<int64_t>(1, std::llround(spec.intervalS * 1000.0))) {}

CameraPipeline::~CameraPipeline() = default;

VehicleClass CameraPipeline::classOf(const TrackState& s) const {
  if (spec_.classes == Classes::People) return VehicleClass::Person;
  if (!s.labelVotes.empty()) {
    auto best = std::max_element(s.labelVotes.begin(), s.labelVotes.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    return best->first;
  }
  return s.kinematics.classify(spec_.classes, spec_.classSizes);
}

cv::Mat CameraPipeline::greyForHealth(const cv::Mat& frame) const {
  cv::Mat small, grey;
  if (frame.cols > spec_.downscaleWidth) {
    const double scale = static_cast<double>(spec_.downscaleWidth) / frame.cols;
    cv::resize(frame, small, cv::Size(), scale, scale, cv::INTER_AREA);
  } else {
    small = frame;
  }
  if (small.channels() == 3) cv::cvtColor(small, grey, cv::COLOR_BGR2GRAY);
  else if (small.channels() == 4) cv::cvtColor(small, grey, cv::COLOR_BGRA2GRAY);
  else grey = small;
  return grey;
}

void CameraPipeline::closeInterval(bool partial, int64_t endMs, std::vector<IntervalMetrics>* out) {
  IntervalMetrics m = counter_.closeInterval(partial);
  m.endMs = endMs;
  incidentDetector_.intervalClosed(m);
  if (out) out->push_back(m);
  intervals_.push_back(std::move(m));
}

void CameraPipeline::endTrack(const Track& t) {
  counter_.forget(t.id);
  incidentDetector_.trackEnded(t.id, t.lastMatchMs);
  auto it = states_.find(t.id);
  if (it == states_.end()) return;
  if (t.confirmed) {
    TrackState& s = *it->second;
    TrackSummary sum = std::move(s.summary);
    sum.id = t.id;
    sum.cls = classOf(s);
    sum.firstMs = t.firstMs;
    sum.lastMs = t.lastMatchMs;
    sum.frames = t.hits;
    if (auto v = s.kinematics.meanSpeedMps()) sum.meanSpeedKmh = *v * 3.6;
    if (auto v = s.kinematics.maxSpeedMps()) sum.maxSpeedKmh = *v * 3.6;
    sum.distanceM = s.kinematics.distanceM();
    sum.areaM2 = s.kinematics.areaM2();
    tracks_.push_back(std::move(sum));
  }
  states_.erase(it);
}

Result<FrameResult> CameraPipeline::process(const cv::Mat& frame, int64_t tMs) {
  if (frame.empty()) return BadRequest("empty frame");
  if (started_ && tMs < lastMs_) tMs = lastMs_;  // never back in time
  FrameResult result;
  result.tMs = tMs;

  if (!started_) {
    intervalStart_ = floorTo(tMs, intervalMs_);
    intervalEnd_ = intervalStart_ + intervalMs_;
    intervalPartial_ = tMs > intervalStart_;
    counter_.startInterval(intervalStart_, intervalEnd_);
  }
  while (tMs >= intervalEnd_) {
    closeInterval(intervalPartial_, intervalEnd_, &result.intervals);
    intervalStart_ = intervalEnd_;
    intervalEnd_ += intervalMs_;
    intervalPartial_ = false;
    counter_.startInterval(intervalStart_, intervalEnd_);
  }
  const int64_t dt = started_ ? tMs - lastMs_ : 0;
  if (dt > 0) lastDtMs_ = dt;
  started_ = true;
  lastMs_ = tMs;

  try {
    result.health = health_.update(greyForHealth(frame), tMs);
  } catch (const cv::Exception& e) {
    return Internal(std::string("frame analysis failed: ") + e.what());
  }

  auto detections = detector_->detect(frame, tMs);
  if (!detections) return detections.error();
  const std::vector<Track> tracks = tracker_.update(*detections, tMs);
  for (const auto& t : tracker_.ended()) endTrack(t);

  const double margin = 2.0 * std::max(1.0, static_cast<double>(frame.cols) / spec_.downscaleWidth);
  std::vector<TrackSample> samples;
  samples.reserve(tracks.size());
  for (const auto& t : tracks) {
    auto& slot = states_[t.id];
    if (!slot) slot = std::make_unique<TrackState>(spec_.speedWindowS);
    TrackState& s = *slot;
    if (t.detection >= 0) {
      const Detection& d = (*detections)[static_cast<size_t>(t.detection)];
      s.kinematics.add(tMs, calibration_.toGround(footPoint(d.box)), calibration_.area(d.box),
                       clipped(d.box, frame.size(), margin));
      if (auto c = classFromLabel(d.label)) s.labelVotes[*c] += 1;
    }
    TrackSample sample;
    sample.id = t.id;
    sample.confirmed = t.confirmed;
    sample.foot = footPoint(t.box);
    sample.ground = calibration_.toGround(sample.foot);
    if (auto v = s.kinematics.speedMps()) sample.speedKmh = *v * 3.6;
    sample.cls = classOf(s);
    sample.lane = counter_.laneAt(sample.foot);
    if (t.confirmed && sample.lane >= 0) {
      const std::string& lane = spec_.lanes[static_cast<size_t>(sample.lane)].id;
      auto& lanes = s.summary.lanes;
      if (std::find(lanes.begin(), lanes.end(), lane) == lanes.end()) lanes.push_back(lane);
    }
    samples.push_back(sample);
  }

  result.crossings = counter_.update(samples, tMs, dt);
  for (const auto& c : result.crossings)
    if (auto it = states_.find(c.track); it != states_.end()) it->second->summary.crossings.push_back(c);
  incidentDetector_.update(samples, tMs);

  std::vector<cv::Rect2d> hold;
  for (size_t i = 0; i < tracks.size(); ++i) {
    const Track& t = tracks[i];
    if (!t.confirmed) continue;
    TrackState& s = *states_[t.id];
    TrackView v;
    v.id = t.id;
    v.box = t.box;
    v.cls = samples[i].cls;
    v.speedKmh = samples[i].speedKmh;
    v.lane = samples[i].lane;
    v.stopped = incidentDetector_.stopped(t.id);
    v.wrongWay = incidentDetector_.wrongWay(t.id);
    s.summary.stopped = s.summary.stopped || v.stopped;
    s.summary.wrongWay = s.summary.wrongWay || v.wrongWay;
    result.tracks.push_back(v);
    if (t.detection >= 0) {
      // Where it will be in the next frame.
      const double ahead = (lastDtMs_ > 0 ? lastDtMs_ : 40) / 1000.0;
      hold.emplace_back(t.box.x + t.velocity.x * ahead, t.box.y + t.velocity.y * ahead, t.box.width, t.box.height);
    }
  }
  detector_->holdRegions(hold);
  return result;
}

void CameraPipeline::finish(int64_t endMs) {
  if (!started_) return;
  endMs = std::max(endMs, lastMs_);
  for (const auto& t : tracker_.finish()) endTrack(t);
  health_.finish(endMs);
  const bool partial = intervalPartial_ || endMs < intervalEnd_;
  closeInterval(partial, std::min(endMs, intervalEnd_), nullptr);
  started_ = false;
}

}  // namespace cityops::traffic
