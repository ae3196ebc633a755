#pragma once
// Incident and IncidentLog: what went wrong on the road or with the camera, and when (docs/traffic.md, "Incidents").
// An incident opens at its start and closes when the condition ends (endMs stays -1 while it lasts).
//
// Kinds: stopped_vehicle, wrong_way, sudden_queue (road); camera_offline, camera_frozen, camera_dark,
// camera_blurred (health).
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace cityops::traffic {

struct Incident {
  uint64_t id = 0;          // per log, from 1
  std::string kind;
  int64_t startMs = 0;
  int64_t endMs = -1;       // -1 while it lasts
  std::string camera;
  std::string lane;         // "" when not about a lane
  int track = -1;           // -1 when not about a track
  double value = 0;         // kind-specific: seconds stopped, metres against the lane, occupancy %, luma, ...
  std::string details;      // a sentence for a human
};

class IncidentLog {
 public:
  /// Records an open (or, with endMs set, already closed) incident; returns its id.
  uint64_t open(Incident incident);
  /// Closes an open incident at endMs (no-op when unknown or already closed).
  void close(uint64_t id, int64_t endMs);
  /// Updates the value and details of an open incident.
  void update(uint64_t id, double value, std::string details);

  /// Every incident kept, oldest first.
  const std::deque<Incident>& all() const { return all_; }
  /// Incidents opened or closed since the last call, each once in its current state, for live consumers.
  std::vector<Incident> takeChanges();
  /// Forgets closed incidents beyond the newest `keep` (long-running cameras).
  void trim(size_t keep);

 private:
  Incident* find(uint64_t id);
  std::deque<Incident> all_;
  std::vector<uint64_t> changed_;
  uint64_t nextId_ = 1;
};

}  // namespace cityops::traffic
