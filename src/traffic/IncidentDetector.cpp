#include "traffic/IncidentDetector.hpp"

#include <cmath>
#include <cstdio>

namespace cityops::traffic {

namespace {

std::string fixed(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

IncidentDetector::IncidentDetector(const CameraSpec& spec, const Calibration& calibration, IncidentLog& log)
    : spec_(spec), calibration_(calibration), log_(log) {}

void IncidentDetector::closeStopped(State& s, int64_t tMs) {
  if (s.stoppedIncident) log_.close(s.stoppedIncident, tMs);
  s.stoppedIncident = 0;
  s.stoppedSince.reset();
}

void IncidentDetector::closeWrongWay(State& s, int64_t tMs) {
  if (s.wrongWayIncident) log_.close(s.wrongWayIncident, tMs);
  s.wrongWayIncident = 0;
  s.againstM = 0;
}

void IncidentDetector::update(const std::vector<TrackSample>& tracks, int64_t tMs) {
  for (const auto& t : tracks) {
    if (!t.confirmed) continue;
    auto [it, fresh] = states_.try_emplace(t.id);
    State& s = it->second;
    if (fresh) {
      s.lastFoot = t.foot;
      s.lane = t.lane;
    }
    if (t.lane != s.lane) {  // left the lane (or entered another)
      closeStopped(s, tMs);
      closeWrongWay(s, tMs);
      s.lane = t.lane;
    }
    const cv::Point2d step = t.foot - s.lastFoot;
    const cv::Point2d prevFoot = s.lastFoot;
    s.lastFoot = t.foot;
    if (t.lane < 0) continue;
    const Lane& lane = spec_.lanes[static_cast<size_t>(t.lane)];

    // Stopped in the lane.
    if (t.speedKmh) {
      if (*t.speedKmh < spec_.stoppedSpeedKmh) {
        if (!s.stoppedSince) s.stoppedSince = tMs;
        const double forS = static_cast<double>(tMs - *s.stoppedSince) / 1000.0;
        const std::string text = "vehicle " + std::to_string(t.id) + " (" + std::string(className(t.cls)) +
                                 ") stopped in lane " + lane.id + " for " + fixed(forS) + " s";
        if (!s.stoppedIncident && forS >= spec_.stoppedAfterS) {
          Incident i;
          i.kind = "stopped_vehicle";
          i.startMs = *s.stoppedSince;
          i.camera = spec_.id;
          i.lane = lane.id;
          i.track = t.id;
          i.value = forS;
          i.details = text;
          s.stoppedIncident = log_.open(std::move(i));
        } else if (s.stoppedIncident) {
          log_.update(s.stoppedIncident, forS, text);
        }
      } else {
        closeStopped(s, tMs);
      }
    }

    // Against the lane's direction: the ground length of this step, signed by its image direction.
    const double len = std::hypot(step.x, step.y);
    const double flen = std::hypot(lane.forward.x, lane.forward.y);
    if (len > 0 && flen > 0) {
      const double cosine = (step.x * lane.forward.x + step.y * lane.forward.y) / (len * flen);
      s.againstM -= cosine * calibration_.distance(prevFoot, t.foot);
      if (s.againstM < 0) s.againstM = 0;  // moving along the lane is not credit for later
      if (s.againstM > spec_.wrongWayMinM && !s.wrongWayReported) {
        Incident i;
        i.kind = "wrong_way";
        i.startMs = tMs;
        i.camera = spec_.id;
        i.lane = lane.id;
        i.track = t.id;
        i.value = s.againstM;
        i.details = "vehicle " + std::to_string(t.id) + " (" + std::string(className(t.cls)) + ") moved " +
                    fixed(s.againstM) + " m against the direction of lane " + lane.id;
        s.wrongWayIncident = log_.open(std::move(i));
        s.wrongWayReported = true;
      }
    }
  }
}

void IncidentDetector::trackEnded(int trackId, int64_t lastMs) {
  auto it = states_.find(trackId);
  if (it == states_.end()) return;
  closeStopped(it->second, lastMs);
  closeWrongWay(it->second, lastMs);
  states_.erase(it);
}

void IncidentDetector::intervalClosed(const IntervalMetrics& m) {
  if (previous_ && previous_->lanes.size() == m.lanes.size()) {
    for (size_t i = 0; i < m.lanes.size(); ++i) {
      const auto& before = previous_->lanes[i];
      const auto& now = m.lanes[i];
      if (!before.meanSpeedKmh || !now.meanSpeedKmh || *before.meanSpeedKmh <= 0) continue;
      const double jump = now.occupancyPct - before.occupancyPct;
      const double drop = 1.0 - *now.meanSpeedKmh / *before.meanSpeedKmh;
      if (jump < spec_.queueOccupancyJumpPct || drop < spec_.queueSpeedDrop) continue;
      Incident inc;
      inc.kind = "sudden_queue";
      inc.startMs = m.startMs;
      inc.endMs = m.endMs;
      inc.camera = spec_.id;
      inc.lane = now.id;
      inc.value = now.occupancyPct;
      inc.details = "lane " + now.id + ": occupancy " + fixed(before.occupancyPct, 0) + " % -> " +
                    fixed(now.occupancyPct, 0) + " %, speed " + fixed(*before.meanSpeedKmh, 0) + " -> " +
                    fixed(*now.meanSpeedKmh, 0) + " km/h";
      log_.open(std::move(inc));
    }
  }
  previous_ = m;
}

bool IncidentDetector::stopped(int trackId) const {
  auto it = states_.find(trackId);
  return it != states_.end() && it->second.stoppedIncident != 0;
}

bool IncidentDetector::wrongWay(int trackId) const {
  auto it = states_.find(trackId);
  return it != states_.end() && it->second.wrongWayIncident != 0;
}

}  // namespace cityops::traffic
