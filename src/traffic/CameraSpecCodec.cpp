#include "traffic/CameraSpecCodec.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

namespace cityops::traffic {

namespace json = boost::json;

namespace {

std::string shown(std::string_view key) {
  std::string s = "'";
  s += key.substr(0, 64);
  s += key.size() > 64 ? "...'" : "'";
  return s;
}

std::string at(std::string_view path, size_t i) { return std::string(path) + "[" + std::to_string(i) + "]"; }
std::string member(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

Status checkKeys(const json::object& o, std::initializer_list<std::string_view> allowed, std::string_view where) {
  for (const auto& kv : o) {
    if (std::find(allowed.begin(), allowed.end(), kv.key()) != allowed.end()) continue;
    return BadRequest("unknown field " + shown(kv.key()) + " in " + std::string(where));
  }
  return {};
}

Result<const json::object*> object(const json::value& v, const std::string& path) {
  if (const auto* o = v.if_object()) return o;
  return BadRequest(path + " must be an object");
}

Result<const json::array*> array(const json::value& v, const std::string& path) {
  if (const auto* a = v.if_array()) return a;
  return BadRequest(path + " must be an array");
}

std::string num(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

/// A finite number in [lo, hi] (lo excluded when loOpen).
Result<double> number(const json::value& v, const std::string& path, double lo, double hi, bool loOpen = false) {
  double d = 0;
  if (v.is_double()) d = v.get_double();
  else if (v.is_int64()) d = static_cast<double>(v.get_int64());
  else if (v.is_uint64()) d = static_cast<double>(v.get_uint64());
  else return BadRequest(path + " must be a number");
  if (!std::isfinite(d)) return BadRequest(path + " must be a finite number");
  if (loOpen ? d <= lo : d < lo) return BadRequest(path + " must be " + (loOpen ? "above " : "at least ") + num(lo));
  if (d > hi) return BadRequest(path + " must be at most " + num(hi));
  return d;
}

Result<int> integer(const json::value& v, const std::string& path, int lo, int hi) {
  int64_t i = 0;
  if (v.is_int64()) i = v.get_int64();
  else if (v.is_uint64()) i = v.get_uint64() > static_cast<uint64_t>(hi) ? int64_t{hi} + 1 : int64_t(v.get_uint64());
  else if (v.is_double() && std::isfinite(v.get_double()) && std::floor(v.get_double()) == v.get_double() &&
           std::fabs(v.get_double()) < 1e9)
    i = static_cast<int64_t>(v.get_double());
  else return BadRequest(path + " must be an integer");
  if (i < lo || i > hi) return BadRequest(path + " must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return static_cast<int>(i);
}

Result<Point2> point(const json::value& v, const std::string& path) {
  const auto* a = v.if_array();
  if (!a || a->size() != 2) return BadRequest(path + " must be a pair of numbers [x, y]");
  auto x = number((*a)[0], path + "[0]", -kMaxCoordinate, kMaxCoordinate);
  if (!x) return x.error();
  auto y = number((*a)[1], path + "[1]", -kMaxCoordinate, kMaxCoordinate);
  if (!y) return y.error();
  return Point2{*x, *y};
}

Result<Point2> direction(const json::value& v, const std::string& path) {
  auto p = point(v, path);
  if (!p) return p;
  if (std::hypot(p->x, p->y) < 1e-9) return BadRequest(path + " must not be [0, 0] (it is a direction)");
  return p;
}

Result<std::vector<Point2>> points(const json::value& v, const std::string& path, size_t minN, size_t maxN) {
  auto a = array(v, path);
  if (!a) return a.error();
  if ((*a)->size() < minN || (*a)->size() > maxN)
    return BadRequest(path + (minN == maxN ? " must hold exactly " + std::to_string(minN)
                                            : " must hold " + std::to_string(minN) + " to " + std::to_string(maxN)) +
                      " points");
  std::vector<Point2> out;
  for (size_t i = 0; i < (*a)->size(); ++i) {
    auto p = point((**a)[i], at(path, i));
    if (!p) return p.error();
    out.push_back(*p);
  }
  return out;
}

Result<std::string> identifier(const json::value* v, const std::string& path) {
  if (!v) return BadRequest(path + " is required");
  const auto* s = v->if_string();
  if (!s) return BadRequest(path + " must be a string");
  if (s->empty() || s->size() > kMaxSpecId)
    return BadRequest(path + " must be 1 to " + std::to_string(kMaxSpecId) + " bytes");
  for (unsigned char c : *s)
    if (c < 0x20 || c == 0x7f) return BadRequest(path + " must not contain control characters");
  return std::string(s->data(), s->size());
}

double cross(Point2 u, Point2 v) { return u.x * v.y - u.y * v.x; }
Point2 sub(Point2 a, Point2 b) { return {a.x - b.x, a.y - b.y}; }

/// True when some three of the four points are (nearly) on one line: no homography then.
bool degenerate(const std::vector<Point2>& p) {
  double scale = 0;
  for (size_t i = 0; i < p.size(); ++i)
    for (size_t j = i + 1; j < p.size(); ++j) scale = std::max(scale, std::hypot(p[i].x - p[j].x, p[i].y - p[j].y));
  if (scale <= 0) return true;
  for (size_t i = 0; i < p.size(); ++i)
    for (size_t j = i + 1; j < p.size(); ++j)
      for (size_t k = j + 1; k < p.size(); ++k)
        if (std::fabs(cross(sub(p[j], p[i]), sub(p[k], p[i]))) < 1e-6 * scale * scale) return true;
  return false;
}

double polygonArea(const std::vector<Point2>& p) {
  double a = 0;
  for (size_t i = 0; i < p.size(); ++i) a += cross(p[i], p[(i + 1) % p.size()]);
  return std::fabs(a) / 2;
}

Status decodeLines(const json::value& v, CameraSpec& spec) {
  auto a = array(v, "lines");
  if (!a) return a.error();
  if ((*a)->size() > kMaxLines) return BadRequest("lines: at most " + std::to_string(kMaxLines) + " lines");
  std::set<std::string> ids;
  for (size_t i = 0; i < (*a)->size(); ++i) {
    const std::string path = at("lines", i);
    auto o = object((**a)[i], path);
    if (!o) return o.error();
    if (auto s = checkKeys(**o, {"id", "a", "b", "forward"}, path); !s) return s;
    CountLine line;
    auto id = identifier((*o)->if_contains("id"), member(path, "id"));
    if (!id) return id.error();
    line.id = *id;
    if (!ids.insert(line.id).second) return BadRequest(member(path, "id") + ": line " + shown(line.id) + " is repeated");
    for (auto [key, dst] : {std::pair{"a", &line.a}, std::pair{"b", &line.b}}) {
      const auto* pv = (*o)->if_contains(key);
      if (!pv) return BadRequest(member(path, key) + " is required");
      auto p = point(*pv, member(path, key));
      if (!p) return p.error();
      *dst = *p;
    }
    if (std::hypot(line.b.x - line.a.x, line.b.y - line.a.y) < 1)
      return BadRequest(path + ": a and b must be at least one pixel apart");
    const auto* fv = (*o)->if_contains("forward");
    if (!fv) return BadRequest(member(path, "forward") + " is required");
    auto f = direction(*fv, member(path, "forward"));
    if (!f) return f.error();
    line.forward = *f;
    const Point2 ab = sub(line.b, line.a);
    if (std::fabs(cross(ab, line.forward)) < 1e-3 * std::hypot(ab.x, ab.y) * std::hypot(f->x, f->y))
      return BadRequest(member(path, "forward") + " must point across the line, not along it");
    spec.lines.push_back(std::move(line));
  }
  return {};
}

Status decodeLanes(const json::value& v, CameraSpec& spec) {
  auto a = array(v, "lanes");
  if (!a) return a.error();
  if ((*a)->size() > kMaxLanes) return BadRequest("lanes: at most " + std::to_string(kMaxLanes) + " lanes");
  std::set<std::string> ids;
  for (size_t i = 0; i < (*a)->size(); ++i) {
    const std::string path = at("lanes", i);
    auto o = object((**a)[i], path);
    if (!o) return o.error();
    if (auto s = checkKeys(**o, {"id", "polygon", "forward"}, path); !s) return s;
    Lane lane;
    auto id = identifier((*o)->if_contains("id"), member(path, "id"));
    if (!id) return id.error();
    lane.id = *id;
    if (!ids.insert(lane.id).second) return BadRequest(member(path, "id") + ": lane " + shown(lane.id) + " is repeated");
    const auto* pv = (*o)->if_contains("polygon");
    if (!pv) return BadRequest(member(path, "polygon") + " is required");
    auto poly = points(*pv, member(path, "polygon"), 3, kMaxPolygonPoints);
    if (!poly) return poly.error();
    if (polygonArea(*poly) < 1) return BadRequest(member(path, "polygon") + " must enclose an area");
    lane.polygon = std::move(*poly);
    const auto* fv = (*o)->if_contains("forward");
    if (!fv) return BadRequest(member(path, "forward") + " is required");
    auto f = direction(*fv, member(path, "forward"));
    if (!f) return f.error();
    lane.forward = *f;
    spec.lanes.push_back(std::move(lane));
  }
  return {};
}

Status decodeCalibration(const json::value& v, CameraSpec& spec) {
  auto o = object(v, "calibration");
  if (!o) return o.error();
  if (auto s = checkKeys(**o, {"meters_per_pixel", "image_points", "world_points_m"}, "calibration"); !s) return s;
  const auto* mpp = (*o)->if_contains("meters_per_pixel");
  const auto* ip = (*o)->if_contains("image_points");
  const auto* wp = (*o)->if_contains("world_points_m");
  if (mpp && (ip || wp))
    return BadRequest("calibration: give either meters_per_pixel or image_points with world_points_m, not both");
  if (mpp) {
    auto m = number(*mpp, "calibration.meters_per_pixel", 0, 1000, true);
    if (!m) return m.error();
    spec.calibration.metersPerPixel = *m;
    return {};
  }
  if (!ip || !wp)
    return BadRequest("calibration needs meters_per_pixel, or image_points and world_points_m (four points each)");
  auto img = points(*ip, "calibration.image_points", 4, 4);
  if (!img) return img.error();
  auto world = points(*wp, "calibration.world_points_m", 4, 4);
  if (!world) return world.error();
  if (degenerate(*img)) return BadRequest("calibration.image_points: three of the points lie on one line");
  if (degenerate(*world)) return BadRequest("calibration.world_points_m: three of the points lie on one line");
  spec.calibration.imagePoints = std::move(*img);
  spec.calibration.worldPointsM = std::move(*world);
  return {};
}

Status decodeLos(const json::value& v, LosThresholds& los) {
  auto o = object(v, "los_thresholds");
  if (!o) return o.error();
  if (auto s = checkKeys(**o, {"A", "B", "C", "D", "E"}, "los_thresholds"); !s) return s;
  for (auto [key, dst] : {std::pair{"A", &los.a}, std::pair{"B", &los.b}, std::pair{"C", &los.c},
                          std::pair{"D", &los.d}, std::pair{"E", &los.e}}) {
    if (const auto* x = (*o)->if_contains(key)) {
      auto d = number(*x, member("los_thresholds", key), 0, 1, true);
      if (!d) return d.error();
      *dst = *d;
    }
  }
  if (!(los.a > los.b && los.b > los.c && los.c > los.d && los.d > los.e))
    return BadRequest("los_thresholds must decrease from A to E (A > B > C > D > E)");
  return {};
}

struct NumberField {
  const char* key;
  double* dst;
  double lo;
  double hi;
  bool loOpen;
};

Status decodeNumbers(const json::object& o, std::string_view where, std::initializer_list<NumberField> fields) {
  for (const auto& f : fields) {
    if (const auto* x = o.if_contains(f.key)) {
      auto d = number(*x, member(where, f.key), f.lo, f.hi, f.loOpen);
      if (!d) return d.error();
      *f.dst = *d;
    }
  }
  return {};
}

Status decodeSections(const json::object& root, CameraSpec& spec) {
  if (const auto* v = root.if_contains("queue")) {
    auto o = object(*v, "queue");
    if (!o) return o.error();
    if (auto s = checkKeys(**o, {"occupancy_jump_pct", "speed_drop"}, "queue"); !s) return s;
    if (auto s = decodeNumbers(**o, "queue", {{"occupancy_jump_pct", &spec.queueOccupancyJumpPct, 0, 100, true},
                                              {"speed_drop", &spec.queueSpeedDrop, 0, 1, true}});
        !s)
      return s;
  }
  if (const auto* v = root.if_contains("class_size_m2")) {
    auto o = object(*v, "class_size_m2");
    if (!o) return o.error();
    if (auto s = checkKeys(**o, {"two_wheeler_max", "car_max"}, "class_size_m2"); !s) return s;
    if (auto s = decodeNumbers(**o, "class_size_m2", {{"two_wheeler_max", &spec.classSizes.twoWheelerMaxM2, 0, 1e4, true},
                                                      {"car_max", &spec.classSizes.carMaxM2, 0, 1e4, true}});
        !s)
      return s;
    if (spec.classSizes.carMaxM2 <= spec.classSizes.twoWheelerMaxM2)
      return BadRequest("class_size_m2.car_max must be above class_size_m2.two_wheeler_max");
  }
  if (const auto* v = root.if_contains("health")) {
    auto o = object(*v, "health");
    if (!o) return o.error();
    if (auto s = checkKeys(**o, {"dark_mean_luma", "blur_laplacian_var", "frozen_max_diff", "frozen_after_s",
                                 "sustain_s", "offline_after_s"},
                           "health");
        !s)
      return s;
    auto& h = spec.health;
    if (auto s = decodeNumbers(**o, "health", {{"dark_mean_luma", &h.darkMeanLuma, 0, 255, false},
                                               {"blur_laplacian_var", &h.blurLaplacianVar, 0, 1e6, false},
                                               {"frozen_max_diff", &h.frozenMaxDiff, 0, 255, false},
                                               {"frozen_after_s", &h.frozenAfterS, 0, 86400, true},
                                               {"sustain_s", &h.sustainS, 0, 86400, false},
                                               {"offline_after_s", &h.offlineAfterS, 0, 86400, true}});
        !s)
      return s;
  }
  if (const auto* v = root.if_contains("tracker")) {
    auto o = object(*v, "tracker");
    if (!o) return o.error();
    if (auto s = checkKeys(**o, {"confirm_hits", "max_misses", "min_iou"}, "tracker"); !s) return s;
    if (const auto* x = (*o)->if_contains("confirm_hits")) {
      auto i = integer(*x, "tracker.confirm_hits", 1, 100);
      if (!i) return i.error();
      spec.tracker.confirmHits = *i;
    }
    if (const auto* x = (*o)->if_contains("max_misses")) {
      auto i = integer(*x, "tracker.max_misses", 0, 1000);
      if (!i) return i.error();
      spec.tracker.maxMisses = *i;
    }
    if (auto s = decodeNumbers(**o, "tracker", {{"min_iou", &spec.tracker.minIou, 0, 1, true}}); !s) return s;
  }
  return {};
}

json::array pointJson(Point2 p) { return {p.x, p.y}; }

}  // namespace

std::string_view classesName(Classes c) { return c == Classes::People ? "people" : "vehicles"; }
std::string_view detectorName(DetectorKind d) { return d == DetectorKind::Knn ? "knn" : "mog2"; }

Result<CameraSpec> CameraSpecCodec::fromJson(const json::value& v) {
  const auto* root = v.if_object();
  if (!root) return BadRequest("the camera file must be a JSON object");
  if (auto s = checkKeys(*root,
                         {"id", "lines", "lanes", "calibration", "interval_s", "classes", "free_flow_kmh",
                          "los_thresholds", "stopped_after_s", "stopped_speed_kmh", "wrong_way_min_m", "queue",
                          "min_area_px", "detector", "downscale_width", "class_size_m2", "health", "tracker",
                          "speed_window_s"},
                         "the camera file");
      !s)
    return s.error();
  CameraSpec spec;
  if (const auto* id = root->if_contains("id")) {
    auto s = identifier(id, "id");
    if (!s) return s.error();
    spec.id = *s;
  }
  if (const auto* x = root->if_contains("lines"))
    if (auto s = decodeLines(*x, spec); !s) return s.error();
  if (const auto* x = root->if_contains("lanes"))
    if (auto s = decodeLanes(*x, spec); !s) return s.error();
  const auto* cal = root->if_contains("calibration");
  if (!cal) return BadRequest("calibration is required: {\"meters_per_pixel\": m} or image_points with world_points_m");
  if (auto s = decodeCalibration(*cal, spec); !s) return s.error();
  if (auto s = decodeNumbers(*root, "", {{"interval_s", &spec.intervalS, 0, 86400, true},
                                         {"free_flow_kmh", &spec.freeFlowKmh, 0, 300, true},
                                         {"stopped_after_s", &spec.stoppedAfterS, 0, 86400, true},
                                         {"stopped_speed_kmh", &spec.stoppedSpeedKmh, 0, 100, true},
                                         {"wrong_way_min_m", &spec.wrongWayMinM, 0, 10000, true},
                                         {"min_area_px", &spec.minAreaPx, 0, 1e8, false},
                                         {"speed_window_s", &spec.speedWindowS, 0.1, 60, false}});
      !s)
    return s.error();
  if (const auto* x = root->if_contains("classes")) {
    const auto* s = x->if_string();
    if (s && *s == "vehicles") spec.classes = Classes::Vehicles;
    else if (s && *s == "people") spec.classes = Classes::People;
    else return BadRequest("classes must be \"vehicles\" or \"people\"");
  }
  if (const auto* x = root->if_contains("detector")) {
    const auto* s = x->if_string();
    if (s && *s == "mog2") spec.detector = DetectorKind::Mog2;
    else if (s && *s == "knn") spec.detector = DetectorKind::Knn;
    else return BadRequest("detector must be \"mog2\" or \"knn\"");
  }
  if (const auto* x = root->if_contains("downscale_width")) {
    auto i = integer(*x, "downscale_width", 64, 8192);
    if (!i) return i.error();
    spec.downscaleWidth = *i;
  }
  if (const auto* x = root->if_contains("los_thresholds"))
    if (auto s = decodeLos(*x, spec.los); !s) return s.error();
  if (auto s = decodeSections(*root, spec); !s) return s.error();
  return spec;
}

Result<CameraSpec> CameraSpecCodec::parse(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) return BadRequest("the camera file is not valid JSON: " + ec.message());
  return fromJson(v);
}

Result<CameraSpec> CameraSpecCodec::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read the camera file " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  auto spec = parse(buf.str());
  if (!spec) return BadRequest(path + ": " + spec.error().message);
  return spec;
}

json::object CameraSpecCodec::toJson(const CameraSpec& spec) {
  json::object o;
  o["id"] = spec.id;
  json::array lines;
  for (const auto& l : spec.lines)
    lines.push_back(json::object{{"id", l.id}, {"a", pointJson(l.a)}, {"b", pointJson(l.b)},
                                 {"forward", pointJson(l.forward)}});
  o["lines"] = std::move(lines);
  json::array lanes;
  for (const auto& l : spec.lanes) {
    json::array poly;
    for (const auto& p : l.polygon) poly.push_back(pointJson(p));
    lanes.push_back(json::object{{"id", l.id}, {"polygon", std::move(poly)}, {"forward", pointJson(l.forward)}});
  }
  o["lanes"] = std::move(lanes);
  json::object cal;
  if (spec.calibration.usesHomography()) {
    json::array ip, wp;
    for (const auto& p : spec.calibration.imagePoints) ip.push_back(pointJson(p));
    for (const auto& p : spec.calibration.worldPointsM) wp.push_back(pointJson(p));
    cal["image_points"] = std::move(ip);
    cal["world_points_m"] = std::move(wp);
  } else {
    cal["meters_per_pixel"] = spec.calibration.metersPerPixel;
  }
  o["calibration"] = std::move(cal);
  o["interval_s"] = spec.intervalS;
  o["classes"] = classesName(spec.classes);
  o["free_flow_kmh"] = spec.freeFlowKmh;
  o["los_thresholds"] = json::object{{"A", spec.los.a}, {"B", spec.los.b}, {"C", spec.los.c},
                                     {"D", spec.los.d}, {"E", spec.los.e}};
  o["stopped_after_s"] = spec.stoppedAfterS;
  o["stopped_speed_kmh"] = spec.stoppedSpeedKmh;
  o["wrong_way_min_m"] = spec.wrongWayMinM;
  o["queue"] = json::object{{"occupancy_jump_pct", spec.queueOccupancyJumpPct}, {"speed_drop", spec.queueSpeedDrop}};
  o["min_area_px"] = spec.minAreaPx;
  o["detector"] = detectorName(spec.detector);
  o["downscale_width"] = spec.downscaleWidth;
  o["class_size_m2"] = json::object{{"two_wheeler_max", spec.classSizes.twoWheelerMaxM2},
                                    {"car_max", spec.classSizes.carMaxM2}};
  const auto& h = spec.health;
  o["health"] = json::object{{"dark_mean_luma", h.darkMeanLuma},   {"blur_laplacian_var", h.blurLaplacianVar},
                             {"frozen_max_diff", h.frozenMaxDiff}, {"frozen_after_s", h.frozenAfterS},
                             {"sustain_s", h.sustainS},            {"offline_after_s", h.offlineAfterS}};
  o["tracker"] = json::object{{"confirm_hits", spec.tracker.confirmHits},
                              {"max_misses", spec.tracker.maxMisses},
                              {"min_iou", spec.tracker.minIou}};
  o["speed_window_s"] = spec.speedWindowS;
  return o;
}

}  // namespace cityops::traffic
