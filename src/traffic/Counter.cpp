#include "traffic/Counter.hpp"

#include "traffic/LevelOfService.hpp"

#include <algorithm>
#include <cmath>

namespace cityops::traffic {

namespace {

constexpr int64_t kMaxFrameGapMs = 2000;

double cross(double ux, double uy, double vx, double vy) { return ux * vy - uy * vx; }

int sign(double v) { return v > 0 ? 1 : -1; }

bool inside(const std::vector<Point2>& poly, const cv::Point2d& p) {
  bool in = false;
  for (size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
    const Point2& a = poly[i];
    const Point2& b = poly[j];
    if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) in = !in;
  }
  return in;
}

double hours(int64_t ms) { return static_cast<double>(ms) / 3.6e6; }

}  // namespace

Counter::Counter(const CameraSpec& spec) : spec_(spec), lines_(spec.lines.size()), lanes_(spec.lanes.size()) {
  for (const auto& l : spec_.lines) {
    forwardSide_.push_back(sign(cross(l.b.x - l.a.x, l.b.y - l.a.y, l.forward.x, l.forward.y)));
    totals_.push_back(LineTotals{l.id, {}, {}});
  }
}

int Counter::laneAt(const cv::Point2d& p) const {
  for (size_t i = 0; i < spec_.lanes.size(); ++i)
    if (inside(spec_.lanes[i].polygon, p)) return static_cast<int>(i);
  return -1;
}

void Counter::startInterval(int64_t startMs, int64_t endMs) {
  startMs_ = startMs;
  endMs_ = endMs;
  observedMs_ = 0;
  lines_.assign(spec_.lines.size(), LineAcc{});
  lanes_.assign(spec_.lanes.size(), LaneAcc{});
  seen_.clear();
  camSpeedSum_ = 0;
  camSpeedN_ = 0;
}

void Counter::count(Crossing c, size_t line, TrackMemo& memo, const TrackSample& t, std::vector<Crossing>& out) {
  if (!memo.countedLines.insert(line).second) return;
  c.cls = t.cls;  // the best estimate now
  if (!c.speedKmh) c.speedKmh = t.speedKmh;
  auto& acc = lines_[line];
  auto& total = totals_[line];
  if (c.direction == Direction::Forward) {
    acc.forward[c.cls] += 1;
    total.forward[c.cls] += 1;
  } else {
    acc.backward[c.cls] += 1;
    total.backward[c.cls] += 1;
  }
  if (c.speedKmh) {
    acc.invSpeedSum += 1.0 / std::max(1.0, *c.speedKmh);
    acc.speedN += 1;
  }
  out.push_back(std::move(c));
}

std::vector<Crossing> Counter::update(const std::vector<TrackSample>& tracks, int64_t tMs, int64_t dtMs) {
  std::vector<Crossing> out;
  const int64_t dt = dtMs > 0 && dtMs <= kMaxFrameGapMs ? dtMs : 0;
  observedMs_ += dt;
  std::vector<char> occupied(spec_.lanes.size(), 0);

  for (const auto& t : tracks) {
    TrackMemo& memo = memo_[t.id];
    // Crossings between the previous foot point and this one.
    if (memo.hasLast) {
      const cv::Point2d p0 = memo.lastFoot, p1 = t.foot;
      for (size_t i = 0; i < spec_.lines.size(); ++i) {
        if (memo.countedLines.count(i)) continue;
        const auto& l = spec_.lines[i];
        const double abx = l.b.x - l.a.x, aby = l.b.y - l.a.y;
        const double d0 = cross(abx, aby, p0.x - l.a.x, p0.y - l.a.y);
        const double d1 = cross(abx, aby, p1.x - l.a.x, p1.y - l.a.y);
        if (sign(d0) == sign(d1)) continue;
        const double mx = p1.x - p0.x, my = p1.y - p0.y;
        const double e0 = cross(mx, my, l.a.x - p0.x, l.a.y - p0.y);
        const double e1 = cross(mx, my, l.b.x - p0.x, l.b.y - p0.y);
        if (e0 * e1 > 0) continue;  // passes beside the segment
        Crossing c{l.id, t.id, sign(d1) == forwardSide_[i] ? Direction::Forward : Direction::Backward, tMs, t.cls,
                   t.speedKmh};
        const bool pendingAlready = std::any_of(memo.pending.begin(), memo.pending.end(),
                                                [&](const Crossing& p) { return p.line == l.id; });
        if (!t.confirmed) {
          if (!pendingAlready) memo.pending.push_back(std::move(c));
        } else {
          count(std::move(c), i, memo, t, out);
        }
      }
    }
    memo.lastFoot = t.foot;
    memo.hasLast = true;
    if (!t.confirmed) continue;
    // Crossings made while tentative.
    for (auto& c : memo.pending) {
      for (size_t i = 0; i < spec_.lines.size(); ++i) {
        if (spec_.lines[i].id != c.line) continue;
        count(std::move(c), i, memo, t, out);
        break;
      }
    }
    memo.pending.clear();

    seen_.insert(t.id);
    if (t.lane >= 0) {
      const auto lane = static_cast<size_t>(t.lane);
      occupied[lane] = 1;
      if (memo.enteredLanes.insert(lane).second) lanes_[lane].vehicles[t.cls] += 1;
      if (t.speedKmh) {
        lanes_[lane].speedSum += *t.speedKmh;
        lanes_[lane].speedN += 1;
      }
    }
    if (t.speedKmh && (t.lane >= 0 || spec_.lanes.empty())) {
      camSpeedSum_ += *t.speedKmh;
      camSpeedN_ += 1;
    }
  }
  for (size_t i = 0; i < lanes_.size(); ++i)
    if (occupied[i]) lanes_[i].occupiedMs += dt;
  return out;
}

void Counter::forget(int trackId) { memo_.erase(trackId); }

IntervalMetrics Counter::closeInterval(bool partial) const {
  IntervalMetrics m;
  m.startMs = startMs_;
  m.endMs = endMs_;
  m.observedS = static_cast<double>(observedMs_) / 1000.0;
  m.partial = partial;
  const int64_t spanMs = observedMs_ > 0 ? observedMs_ : std::max<int64_t>(1, endMs_ - startMs_);
  const double h = hours(spanMs);
  const auto& los = spec_.los;

  for (size_t i = 0; i < spec_.lines.size(); ++i) {
    const auto& acc = lines_[i];
    LineInterval li;
    li.id = spec_.lines[i].id;
    li.forward = acc.forward;
    li.backward = acc.backward;
    li.flowVehH = static_cast<double>(li.total()) / h;
    if (acc.speedN > 0) li.meanSpeedKmh = static_cast<double>(acc.speedN) / acc.invSpeedSum;
    li.densityVehKm = LevelOfService::density(li.flowVehH, li.meanSpeedKmh);
    li.los = LevelOfService::of(li.meanSpeedKmh, spec_.freeFlowKmh, los);
    li.congested = LevelOfService::congested(li.los);
    m.camera.crossings += li.total();
    m.lines.push_back(std::move(li));
  }
  double occSum = 0;
  for (size_t i = 0; i < spec_.lanes.size(); ++i) {
    const auto& acc = lanes_[i];
    LaneInterval la;
    la.id = spec_.lanes[i].id;
    la.vehicles = acc.vehicles;
    la.flowVehH = static_cast<double>(acc.vehicles.total()) / h;
    if (acc.speedN > 0) la.meanSpeedKmh = acc.speedSum / static_cast<double>(acc.speedN);
    la.occupancyPct = observedMs_ > 0 ? 100.0 * static_cast<double>(acc.occupiedMs) / static_cast<double>(observedMs_) : 0;
    la.densityVehKm = LevelOfService::density(la.flowVehH, la.meanSpeedKmh);
    la.los = LevelOfService::of(la.meanSpeedKmh, spec_.freeFlowKmh, los);
    la.congested = LevelOfService::congested(la.los);
    occSum += la.occupancyPct;
    m.lanes.push_back(std::move(la));
  }
  m.camera.tracks = static_cast<int64_t>(seen_.size());
  if (camSpeedN_ > 0) m.camera.meanSpeedKmh = camSpeedSum_ / static_cast<double>(camSpeedN_);
  m.camera.occupancyPct = spec_.lanes.empty() ? 0 : occSum / static_cast<double>(spec_.lanes.size());
  m.camera.los = LevelOfService::of(m.camera.meanSpeedKmh, spec_.freeFlowKmh, los);
  m.camera.congested = LevelOfService::congested(m.camera.los);
  return m;
}

}  // namespace cityops::traffic
