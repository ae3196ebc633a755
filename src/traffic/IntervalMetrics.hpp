#pragma once
// IntervalMetrics: what one camera measured over one reporting interval (docs/traffic.md, "Metrics").
#include "traffic/VehicleClass.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cityops::traffic {

enum class Direction { Forward, Backward };

/// "forward" / "backward".
inline const char* directionName(Direction d) { return d == Direction::Forward ? "forward" : "backward"; }

/// Counts per VehicleClass (indexed by the enum).
struct ClassCounts {
  std::array<int64_t, kAllClasses.size()> n{};
  int64_t& operator[](VehicleClass c) { return n[static_cast<size_t>(c)]; }
  int64_t operator[](VehicleClass c) const { return n[static_cast<size_t>(c)]; }
  int64_t total() const {
    int64_t t = 0;
    for (auto x : n) t += x;
    return t;
  }
  ClassCounts& operator+=(const ClassCounts& o) {
    for (size_t i = 0; i < n.size(); ++i) n[i] += o.n[i];
    return *this;
  }
};

/// A counted crossing of a line.
struct Crossing {
  std::string line;
  int track = 0;
  Direction direction = Direction::Forward;
  int64_t tMs = 0;
  VehicleClass cls = VehicleClass::Car;
  std::optional<double> speedKmh;
};

struct LineInterval {
  std::string id;
  ClassCounts forward;
  ClassCounts backward;
  double flowVehH = 0;                   // both directions
  std::optional<double> meanSpeedKmh;    // space-mean (harmonic mean of the crossing speeds)
  std::optional<double> densityVehKm;    // flow / speed
  char los = 'A';
  bool congested = false;
  int64_t total() const { return forward.total() + backward.total(); }
};

struct LaneInterval {
  std::string id;
  ClassCounts vehicles;                  // tracks that entered the lane in the interval
  double flowVehH = 0;
  std::optional<double> meanSpeedKmh;    // space-mean (speeds of the vehicles in the lane, sampled every frame)
  double occupancyPct = 0;               // share of the observed time with a vehicle in the lane
  std::optional<double> densityVehKm;
  char los = 'A';
  bool congested = false;
};

struct CameraInterval {
  int64_t tracks = 0;                    // confirmed tracks seen in the interval
  int64_t crossings = 0;                 // line crossings counted
  std::optional<double> meanSpeedKmh;    // space-mean over the tracks in lanes (all tracks when there are no lanes)
  double occupancyPct = 0;               // mean over the lanes
  char los = 'A';
  bool congested = false;
};

struct IntervalMetrics {
  int64_t startMs = 0;
  int64_t endMs = 0;
  double observedS = 0;                  // time covered by frames
  bool partial = false;                  // the stream started or ended inside the interval
  CameraInterval camera;
  std::vector<LineInterval> lines;
  std::vector<LaneInterval> lanes;
};

/// Whole-run totals of one line.
struct LineTotals {
  std::string id;
  ClassCounts forward;
  ClassCounts backward;
};

}  // namespace cityops::traffic
