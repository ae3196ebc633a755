#include "alerts/Alert.hpp"
#include "alerts/AlertJson.hpp"
#include "common/JsonText.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace cityops::alerts {
namespace {

TEST(AlertState, NamesRoundTrip) {
  for (State s : {State::Active, State::Acknowledged, State::Resolved}) {
    auto p = parseState(stateName(s));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*p, s);
  }
  EXPECT_EQ(stateName(State::Active), "active");
  EXPECT_EQ(stateName(State::Acknowledged), "acknowledged");
  EXPECT_EQ(stateName(State::Resolved), "resolved");
  for (const char* bad : {"", "Active", "ack", "open", "resolved "}) {
    auto p = parseState(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.error().code, "bad_request");
  }
}

Alert sample() {
  Alert a;
  a.id = 42;
  a.rule = "tamky-levels";
  a.entity = "station:tamky";
  a.metric = "water_level_m";
  a.severity = Severity::Major;
  a.state = State::Acknowledged;
  a.value = 2.25;
  a.message = "Tam Kỳ: 2.25 m";
  a.raisedMs = 1761735600000;   // 2025-10-29T11:00:00.000Z
  a.updatedMs = 1761735660250;  // 2025-10-29T11:01:00.250Z
  HistoryEntry raise;
  raise.id = 7;
  raise.atMs = a.raisedMs;
  raise.action = "raise";
  raise.state = State::Active;
  raise.severity = Severity::Minor;
  raise.value = 1.8;
  raise.by = "rule";
  HistoryEntry ack;
  ack.id = 9;
  ack.atMs = a.updatedMs;
  ack.action = "ack";
  ack.state = State::Acknowledged;
  ack.severity = Severity::Major;
  ack.by = "alice";
  ack.comment = "crew on the way";
  a.history = {raise, ack};
  return a;
}

TEST(AlertJson, OpenAlertWithoutHistory) {
  const Alert a = sample();
  const auto o = alertJson(a, false);
  EXPECT_EQ(o.size(), 11u);
  EXPECT_EQ(o.at("id").as_int64(), 42);
  EXPECT_EQ(o.at("rule").as_string(), "tamky-levels");
  EXPECT_EQ(o.at("entity").as_string(), "station:tamky");
  EXPECT_EQ(o.at("metric").as_string(), "water_level_m");
  EXPECT_EQ(o.at("severity").as_string(), "major");
  EXPECT_EQ(o.at("state").as_string(), "acknowledged");
  EXPECT_DOUBLE_EQ(o.at("value").as_double(), 2.25);
  EXPECT_EQ(o.at("message").as_string(), "Tam Kỳ: 2.25 m");
  EXPECT_EQ(o.at("raised_at").as_string(), "2025-10-29T11:00:00.000Z");
  EXPECT_EQ(o.at("updated_at").as_string(), "2025-10-29T11:01:00.250Z");
  EXPECT_TRUE(o.at("resolved_at").is_null());
  EXPECT_FALSE(o.contains("history"));
}

TEST(AlertJson, ResolvedAlertWithHistory) {
  Alert a = sample();
  a.state = State::Resolved;
  a.resolvedMs = 1761739200000;  // 2025-10-29T12:00:00.000Z
  const auto o = alertJson(a, true);
  EXPECT_EQ(o.at("state").as_string(), "resolved");
  EXPECT_EQ(o.at("resolved_at").as_string(), "2025-10-29T12:00:00.000Z");
  const auto& h = o.at("history").as_array();
  ASSERT_EQ(h.size(), 2u);
  const auto& r = h[0].as_object();
  EXPECT_EQ(r.size(), 7u);
  EXPECT_EQ(r.at("at").as_string(), "2025-10-29T11:00:00.000Z");
  EXPECT_EQ(r.at("action").as_string(), "raise");
  EXPECT_EQ(r.at("state").as_string(), "active");
  EXPECT_EQ(r.at("severity").as_string(), "minor");
  EXPECT_DOUBLE_EQ(r.at("value").as_double(), 1.8);
  EXPECT_EQ(r.at("by").as_string(), "rule");
  EXPECT_TRUE(r.at("comment").is_null());
  const auto& k = h[1].as_object();
  EXPECT_EQ(k.at("at").as_string(), "2025-10-29T11:01:00.250Z");
  EXPECT_EQ(k.at("action").as_string(), "ack");
  EXPECT_EQ(k.at("state").as_string(), "acknowledged");
  EXPECT_EQ(k.at("severity").as_string(), "major");
  EXPECT_TRUE(k.at("value").is_null());
  EXPECT_EQ(k.at("by").as_string(), "alice");
  EXPECT_EQ(k.at("comment").as_string(), "crew on the way");
}

TEST(AlertJson, WireText) {
  Alert a = sample();
  a.history.clear();
  a.value = 1.7;
  const std::string text = toJsonText(alertJson(a, true));
  EXPECT_EQ(text,
            R"({"id":42,"rule":"tamky-levels","entity":"station:tamky","metric":"water_level_m","severity":"major",)"
            R"("state":"acknowledged","value":1.7,"message":"Tam Kỳ: 2.25 m","raised_at":"2025-10-29T11:00:00.000Z",)"
            R"("updated_at":"2025-10-29T11:01:00.250Z","resolved_at":null,"history":[]})");
}

}  // namespace
}  // namespace cityops::alerts
