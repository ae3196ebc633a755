// Forecaster: the alarm-level crossings (central value and upper band), the choice of model per station with the
// reasons kept, the chain order, the JSON shape, and stations read from entity attributes.
#include "flood/Forecaster.hpp"
#include "flood/ForecastJson.hpp"
#include "flood/ForecastStationConfig.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

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

TEST(ForecastCrossings, CentralUpperAndAlreadyAbove) {
  const int64_t now = hoursAfter(10);
  // From 1.5 m now, rising 0.25 m/h up to 2.5 m, band ±0.5 m (values exact in binary):
  //   central 1.75 2.0 2.25 2.5 2.5 2.5, upper 2.25 2.5 2.75 3.0 3.0 3.0 at +1 … +6 h.
  std::vector<ForecastPoint> pts;
  for (int h = 1; h <= 6; ++h) {
    const double v = std::min(1.5 + 0.25 * h, 2.5);
    pts.push_back({now + h * kHourMs, v, v - 0.5, v + 0.5});
  }
  const auto c = Forecaster::crossings(levels(1.75, 2.125, 2.75), now, 1.5, pts);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].level, "bd1");
  EXPECT_FALSE(c[0].above);
  EXPECT_EQ(*c[0].centralMs, now + kHourMs);  // on a point
  EXPECT_EQ(c[1].level, "bd2");
  EXPECT_EQ(*c[1].centralMs, now + 2 * kHourMs + 30 * kMinuteMs);  // halfway from 2.0 (+2 h) to 2.25 (+3 h)
  // Upper band: from 1.5 at the reading to 2.25 at +1 h, 2.125 is reached 5/6 of the way: +50 min.
  EXPECT_EQ(*c[1].upperMs, now + 50 * kMinuteMs);
  EXPECT_FALSE(c[2].centralMs);  // the central value stops at 2.5
  ASSERT_TRUE(c[2].upperMs);
  EXPECT_EQ(*c[2].upperMs, now + 3 * kHourMs);
  // Already above BĐ I: reported as above, at the reading's time.
  const auto above = Forecaster::crossings(levels(1.75, 2.125, 2.75), now, 1.8, pts);
  EXPECT_TRUE(above[0].above);
  EXPECT_EQ(*above[0].centralMs, now);
  EXPECT_FALSE(above[1].above);
  // Missing levels are skipped (Cẩm Lệ: BĐ III only).
  AlarmLevels only3;
  only3.bd[2] = 2.5;
  EXPECT_EQ(Forecaster::crossings(only3, now, 1.5, pts).size(), 1u);
}

TEST(Forecaster, UsesTheUpstreamModelWhenTheFitIsGood) {
  auto up = [](double h) { return wave(h, 5.0, 8.0, 60.0, 10.0); };
  const auto U = series(96, k15m, up);
  const auto D = series(96, k15m, [&](double h) { return 0.8 * up(h - 3.0) + 1.2; });
  ForecastStation st{"wl.down", levels(6.5, 7.5, 8.8), "wl.up", {}, std::nullopt};
  Forecaster fc;
  ForecastInputs in;
  in.level = &D;
  in.upstream = &U;
  auto f = fc.forecast(st, in, hoursAfter(52));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->method, "upstream");
  EXPECT_NE(f->detail.find("wl.up lagged 3.00 h"), std::string::npos) << f->detail;
  ASSERT_EQ(f->points.size(), 6u);  // +1 h … +6 h
  EXPECT_EQ(f->points.front().tMs, hoursAfter(53));
  EXPECT_EQ(f->points.back().tMs, hoursAfter(58));
  ASSERT_TRUE(f->upstreamFit);
  EXPECT_GT(f->upstreamFit->r2, 0.99);
  ASSERT_EQ(f->crossings.size(), 3u);
}

TEST(Forecaster, FallsBackToTheTrendWhenTheUpstreamDoesNotExplainTheStation) {
  // The "upstream" is unrelated noise around a swing of its own: R² far below 0.8.
  Noise noise(0.5, 7);
  const auto U = series(48, k15m, [&](double) { return 5.0 + noise(); });
  const auto D = series(48, k15m, [](double h) { return 1.0 + 0.05 * h; });
  ForecastStation st{"wl.down", levels(3.0, 4.0, 5.0), "wl.up", {}, std::nullopt};
  ForecastInputs in;
  in.level = &D;
  in.upstream = &U;
  auto f = Forecaster().forecast(st, in, hoursAfter(48));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->method, "trend");
  ASSERT_FALSE(f->notes.empty());
  EXPECT_NE(f->notes.front().find("R²"), std::string::npos) << f->notes.front();
  EXPECT_NEAR(f->points.back().value, 1.0 + 0.05 * 54, 1e-6);
}

TEST(Forecaster, UsesRunoffWithRainAndCatchmentElseTrend) {
  TimeSeries rain;
  for (int h = 0; h <= 10; ++h) rain.push_back({hoursAfter(h), h >= 8 ? 40.0 : 0.0});
  const auto level = series(10, k15m, [](double) { return 0.6; });
  RunoffParams p;
  p.curveNumber = 80;
  p.areaKm2 = 150;
  p.tcHours = 6;
  p.rating = RatingCurve{0.12, 0.5, 0.3};
  ForecastStation st{"wl.tamky", levels(1.7, 2.2, 2.7), "", {"rain.tamky"}, p};
  ForecastInputs in;
  in.level = &level;
  in.rain = {&rain};
  Forecaster fc;
  auto f = fc.forecast(st, in, hoursAfter(10));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->method, "runoff");
  EXPECT_GT(f->points[2].value, 1.8);  // +3 h, near the peak (runoff_model_test)
  ASSERT_TRUE(f->crossings[0].centralMs);  // BĐ I (1.7) is forecast
  EXPECT_FALSE(f->crossings[1].centralMs);
  // The trend of a flat level sees nothing coming: that is what the runoff model is for.
  ForecastInputs dry;
  dry.level = &level;
  auto t = fc.forecast(st, dry, hoursAfter(10));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->method, "trend");
  EXPECT_NEAR(t->points.back().value, 0.6, 1e-9);
  ASSERT_FALSE(t->notes.empty());
  EXPECT_EQ(t->notes.front(), "runoff: no rain gauge readings");
}

TEST(Forecaster, NoRecentReadingIsAnError) {
  const auto level = series(3, k15m, [](double) { return 1.0; });
  ForecastStation st{"wl.tamky", levels(1.7, 2.2, 2.7), "", {}, std::nullopt};
  ForecastInputs in;
  in.level = &level;
  Forecaster fc;
  EXPECT_FALSE(fc.forecast(st, in, hoursAfter(12)).ok());  // 9 h old
  EXPECT_FALSE(fc.forecast(st, ForecastInputs{}, hoursAfter(2)).ok());
  ForecasterOptions bad;
  bad.stepMs = 0;
  EXPECT_EQ(Forecaster(bad).forecast(st, in, hoursAfter(3)).error().code, "bad_request");
}

TEST(Forecaster, ChainOrderPutsUpstreamFirst) {
  std::vector<ForecastStation> s(5);
  s[0].id = "wl.hoian", s[0].upstream = "wl.caulau";
  s[1].id = "wl.caulau", s[1].upstream = "wl.giaothuy";
  s[2].id = "wl.tamky";
  s[3].id = "wl.giaothuy", s[3].upstream = "wl.nongson";
  s[4].id = "wl.nongson", s[4].upstream = "wl.elsewhere";  // not in the list: ignored
  const auto order = Forecaster::chainOrder(s);
  ASSERT_EQ(order.size(), 5u);
  auto pos = [&](size_t i) { return std::find(order.begin(), order.end(), i) - order.begin(); };
  EXPECT_LT(pos(4), pos(3));
  EXPECT_LT(pos(3), pos(1));
  EXPECT_LT(pos(1), pos(0));
}

TEST(ForecastJson, Shape) {
  // 1.65 m at 3 h, rising 0.1 m/h: BĐ I (1.7) at 3 h 30, BĐ II (2.2) at 8 h 30, BĐ III beyond the horizon.
  const auto level = series(3, k15m, [](double h) { return 1.35 + 0.1 * h; });
  ForecastStation st{"wl.tamky", levels(1.7, 2.2, 2.7), "", {}, std::nullopt};
  ForecastInputs in;
  in.level = &level;
  auto f = Forecaster().forecast(st, in, hoursAfter(3));
  ASSERT_TRUE(f.ok());
  const auto j = forecastJson(*f);
  EXPECT_EQ(j.at("station").as_string(), "wl.tamky");
  EXPECT_EQ(j.at("method").as_string(), "trend");
  EXPECT_EQ(j.at("issued_at").as_string(), formatTime(hoursAfter(3)));
  EXPECT_DOUBLE_EQ(j.at("band").at("coverage").as_double(), 0.95);
  const auto& pts = j.at("points").as_array();
  ASSERT_EQ(pts.size(), 6u);
  EXPECT_EQ(pts[0].at("lead_minutes").as_int64(), 60);
  EXPECT_DOUBLE_EQ(pts[5].at("value").as_double(), 2.25);  // 1.65 + 0.6, to the millimetre
  const auto& cr = j.at("crossings").as_array();
  ASSERT_EQ(cr.size(), 3u);
  EXPECT_EQ(cr[0].at("level").as_string(), "bd1");
  EXPECT_FALSE(cr[0].at("above").as_bool());
  EXPECT_EQ(cr[0].at("at").as_string(), formatTime(hoursAfter(3.5)));
  EXPECT_EQ(cr[1].at("at").as_string(), formatTime(hoursAfter(8.5)));
  EXPECT_TRUE(cr[2].at("at").is_null());
  EXPECT_TRUE(j.at("upstream_fit").is_null());
}

model::Entity entity(const char* attributes) {
  model::Entity e;
  e.id = "wl.tamky";
  e.type = "WaterLevelStation";
  e.attributes = boost::json::parse(attributes).as_object();
  return e;
}

TEST(ForecastStationConfig, FromAttributes) {
  auto s = forecastStationOf(entity(R"({"bd1": 1.7, "bd2": 2.2, "bd3": 2.7, "upstream": "wl.up",
      "runoff": {"rain": ["rain.tamky", "rain.tienphuoc"], "cn": 80, "area_km2": 150, "tc_h": 6,
                 "uh": "triangular", "rating": {"a": 0.12, "b": 0.5, "h0": 0.3}}})"));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->upstream, "wl.up");
  EXPECT_EQ(*s->levels.bd[1], 2.2);
  ASSERT_TRUE(s->runoff);
  EXPECT_EQ(s->rainGauges.size(), 2u);
  EXPECT_EQ(s->runoff->curveNumber, 80);
  EXPECT_EQ(s->runoff->shape, UnitHydrographShape::Triangular);
  ASSERT_TRUE(s->runoff->rating);
  EXPECT_EQ(s->runoff->rating->b, 0.5);

  EXPECT_FALSE(s->tidal);

  auto plain = forecastStationOf(entity(R"({"bd3": 2.5})"));
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->runoff);
  EXPECT_TRUE(plain->upstream.empty());
  // Tidal: the tag, or the attribute (which wins).
  auto tagged = entity(R"({"bd1": 1.0})");
  tagged.tags = {"hydro", "tidal"};
  EXPECT_TRUE(forecastStationOf(tagged)->tidal);
  tagged.attributes["tidal"] = false;
  EXPECT_FALSE(forecastStationOf(tagged)->tidal);
  EXPECT_TRUE(forecastStationOf(entity(R"({"tidal": true})"))->tidal);

  for (const char* bad : {R"({"upstream": 3})", R"({"tidal": "yes"})",
                          R"({"runoff": {"cn": 80, "area_km2": 150, "tc_h": 6}})",
                          R"({"runoff": {"rain": "rain.tamky", "area_km2": 150}})",
                          R"({"runoff": {"rain": "rain.tamky", "area_km2": 150, "tc_h": 6, "cn": 0}})",
                          R"({"runoff": {"rain": "rain.tamky", "area_km2": 150, "tc_h": 6, "nc": 80}})",
                          R"({"bd1": "high"})"}) {
    auto r = forecastStationOf(entity(bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "bad_request");
    EXPECT_NE(r.error().message.find("attributes."), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace cityops::flood
