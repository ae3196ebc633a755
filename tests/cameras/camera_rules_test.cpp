// CameraRules on a real store: every TrafficCamera with a source gets its seven incident rules, they follow the
// camera (source removed, camera deleted), other rules are left alone, and the engine raises and resolves an alert
// from the incident state observations.
#include "cameras/CameraRules.hpp"

#include "rules/RuleEngine.hpp"
#include "rules/RuleStore.hpp"
#include "store/SqliteDb.hpp"
#include "store/StoreFixture.hpp"

#include <boost/json.hpp>

namespace cityops::cameras {
namespace {

class CameraRulesTest : public store::testing::StoreFixture {
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
    sync_ = std::make_unique<CameraRules>(*store_, *ruleStore_, *engine_, clock_);
  }
  void TearDown() override {
    sync_.reset();
    store_->close();
    engine_.reset();
    ruleStore_.reset();
    db_.reset();
    StoreFixture::TearDown();
  }
  void createCamera(const std::string& id, const char* attributes, const std::string& type = "TrafficCamera") {
    auto e = entity(id, type);
    e.name = "Camera " + id;
    e.attributes = boost::json::parse(attributes).as_object();
    ASSERT_TRUE(store_->createEntity(e).ok());
  }
  int pass() {
    auto r = sync_->reconcile();
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : -1;
  }
  std::vector<std::string> managedIds() {
    std::vector<std::string> out;
    auto all = ruleStore_->list();
    EXPECT_TRUE(all.ok());
    for (const auto& r : *all)
      if (CameraRules::managed(r.id)) out.push_back(r.id);
    return out;
  }

  std::unique_ptr<store::SqliteDb> db_;
  std::unique_ptr<rules::RuleStore> ruleStore_;
  std::unique_ptr<rules::RuleEngine> engine_;
  std::unique_ptr<CameraRules> sync_;
  std::vector<rules::Change> changes_;
};

TEST_F(CameraRulesTest, CamerasWithASourceGetTheirIncidentRules) {
  createCamera("cam.a", R"({"source": "synthetic:", "analytics": {}})");
  createCamera("cam.nosource", R"({"street": "Phan Chu Trinh"})");
  createCamera("wl.a", R"({"source": "x"})", "WaterLevelStation");
  EXPECT_EQ(pass(), 7);
  EXPECT_EQ(pass(), 0);  // nothing changed: nothing written
  const std::vector<std::string> expected{"camera.cam.a.blurred", "camera.cam.a.dark",    "camera.cam.a.frozen",
                                          "camera.cam.a.offline", "camera.cam.a.queue",   "camera.cam.a.stopped",
                                          "camera.cam.a.wrong_way"};
  auto ids = managedIds();
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(engine_->ruleCount(), 7u);

  auto stopped = ruleStore_->get("camera.cam.a.stopped");
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->metric, "incident_stopped");
  EXPECT_EQ(stopped->scope.entity, "cam.a");
  EXPECT_EQ(stopped->kind, rules::Kind::Threshold);
  ASSERT_EQ(stopped->levels.size(), 1u);
  EXPECT_TRUE(stopped->levels[0].above);
  EXPECT_EQ(stopped->levels[0].value, 0.5);
  EXPECT_EQ(stopped->levels[0].severity, rules::Severity::Major);
  EXPECT_EQ(stopped->name, "Camera cam.a: stopped vehicle");
  EXPECT_NE(stopped->message.find("/api/v1/cameras/{entity.id}/incidents/{value}.jpg"), std::string::npos);
  EXPECT_EQ(ruleStore_->get("camera.cam.a.wrong_way")->levels[0].severity, rules::Severity::Major);
  EXPECT_EQ(ruleStore_->get("camera.cam.a.queue")->levels[0].severity, rules::Severity::Minor);
  EXPECT_EQ(ruleStore_->get("camera.cam.a.offline")->metric, "camera_offline");
  EXPECT_EQ(ruleStore_->get("camera.cam.a.offline")->message.find("incidents"), std::string::npos);  // no picture
}

TEST_F(CameraRulesTest, TheEngineRaisesAndResolvesFromTheIncidentState) {
  createCamera("cam.a", R"({"source": "synthetic:"})");
  EXPECT_EQ(pass(), 7);
  const int64_t t = store::testing::kNow;
  ASSERT_TRUE(store_->ingestSync({{"cam.a", "incident_stopped", t, 0, model::Quality::Good}}).ok());
  EXPECT_TRUE(changes_.empty());
  ASSERT_TRUE(store_->ingestSync({{"cam.a", "incident_stopped", t + 1000, 3, model::Quality::Good}}).ok());
  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_EQ(changes_[0].rule, "camera.cam.a.stopped");
  EXPECT_EQ(changes_[0].severity, rules::Severity::Major);
  EXPECT_EQ(changes_[0].value, 3);
  EXPECT_NE(changes_[0].message.find("/api/v1/cameras/cam.a/incidents/3.jpg"), std::string::npos) << changes_[0].message;
  ASSERT_TRUE(store_->ingestSync({{"cam.a", "incident_stopped", t + 2000, 0, model::Quality::Good}}).ok());
  ASSERT_EQ(changes_.size(), 2u);
  EXPECT_FALSE(changes_[1].severity) << "cleared";
}

TEST_F(CameraRulesTest, RulesFollowTheCameras) {
  createCamera("cam.a", R"({"source": "synthetic:"})");
  createCamera("cam.b", R"({"source": "rtsp://cam-b/1"})");
  EXPECT_EQ(pass(), 14);
  // cam.a loses its source, cam.b is deleted, cam.c appears.
  ASSERT_TRUE(store_->updateEntity("cam.a", [](model::Entity e) -> Result<model::Entity> {
    e.attributes.erase("source");
    return e;
  }).ok());
  ASSERT_TRUE(store_->deleteEntity("cam.b").ok());
  createCamera("cam.c", R"({"source": "synthetic:"})");
  EXPECT_EQ(pass(), 21);
  for (const auto& id : managedIds()) EXPECT_TRUE(id.starts_with("camera.cam.c.")) << id;
  EXPECT_EQ(engine_->ruleCount(), 7u);
  // A renamed camera gets renamed rules.
  ASSERT_TRUE(store_->updateEntity("cam.c", [](model::Entity e) -> Result<model::Entity> {
    e.name = "Ngã tư Phan Chu Trinh";
    return e;
  }).ok());
  EXPECT_EQ(pass(), 7);
  EXPECT_EQ(ruleStore_->get("camera.cam.c.dark")->name, "Ngã tư Phan Chu Trinh: picture too dark");
}

TEST_F(CameraRulesTest, RulesOfOthersAreLeftAloneAndEditsAreUndone) {
  rules::Rule mine;
  mine.id = "cam.speed";
  mine.name = "custom";
  mine.scope.entity = "cam.a";
  mine.metric = "speed_kmh";
  mine.levels = {{false, 10, rules::Severity::Minor}};
  ASSERT_TRUE(ruleStore_->put(mine, store::testing::kNow).ok());
  createCamera("cam.a", R"({"source": "synthetic:"})");
  EXPECT_EQ(pass(), 7);
  auto edited = *ruleStore_->get("camera.cam.a.queue");
  edited.levels[0].severity = rules::Severity::Critical;
  ASSERT_TRUE(ruleStore_->put(edited, store::testing::kNow).ok());
  EXPECT_EQ(pass(), 1);  // managed here: put back
  EXPECT_EQ(ruleStore_->get("camera.cam.a.queue")->levels[0].severity, rules::Severity::Minor);
  EXPECT_TRUE(ruleStore_->get("cam.speed").ok());
}

TEST_F(CameraRulesTest, AnIdTooLongForARuleGetsNone) {
  const std::string id(120, 'c');  // "camera." + id + ".wrong_way" exceeds 128 characters
  createCamera(id, R"({"source": "synthetic:"})");
  const auto desired = cameraRules(*store_->getEntity(id));
  for (const auto& r : desired) EXPECT_LE(r.id.size(), 128u);
  EXPECT_LT(desired.size(), 7u);
  EXPECT_EQ(pass(), static_cast<int>(desired.size()));
}

}  // namespace
}  // namespace cityops::cameras
