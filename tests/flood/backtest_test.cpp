// Backtest: a synthetic flood (known shapes) written as an event CSV in the test, replayed with forecasts every
// 15 minutes: warnings before the crossings with positive lead times, MAE figures that beat persistence; the CSV
// reader (comments, quotes, offsets, epoch ms, bad lines); the text and JSON reports; and the demo event file.
#include "flood/Backtest.hpp"
#include "flood/BacktestFormat.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/Time.hpp"
#include "flood/forecast_testing.hpp"

namespace cityops::flood {
namespace {

using namespace forecast_testing;

AlarmLevels levels(double bd1, double bd2, double bd3) {
  AlarmLevels l;
  l.bd = {bd1, bd2, bd3};
  return l;
}

double up(double h) { return wave(h, 5.0, 8.0, 60.0, 10.0); }
double solo(double h) { return wave(h, 1.0, 2.0, 60.0, 8.0, 0.0); }

/// Four days at 15 minutes: wl.up (a flood wave peaking at 13 m at 60 h), wl.down = 0.8 × wl.up 3 h earlier + 1.2
/// with 1 cm of noise (peak ≈ 11.6 m at 63 h), wl.solo (a 2 m wave on 1 m, no upstream), hourly rain at rain.x.
std::string syntheticCsv() {
  std::ostringstream out;
  out << "# synthetic flood for the backtest test\n";
  out << "time,entity,metric,value\n";
  Noise noise(0.01);
  for (int64_t t = kT0; t <= hoursAfter(96); t += k15m) {
    const double h = static_cast<double>(t - kT0) / kHourMs;
    const std::string when = formatTime(t);
    out << when << ",wl.up,water_level_m," << up(h) << "\n";
    out << when << ",wl.down,water_level_m," << 0.8 * up(h - 3.0) + 1.2 + noise() << "\n";
    out << t << ",\"wl.solo\",water_level_m," << solo(h) << "\n";  // epoch ms and a quoted field
    if ((t - kT0) % kHourMs == 0) out << when << ",rain.x,rain_mm," << (h > 40 && h < 50 ? 12.0 : 0.0) << "\n";
  }
  return out.str();
}

BacktestOptions options() {
  BacktestOptions o;
  o.stations = {
      {"wl.down", levels(6.5, 8.0, 10.0), "wl.up", {}, std::nullopt},
      {"wl.up", levels(8.0, 10.0, 12.0), "", {}, std::nullopt},
      {"wl.solo", levels(1.5, 2.0, 2.5), "", {}, std::nullopt},
  };
  return o;
}

TEST(Backtest, WarnsBeforeTheCrossingOfASyntheticFlood) {
  std::istringstream csv(syntheticCsv());
  auto r = runBacktest(csv, options());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->issueEveryMs, k15m);
  EXPECT_EQ(r->firstIssueMs, hoursAfter(3));
  EXPECT_EQ(r->issues, 93u * 4 + 1);
  EXPECT_TRUE(r->warnings.empty());

  const auto* down = r->station("wl.down");
  ASSERT_NE(down, nullptr);
  EXPECT_GT(down->methods.at("upstream"), down->forecasts * 3 / 4);
  ASSERT_EQ(down->leads.size(), 3u);
  // Within the 3 h lag the upstream readings are known: centimetres. Beyond it the chained upstream trend.
  EXPECT_LT(down->leads[0].mae, 0.05);
  EXPECT_LT(down->leads[1].mae, 0.10);
  EXPECT_LT(down->leads[2].mae, down->leads[2].persistenceMae);
  for (const auto& lv : down->levels) {
    SCOPED_TRACE(lv.level);
    ASSERT_TRUE(lv.observedMs);
    ASSERT_TRUE(lv.leadMs);
    EXPECT_GE(*lv.leadMs, 3 * kHourMs);  // at least the travel time
    EXPECT_EQ(lv.falseWarnings, 0u);
    ASSERT_TRUE(lv.predictedMs);
    EXPECT_LE(std::llabs(*lv.predictedMs - *lv.observedMs), 90 * kMinuteMs);  // the first warning is beyond the lag
    ASSERT_TRUE(lv.upperLeadMs);
    EXPECT_GE(*lv.upperLeadMs, *lv.leadMs);
  }

  for (const char* id : {"wl.up", "wl.solo"}) {
    SCOPED_TRACE(id);
    const auto* s = r->station(id);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->methods.size(), 1u);
    EXPECT_EQ(s->methods.begin()->first, "trend");
    EXPECT_LT(s->leads[0].mae, s->leads[0].persistenceMae);  // a trend beats persistence on a smooth wave
    for (const auto& lv : s->levels) {
      SCOPED_TRACE(lv.level);
      ASSERT_TRUE(lv.observedMs);
      ASSERT_TRUE(lv.leadMs);
      EXPECT_GT(*lv.leadMs, 0);
    }
  }
}

TEST(Backtest, ReportsAsTextAndJson) {
  std::istringstream csv(syntheticCsv());
  auto r = runBacktest(csv, options());
  ASSERT_TRUE(r.ok());
  const std::string text = formatReport(*r, 420);
  EXPECT_NE(text.find("wl.down"), std::string::npos);
  EXPECT_NE(text.find("+1h MAE"), std::string::npos);
  EXPECT_NE(text.find("+07:00"), std::string::npos);
  EXPECT_NE(text.find("upstream"), std::string::npos);
  const auto j = backtestJson(*r);
  EXPECT_EQ(j.at("issue_every_minutes").as_int64(), 15);
  const auto& st = j.at("stations").as_array();
  ASSERT_EQ(st.size(), 3u);
  EXPECT_EQ(st[0].at("station").as_string(), "wl.down");
  EXPECT_EQ(st[0].at("leads").as_array().size(), 3u);
  EXPECT_EQ(st[0].at("leads").as_array()[0].at("lead_minutes").as_int64(), 60);
  EXPECT_TRUE(st[0].at("levels").as_array()[0].at("lead_minutes").is_int64());
}

TEST(Backtest, ReadsTheEventFile) {
  std::istringstream csv(
      "\xEF\xBB\xBF# comment before the header\r\n"
      "Entity,Time,Metric,Value,Quality\r\n"
      "wl.tamky,2025-10-29T18:00:00+07:00,water_level_m,2.1,good\r\n"
      "\r\n"
      "# a comment between readings\n"
      "wl.tamky,1761735600000,water_level_m,2.0,\n"  // epoch ms: 2025-10-29T11:00:00Z, the same time
      "wl.tamky,2025-10-29T17:00:00+07:00,water_level_m,1.9,suspect\n"
      "wl.tamky,2025-10-29T19:00:00+07:00,water_level_m,9.9,bad\n"
      "\"rain.tamky\",2025-10-29T18:00:00+07:00,rain_mm,12.5,good\n");
  auto d = readBacktestCsv(csv);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->readings, 4u);
  EXPECT_EQ(d->skipped, 1u);
  const auto* s = d->find("wl.tamky", "water_level_m");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->size(), 2u);  // 18:00 given twice: the later line wins
  EXPECT_EQ((*s)[0].tMs, 1761735600000 - kHourMs);
  EXPECT_DOUBLE_EQ((*s)[1].v, 2.0);
  EXPECT_EQ(d->firstMs, 1761735600000 - kHourMs);
  EXPECT_NE(d->find("rain.tamky", "rain_mm"), nullptr);

  for (const auto& [text, where] : std::vector<std::pair<std::string, std::string>>{
           {"time,entity,value\n", "line 1: the header has no column 'metric'"},
           {"time,entity,metric,value\nyesterday,wl.x,water_level_m,1\n", "line 2: "},
           {"time,entity,metric,value\n2025-10-29T18:00:00Z,wl.x,water_level_m,high\n", "line 2: value 'high'"},
           {"time,entity,metric,value\n2025-10-29T18:00:00Z,wl.x,water_level_m\n", "line 2: expected 4 fields"},
           {"", "no header"}}) {
    std::istringstream in(text);
    auto bad = readBacktestCsv(in);
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_EQ(bad.error().code, "bad_request");
    EXPECT_NE(bad.error().message.find(where), std::string::npos) << bad.error().message;
  }
}

TEST(Backtest, RefusesNothingToDo) {
  std::istringstream csv(syntheticCsv());
  EXPECT_FALSE(runBacktest(csv, BacktestOptions{}).ok());  // no station
  std::istringstream empty("time,entity,metric,value\n");
  EXPECT_FALSE(runBacktest(empty, options()).ok());
  // A station without readings is a note, not an error.
  std::istringstream again(syntheticCsv());
  auto o = options();
  o.stations.push_back({"wl.absent", levels(1, 2, 3), "", {}, std::nullopt});
  auto r = runBacktest(again, o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("wl.absent"), std::string::npos);
}

/// The stations of examples/tamky/cityops.toml (Câu Lâu and Hội An tagged tidal), with the Tam Kỳ catchment and tide
/// of docs/forecast.md.
std::vector<ForecastStation> tamkyStations() {
  RunoffParams tamky;
  tamky.curveNumber = 80;
  tamky.areaKm2 = 250;
  tamky.tcHours = 12;
  tamky.rating = RatingCurve{0.1, 0.5, 0.3};
  return {
      {"wl.tamky", levels(1.7, 2.2, 2.7), "", {"rain.tamky"}, tamky, true},
      {"wl.nongson", levels(11.0, 13.0, 15.0), "", {}, std::nullopt, false},
      {"wl.giaothuy", levels(6.5, 7.5, 8.8), "wl.nongson", {}, std::nullopt, false},
      {"wl.caulau", levels(2.0, 3.0, 4.0), "wl.giaothuy", {}, std::nullopt, true},
      {"wl.hoian", levels(1.0, 1.5, 2.0), "wl.caulau", {}, std::nullopt, true},
      {"wl.ainghia", levels(6.5, 8.0, 9.0), "", {}, std::nullopt, false},
  };
}

TEST(Backtest, DemoEventFile) {
  const auto file = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "examples" /
                    "tamky" / "flood-2025-10.csv";
  std::ifstream csv(file);
  if (!csv) GTEST_SKIP() << "no " << file;
  BacktestOptions o;
  o.stations = tamkyStations();
  auto r = runBacktest(csv, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::cout << formatReport(*r, 420);
  EXPECT_TRUE(r->warnings.empty());
  for (const auto& s : r->stations) {
    SCOPED_TRACE(s.station);
    EXPECT_EQ(s.forecasts, r->issues);
    EXPECT_EQ(s.failures, 0u);
    // Sane: errors grow with the lead, the +1 h error is a fraction of the flood's rise, and every station does
    // better than persistence at every lead.
    EXPECT_LT(s.leads[0].mae, s.leads[2].mae);
    EXPECT_LT(s.leads[0].mae, 0.25);
    for (const auto& l : s.leads) EXPECT_LT(l.mae, l.persistenceMae) << l.leadMs / kHourMs << " h";
    for (const auto& lv : s.levels) {
      SCOPED_TRACE(lv.level);
      ASSERT_TRUE(lv.observedMs);  // every station crosses BĐ III in this event
      ASSERT_TRUE(lv.leadMs);
      EXPECT_GE(*lv.leadMs, kHourMs);
    }
  }
  EXPECT_EQ(r->station("wl.tamky")->methods.count("runoff"), 1u);
  EXPECT_GT(r->station("wl.caulau")->methods.at("upstream"), 0u);
}

}  // namespace
}  // namespace cityops::flood
