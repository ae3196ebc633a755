// QualityControl on hand-built series: each check flags exactly the readings it should, readings are kept, and a
// flag a device set is never lowered.
#include "flood/QualityControl.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <map>
#include <memory>

namespace cityops::flood {
namespace {

using model::Observation;
using model::Quality;

constexpr int64_t kT0 = 1761696000000;  // 2025-10-29T00:00:00Z
constexpr int64_t kMin = 60000;

class QcTest : public ::testing::Test {
 protected:
  QcTest() {
    QcLimits wl;
    wl.hardMin = -1;
    wl.hardMax = 10;
    wl.softMin = 0;
    wl.softMax = 5;
    wl.spikePerHour = 1.2;  // m/h
    wl.flatCount = 4;
    wl.gapMs = 30 * kMin;
    qc_ = std::make_unique<QualityControl>(std::map<std::string, QcLimits>{{"water_level_m", wl}});
    add("wl.tamky", {});
  }
  void add(const std::string& id, boost::json::object attributes) {
    auto e = std::make_shared<model::Entity>();
    e->id = id;
    e->type = "WaterLevelStation";
    e->attributes = std::move(attributes);
    entities_[id] = e;
  }
  /// The quality each reading gets, for one batch per reading (the way gauges report).
  std::vector<Quality> run(const std::string& entity, const std::vector<std::pair<int64_t, double>>& series,
                           Quality given = Quality::Good, const std::string& metric = "water_level_m") {
    std::vector<Quality> out;
    for (const auto& [t, v] : series) {
      std::vector<Observation> batch{{entity, metric, t, v, given}};
      qc_->inspect(batch, [this](std::string_view id) -> std::shared_ptr<const model::Entity> {
        auto it = entities_.find(std::string(id));
        return it == entities_.end() ? nullptr : it->second;
      });
      EXPECT_EQ(batch[0].value, v);  // kept as it came
      EXPECT_EQ(batch[0].time, t);
      out.push_back(batch[0].quality);
    }
    return out;
  }

  std::unique_ptr<QualityControl> qc_;
  std::map<std::string, std::shared_ptr<const model::Entity>> entities_;
};

constexpr Quality G = Quality::Good, S = Quality::Suspect, B = Quality::Bad;

TEST_F(QcTest, HardRangeIsBadSoftRangeIsSuspect) {
  EXPECT_EQ(run("wl.tamky", {{kT0, 1.0}, {kT0 + 60 * kMin, 11.0}, {kT0 + 120 * kMin, -0.5}, {kT0 + 180 * kMin, -2.0},
                             {kT0 + 240 * kMin, 1.5}}),
            (std::vector<Quality>{G, B, S, B, G}));
  auto c = qc_->counts("wl.tamky").at("water_level_m");
  EXPECT_EQ(c.checked, 5);
  EXPECT_EQ(c.hard, 2);
  EXPECT_EQ(c.soft, 1);
  EXPECT_EQ(c.lastFlaggedMs, kT0 + 180 * kMin);
}

TEST_F(QcTest, SpikeAgainstTheLastGoodReading) {
  // 15-minute readings. 1.00 -> 1.25 is 1.0 m/h (fine); 1.25 -> 1.65 is 1.6 m/h (spike); the next, 1.30, is
  // compared with 1.25 thirty minutes earlier: 0.1 m/h, fine.
  EXPECT_EQ(run("wl.tamky", {{kT0, 1.0}, {kT0 + 15 * kMin, 1.25}, {kT0 + 30 * kMin, 1.65}, {kT0 + 45 * kMin, 1.30}}),
            (std::vector<Quality>{G, G, S, G}));
  EXPECT_EQ(qc_->counts("wl.tamky").at("water_level_m").spike, 1);
}

TEST_F(QcTest, FlatLineFromTheNthEqualReading) {
  EXPECT_EQ(run("wl.tamky", {{kT0, 2.0}, {kT0 + kMin, 2.0}, {kT0 + 2 * kMin, 2.0}, {kT0 + 3 * kMin, 2.0},
                             {kT0 + 4 * kMin, 2.0}, {kT0 + 5 * kMin, 2.01}}),
            (std::vector<Quality>{G, G, G, S, S, G}));
  EXPECT_EQ(qc_->counts("wl.tamky").at("water_level_m").flat, 2);
}

TEST_F(QcTest, GapsAreCountedNotFlagged) {
  EXPECT_EQ(run("wl.tamky", {{kT0, 1.0}, {kT0 + 30 * kMin, 1.0}, {kT0 + 61 * kMin, 1.0}}),
            (std::vector<Quality>{G, G, G}));
  EXPECT_EQ(qc_->counts("wl.tamky").at("water_level_m").gap, 1);  // 31 min > 30 min; exactly 30 is no gap
}

TEST_F(QcTest, DeviceFlagsAreNeverLowered) {
  EXPECT_EQ(run("wl.tamky", {{kT0, 1.0}}, Quality::Suspect), (std::vector<Quality>{S}));
  EXPECT_EQ(run("wl.tamky", {{kT0 + kMin, 1.1}}, Quality::Bad), (std::vector<Quality>{B}));
}

TEST_F(QcTest, StationAttributeOverridesTheDefaults) {
  add("wl.nongson", boost::json::parse(R"({"qc": {"water_level_m": {"hard_max": 25, "soft_max": 20}}})").as_object());
  // 18.6 m is a real peak at Nông Sơn (Oct 2025): above the default soft range, inside the station's own.
  EXPECT_EQ(run("wl.nongson", {{kT0, 18.0}, {kT0 + 60 * kMin, 18.6}, {kT0 + 120 * kMin, 21.0}}),
            (std::vector<Quality>{G, G, S}));
  EXPECT_EQ(run("wl.tamky", {{kT0, 18.0}}), (std::vector<Quality>{B}));
}

TEST_F(QcTest, OtherMetricsAndUnknownEntitiesPassUntouched) {
  EXPECT_EQ(run("wl.tamky", {{kT0, 999.0}}, Quality::Good, "temperature_c"), (std::vector<Quality>{G}));
  EXPECT_EQ(run("nobody", {{kT0, 999.0}}), (std::vector<Quality>{G}));
  EXPECT_TRUE(qc_->counts("nobody").empty());
}

TEST(QcLimitsTest, ParseNamesTheKey) {
  auto ok = parseQcLimits(boost::json::parse(R"({"hard_min": -1, "flat_count": 6, "gap": "45m"})"), {});
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->hardMin, -1);
  EXPECT_EQ(ok->flatCount, 6);
  EXPECT_EQ(ok->gapMs, 45 * kMin);
  EXPECT_NE(parseQcLimits(boost::json::parse(R"({"hard_mni": 1})"), {}).error().message.find("hard_mni"),
            std::string::npos);
  EXPECT_NE(parseQcLimits(boost::json::parse(R"({"spike_per_hour": 0})"), {}).error().message.find("> 0"),
            std::string::npos);
  EXPECT_NE(parseQcLimits(boost::json::parse(R"({"soft_min": 3, "soft_max": 2})"), {}).error().message.find("soft_min"),
            std::string::npos);
  EXPECT_FALSE(parseQcLimits(boost::json::parse(R"([1])"), {}).ok());
}

}  // namespace
}  // namespace cityops::flood
