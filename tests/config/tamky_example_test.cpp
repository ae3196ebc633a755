// The shipped demo city, examples/tamky/cityops.toml, loads and is internally consistent.
#include "config/CityConfig.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace fs = std::filesystem;
using cityops::config::CityConfig;
using cityops::model::Entity;
using cityops::model::Geometry;
namespace json = boost::json;

namespace {

constexpr int64_t kNow = 1764201600000;  // 2025-11-27T00:00:00Z, the IOC's inauguration day

// The repository root is three levels above this file (tests/config/<file>); if the compiler recorded a relative
// __FILE__, fall back to searching upwards from the working directory (ctest runs in the build tree).
fs::path repoFile(const fs::path& rel) {
  const fs::path here(__FILE__);
  if (here.is_absolute()) {
    auto p = here.parent_path().parent_path().parent_path() / rel;
    if (fs::exists(p)) return p;
  }
  for (fs::path d = fs::current_path(); !d.empty(); d = d.parent_path()) {
    if (fs::exists(d / rel)) return d / rel;
    if (d == d.root_path()) break;
  }
  return rel;
}

fs::path examplePath() { return repoFile(fs::path("examples") / "tamky" / "cityops.toml"); }

class TamKyExample : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = CityConfig::load(examplePath().string(), kNow);
    ASSERT_TRUE(r.ok()) << r.error().message;
    cfg_ = new CityConfig(std::move(*r));
  }
  static void TearDownTestSuite() {
    delete cfg_;
    cfg_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cfg_, nullptr) << "examples/tamky/cityops.toml did not load"; }

  static const Entity* find(const std::string& id) {
    for (const auto& e : cfg_->entities)
      if (e.id == id) return &e;
    return nullptr;
  }
  static std::optional<double> number(const Entity& e, const char* key) {
    const auto* v = e.attributes.if_contains(key);
    if (!v) return std::nullopt;
    if (v->is_double()) return v->get_double();
    if (v->is_int64()) return static_cast<double>(v->get_int64());
    ADD_FAILURE() << e.id << ": attribute " << key << " is not a number";
    return std::nullopt;
  }

  static CityConfig* cfg_;
};
CityConfig* TamKyExample::cfg_ = nullptr;

TEST_F(TamKyExample, CityServerAndStorage) {
  EXPECT_EQ(cfg_->name, "Tam Kỳ");
  EXPECT_EQ(cfg_->timezone, "Asia/Ho_Chi_Minh");
  EXPECT_DOUBLE_EQ(cfg_->centerLat, 15.5736);
  EXPECT_DOUBLE_EQ(cfg_->centerLon, 108.4740);
  EXPECT_EQ(cfg_->listen, "127.0.0.1:8080");
  EXPECT_EQ(cfg_->threads, 2);
  EXPECT_EQ(cfg_->dataDir, "data/tamky");
  EXPECT_FALSE(cfg_->fullSync);
}

TEST_F(TamKyExample, CountsPerType) {
  std::map<std::string, int> counts;
  for (const auto& e : cfg_->entities) ++counts[e.type];
  const std::map<std::string, int> expected{
      {"WaterLevelStation", 7}, {"RainGauge", 4},           {"TrafficCamera", 6}, {"AirQualityStation", 5},
      {"NoiseSensor", 1},       {"WaterQualityStation", 1}, {"Zone", 3},          {"PointOfInterest", 6},
  };
  EXPECT_EQ(counts, expected);
  EXPECT_EQ(cfg_->entities.size(), 33u);
  EXPECT_EQ(cfg_->simulations.size(), 27u);
}

TEST_F(TamKyExample, EntitiesAreSeededWithLoadTime) {
  for (const auto& e : cfg_->entities) {
    EXPECT_EQ(e.createdMs, kNow) << e.id;
    EXPECT_EQ(e.updatedMs, kNow) << e.id;
    EXPECT_NE(e.name, e.id) << e.id << " has no human name";
  }
}

TEST_F(TamKyExample, VietnameseNamesKeepTheirDiacritics) {
  ASSERT_NE(find("wl.caulau"), nullptr);
  EXPECT_EQ(find("wl.caulau")->name, "Trạm thủy văn Câu Lâu");
  ASSERT_NE(find("poi.mother.statue"), nullptr);
  EXPECT_EQ(find("poi.mother.statue")->name, "Tượng đài Mẹ Việt Nam Anh hùng");
  EXPECT_EQ(find("poi.mother.statue")->attributes.at("names").at("en").as_string(),
            "Vietnamese Heroic Mother Monument (Mount Cấm)");
}

TEST_F(TamKyExample, AlarmLevelsAreOrderedWhereKnown) {
  int stations = 0;
  for (const auto& e : cfg_->entities) {
    if (e.type != "WaterLevelStation") continue;
    ++stations;
    SCOPED_TRACE(e.id);
    EXPECT_TRUE(e.attributes.contains("river"));
    const auto b1 = number(e, "bd1"), b2 = number(e, "bd2"), b3 = number(e, "bd3");
    EXPECT_TRUE(b3.has_value()) << "every station in the facts sheet has a level III";
    if (b1 && b2) {
      EXPECT_LT(*b1, *b2);
    }
    if (b2 && b3) {
      EXPECT_LT(*b2, *b3);
    }
    if (b1 && b3) {
      EXPECT_LT(*b1, *b3);
    }
    // The notable peaks recorded for each station were all above alarm level III.
    const auto* peaks = e.attributes.if_contains("peaks");
    ASSERT_TRUE(peaks && peaks->is_array() && !peaks->as_array().empty());
    double highest = 0;
    for (const auto& p : peaks->as_array()) {
      ASSERT_TRUE(p.is_object());
      ASSERT_TRUE(p.as_object().contains("label"));
      EXPECT_TRUE(p.at("label").is_string());
      ASSERT_TRUE(p.at("value").is_double());
      highest = std::max(highest, p.at("value").as_double());
    }
    if (b3) {
      EXPECT_GT(highest, *b3);
    }
  }
  EXPECT_EQ(stations, 7);
  // Cẩm Lệ: only level III is known; the unknown levels are left out, not guessed.
  ASSERT_NE(find("wl.camle"), nullptr);
  EXPECT_FALSE(find("wl.camle")->attributes.contains("bd1"));
  EXPECT_FALSE(find("wl.camle")->attributes.contains("bd2"));
}

TEST_F(TamKyExample, ThuBonChainRunsNongSonToHoiAn) {
  const std::vector<std::string> chain{"wl.nongson", "wl.giaothuy", "wl.caulau", "wl.hoian"};
  for (size_t i = 0; i < chain.size(); ++i) {
    const auto* e = find(chain[i]);
    ASSERT_NE(e, nullptr) << chain[i];
    EXPECT_EQ(e->attributes.at("river").as_string(), "Thu Bồn");
    if (i > 0) {
      EXPECT_EQ(e->attributes.at("upstream").as_string(), chain[i - 1]) << chain[i];
    } else {
      EXPECT_FALSE(e->attributes.contains("upstream")) << chain[i];
    }
    if (i + 1 < chain.size()) {
      EXPECT_EQ(e->attributes.at("downstream").as_string(), chain[i + 1]) << chain[i];
    } else {
      EXPECT_FALSE(e->attributes.contains("downstream")) << chain[i];
    }
  }
  // Every upstream/downstream link anywhere points at a water-level station.
  for (const auto& e : cfg_->entities)
    for (const char* k : {"upstream", "downstream"})
      if (const auto* v = e.attributes.if_contains(k)) {
        const auto* other = find(std::string(v->as_string()));
        ASSERT_NE(other, nullptr) << e.id << "." << k;
        EXPECT_EQ(other->type, "WaterLevelStation");
      }
}

TEST_F(TamKyExample, EverythingIsPlacedInsideQuangNamAndDaNang) {
  // A generous box around the former Quảng Nam province and Đà Nẵng city.
  for (const auto& e : cfg_->entities) {
    ASSERT_TRUE(e.geometry.has_value()) << e.id;
    for (const auto& ring : e.geometry->rings)
      for (const auto& p : ring) {
        EXPECT_GE(p[0], 107.2) << e.id;
        EXPECT_LE(p[0], 109.0) << e.id;
        EXPECT_GE(p[1], 14.9) << e.id;
        EXPECT_LE(p[1], 16.3) << e.id;
      }
  }
}

TEST_F(TamKyExample, ZonesArePolygonsAroundTheRightPlaces) {
  for (const auto& e : cfg_->entities) {
    ASSERT_TRUE(e.geometry.has_value()) << e.id;
    EXPECT_EQ(e.geometry->kind, e.type == "Zone" ? Geometry::Kind::Polygon : Geometry::Kind::Point) << e.id;
  }
  auto inside = [&](const std::string& zone, const std::string& id) {
    const auto* z = find(zone);
    const auto* e = find(id);
    if (!z || !e) return false;
    return z->geometry->containsPoint(e->geometry->rings.at(0).at(0));
  };
  const auto* center = find("zone.tamky.center");
  ASSERT_NE(center, nullptr);
  EXPECT_TRUE(center->geometry->containsPoint({cfg_->centerLon, cfg_->centerLat}));
  for (const char* id : {"cam.phanchutrinh-hungvuong", "cam.phanchutrinh-trancaovan", "cam.hungvuong-huynhthuckhang",
                         "cam.dienbienphu-phanchutrinh", "poi.tamky.market", "aq.tamky.center", "noise.tamky.market",
                         "aq.tamky.school", "aq.phanchutrinh"})
    EXPECT_TRUE(inside("zone.tamky.center", id)) << id;
  EXPECT_TRUE(inside("zone.tamky.riverside", "wl.tamky"));
  for (const char* id : {"poi.tamthanh.murals", "poi.tamthanh.beach", "aq.tamthanh"})
    EXPECT_TRUE(inside("zone.tamthanh.coast", id)) << id;
  EXPECT_FALSE(inside("zone.tamthanh.coast", "poi.tamky.market"));
}

TEST_F(TamKyExample, SimulationsMatchEntitiesAndStayPhysical) {
  // (entity, metric) -> the spec driving it: an entity's own spec wins over a type-wide one (sim::Simulator).
  std::map<std::pair<std::string, std::string>, const cityops::config::SimulationSpec*> driven;
  for (const auto& s : cfg_->simulations)
    if (!s.entity.empty()) {
      EXPECT_TRUE(driven.emplace(std::pair(s.entity, s.metric), &s).second) << s.entity << " " << s.metric
                                                                            << " is driven twice";
    }
  for (size_t i = 0; i < cfg_->simulations.size(); ++i) {
    const auto& s = cfg_->simulations[i];
    SCOPED_TRACE("simulate[" + std::to_string(i) + "] " + s.entity + s.type + " " + s.metric);
    int matched = 0;
    for (const auto& e : cfg_->entities)
      if (s.entity == e.id) {
        ++matched;
      } else if (s.entity.empty() && s.type == e.type) {
        auto [it, added] = driven.emplace(std::pair(e.id, s.metric), &s);
        if (added) ++matched;
        else EXPECT_FALSE(it->second->entity.empty()) << e.id << " " << s.metric << " is driven twice by its type";
      }
    EXPECT_GE(matched, 1);
    EXPECT_GE(s.everySeconds, 5);
    EXPECT_LE(s.everySeconds, 60);
    EXPECT_GE(s.min, 0.0) << "every demo metric is non-negative";
    EXPECT_LT(s.max, 1e6) << "set an explicit max";
    EXPECT_LT(s.min, s.max);
    EXPECT_GE(s.noise, 0.0);
  }
  // Water levels stay below alarm level I (or III where I is unknown) even at the clamp.
  for (const auto& s : cfg_->simulations) {
    if (s.metric != "water_level_m") continue;
    const auto* e = find(s.entity);
    ASSERT_NE(e, nullptr) << "water levels are simulated per station";
    const auto limit = number(*e, "bd1") ? number(*e, "bd1") : number(*e, "bd3");
    ASSERT_TRUE(limit.has_value()) << e->id;
    EXPECT_LT(s.max, *limit) << e->id;
    EXPECT_LT(s.base + s.amplitude, *limit) << e->id;
  }
  // Every water-level station is simulated.
  for (const auto& e : cfg_->entities)
    if (e.type == "WaterLevelStation") {
      EXPECT_TRUE(driven.count({e.id, "water_level_m"})) << e.id;
    }
  // Rain never goes negative.
  for (const auto& s : cfg_->simulations)
    if (s.metric == "rain_mm") {
      EXPECT_GE(s.min, 0.0);
    }
}

// The example in the operator's guide stays valid.
TEST(OperatorsGuide, TomlExampleParses) {
  std::ifstream in(repoFile(fs::path("docs") / "operators.md"));
  ASSERT_TRUE(in) << "docs/operators.md not found";
  std::string line, toml;
  int blocks = 0;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line == "```toml") {
      inside = true;
      ++blocks;
    } else if (inside && line == "```") {
      inside = false;
    } else if (inside) {
      toml += line + "\n";
    }
  }
  ASSERT_EQ(blocks, 1);
  auto r = CityConfig::parse(toml, "docs/operators.md", kNow);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->name, "Tam Kỳ");
  EXPECT_EQ(r->entities.size(), 2u);
  EXPECT_EQ(r->simulations.size(), 1u);
}

}  // namespace
