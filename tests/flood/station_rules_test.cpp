// StationRules on a real store: stations get, change and lose their alarm-level rules as their attributes change.
#include "flood/StationRules.hpp"

#include "rules/RuleEngine.hpp"
#include "rules/RuleStore.hpp"
#include "store/SqliteDb.hpp"
#include "store/StoreFixture.hpp"

#include <boost/json.hpp>

namespace cityops::flood {
namespace {

class StationRulesStoreTest : public store::testing::StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    auto db = store::SqliteDb::open((dir_ / "cityops.db").string(), false, false);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(*db);
    ASSERT_TRUE(rules::RuleStore::migrate(*db_).ok());
    ruleStore_ = std::make_unique<rules::RuleStore>(*db_);
    engine_ = std::make_unique<rules::RuleEngine>(*store_, clock_, [this](const rules::Change& c) {
      changes_.push_back(c);
    });
    store_->addSink(engine_.get());
    StationRuleOptions o;
    o.hysteresis = 0.05;
    o.forecastWarnings = false;  // the alarm rules alone (forecast rules: alarm_levels_test)
    sync_ = std::make_unique<StationRules>(*store_, *ruleStore_, *engine_, clock_, o);
  }
  void TearDown() override {
    sync_.reset();
    store_->close();
    engine_.reset();
    ruleStore_.reset();
    db_.reset();
    StoreFixture::TearDown();
  }
  void createStation(const std::string& id, const char* attributes) {
    auto e = entity(id, "WaterLevelStation");
    e.attributes = boost::json::parse(attributes).as_object();
    ASSERT_TRUE(store_->createEntity(e).ok());
  }
  int pass() {
    auto r = sync_->reconcile();
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : -1;
  }

  std::unique_ptr<store::SqliteDb> db_;
  std::unique_ptr<rules::RuleStore> ruleStore_;
  std::unique_ptr<rules::RuleEngine> engine_;
  std::unique_ptr<StationRules> sync_;
  std::vector<rules::Change> changes_;
};

TEST_F(StationRulesStoreTest, FollowsTheStationsAttributes) {
  createStation("wl.tamky", R"({"bd1": 1.7, "bd2": 2.2, "bd3": 2.7})");
  createStation("wl.nolevels", R"({"river": "Tam Kỳ"})");
  EXPECT_EQ(pass(), 1);
  EXPECT_EQ(pass(), 0);  // nothing changed: nothing written
  auto stored = ruleStore_->get("alarm.wl.tamky");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->levels.size(), 3u);
  EXPECT_EQ(engine_->ruleCount(), 1u);

  // The engine evaluates it: 2.3 m is above BĐ II.
  ASSERT_TRUE(store_->ingestSync({{"wl.tamky", "water_level_m", store::testing::kNow, 2.3, model::Quality::Good}}).ok());
  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_EQ(changes_[0].severity, rules::Severity::Major);

  // BĐ II moves up to 2.4 m: the rule follows.
  ASSERT_TRUE(store_->updateEntity("wl.tamky", [](model::Entity e) -> Result<model::Entity> {
    e.attributes["bd2"] = 2.4;
    return e;
  }).ok());
  EXPECT_EQ(pass(), 1);
  EXPECT_EQ(ruleStore_->get("alarm.wl.tamky")->levels[1].value, 2.4);

  // A station gains levels; another is deleted.
  ASSERT_TRUE(store_->updateEntity("wl.nolevels", [](model::Entity e) -> Result<model::Entity> {
    e.attributes["bd3"] = 3.0;
    return e;
  }).ok());
  ASSERT_TRUE(store_->deleteEntity("wl.tamky").ok());
  EXPECT_EQ(pass(), 2);
  EXPECT_FALSE(ruleStore_->get("alarm.wl.tamky").ok());
  EXPECT_TRUE(ruleStore_->get("alarm.wl.nolevels").ok());
  EXPECT_EQ(engine_->ruleCount(), 1u);
}

TEST_F(StationRulesStoreTest, RulesOfOthersAreLeftAlone) {
  rules::Rule mine;
  mine.id = "levels.custom";
  mine.name = "custom";
  mine.scope.entity = "wl.x";
  mine.metric = "water_level_m";
  mine.levels = {{true, 1.0, rules::Severity::Info}};
  ASSERT_TRUE(ruleStore_->put(mine, store::testing::kNow).ok());
  EXPECT_EQ(pass(), 0);
  EXPECT_TRUE(ruleStore_->get("levels.custom").ok());
}

}  // namespace
}  // namespace cityops::flood
