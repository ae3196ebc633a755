// RuleEngine on a real SQLite store: readings reach it the way the server wires it (as the store's ObservationSink),
// and the verdict changes it reports are checked against what each rule says by hand.
#include "rules/RuleEngine.hpp"

#include "store/StoreFixture.hpp"

#include <mutex>

namespace cityops::rules {
namespace {

using model::Observation;
using model::Quality;
using store::testing::kNow;

class RuleEngineTest : public store::testing::StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    RuleEngine::Options o;
    o.entityCacheMs = 30000;
    engine_ = std::make_unique<RuleEngine>(*store_, clock_, [this](const Change& c) {
      std::lock_guard lock(mu_);
      changes_.push_back(c);
    }, o);
    store_->addSink(engine_.get());
  }
  void TearDown() override {
    engine_->stop();
    store_->close();
    engine_.reset();
    StoreFixture::TearDown();
  }

  static Rule levels(const std::string& id, Scope scope) {
    Rule r;
    r.id = id;
    r.name = id;
    r.scope = std::move(scope);
    r.metric = "water_level_m";
    r.levels = {{true, 1.7, Severity::Minor}, {true, 2.2, Severity::Major}};
    r.hysteresis = 0.05;
    r.message = "{entity.name}: {value} m";
    return r;
  }
  static Scope entityScope(std::string e) {
    Scope s;
    s.entity = std::move(e);
    return s;
  }

  void post(const std::string& entity, int64_t t, double v, Quality q = Quality::Good) {
    auto r = store_->ingestSync({Observation{entity, "water_level_m", t, v, q}});
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  std::vector<Change> take() {
    std::lock_guard lock(mu_);
    return std::exchange(changes_, {});
  }
  /// "rule/entity/severity" per change, severity "clear" for a cleared verdict.
  std::vector<std::string> takeText() {
    std::vector<std::string> out;
    for (const auto& c : take())
      out.push_back(c.rule + "/" + c.entity + "/" + (c.severity ? std::string(severityName(*c.severity)) : "clear"));
    return out;
  }
  using V = std::vector<std::string>;

  std::unique_ptr<RuleEngine> engine_;
  std::mutex mu_;
  std::vector<Change> changes_;
};

TEST_F(RuleEngineTest, StoreBatchesAreEvaluatedInlineWithoutStart) {
  auto e = entity("tamky", "WaterLevelStation");
  e.name = "Tam Kỳ";
  ASSERT_TRUE(store_->createEntity(e).ok());
  engine_->upsert(levels("tamky-levels", entityScope("tamky")));
  post("tamky", kNow, 1.5);
  EXPECT_EQ(takeText(), V{});
  post("tamky", kNow + 60000, 1.8);
  auto raised = take();
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].severity, Severity::Minor);
  EXPECT_EQ(raised[0].value, 1.8);
  EXPECT_EQ(raised[0].timeMs, kNow + 60000);
  EXPECT_EQ(raised[0].message, "Tam Kỳ: 1.8 m");
  post("tamky", kNow + 120000, 2.3);
  EXPECT_EQ(takeText(), V{"tamky-levels/tamky/major"});
  post("tamky", kNow + 180000, 2.16);  // inside the hysteresis band of level II (2.2 - 0.05)
  EXPECT_EQ(takeText(), V{});
  post("tamky", kNow + 240000, 1.6);
  EXPECT_EQ(takeText(), V{"tamky-levels/tamky/clear"});
}

TEST_F(RuleEngineTest, TypeScopeGivesEachEntityItsOwnState) {
  ASSERT_TRUE(store_->createEntity(entity("a", "WaterLevelStation")).ok());
  ASSERT_TRUE(store_->createEntity(entity("b", "WaterLevelStation")).ok());
  ASSERT_TRUE(store_->createEntity(entity("c", "RainGauge")).ok());
  Scope s;
  s.type = "WaterLevelStation";
  engine_->upsert(levels("wl", s));
  post("a", kNow, 1.8);
  post("b", kNow, 1.0);
  post("c", kNow, 5.0);
  EXPECT_EQ(takeText(), V{"wl/a/minor"});
  post("b", kNow + 1000, 2.5);
  post("a", kNow + 1000, 1.9);
  EXPECT_EQ(takeText(), V{"wl/b/major"});
}

TEST_F(RuleEngineTest, TagScopeFollowsTagChangesAfterTheEntityCacheExpires) {
  ASSERT_TRUE(store_->createEntity(entity("g1", "WaterLevelStation")).ok());
  Scope s;
  s.tag = "coastal";
  engine_->upsert(levels("coast", s));
  post("g1", kNow, 2.0);
  EXPECT_EQ(takeText(), V{});  // not tagged
  ASSERT_TRUE(store_->updateEntity("g1", [](model::Entity e) -> Result<model::Entity> {
    e.tags.push_back("coastal");
    return e;
  }).ok());
  clock_.advance(29000);
  post("g1", kNow + 1000, 2.0);
  EXPECT_EQ(takeText(), V{});  // the engine still knows the entity without the tag
  clock_.advance(2000);
  post("g1", kNow + 2000, 2.0);
  EXPECT_EQ(takeText(), V{"coast/g1/minor"});
}

TEST_F(RuleEngineTest, RuleChangesApplyToSeriesAlreadySeen) {
  ASSERT_TRUE(store_->createEntity(entity("s1", "WaterLevelStation")).ok());
  post("s1", kNow, 2.0);  // no rule yet
  engine_->upsert(levels("r1", entityScope("s1")));
  post("s1", kNow + 1000, 2.0);
  EXPECT_EQ(takeText(), V{"r1/s1/minor"});
  Scope t;
  t.type = "WaterLevelStation";
  auto r2 = levels("r2", t);
  r2.levels = {{true, 1.0, Severity::Critical}};
  engine_->upsert(r2);
  post("s1", kNow + 2000, 2.0);
  EXPECT_EQ(takeText(), V{"r2/s1/critical"});
  engine_->remove("r1");
  EXPECT_EQ(takeText(), V{"r1/s1/clear"});
  post("s1", kNow + 3000, 2.5);  // r1 would escalate to major: gone; r2 is at its only level
  EXPECT_EQ(takeText(), V{});
  auto r1b = levels("r1", entityScope("s1"));
  r1b.levels = {{true, 2.4, Severity::Info}};
  engine_->upsert(r1b);
  post("s1", kNow + 4000, 2.5);
  EXPECT_EQ(takeText(), V{"r1/s1/info"});
}

TEST_F(RuleEngineTest, BadNeverTriggersSuspectOnlyWhenTheRuleSaysSo) {
  ASSERT_TRUE(store_->createEntity(entity("q", "WaterLevelStation")).ok());
  engine_->upsert(levels("strict", entityScope("q")));
  auto lenient = levels("lenient", entityScope("q"));
  lenient.suspectTriggers = true;
  engine_->upsert(lenient);
  post("q", kNow, 3.0, Quality::Bad);
  EXPECT_EQ(takeText(), V{});
  post("q", kNow + 1000, 3.0, Quality::Suspect);
  EXPECT_EQ(takeText(), V{"lenient/q/major"});
  post("q", kNow + 2000, 3.0, Quality::Good);
  EXPECT_EQ(takeText(), V{"strict/q/major"});
}

TEST_F(RuleEngineTest, StartedEngineEvaluatesOnItsThreadInCommitOrder) {
  for (const char* id : {"x1", "x2", "x3"}) ASSERT_TRUE(store_->createEntity(entity(id, "WaterLevelStation")).ok());
  Scope s;
  s.type = "WaterLevelStation";
  engine_->upsert(levels("all", s));
  engine_->start();
  std::vector<Observation> batch;
  const double values[] = {1.0, 1.6, 2.3};
  for (int i = 0; i < 3; ++i) {
    const std::string id = "x" + std::to_string(i + 1);
    batch.push_back({id, "water_level_m", kNow, values[i], Quality::Good});
    batch.push_back({id, "other_metric", kNow, 9.0, Quality::Good});
  }
  batch.push_back({"x2", "water_level_m", kNow + 1000, 1.8, Quality::Good});
  ASSERT_TRUE(store_->ingestSync(batch).ok());
  engine_->drain();
  EXPECT_EQ(takeText(), (V{"all/x3/major", "all/x2/minor"}));
}

TEST_F(RuleEngineTest, ReadingsHandedDirectlyShareStateWithTheStorePath) {
  ASSERT_TRUE(store_->createEntity(entity("d", "WaterLevelStation")).ok());
  engine_->upsert(levels("d-levels", entityScope("d")));
  engine_->evaluate({Reading{"d", "WaterLevelStation", "water_level_m", kNow, 1.9, Quality::Good}});
  EXPECT_EQ(takeText(), V{"d-levels/d/minor"});
  post("d", kNow + 1000, 1.95);  // same level through the store: no second raise
  EXPECT_EQ(takeText(), V{});
  post("d", kNow + 2000, 1.0);
  EXPECT_EQ(takeText(), V{"d-levels/d/clear"});
}

TEST_F(RuleEngineTest, ARecreatedEntityStartsFromNothing) {
  ASSERT_TRUE(store_->createEntity(entity("gone", "WaterLevelStation")).ok());
  Scope s;
  s.type = "WaterLevelStation";
  engine_->upsert(levels("t", s));
  post("gone", kNow, 1.8);
  EXPECT_EQ(takeText(), V{"t/gone/minor"});
  ASSERT_TRUE(store_->deleteEntity("gone").ok());
  ASSERT_TRUE(store_->createEntity(entity("back", "RainGauge")).ok());
  post("back", kNow + 1000, 1.8);  // may reuse the deleted series' id: a RainGauge matches no rule
  EXPECT_EQ(takeText(), V{});
}

TEST_F(RuleEngineTest, ForecastRulesWatchTheForecastSeries) {
  ASSERT_TRUE(store_->createEntity(entity("f", "WaterLevelStation")).ok());
  auto r = levels("forecast.f", entityScope("f"));
  r.kind = Kind::Forecast;
  engine_->upsert(r);
  post("f", kNow, 2.5);  // the level itself: not what a forecast rule reads
  EXPECT_EQ(takeText(), V{});
  ASSERT_TRUE(store_->ingestSync({Observation{"f", "water_level_m_forecast", kNow, 2.3, Quality::Good}}).ok());
  auto raised = take();
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].severity, Severity::Major);
  EXPECT_EQ(raised[0].metric, "water_level_m");  // the alert is about the water level
  EXPECT_EQ(raised[0].value, 2.3);
}

}  // namespace
}  // namespace cityops::rules
