#pragma once
// A water-level station's alarm levels (báo động I/II/III, Decision 05/2020/QĐ-TTg) and the disaster risk level
// (cấp độ rủi ro thiên tai 1–5, Decision 18/2021/QĐ-TTg) its water level maps to, read from the entity's attributes:
//   "bd1", "bd2", "bd3": metres (any of them may be missing; those given must rise strictly);
//   "risk": optional [{"above": metres, "level": 1..5}, ...] replacing the default mapping below;
//   "peaks": optional [{"value": metres, "label": "..."}] (historical peaks, for display).
#include "common/Result.hpp"
#include "model/Entity.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cityops::flood {

inline constexpr std::string_view kStationType = "WaterLevelStation";
inline constexpr std::string_view kRainGaugeType = "RainGauge";
inline constexpr std::string_view kLevelMetric = "water_level_m";
inline constexpr std::string_view kRainMetric = "rain_mm";

struct AlarmLevels {
  std::array<std::optional<double>, 3> bd;  // I, II, III
  bool any() const { return bd[0] || bd[1] || bd[2]; }
  /// 0 at or below every given level, else the highest level (1..3) the water is above (strictly, as the
  /// threshold rules read "above").
  int levelAt(double metres) const;
};

/// The levels of an entity; an error names the attribute when they are not numbers or do not rise strictly.
Result<AlarmLevels> alarmLevelsOf(const model::Entity& e);

struct RiskLevel {
  int level = 0;  // 0: none
  std::string_view colour;     // the decision's colour name (English)
  std::string_view colourVi;   // and in Vietnamese
  std::string_view hex;        // a display value for that colour (the decision names colours, not codes)
};
RiskLevel riskLevel(int level);

/// The risk level a water level maps to. Default mapping (Decision 18/2021 Art. 45, the common case for a river
/// station; the classes differ by area, so a station may give its own "risk" list), every bound "above" (strictly):
/// up to BĐ I none; above BĐ I level 1; above BĐ III level 2; above BĐ III + 1 m level 3; above the highest
/// historical peak (and BĐ III) level 4.
/// Level 5 is never derived from a gauge (declared by the authorities). A station without BĐ III uses its highest
/// level given as BĐ III.
RiskLevel riskLevelAt(const model::Entity& e, const AlarmLevels& levels, double metres);

}  // namespace cityops::flood
