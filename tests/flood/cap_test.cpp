// CAP 1.2 messages of a Tam Kỳ flood alert: versions, identifiers and references, mappings, texts, polygons,
// escaping, and every produced message validated against CAP-v1.2.xsd with xmllint. Expectations by hand.
#include "cap_testutil.hpp"

#include <gtest/gtest.h>

namespace cityops::flood::testing {
namespace {

const std::string kSender = "ioc.tamky.danang.gov.vn";

std::string ref(int n, const std::string& sent) {
  return kSender + "," + kSender + ":alert:42:" + std::to_string(n) + "," + sent;
}

std::string xmlOf(const CapInput& in, const CapSettings& s, size_t version) {
  auto r = capXml(in, s, version);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::string();
}

std::string codeOf(const Result<std::string>& r) { return r.ok() ? std::string("ok") : r.error().code; }

/// The parameters of the first info block as "name=value" strings.
std::vector<std::string> params(const std::string& xml) {
  const std::string firstInfo = texts(xml, "info").at(0);
  std::vector<std::string> out;
  for (const auto& p : texts(firstInfo, "parameter")) out.push_back(text(p, "valueName") + "=" + text(p, "value"));
  return out;
}

TEST(CapVersions, OneMessagePerRaiseEscalateDeescalateResolve) {
  const Alert a = tamkyAlert();
  const auto v = capVersions(a);
  ASSERT_EQ(v.size(), 6u);  // ack and comment make none
  const std::vector<CapMsgType> types = {CapMsgType::Alert,  CapMsgType::Update, CapMsgType::Update,
                                         CapMsgType::Update, CapMsgType::Update, CapMsgType::Cancel};
  const std::vector<std::string> actions = {"raise", "escalate", "escalate", "deescalate", "deescalate", "resolve"};
  const std::vector<int64_t> at = {kRaise, kToMajor, kToCritical, kDownMajor, kDownMinor, kResolve};
  const std::vector<Severity> sev = {Severity::Minor, Severity::Major, Severity::Critical,
                                     Severity::Major, Severity::Minor, Severity::Minor};
  const std::vector<double> values = {1.85, 2.31, 2.72, 2.60, 2.12, 1.62};
  for (size_t i = 0; i < 6; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(v[i].version, i + 1);
    EXPECT_EQ(v[i].msgType, types[i]);
    EXPECT_EQ(v[i].action, actions[i]);
    EXPECT_EQ(v[i].atMs, at[i]);
    EXPECT_EQ(v[i].severity, sev[i]);
    ASSERT_TRUE(v[i].value);
    EXPECT_DOUBLE_EQ(*v[i].value, values[i]);
    EXPECT_FALSE(v[i].byOperator);
  }
}

TEST(CapVersions, GrowWithTheHistory) {
  EXPECT_EQ(capVersions(tamkyAlert(1)).size(), 1u);  // raise
  EXPECT_EQ(capVersions(tamkyAlert(2)).size(), 1u);  // + ack
  EXPECT_EQ(capVersions(tamkyAlert(3)).size(), 2u);  // + escalate
  EXPECT_EQ(capVersions(tamkyAlert(5)).size(), 3u);  // + escalate, comment
  EXPECT_EQ(capVersions(tamkyAlert(7)).size(), 5u);  // + two deescalations
  // A comment after the resolve adds nothing.
  Alert a = tamkyAlert();
  a.history.push_back(entry(9, kResolve + 60000, "comment", State::Resolved, Severity::Minor, std::nullopt, "lan",
                            "nước đã rút"));
  EXPECT_EQ(capVersions(a).size(), 6u);
}

TEST(CapVersions, WithoutHistoryTheAlertItself) {
  Alert open = tamkyAlert(4);
  open.history.clear();
  auto v = capVersions(open);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].msgType, CapMsgType::Alert);
  EXPECT_EQ(v[0].atMs, kRaise);
  EXPECT_EQ(v[0].severity, Severity::Critical);

  Alert closed = tamkyAlert();
  closed.history.clear();
  v = capVersions(closed);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[1].msgType, CapMsgType::Cancel);
  EXPECT_EQ(v[1].atMs, kResolve);
}

TEST(CapTime, CityOffsetWholeSecondsNeverZ) {
  EXPECT_EQ(capTime(kToCritical, 420), "2025-10-29T18:00:00+07:00");
  EXPECT_EQ(capTime(kToCritical + 999, 420), "2025-10-29T18:00:00+07:00");  // milliseconds dropped
  EXPECT_EQ(capTime(kRaise - 9 * 3600000LL, 420), "2025-10-29T07:00:00+07:00");
  EXPECT_EQ(capTime(kToCritical + 6 * 3600000LL, 420), "2025-10-30T00:00:00+07:00");  // next local day
  EXPECT_EQ(capTime(kToCritical, 0), "2025-10-29T11:00:00-00:00");                    // CAP's UTC
  EXPECT_EQ(capTime(kToCritical, -150), "2025-10-29T08:30:00-02:30");
  EXPECT_EQ(capTime(0, 420), "1970-01-01T07:00:00+07:00");
}

TEST(CapMessage, IdentifiersAndReferencesChainTheMessages) {
  const Alert a = tamkyAlert();
  const model::Entity st = tamkyStation();
  const CapInput in{a, &st, {riversideZone()}};
  const CapSettings s = tamkySettings();

  const std::vector<std::string> sent = {"2025-10-29T16:00:00+07:00", "2025-10-29T17:00:00+07:00",
                                         "2025-10-29T18:00:00+07:00", "2025-10-30T08:00:00+07:00",
                                         "2025-10-30T12:00:00+07:00", "2025-10-30T16:00:00+07:00"};
  const std::vector<std::string> msgType = {"Alert", "Update", "Update", "Update", "Update", "Cancel"};
  for (size_t n = 1; n <= 6; ++n) {
    SCOPED_TRACE(n);
    const std::string x = xmlOf(in, s, n);
    EXPECT_EQ(text(x, "identifier"), kSender + ":alert:42:" + std::to_string(n));
    EXPECT_EQ(text(x, "sender"), kSender);
    EXPECT_EQ(text(x, "sent"), sent[n - 1]);
    EXPECT_EQ(text(x, "msgType"), msgType[n - 1]);
    EXPECT_EQ(text(x, "status"), "Actual");
    EXPECT_EQ(text(x, "scope"), "Public");
  }
  EXPECT_EQ(count(xmlOf(in, s, 1), "<references>"), 0u);
  EXPECT_EQ(text(xmlOf(in, s, 2), "references"), ref(1, "2025-10-29T16:00:00+07:00"));
  EXPECT_EQ(text(xmlOf(in, s, 3), "references"),
            ref(1, "2025-10-29T16:00:00+07:00") + " " + ref(2, "2025-10-29T17:00:00+07:00"));
  EXPECT_EQ(text(xmlOf(in, s, 6), "references"),
            ref(1, "2025-10-29T16:00:00+07:00") + " " + ref(2, "2025-10-29T17:00:00+07:00") + " " +
                ref(3, "2025-10-29T18:00:00+07:00") + " " + ref(4, "2025-10-30T08:00:00+07:00") + " " +
                ref(5, "2025-10-30T12:00:00+07:00"));
}

TEST(CapMessage, EveryMessageValidatesAgainstTheSchema) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const model::Entity st = tamkyStation();
  const CapSettings s = tamkySettings();
  // Each stage of the alert's life, as the API would serve it then: the latest message and every earlier one.
  for (size_t steps = 1; steps <= 8; ++steps) {
    const Alert a = tamkyAlert(steps);
    const CapInput in{a, &st, {riversideZone()}, 2};
    const size_t n = capVersions(a).size();
    for (size_t v = 1; v <= n; ++v) {
      SCOPED_TRACE("steps " + std::to_string(steps) + " version " + std::to_string(v));
      const std::string x = xmlOf(in, s, v);
      EXPECT_TRUE(validCap(dir, "alert-" + std::to_string(steps) + "-" + std::to_string(v) + ".xml", x));
      for (const char* t : {"sent", "effective", "onset", "expires"})
        for (const auto& time : texts(x, t)) {
          EXPECT_EQ(time.substr(time.size() - 6), "+07:00") << t << " " << time;
          EXPECT_EQ(time.find('Z'), std::string::npos) << t << " " << time;
        }
    }
  }
}

TEST(CapMessage, TwoLanguagesWithTheFloodEvent) {
  const Alert a = tamkyAlert();
  const model::Entity st = tamkyStation();
  const std::string x = xmlOf(CapInput{a, &st, {riversideZone()}}, tamkySettings(), 3);
  EXPECT_EQ(texts(x, "language"), (std::vector<std::string>{"vi-VN", "en-US"}));
  EXPECT_EQ(texts(x, "event"), (std::vector<std::string>{"Lũ", "Flood"}));
  EXPECT_EQ(texts(x, "category"), (std::vector<std::string>{"Met", "Met"}));
  EXPECT_EQ(texts(x, "senderName"), (std::vector<std::string>{"Trung tâm Giám sát, điều hành đô thị thông minh Tam Kỳ",
                                                              "Tam Kỳ Intelligent Operations Center"}));
  EXPECT_EQ(texts(x, "headline"),
            (std::vector<std::string>{"Cảnh báo lũ: báo động III tại Trạm thủy văn Tam Kỳ",
                                      "Flood warning: alarm level III at Tam Kỳ hydrological station"}));
  EXPECT_EQ(texts(x, "description"),
            (std::vector<std::string>{
                "Trạm thủy văn Tam Kỳ: mực nước sông Tam Kỳ lúc 18:00 ngày 29/10/2025 là 2,72 m, đạt mức báo động "
                "III (BĐ III: 2,7 m). Lũ đang lên; cảnh báo được nâng mức.",
                "Tam Kỳ hydrological station: the water level of the Tam Kỳ river at 18:00 on 29 Oct 2025 "
                "(UTC+07:00) is 2.72 m, at alarm level III (2.7 m). The flood is rising; the warning has been "
                "raised."}));
  const auto instr = texts(x, "instruction");
  ASSERT_EQ(instr.size(), 2u);
  EXPECT_NE(instr[0].find("Sơ tán"), std::string::npos);
  EXPECT_NE(instr[1].find("Evacuate"), std::string::npos);
  EXPECT_EQ(texts(x, "web"), (std::vector<std::string>{"https://ioc.tamky.danang.gov.vn/api/v1/alerts/42/cap",
                                                       "https://ioc.tamky.danang.gov.vn/api/v1/alerts/42/cap"}));
  EXPECT_EQ(texts(x, "areaDesc"),
            (std::vector<std::string>{"Vùng trũng ven sông Tam Kỳ", "Low-lying Tam Kỳ riverside"}));
}

TEST(CapMessage, SeverityUrgencyResponseAlongTheAlert) {
  const Alert a = tamkyAlert();
  const model::Entity st = tamkyStation();
  const CapInput in{a, &st, {riversideZone()}};
  const CapSettings s = tamkySettings();
  struct Want {
    std::string severity, urgency, response, level, value;
  };
  const std::vector<Want> want = {
      {"Moderate", "Expected", "Prepare", "1", "1.85"},  // raise, minor
      {"Severe", "Immediate", "Prepare", "2", "2.31"},   // escalate to major
      {"Extreme", "Immediate", "Evacuate", "3", "2.72"}, // escalate to critical
      {"Severe", "Immediate", "Prepare", "2", "2.6"},    // deescalate to major
      {"Moderate", "Expected", "Prepare", "1", "2.12"},  // deescalate to minor
      {"Moderate", "Past", "AllClear", "0", "1.62"},     // resolve: the cancelled alert's severity
  };
  for (size_t n = 1; n <= 6; ++n) {
    SCOPED_TRACE(n);
    const std::string x = xmlOf(in, s, n);
    const auto& w = want[n - 1];
    EXPECT_EQ(texts(x, "severity"), (std::vector<std::string>{w.severity, w.severity}));
    EXPECT_EQ(texts(x, "urgency"), (std::vector<std::string>{w.urgency, w.urgency}));
    EXPECT_EQ(texts(x, "responseType"), (std::vector<std::string>{w.response, w.response}));
    EXPECT_EQ(texts(x, "certainty"), (std::vector<std::string>{"Observed", "Observed"}));
    EXPECT_EQ(params(x), (std::vector<std::string>{"alarm_level=" + w.level, "water_level_m=" + w.value,
                                                   "station_id=wl.tamky"}));
    EXPECT_EQ(text(x, "onset"), "2025-10-29T16:00:00+07:00");  // the flood's onset: the raise
    EXPECT_EQ(text(x, "effective"), text(x, "sent"));
  }
  EXPECT_EQ(text(xmlOf(in, s, 1), "expires"), "2025-10-30T16:00:00+07:00");  // sent + 24 h
}

TEST(CapMessage, CancelSaysTheWaterIsBelowAlarmLevelOne) {
  const Alert a = tamkyAlert();
  const model::Entity st = tamkyStation();
  const std::string x = xmlOf(CapInput{a, &st, {riversideZone()}}, tamkySettings(), 6);
  EXPECT_EQ(texts(x, "headline"), (std::vector<std::string>{"Hết cảnh báo lũ tại Trạm thủy văn Tam Kỳ",
                                                            "Flood warning lifted at Tam Kỳ hydrological station"}));
  EXPECT_EQ(texts(x, "description"),
            (std::vector<std::string>{
                "Trạm thủy văn Tam Kỳ: mực nước sông Tam Kỳ lúc 16:00 ngày 30/10/2025 là 1,62 m, dưới mức báo động "
                "I (BĐ I: 1,7 m). Kết thúc cảnh báo lũ.",
                "Tam Kỳ hydrological station: the water level of the Tam Kỳ river at 16:00 on 30 Oct 2025 "
                "(UTC+07:00) is 1.62 m, below alarm level I (1.7 m). The flood warning has ended."}));
}

TEST(CapMessage, DeescalationNamesLevelTwo) {
  const Alert a = tamkyAlert();
  const model::Entity st = tamkyStation();
  const std::string x = xmlOf(CapInput{a, &st, {}}, tamkySettings(), 4);
  EXPECT_EQ(texts(x, "headline"),
            (std::vector<std::string>{"Cảnh báo lũ: báo động II tại Trạm thủy văn Tam Kỳ",
                                      "Flood warning: alarm level II at Tam Kỳ hydrological station"}));
  EXPECT_EQ(texts(x, "description").at(0),
            "Trạm thủy văn Tam Kỳ: mực nước sông Tam Kỳ lúc 08:00 ngày 30/10/2025 là 2,6 m, đạt mức báo động II "
            "(BĐ II: 2,2 m). Lũ đang xuống; cảnh báo được hạ mức.");
}

TEST(CapMessage, PolygonClosedInLatLonOrder) {
  const Alert a = tamkyAlert(1);
  const model::Entity st = tamkyStation();
  const std::string x = xmlOf(CapInput{a, &st, {riversideZone()}}, tamkySettings(), 1);
  const std::string ring = "15.558,108.478 15.556,108.493 15.565,108.501 15.574,108.495 15.57,108.482 15.558,108.478";
  EXPECT_EQ(texts(x, "polygon"), (std::vector<std::string>{ring, ring}));  // one per info block

  // An already closed ring is not closed twice; two zones give two polygons and one joined areaDesc.
  CapZone closed = riversideZone();
  closed.rings[0].push_back(closed.rings[0].front());
  CapZone centre{"Trung tâm Tam Kỳ", "Central Tam Kỳ",
                 {{{108.4620, 15.5620}, {108.4870, 15.5620}, {108.4870, 15.5860}, {108.4620, 15.5860},
                   {108.4620, 15.5620}}}};
  const std::string y = xmlOf(CapInput{a, &st, {closed, centre}}, tamkySettings(), 1);
  const std::string centreRing = "15.562,108.462 15.562,108.487 15.586,108.487 15.586,108.462 15.562,108.462";
  EXPECT_EQ(texts(texts(y, "info").at(0), "polygon"), (std::vector<std::string>{ring, centreRing}));
  EXPECT_EQ(texts(y, "areaDesc"), (std::vector<std::string>{"Vùng trũng ven sông Tam Kỳ; Trung tâm Tam Kỳ",
                                                            "Low-lying Tam Kỳ riverside; Central Tam Kỳ"}));
  TempDir dir;
  EXPECT_TRUE(validCap(dir, "two-zones.xml", y));
}

TEST(CapMessage, NoZoneGivesAreaDescOnly) {
  const Alert a = tamkyAlert(1);
  const model::Entity st = tamkyStation();
  const std::string x = xmlOf(CapInput{a, &st, {}}, tamkySettings(), 1);
  EXPECT_EQ(count(x, "<polygon>"), 0u);
  EXPECT_EQ(count(x, "<circle>"), 0u);
  EXPECT_EQ(texts(x, "areaDesc"), (std::vector<std::string>{"Trạm thủy văn Tam Kỳ (sông Tam Kỳ)",
                                                            "Tam Kỳ hydrological station (Tam Kỳ river)"}));
  // A degenerate ring (fewer than three distinct points) is left out too.
  CapZone flat{"Đường", "", {{{108.47, 15.57}, {108.48, 15.57}, {108.47, 15.57}}}};
  const std::string y = xmlOf(CapInput{a, &st, {flat}}, tamkySettings(), 1);
  EXPECT_EQ(count(y, "<polygon>"), 0u);
  EXPECT_EQ(texts(y, "areaDesc"), (std::vector<std::string>{"Đường", "Đường"}));  // no English name: the name
  TempDir dir;
  EXPECT_TRUE(validCap(dir, "no-zone.xml", x));
  EXPECT_TRUE(validCap(dir, "flat-zone.xml", y));
}

TEST(CapMessage, EscapesEntityAndZoneNames) {
  const Alert a = tamkyAlert(1);
  model::Entity st = tamkyStation("Trạm \"Tam Kỳ\" <cũ> & mới");
  st.attributes["name_en"] = "Old <station> & 'new'";
  CapZone z = riversideZone();
  z.name = "Khu A&B <thấp>";
  const std::string x = xmlOf(CapInput{a, &st, {z}}, tamkySettings(), 1);
  EXPECT_EQ(texts(x, "headline"),
            (std::vector<std::string>{"Cảnh báo lũ: báo động I tại Trạm &quot;Tam Kỳ&quot; &lt;cũ&gt; &amp; mới",
                                      "Flood warning: alarm level I at Old &lt;station&gt; &amp; &apos;new&apos;"}));
  EXPECT_EQ(text(x, "areaDesc"), "Khu A&amp;B &lt;thấp&gt;");
  EXPECT_EQ(count(x, "<cũ>"), 0u);
  EXPECT_EQ(count(x, "<station>"), 0u);
  TempDir dir;
  EXPECT_TRUE(validCap(dir, "escaped.xml", x));
}

TEST(CapMessage, DropsControlCharacters) {
  EXPECT_EQ(xmlEscape(std::string("a\x01" "b\tc\nd\x7f", 8)), "ab\tc\nd");
  EXPECT_EQ(xmlEscape("<&>\"'"), "&lt;&amp;&gt;&quot;&apos;");
}

TEST(CapMessage, RiskLevelOfDecision18) {
  const Alert a = tamkyAlert(4);
  const model::Entity st = tamkyStation();
  const CapSettings s = tamkySettings();
  const std::string x = xmlOf(CapInput{a, &st, {riversideZone()}, 3}, s, 3);
  EXPECT_EQ(params(x), (std::vector<std::string>{"alarm_level=3", "water_level_m=2.72", "disaster_risk_level=3",
                                                 "disaster_risk_colour=orange", "station_id=wl.tamky"}));
  const auto d = texts(x, "description");
  EXPECT_NE(d.at(0).find(" Cấp độ rủi ro thiên tai do lũ: cấp 3 (màu da cam) theo Quyết định 18/2021/QĐ-TTg."),
            std::string::npos);
  EXPECT_NE(d.at(1).find(" Flood disaster risk level 3 (orange) under Decision 18/2021/QĐ-TTg."), std::string::npos);

  auto bad = capXml(CapInput{a, &st, {}, 6}, s, 1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "bad_request");
  bad = capXml(CapInput{a, &st, {}, 0}, s, 1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "bad_request");

  // Not repeated on the Cancel.
  const Alert done = tamkyAlert();
  const std::string c = xmlOf(CapInput{done, &st, {}, 3}, s, 6);
  EXPECT_EQ(count(c, "disaster_risk"), 0u);
}

TEST(CapMessage, ForecastRuleIsLikely) {
  Alert a = tamkyAlert(3);
  a.rule = "forecast.tamky.3h";
  const model::Entity st = tamkyStation();
  const std::string x = xmlOf(CapInput{a, &st, {}}, tamkySettings(), 2);
  EXPECT_EQ(texts(x, "certainty"), (std::vector<std::string>{"Likely", "Likely"}));
  EXPECT_EQ(texts(x, "headline"),
            (std::vector<std::string>{"Dự báo lũ: báo động II tại Trạm thủy văn Tam Kỳ",
                                      "Flood forecast: alarm level II at Tam Kỳ hydrological station"}));
  EXPECT_EQ(texts(x, "description").at(0).rfind("Trạm thủy văn Tam Kỳ: dự báo mực nước sông Tam Kỳ lúc 17:00", 0),
            0u);
  // The flag does the same for any rule id.
  const Alert b = tamkyAlert(1);
  CapInput in{b, &st, {}};
  in.forecast = true;
  EXPECT_EQ(texts(xmlOf(in, tamkySettings(), 1), "certainty"), (std::vector<std::string>{"Likely", "Likely"}));
}

TEST(CapMessage, OperatorResolveWithoutValue) {
  Alert a = tamkyAlert(4);  // critical, open
  a.history.push_back(entry(9, kToCritical + 3600000, "resolve", State::Resolved, Severity::Critical, std::nullopt,
                            "op.hoa", "báo động giả"));
  a.state = State::Resolved;
  a.resolvedMs = kToCritical + 3600000;
  const model::Entity st = tamkyStation();
  const std::string x = xmlOf(CapInput{a, &st, {riversideZone()}}, tamkySettings(), 0);
  EXPECT_EQ(text(x, "msgType"), "Cancel");
  EXPECT_EQ(text(x, "identifier"), kSender + ":alert:42:4");
  EXPECT_EQ(texts(x, "severity"), (std::vector<std::string>{"Extreme", "Extreme"}));
  EXPECT_EQ(texts(x, "urgency"), (std::vector<std::string>{"Past", "Past"}));
  EXPECT_EQ(params(x), (std::vector<std::string>{"station_id=wl.tamky"}));
  EXPECT_EQ(texts(x, "description"),
            (std::vector<std::string>{
                "Trạm thủy văn Tam Kỳ, 19:00 ngày 29/10/2025. Trung tâm điều hành đã kết thúc cảnh báo lũ.",
                "Tam Kỳ hydrological station, 19:00 on 29 Oct 2025 (UTC+07:00). The operations centre has ended "
                "the flood warning."}));
  EXPECT_EQ(count(x, "báo động giả"), 0u);  // operators' comments and names stay inside
  EXPECT_EQ(count(x, "op.hoa"), 0u);
  TempDir dir;
  EXPECT_TRUE(validCap(dir, "operator-cancel.xml", x));
}

TEST(CapMessage, VersionZeroIsTheLatestAndUnknownVersionsAreNotFound) {
  const Alert a = tamkyAlert();
  const model::Entity st = tamkyStation();
  const CapInput in{a, &st, {riversideZone()}};
  const CapSettings s = tamkySettings();
  EXPECT_EQ(xmlOf(in, s, 0), xmlOf(in, s, 6));
  EXPECT_EQ(xmlOf(in, s, 3), xmlOf(in, s, 3));  // deterministic
  auto r = capXml(in, s, 7);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "not_found");
}

TEST(CapMessage, SettingsShapeTheMessage) {
  const Alert a = tamkyAlert(1);
  const model::Entity st = tamkyStation();
  CapSettings s = tamkySettings();
  s.status = CapStatus::Exercise;
  s.expiresAfterMs = 0;
  s.webBase.clear();
  s.contact = "Đường dây nóng 0235 3810 xxx";
  const std::string x = xmlOf(CapInput{a, &st, {}}, s, 1);
  EXPECT_EQ(text(x, "status"), "Exercise");
  EXPECT_EQ(count(x, "<expires>"), 0u);
  EXPECT_EQ(count(x, "<web>"), 0u);
  EXPECT_EQ(texts(x, "contact").size(), 2u);
  TempDir dir;
  EXPECT_TRUE(validCap(dir, "exercise.xml", x));

  s.webPage = "https://ioc.tamky.danang.gov.vn/canh-bao/{id}";
  EXPECT_EQ(text(xmlOf(CapInput{a, &st, {}}, s, 1), "web"), "https://ioc.tamky.danang.gov.vn/canh-bao/42");

  s.utcOffsetMinutes = 0;
  const std::string utc = xmlOf(CapInput{a, &st, {}}, s, 1);
  EXPECT_EQ(text(utc, "sent"), "2025-10-29T09:00:00-00:00");
  EXPECT_TRUE(validCap(dir, "utc.xml", utc));
}

TEST(CapMessage, RejectsSettingsCapCannotCarry) {
  const Alert a = tamkyAlert(1);
  CapSettings s = tamkySettings();
  s.sender = "ioc tamky";
  EXPECT_EQ(codeOf(capXml(CapInput{a, nullptr, {}}, s, 1)), "bad_request");
  s.sender = "ioc,tamky";
  EXPECT_EQ(codeOf(capXml(CapInput{a, nullptr, {}}, s, 1)), "bad_request");
  s = tamkySettings();
  s.webBase = "ftp://ioc.tamky.danang.gov.vn";
  EXPECT_EQ(codeOf(capXml(CapInput{a, nullptr, {}}, s, 1)), "bad_request");
  s.webBase = "https://ioc.tamky.danang.gov.vn/a b";
  EXPECT_EQ(codeOf(capXml(CapInput{a, nullptr, {}}, s, 1)), "bad_request");
  s = tamkySettings();
  CapZone off{"x", "", {{{200, 15}, {108, 15}, {108, 16}}}};
  EXPECT_EQ(codeOf(capXml(CapInput{a, nullptr, {off}}, s, 1)), "bad_request");
}

TEST(CapMessage, WithoutEntityUsesTheAlertsEntityId) {
  const Alert a = tamkyAlert(4);
  const std::string x = xmlOf(CapInput{a, nullptr, {}}, tamkySettings(), 3);
  // No alarm levels known: the level follows the severity (critical → III), without metres.
  EXPECT_EQ(texts(x, "headline"), (std::vector<std::string>{"Cảnh báo lũ: báo động III tại wl.tamky",
                                                            "Flood warning: alarm level III at wl.tamky"}));
  EXPECT_EQ(texts(x, "description").at(1),
            "wl.tamky: the water level at 18:00 on 29 Oct 2025 (UTC+07:00) is 2.72 m, at alarm level III. The flood "
            "is rising; the warning has been raised.");
  EXPECT_EQ(texts(x, "areaDesc"), (std::vector<std::string>{"wl.tamky", "wl.tamky"}));
  TempDir dir;
  EXPECT_TRUE(validCap(dir, "no-entity.xml", x));
}

Alert singleRaise(std::string rule, std::string metric, Severity sev, double value) {
  Alert a = tamkyAlert(1);
  a.rule = std::move(rule);
  a.metric = std::move(metric);
  a.severity = a.history[0].severity = sev;
  a.value = value;
  a.history[0].value = value;
  return a;
}

TEST(CapMessage, RateOfRiseAlertNamesNoAlarmLevel) {
  const Alert a = singleRaise("rise.wl.tamky", "water_level_m", Severity::Major, 0.35);
  const model::Entity st = tamkyStation();
  const std::string x = xmlOf(CapInput{a, &st, {riversideZone()}}, tamkySettings(), 1);
  EXPECT_EQ(texts(x, "headline"), (std::vector<std::string>{"Cảnh báo lũ: nước lên nhanh tại Trạm thủy văn Tam Kỳ",
                                                            "Flood warning: fast rise at Tam Kỳ hydrological station"}));
  EXPECT_EQ(texts(x, "description"),
            (std::vector<std::string>{"Trạm thủy văn Tam Kỳ: tốc độ lên của mực nước sông Tam Kỳ lúc 16:00 ngày "
                                      "29/10/2025 là 0,35 m/giờ.",
                                      "Tam Kỳ hydrological station: the rate of rise of the Tam Kỳ river at 16:00 on "
                                      "29 Oct 2025 (UTC+07:00) is 0.35 m per hour."}));
  EXPECT_EQ(params(x), (std::vector<std::string>{"water_level_rise_m_per_h=0.35", "station_id=wl.tamky"}));
  EXPECT_EQ(texts(x, "severity"), (std::vector<std::string>{"Severe", "Severe"}));
  TempDir dir;
  EXPECT_TRUE(validCap(dir, "rise.xml", x));

  // The kind can be given for any rule id; and overrides the "rise." convention.
  const Alert b = singleRaise("my-rate", "water_level_m", Severity::Major, 0.35);
  CapInput in{b, &st, {}};
  in.ruleKind = rules::Kind::Rate;
  EXPECT_EQ(params(xmlOf(in, tamkySettings(), 1)),
            (std::vector<std::string>{"water_level_rise_m_per_h=0.35", "station_id=wl.tamky"}));
  CapInput asLevel{a, &st, {}};
  asLevel.ruleKind = rules::Kind::Threshold;  // 0.35 m: below BĐ I
  EXPECT_EQ(params(xmlOf(asLevel, tamkySettings(), 1)),
            (std::vector<std::string>{"alarm_level=0", "water_level_m=0.35", "station_id=wl.tamky"}));
}

TEST(CapMessage, OtherMetricNamesNoAlarmLevel) {
  const Alert a = singleRaise("rain.tamky.24h", "rain_mm", Severity::Major, 120);
  const model::Entity st = tamkyStation();
  const std::string x = xmlOf(CapInput{a, &st, {}}, tamkySettings(), 1);
  EXPECT_EQ(params(x), (std::vector<std::string>{"rain_mm=120", "station_id=wl.tamky"}));
  EXPECT_EQ(texts(x, "headline").at(1), "Flood warning at Tam Kỳ hydrological station");
  EXPECT_EQ(texts(x, "description").at(1), "Tam Kỳ hydrological station: rain_mm at 16:00 on 29 Oct 2025 (UTC+07:00) is 120.");
  TempDir dir;
  EXPECT_TRUE(validCap(dir, "rain.xml", x));
}

TEST(CapZones, FromZoneEntitiesWatchingTheStation) {
  const model::Entity st = tamkyStation();
  model::Entity riverside;
  riverside.id = "zone.tamky.riverside";
  riverside.type = "Zone";
  riverside.name = "Vùng trũng ven sông Tam Kỳ";
  riverside.attributes["name_en"] = "Low-lying Tam Kỳ riverside";
  riverside.attributes["watch_station"] = "wl.tamky";
  model::Geometry g;
  g.kind = model::Geometry::Kind::Polygon;
  g.rings = {{{108.478, 15.558}, {108.493, 15.556}, {108.501, 15.565}, {108.478, 15.558}},
             {{108.49, 15.56}, {108.495, 15.56}, {108.49, 15.562}, {108.49, 15.56}}};  // a hole: dropped
  riverside.geometry = g;
  model::Entity other = riverside;
  other.id = "zone.other";
  other.attributes["watch_station"] = "wl.caulau";
  model::Entity notZone = riverside;
  notZone.id = "cam.tamky.1";
  notZone.type = "Camera";
  model::Entity second = riverside;
  second.id = "zone.a-first";
  second.name = "Khu A";
  const auto zones = capZonesFor(st, {riverside, other, notZone, second});
  ASSERT_EQ(zones.size(), 2u);
  EXPECT_EQ(zones[0].name, "Khu A");  // ordered by id: zone.a-first < zone.tamky.riverside
  EXPECT_EQ(zones[1].name, "Vùng trũng ven sông Tam Kỳ");
  EXPECT_EQ(zones[1].nameEn, "Low-lying Tam Kỳ riverside");
  ASSERT_EQ(zones[1].rings.size(), 1u);
  EXPECT_EQ(zones[1].rings[0].size(), 4u);
}

TEST(CapSchema, TheSchemaIsFoundAndRejectsABrokenMessage) {
  // Guards the guard: a message xmllint must refuse (a 'Z' time, forbidden by CAP's pattern).
  const Alert a = tamkyAlert(1);
  const model::Entity st = tamkyStation();
  std::string x = xmlOf(CapInput{a, &st, {}}, tamkySettings(), 1);
  const std::string good = "2025-10-29T16:00:00+07:00</sent>";
  const size_t p = x.find(good);
  ASSERT_NE(p, std::string::npos);
  x.replace(p, good.size(), "2025-10-29T09:00:00Z</sent>");
  TempDir dir;
  EXPECT_FALSE(validCap(dir, "broken.xml", x));
  ASSERT_TRUE(capXsd().has_value()) << "CAP-v1.2.xsd must be found (FAIL, not skip)";
}

}  // namespace
}  // namespace cityops::flood::testing
