#include "cameras/CameraMetrics.hpp"

#include "traffic/VehicleClass.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace cityops::cameras {

namespace {

using traffic::VehicleClass;

std::vector<VehicleClass> classesOf(traffic::Classes c) {
  if (c == traffic::Classes::People) return {VehicleClass::Person};
  return {VehicleClass::TwoWheeler, VehicleClass::Car, VehicleClass::BusTruck};
}

class Writer {
 public:
  Writer(const std::string& entity, int64_t t, std::vector<model::Observation>& out)
      : entity_(entity), t_(t), out_(out) {}
  void put(const std::string& metric, double v) {
    if (std::isfinite(v)) out_.push_back(model::Observation{entity_, metric, t_, v, model::Quality::Good});
  }
  void put(const std::string& metric, const std::optional<double>& v) {
    if (v) put(metric, *v);
  }
  /// flow, speed, density, LOS, congested with a suffix.
  void traffic(const std::string& suffix, double flow, const std::optional<double>& speed,
               const std::optional<double>& density, char los, bool congested) {
    put("flow_veh_h" + suffix, flow);
    put("speed_kmh" + suffix, speed);
    put("density_veh_km" + suffix, density);
    put("los" + suffix, losNumber(los));
    put("congested" + suffix, congested ? 1.0 : 0.0);
  }

 private:
  const std::string& entity_;
  int64_t t_;
  std::vector<model::Observation>& out_;
};

std::optional<double> densityOf(double flow, const std::optional<double>& speed) {
  if (flow <= 0) return 0.0;
  if (!speed) return std::nullopt;
  return flow / std::max(*speed, 1.0);
}

}  // namespace

std::string metricSuffix(std::string_view id) {
  std::string out;
  out.reserve(id.size());
  for (char c : id) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    out += ok ? c : '_';
  }
  return out;
}

double losNumber(char los) { return los >= 'A' && los <= 'F' ? los - 'A' + 1 : 1; }

std::vector<model::Observation> intervalObservations(const std::string& entity, const traffic::IntervalMetrics& m,
                                                     traffic::Classes classes) {
  std::vector<model::Observation> out;
  if (!(m.observedS > 0)) return out;
  Writer w(entity, m.endMs, out);
  const auto kinds = classesOf(classes);

  // The camera.
  traffic::ClassCounts fwd, bwd;
  double lineFlow = 0;
  for (const auto& l : m.lines) {
    fwd += l.forward;
    bwd += l.backward;
    lineFlow += l.flowVehH;
  }
  for (auto c : kinds) {
    const std::string cls(traffic::className(c));
    w.put("count_" + cls + "_fwd", static_cast<double>(fwd[c]));
    w.put("count_" + cls + "_bwd", static_cast<double>(bwd[c]));
  }
  w.put("count_total", static_cast<double>(fwd.total() + bwd.total()));
  w.put("tracks", static_cast<double>(m.camera.tracks));
  std::optional<double> flow;
  if (!m.lines.empty()) {
    flow = lineFlow / static_cast<double>(m.lines.size());
  } else if (!m.lanes.empty()) {
    double sum = 0;
    for (const auto& l : m.lanes) sum += l.flowVehH;
    flow = sum;
  }
  if (flow) w.traffic("", *flow, m.camera.meanSpeedKmh, densityOf(*flow, m.camera.meanSpeedKmh), m.camera.los,
                      m.camera.congested);
  else {
    w.put("speed_kmh", m.camera.meanSpeedKmh);
    w.put("los", losNumber(m.camera.los));
    w.put("congested", m.camera.congested ? 1.0 : 0.0);
  }
  if (!m.lanes.empty()) w.put("occupancy_pct", m.camera.occupancyPct);

  // Lines and lanes.
  for (const auto& l : m.lines) {
    const std::string s = "__" + metricSuffix(l.id);
    for (auto c : kinds) {
      const std::string cls(traffic::className(c));
      w.put("count_" + cls + "_fwd" + s, static_cast<double>(l.forward[c]));
      w.put("count_" + cls + "_bwd" + s, static_cast<double>(l.backward[c]));
    }
    w.put("count_total" + s, static_cast<double>(l.total()));
    w.traffic(s, l.flowVehH, l.meanSpeedKmh, l.densityVehKm, l.los, l.congested);
  }
  for (const auto& l : m.lanes) {
    const std::string s = "__" + metricSuffix(l.id);
    for (auto c : kinds) w.put("count_" + std::string(traffic::className(c)) + s, static_cast<double>(l.vehicles[c]));
    w.put("count_total" + s, static_cast<double>(l.vehicles.total()));
    w.put("occupancy_pct" + s, l.occupancyPct);
    w.traffic(s, l.flowVehH, l.meanSpeedKmh, l.densityVehKm, l.los, l.congested);
  }
  return out;
}

const std::vector<IncidentKind>& incidentKinds() {
  using S = rules::Severity;
  static const std::vector<IncidentKind> kinds{
      {"stopped_vehicle", "incident_stopped", "stopped", S::Major, "stopped vehicle", true},
      {"wrong_way", "incident_wrong_way", "wrong_way", S::Major, "wrong-way vehicle", true},
      {"sudden_queue", "incident_queue", "queue", S::Minor, "sudden queue", true},
      {"camera_offline", "camera_offline", "offline", S::Minor, "camera offline", false},
      {"camera_frozen", "camera_frozen", "frozen", S::Minor, "picture frozen", true},
      {"camera_dark", "camera_dark", "dark", S::Minor, "picture too dark", true},
      {"camera_blurred", "camera_blurred", "blurred", S::Minor, "picture blurred or obstructed", true},
  };
  return kinds;
}

const IncidentKind* incidentKind(std::string_view kind) {
  for (const auto& k : incidentKinds())
    if (k.kind == kind) return &k;
  return nullptr;
}

}  // namespace cityops::cameras
