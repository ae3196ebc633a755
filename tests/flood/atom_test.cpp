// The Atom feed of current CAP messages: which alerts are in it, entry ids, titles, links, order, well-formedness
// (xmllint --noout), and the linked CAP messages validating against the schema. Expectations by hand.
#include "flood/AtomFeed.hpp"

#include "cap_testutil.hpp"

#include <gtest/gtest.h>

namespace cityops::flood::testing {
namespace {

constexpr int64_t kHour = 3600000;
constexpr int64_t kNowMs = kResolve + 2 * kHour;  // 2025-10-30T11:00:00Z = 18:00+07:00

Alert shifted(Alert a, int64_t by) {
  a.raisedMs += by;
  a.updatedMs += by;
  if (a.resolvedMs) *a.resolvedMs += by;
  for (auto& h : a.history) h.atMs += by;
  return a;
}

std::string feedOf(const std::vector<CapInput>& in, const CapSettings& c, const AtomSettings& s, int64_t now) {
  auto r = atomFeed(in, c, s, now);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::string();
}

struct Fixture {
  model::Entity station = tamkyStation();
  Alert open = tamkyAlert(4, 42);                              // critical since 18:00, 3 messages
  Alert resolvedRecently = tamkyAlert(8, 43);                  // resolved 2 h before now: its Cancel (6)
  Alert resolvedLongAgo = shifted(tamkyAlert(8, 44), -72 * kHour);  // resolved 3 days earlier: left out
  Alert forecast = [] {
    Alert a = tamkyAlert(1, 45);  // minor since 16:00, 1 message
    a.rule = "forecast.tamky.3h";
    return a;
  }();
  std::vector<CapInput> inputs() const {
    return {CapInput{open, &station, {riversideZone()}}, CapInput{resolvedRecently, &station, {riversideZone()}},
            CapInput{resolvedLongAgo, &station, {riversideZone()}}, CapInput{forecast, &station, {}}};
  }
};

TEST(AtomFeed, OneEntryPerOpenOrRecentlyResolvedAlert) {
  Fixture f;
  const auto in = f.inputs();
  const std::string x = feedOf(in, tamkySettings(), AtomSettings{}, kNowMs);
  TempDir dir;
  EXPECT_TRUE(wellFormed(dir, "feed.xml", x));

  EXPECT_EQ(count(x, "<entry>"), 3u);
  // Newest message first: the Cancel of 43 (16:00 on the 30th), 42's Update (18:00 on the 29th), 45's Alert (16:00).
  EXPECT_EQ(texts(x, "cap:identifier"),
            (std::vector<std::string>{"ioc.tamky.danang.gov.vn:alert:43:6", "ioc.tamky.danang.gov.vn:alert:42:3",
                                      "ioc.tamky.danang.gov.vn:alert:45:1"}));
  EXPECT_EQ(texts(x, "cap:msgType"), (std::vector<std::string>{"Cancel", "Update", "Alert"}));
  EXPECT_EQ(texts(x, "cap:severity"), (std::vector<std::string>{"Moderate", "Extreme", "Moderate"}));
  EXPECT_EQ(texts(x, "cap:certainty"), (std::vector<std::string>{"Observed", "Observed", "Likely"}));
  EXPECT_EQ(count(x, "alert:44:"), 0u);

  // The feed's own elements, then the entries' ids (all ids: feed first).
  EXPECT_EQ(texts(x, "id"), (std::vector<std::string>{"tag:ioc.tamky.danang.gov.vn,2025:alerts",
                                                      "tag:ioc.tamky.danang.gov.vn,2025:alert:43:6",
                                                      "tag:ioc.tamky.danang.gov.vn,2025:alert:42:3",
                                                      "tag:ioc.tamky.danang.gov.vn,2025:alert:45:1"}));
  EXPECT_EQ(texts(x, "updated"), (std::vector<std::string>{"2025-10-30T16:00:00+07:00", "2025-10-30T16:00:00+07:00",
                                                           "2025-10-29T18:00:00+07:00",
                                                           "2025-10-29T16:00:00+07:00"}));
  EXPECT_EQ(texts(x, "title"),
            (std::vector<std::string>{
                "Cảnh báo lũ – Tam Kỳ / Flood alerts – Tam Kỳ",
                "Hết cảnh báo lũ tại Trạm thủy văn Tam Kỳ / Flood warning lifted at Tam Kỳ hydrological station",
                "Cảnh báo lũ: báo động III tại Trạm thủy văn Tam Kỳ / Flood warning: alarm level III at Tam Kỳ "
                "hydrological station",
                "Dự báo lũ: báo động I tại Trạm thủy văn Tam Kỳ / Flood forecast: alarm level I at Tam Kỳ "
                "hydrological station"}));
  EXPECT_EQ(count(x, "<link rel=\"self\" type=\"application/atom+xml\" "
                     "href=\"https://ioc.tamky.danang.gov.vn/api/v1/cap/feed.atom\"/>"),
            1u);
  for (const char* link : {"/api/v1/alerts/43/cap?version=6", "/api/v1/alerts/42/cap?version=3",
                           "/api/v1/alerts/45/cap?version=1"})
    EXPECT_EQ(count(x, std::string("<link rel=\"alternate\" type=\"application/cap+xml\" "
                                   "href=\"https://ioc.tamky.danang.gov.vn") +
                           link + "\"/>"),
              1u)
        << link;
  EXPECT_EQ(text(x, "author"), "\n    <name>Trung tâm Giám sát, điều hành đô thị thông minh Tam Kỳ</name>\n"
                               "    <uri>https://ioc.tamky.danang.gov.vn</uri>\n  ");
  // The summary: Vietnamese, then English.
  const auto summaries = texts(x, "summary");
  ASSERT_EQ(summaries.size(), 3u);
  EXPECT_EQ(summaries[1],
            "Trạm thủy văn Tam Kỳ: mực nước sông Tam Kỳ lúc 18:00 ngày 29/10/2025 là 2,72 m, đạt mức báo động III "
            "(BĐ III: 2,7 m). Lũ đang lên; cảnh báo được nâng mức.\n"
            "Tam Kỳ hydrological station: the water level of the Tam Kỳ river at 18:00 on 29 Oct 2025 (UTC+07:00) "
            "is 2.72 m, at alarm level III (2.7 m). The flood is rising; the warning has been raised.");
}

TEST(AtomFeed, LinkedMessagesValidate) {
  Fixture f;
  const auto in = f.inputs();
  TempDir dir;
  // What the three links serve: 43 version 6, 42 version 3, 45 version 1.
  const std::vector<std::pair<size_t, size_t>> linked = {{1, 6}, {0, 3}, {3, 1}};
  for (const auto& [index, version] : linked) {
    auto m = capXml(in[index], tamkySettings(), version);
    ASSERT_TRUE(m.ok());
    EXPECT_TRUE(validCap(dir, "linked-" + std::to_string(index) + ".xml", *m));
  }
}

TEST(AtomFeed, EmptyFeedIsStillAFeed) {
  const std::string x = feedOf({}, tamkySettings(), AtomSettings{}, kNowMs);
  TempDir dir;
  EXPECT_TRUE(wellFormed(dir, "empty.xml", x));
  EXPECT_EQ(count(x, "<entry>"), 0u);
  EXPECT_EQ(texts(x, "updated"), (std::vector<std::string>{"2025-10-30T18:00:00+07:00"}));  // now
}

TEST(AtomFeed, ResolvedWindowBoundary) {
  const Alert done = tamkyAlert();  // resolved at kResolve
  AtomSettings s;
  s.resolvedWithinMs = 2 * kHour;
  EXPECT_TRUE(inAtomFeed(done, kResolve + 2 * kHour, s));
  EXPECT_FALSE(inAtomFeed(done, kResolve + 2 * kHour + 1, s));
  EXPECT_TRUE(inAtomFeed(tamkyAlert(7), kResolve + 1000 * kHour, s));  // open: always
  const model::Entity st = tamkyStation();
  EXPECT_EQ(count(feedOf({CapInput{done, &st, {}}}, tamkySettings(), s, kResolve + 2 * kHour + 1), "<entry>"), 0u);
  EXPECT_EQ(count(feedOf({CapInput{done, &st, {}}}, tamkySettings(), s, kResolve + 2 * kHour), "<entry>"), 1u);
}

TEST(AtomFeed, EscapesNamesAndStaysWellFormed) {
  const Alert a = tamkyAlert(1);
  const model::Entity st = tamkyStation("Trạm <A> & \"B\"");
  CapZone z = riversideZone();
  z.name = "Khu <1> & 2";
  CapSettings c = tamkySettings();
  c.senderName = "IOC <Tam Kỳ> & Đà Nẵng";
  AtomSettings s;
  s.title = "Lũ & ngập <Tam Kỳ>";
  const std::string x = feedOf({CapInput{a, &st, {z}}}, c, s, kNowMs);
  TempDir dir;
  EXPECT_TRUE(wellFormed(dir, "escaped.xml", x));
  EXPECT_EQ(texts(x, "title").at(0), "Lũ &amp; ngập &lt;Tam Kỳ&gt;");
  EXPECT_EQ(text(x, "cap:areaDesc"), "Khu &lt;1&gt; &amp; 2");
  EXPECT_EQ(texts(x, "title").at(1).rfind("Cảnh báo lũ: báo động I tại Trạm &lt;A&gt; &amp; &quot;B&quot; / ", 0), 0u);
}

TEST(AtomFeed, SameTimeOrdersByAlertIdAndUtcIsZ) {
  const Alert a = tamkyAlert(1, 7);
  const Alert b = tamkyAlert(1, 9);
  const model::Entity st = tamkyStation();
  CapSettings c = tamkySettings();
  c.utcOffsetMinutes = 0;
  c.webBase.clear();  // relative links
  const std::string x = feedOf({CapInput{a, &st, {}}, CapInput{b, &st, {}}}, c, AtomSettings{}, kNowMs);
  EXPECT_EQ(texts(x, "cap:identifier"), (std::vector<std::string>{"ioc.tamky.danang.gov.vn:alert:9:1",
                                                                  "ioc.tamky.danang.gov.vn:alert:7:1"}));
  EXPECT_EQ(text(x, "updated"), "2025-10-29T09:00:00Z");
  EXPECT_EQ(text(x, "cap:sent"), "2025-10-29T09:00:00-00:00");  // CAP keeps its own UTC form
  EXPECT_EQ(count(x, "href=\"/api/v1/alerts/9/cap?version=1\""), 1u);
  EXPECT_EQ(count(x, "href=\"/api/v1/cap/feed.atom\""), 1u);
  TempDir dir;
  EXPECT_TRUE(wellFormed(dir, "utc.xml", x));
}

TEST(AtomFeed, RejectsBadSettings) {
  AtomSettings s;
  s.tagDate = "25";
  auto r = atomFeed({}, tamkySettings(), s, kNowMs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "bad_request");
  s = AtomSettings{};
  s.selfPath = "alerts.atom";
  r = atomFeed({}, tamkySettings(), s, kNowMs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "bad_request");
  CapSettings c = tamkySettings();
  c.sender = "";
  r = atomFeed({}, c, AtomSettings{}, kNowMs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "bad_request");
}

TEST(AtomFeed, EntryIdsAreTagUris) {
  EXPECT_EQ(atomEntryId(tamkySettings(), AtomSettings{}, 42, 3), "tag:ioc.tamky.danang.gov.vn,2025:alert:42:3");
}

}  // namespace
}  // namespace cityops::flood::testing
