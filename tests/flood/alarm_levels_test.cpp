// Alarm levels from station attributes and the disaster risk level they map to (Tam Kỳ: BĐ I 1.7, II 2.2, III 2.7 m;
// peak 2.72 m in late October 2025).
#include "flood/AlarmLevels.hpp"
#include "flood/StationRules.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace cityops::flood {
namespace {

model::Entity station(const char* attributes) {
  model::Entity e;
  e.id = "wl.tamky";
  e.type = "WaterLevelStation";
  e.name = "Tam Kỳ";
  e.attributes = boost::json::parse(attributes).as_object();
  return e;
}

TEST(AlarmLevelsTest, LevelAt) {
  auto l = alarmLevelsOf(station(R"({"bd1": 1.7, "bd2": 2.2, "bd3": 2.7})"));
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->levelAt(1.69), 0);
  EXPECT_EQ(l->levelAt(1.7), 0);  // at BĐ I, not above it (as the rules read "above")
  EXPECT_EQ(l->levelAt(1.71), 1);
  EXPECT_EQ(l->levelAt(2.21), 2);
  EXPECT_EQ(l->levelAt(2.7), 2);
  EXPECT_EQ(l->levelAt(2.72), 3);
  auto only3 = alarmLevelsOf(station(R"({"bd3": 2.5})"));  // Cẩm Lệ: only BĐ III known
  ASSERT_TRUE(only3.ok());
  EXPECT_EQ(only3->levelAt(2.4), 0);
  EXPECT_EQ(only3->levelAt(2.51), 3);
}

TEST(AlarmLevelsTest, BadAttributesNameTheKey) {
  EXPECT_NE(alarmLevelsOf(station(R"({"bd1": "1.7"})")).error().message.find("bd1"), std::string::npos);
  EXPECT_NE(alarmLevelsOf(station(R"({"bd1": 2.0, "bd2": 1.5})")).error().message.find("bd2"), std::string::npos);
}

TEST(AlarmLevelsTest, RiskLevelDefaultMapping) {
  const auto e = station(R"({"bd1": 1.7, "bd2": 2.2, "bd3": 2.7, "peaks": [{"value": 2.72, "label": "Oct 2025"}]})");
  const auto l = *alarmLevelsOf(e);
  EXPECT_EQ(riskLevelAt(e, l, 1.5).level, 0);
  EXPECT_EQ(riskLevelAt(e, l, 1.7).level, 0);
  EXPECT_EQ(riskLevelAt(e, l, 1.71).level, 1);
  EXPECT_EQ(riskLevelAt(e, l, 2.70).level, 1);
  EXPECT_EQ(riskLevelAt(e, l, 2.71).level, 2);
  EXPECT_EQ(riskLevelAt(e, l, 2.72).level, 2);  // at the peak, not above it
  EXPECT_EQ(riskLevelAt(e, l, 2.75).level, 4);  // above the highest known peak
  const auto noPeak = station(R"({"bd1": 1.7, "bd2": 2.2, "bd3": 2.7})");
  EXPECT_EQ(riskLevelAt(noPeak, l, 3.70).level, 2);
  EXPECT_EQ(riskLevelAt(noPeak, l, 3.71).level, 3);
  EXPECT_EQ(riskLevel(3).colour, "orange");
  EXPECT_EQ(riskLevel(1).colourVi, "xanh dương nhạt");
}

TEST(AlarmLevelsTest, StationRiskListOverrides) {
  const auto e = station(R"({"bd1": 1.7, "bd3": 2.7, "risk": [{"above": 1.0, "level": 1}, {"above": 2.0, "level": 3}]})");
  const auto l = *alarmLevelsOf(e);
  EXPECT_EQ(riskLevelAt(e, l, 1.0).level, 0);
  EXPECT_EQ(riskLevelAt(e, l, 1.2).level, 1);
  EXPECT_EQ(riskLevelAt(e, l, 2.1).level, 3);
}

TEST(StationRulesTest, OneMultiLevelRulePerStationPlusRise) {
  StationRuleOptions o;
  o.hysteresis = 0.05;
  o.risePerHour = 0.3;
  auto rules = stationRules(station(R"({"bd1": 1.7, "bd2": 2.2, "bd3": 2.7})"), o);
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].id, "alarm.wl.tamky");
  EXPECT_EQ(rules[0].scope.entity, "wl.tamky");
  ASSERT_EQ(rules[0].levels.size(), 3u);
  EXPECT_EQ(rules[0].levels[0].value, 1.7);
  EXPECT_EQ(rules[0].levels[0].severity, rules::Severity::Minor);
  EXPECT_EQ(rules[0].levels[2].value, 2.7);
  EXPECT_EQ(rules[0].levels[2].severity, rules::Severity::Critical);
  EXPECT_EQ(rules[0].hysteresis, 0.05);
  EXPECT_EQ(rules[1].id, "forecast.wl.tamky");
  EXPECT_EQ(rules[1].kind, rules::Kind::Forecast);
  EXPECT_EQ(rules[1].levels.size(), 3u);
  EXPECT_EQ(rules[1].levels[1].value, 2.2);
  EXPECT_EQ(rules[2].id, "rise.wl.tamky");
  EXPECT_EQ(rules[2].kind, rules::Kind::Rate);
  EXPECT_EQ(rules[2].perHourAbove, 0.3);
  o.forecastWarnings = false;
  EXPECT_EQ(stationRules(station(R"({"bd1": 1.7})"), o).size(), 2u);
  auto rg = station("{}");
  rg.type = "RainGauge";
  EXPECT_TRUE(stationRules(rg, o).empty());
  EXPECT_EQ(stationRules(station(R"({"bd3": 2.5})"), StationRuleOptions{})[0].levels.size(), 1u);
}

}  // namespace
}  // namespace cityops::flood
