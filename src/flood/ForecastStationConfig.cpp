#include "flood/ForecastStationConfig.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <initializer_list>

namespace cityops::flood {

namespace json = boost::json;

namespace {

Error bad(const std::string& key, const std::string& what) {
  return BadRequest("attributes." + key + " " + what);
}

/// A number at `key` of `o` when present; an error when present but not a finite number.
std::optional<Error> number(const json::object& o, const std::string& prefix, const char* key, double& out,
                            bool required = false) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) {
    if (required) return bad(prefix + key, "is required (a number)");
    return std::nullopt;
  }
  if (!v->is_number() || !std::isfinite(v->to_number<double>())) return bad(prefix + key, "must be a number");
  out = v->to_number<double>();
  return std::nullopt;
}

Result<RunoffParams> runoffOf(const json::object& o) {
  const std::string p = "runoff.";
  for (const auto& kv : o) {
    static const std::initializer_list<std::string_view> known = {
        "rain", "area_km2", "tc_h", "cn", "ia_ratio", "dry_reset_h", "uh", "step_min", "baseflow_m3s",
        "cn_spread", "noise_m", "rating"};
    bool ok = false;
    for (auto k : known) ok = ok || kv.key() == k;
    if (!ok) return bad(p + std::string(kv.key()), "is not a runoff parameter");
  }
  RunoffParams r;
  if (auto e = number(o, p, "area_km2", r.areaKm2, true)) return *e;
  if (auto e = number(o, p, "tc_h", r.tcHours, true)) return *e;
  if (auto e = number(o, p, "cn", r.curveNumber)) return *e;
  if (auto e = number(o, p, "ia_ratio", r.iaRatio)) return *e;
  if (auto e = number(o, p, "dry_reset_h", r.dryResetHours)) return *e;
  if (auto e = number(o, p, "baseflow_m3s", r.baseflowM3s)) return *e;
  if (auto e = number(o, p, "cn_spread", r.cnSpread)) return *e;
  if (auto e = number(o, p, "noise_m", r.noiseSigma)) return *e;
  double stepMin = static_cast<double>(r.stepMs) / kMinuteMs;
  if (auto e = number(o, p, "step_min", stepMin)) return *e;
  if (!(stepMin >= 1 && stepMin <= 60)) return bad(p + "step_min", "must be 1 to 60 minutes");
  r.stepMs = static_cast<int64_t>(std::llround(stepMin * kMinuteMs));
  if (const auto* uh = o.if_contains("uh")) {
    if (!uh->is_string()) return bad(p + "uh", "must be \"curvilinear\" or \"triangular\"");
    if (uh->get_string() == "curvilinear") r.shape = UnitHydrographShape::Curvilinear;
    else if (uh->get_string() == "triangular") r.shape = UnitHydrographShape::Triangular;
    else return bad(p + "uh", "must be \"curvilinear\" or \"triangular\"");
  }
  if (const auto* rating = o.if_contains("rating")) {
    if (!rating->is_object()) return bad(p + "rating", "must be a table {a, b, h0} (stage = a·Q^b + h0)");
    RatingCurve c;
    const auto& ro = rating->get_object();
    if (auto e = number(ro, p + "rating.", "a", c.a, true)) return *e;
    if (auto e = number(ro, p + "rating.", "b", c.b, true)) return *e;
    if (auto e = number(ro, p + "rating.", "h0", c.h0, true)) return *e;
    r.rating = c;
  }
  if (auto s = RunoffModel::validate(r); !s) return BadRequest("attributes." + s.error().message);
  return r;
}

}  // namespace

Result<ForecastStation> forecastStationOf(const model::Entity& e) {
  ForecastStation s;
  s.id = e.id;
  auto levels = alarmLevelsOf(e);
  if (!levels) return levels.error();
  s.levels = *levels;
  if (const auto* up = e.attributes.if_contains("upstream"); up && !up->is_null()) {
    if (!up->is_string() || up->get_string().empty()) return bad("upstream", "must be a station id");
    s.upstream = std::string(up->get_string());
    if (s.upstream == e.id) return bad("upstream", "cannot be the station itself");
  }
  s.tidal = e.hasTag("tidal");
  if (const auto* t = e.attributes.if_contains("tidal"); t && !t->is_null()) {
    if (!t->is_bool()) return bad("tidal", "must be true or false");
    s.tidal = t->get_bool();
  }
  if (const auto* ro = e.attributes.if_contains("runoff"); ro && !ro->is_null()) {
    if (!ro->is_object()) return bad("runoff", "must be a table of catchment parameters");
    const auto& o = ro->get_object();
    const auto* rain = o.if_contains("rain");
    if (!rain) return bad("runoff.rain", "is required: a rain gauge id or a list of them");
    if (rain->is_string()) {
      s.rainGauges.emplace_back(rain->get_string());
    } else if (rain->is_array()) {
      for (const auto& g : rain->get_array()) {
        if (!g.is_string() || g.get_string().empty()) return bad("runoff.rain", "must list rain gauge ids");
        s.rainGauges.emplace_back(g.get_string());
      }
    }
    if (s.rainGauges.empty()) return bad("runoff.rain", "must name at least one rain gauge");
    auto params = runoffOf(o);
    if (!params) return params.error();
    s.runoff = std::move(*params);
  }
  return s;
}

Result<std::vector<ForecastStation>> forecastStationsOf(const std::vector<model::Entity>& entities) {
  std::vector<ForecastStation> out;
  for (const auto& e : entities) {
    if (e.type != kStationType) continue;
    auto s = forecastStationOf(e);
    if (!s) return Error{s.error().code, e.id + ": " + s.error().message};
    out.push_back(std::move(*s));
  }
  return out;
}

}  // namespace cityops::flood
