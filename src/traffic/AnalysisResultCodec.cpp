#include "traffic/AnalysisResultCodec.hpp"

#include <boost/json.hpp>

#include <cmath>

namespace cityops::traffic {

namespace json = boost::json;

namespace {

double r2(double v) { return std::isfinite(v) ? std::round(v * 100.0) / 100.0 : 0.0; }

json::value opt(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return r2(*v);
}

json::string los(char c) { return json::string(1, c); }

json::object directionJson(const ClassCounts& c) {
  return json::object{{"total", c.total()}, {"by_class", AnalysisResultCodec::countsJson(c)}};
}

}  // namespace

json::object AnalysisResultCodec::countsJson(const ClassCounts& c) {
  json::object o;
  for (auto cls : kAllClasses)
    if (c[cls] != 0) o[className(cls)] = c[cls];
  return o;
}

json::object AnalysisResultCodec::intervalJson(const IntervalMetrics& m) {
  json::object cam{{"tracks", m.camera.tracks},
                   {"crossings", m.camera.crossings},
                   {"mean_speed_kmh", opt(m.camera.meanSpeedKmh)},
                   {"occupancy_pct", r2(m.camera.occupancyPct)},
                   {"los", los(m.camera.los)},
                   {"congested", m.camera.congested}};
  json::array lines;
  for (const auto& l : m.lines)
    lines.push_back(json::object{{"id", l.id},
                                 {"forward", directionJson(l.forward)},
                                 {"backward", directionJson(l.backward)},
                                 {"total", l.total()},
                                 {"flow_veh_h", r2(l.flowVehH)},
                                 {"mean_speed_kmh", opt(l.meanSpeedKmh)},
                                 {"density_veh_km", opt(l.densityVehKm)},
                                 {"los", los(l.los)},
                                 {"congested", l.congested}});
  json::array lanes;
  for (const auto& l : m.lanes)
    lanes.push_back(json::object{{"id", l.id},
                                 {"vehicles", directionJson(l.vehicles)},
                                 {"flow_veh_h", r2(l.flowVehH)},
                                 {"mean_speed_kmh", opt(l.meanSpeedKmh)},
                                 {"occupancy_pct", r2(l.occupancyPct)},
                                 {"density_veh_km", opt(l.densityVehKm)},
                                 {"los", los(l.los)},
                                 {"congested", l.congested}});
  return json::object{{"start_ms", m.startMs}, {"end_ms", m.endMs},     {"observed_s", r2(m.observedS)},
                      {"partial", m.partial},  {"camera", std::move(cam)}, {"lines", std::move(lines)},
                      {"lanes", std::move(lanes)}};
}

json::object AnalysisResultCodec::lineTotalsJson(const LineTotals& t) {
  return json::object{{"id", t.id},
                      {"forward", directionJson(t.forward)},
                      {"backward", directionJson(t.backward)},
                      {"total", t.forward.total() + t.backward.total()}};
}

json::object AnalysisResultCodec::trackJson(const TrackSummary& t) {
  json::array lanes;
  for (const auto& l : t.lanes) lanes.push_back(json::string(l));
  json::array crossings;
  for (const auto& c : t.crossings)
    crossings.push_back(json::object{{"line", c.line},
                                     {"direction", directionName(c.direction)},
                                     {"t_ms", c.tMs},
                                     {"class", className(c.cls)},
                                     {"speed_kmh", opt(c.speedKmh)}});
  return json::object{{"id", t.id},
                      {"class", className(t.cls)},
                      {"first_ms", t.firstMs},
                      {"last_ms", t.lastMs},
                      {"frames", t.frames},
                      {"mean_speed_kmh", opt(t.meanSpeedKmh)},
                      {"max_speed_kmh", opt(t.maxSpeedKmh)},
                      {"distance_m", r2(t.distanceM)},
                      {"area_m2", r2(t.areaM2)},
                      {"lanes", std::move(lanes)},
                      {"crossings", std::move(crossings)},
                      {"stopped", t.stopped},
                      {"wrong_way", t.wrongWay}};
}

json::object AnalysisResultCodec::incidentJson(const Incident& i) {
  json::object o{{"id", i.id}, {"kind", i.kind}, {"start_ms", i.startMs}, {"camera", i.camera}};
  o["end_ms"] = i.endMs >= 0 ? json::value(i.endMs) : json::value(nullptr);
  o["lane"] = i.lane.empty() ? json::value(nullptr) : json::value(i.lane);
  o["track"] = i.track >= 0 ? json::value(i.track) : json::value(nullptr);
  o["value"] = r2(i.value);
  o["details"] = i.details;
  return o;
}

json::object AnalysisResultCodec::toJson(const AnalysisResult& r) {
  json::array intervals, lines, tracks, incidents;
  for (const auto& m : r.intervals) intervals.push_back(intervalJson(m));
  for (const auto& l : r.lines) lines.push_back(lineTotalsJson(l));
  for (const auto& t : r.tracks) tracks.push_back(trackJson(t));
  for (const auto& i : r.incidents) incidents.push_back(incidentJson(i));
  json::object o;
  o["camera"] = r.camera;
  o["source"] = r.source;
  o["annotated"] = r.annotated.empty() ? json::value(nullptr) : json::value(r.annotated);
  o["frame_size"] = json::array{r.width, r.height};
  o["source_fps"] = r2(r.sourceFps);
  o["frames"] = r.frames;
  o["duration_s"] = r2(r.durationS);
  o["elapsed_s"] = r2(r.elapsedS);
  o["frames_per_second"] = r2(r.processingFps);
  o["stopped_early"] = r.stopped;
  o["lines"] = std::move(lines);
  o["intervals"] = std::move(intervals);
  o["tracks"] = std::move(tracks);
  o["incidents"] = std::move(incidents);
  return o;
}

}  // namespace cityops::traffic
