#pragma once
// The observations a live camera writes on its entity (docs/traffic.md, "Metrics in the store"), at the end of each
// interval (time = the interval's end):
//
//   camera:    count_<class>_<fwd|bwd>  crossings of all lines by class and direction (with one line: that line's)
//              count_total              all crossings
//              tracks                   confirmed tracks seen in the interval
//              flow_veh_h               mean of the lines' flows (no lines: the sum of the lanes' flows)
//              speed_kmh                space-mean speed (absent when nobody was measured)
//              occupancy_pct            mean over the lanes (only with lanes)
//              density_veh_km           flow_veh_h / speed_kmh (speed floored at 1; 0 without flow)
//              los                      level of service A..F as 1..6
//              congested                1 at LOS E or F, else 0
//   line L:    count_<class>_<fwd|bwd>__L, count_total__L, flow_veh_h__L, speed_kmh__L, density_veh_km__L, los__L,
//              congested__L
//   lane L:    count_<class>__L (vehicles that entered it), count_total__L, flow_veh_h__L, speed_kmh__L,
//              occupancy_pct__L, density_veh_km__L, los__L, congested__L
//
// <class> is two_wheeler, car, bus_truck (classes "vehicles") or person ("people"); L is the line or lane id
// lower-cased with anything outside [a-z0-9_] as '_' (metricSuffix: "stop-line" -> "stop_line").
//
// Incident state, written when it changes and with every interval: > 0 while such an incident is open - the
// number n of the newest open one, whose snapshot is GET /api/v1/cameras/{id}/incidents/{n}.jpg - and 0 when none
// is (incidentKinds()).
#include "model/Observation.hpp"
#include "rules/Severity.hpp"
#include "traffic/CameraSpec.hpp"
#include "traffic/IntervalMetrics.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace cityops::cameras {

/// Longest line / lane suffix: the longest metric, count_two_wheeler_fwd__<suffix>, stays within 64 characters.
inline constexpr size_t kMaxSuffix = 40;

/// "Stop-Line 1" -> "stop_line_1".
std::string metricSuffix(std::string_view id);

/// The observations of one closed interval (none when nothing was observed).
std::vector<model::Observation> intervalObservations(const std::string& entity, const traffic::IntervalMetrics& m,
                                                     traffic::Classes classes);

/// LOS letter -> 1..6.
double losNumber(char los);

struct IncidentKind {
  std::string_view kind;    // the analytics' incident kind ("stopped_vehicle")
  std::string_view metric;  // its state metric ("incident_stopped")
  std::string_view rule;    // its rule's suffix: camera.<id>.<rule>
  rules::Severity severity;
  std::string_view title;   // for rule names and messages
  bool snapshot;            // saved with a snapshot of the picture
};

/// stopped_vehicle, wrong_way, sudden_queue, camera_offline, camera_frozen, camera_dark, camera_blurred.
const std::vector<IncidentKind>& incidentKinds();
const IncidentKind* incidentKind(std::string_view kind);

}  // namespace cityops::cameras
