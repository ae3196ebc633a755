#include "flood/AlarmLevels.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

namespace cityops::flood {

namespace json = boost::json;

int AlarmLevels::levelAt(double metres) const {
  for (int i = 2; i >= 0; --i)
    if (bd[static_cast<size_t>(i)] && metres > *bd[static_cast<size_t>(i)]) return i + 1;
  return 0;
}

Result<AlarmLevels> alarmLevelsOf(const model::Entity& e) {
  AlarmLevels out;
  std::optional<double> previous;
  for (size_t i = 0; i < 3; ++i) {
    const std::string key = "bd" + std::to_string(i + 1);
    const auto* v = e.attributes.if_contains(key);
    if (!v || v->is_null()) continue;
    if (!v->is_number() || !std::isfinite(v->to_number<double>()))
      return BadRequest("attributes." + key + " must be a number of metres");
    const double d = v->to_number<double>();
    if (previous && d <= *previous)
      return BadRequest("attributes." + key + " must be above the lower alarm levels (they rise from bd1 to bd3)");
    previous = d;
    out.bd[i] = d;
  }
  return out;
}

RiskLevel riskLevel(int level) {
  switch (level) {
    case 1: return {1, "light blue", "xanh dương nhạt", "#7fc8f8"};
    case 2: return {2, "light yellow", "vàng nhạt", "#fff59d"};
    case 3: return {3, "orange", "da cam", "#ff9800"};
    case 4: return {4, "red", "đỏ", "#e53935"};
    case 5: return {5, "purple", "tím", "#8e24aa"};
    default: return {0, "none", "không", "#9e9e9e"};
  }
}

RiskLevel riskLevelAt(const model::Entity& e, const AlarmLevels& levels, double metres) {
  if (const auto* risk = e.attributes.if_contains("risk"); risk && risk->is_array()) {
    int level = 0;
    for (const auto& item : risk->as_array()) {
      const auto* o = item.if_object();
      if (!o) continue;
      const auto* above = o->if_contains("above");
      const auto* lv = o->if_contains("level");
      if (!above || !above->is_number() || !lv || !lv->is_int64()) continue;
      if (metres > above->to_number<double>()) level = std::max(level, static_cast<int>(lv->as_int64()));
    }
    return riskLevel(std::clamp(level, 0, 5));
  }
  if (!levels.any()) return riskLevel(0);
  std::optional<double> top = levels.bd[2] ? levels.bd[2] : levels.bd[1] ? levels.bd[1] : levels.bd[0];
  const double first = levels.bd[0] ? *levels.bd[0] : levels.bd[1] ? *levels.bd[1] : *levels.bd[2];
  std::optional<double> peak;
  if (const auto* peaks = e.attributes.if_contains("peaks"); peaks && peaks->is_array())
    for (const auto& p : peaks->as_array())
      if (const auto* o = p.if_object(); o && o->contains("value") && o->at("value").is_number())
        peak = std::max(peak.value_or(-INFINITY), o->at("value").to_number<double>());
  if (peak && metres > *peak && metres > *top) return riskLevel(4);
  if (metres > *top + 1.0) return riskLevel(3);
  if (metres > *top) return riskLevel(2);
  if (metres > first) return riskLevel(1);
  return riskLevel(0);
}

}  // namespace cityops::flood
