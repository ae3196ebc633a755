// CityConfig::parse: defaults, the accepted shapes, and errors that name the file, the entry and the problem.
#include "ParseHelpers.hpp"
#include "config/CityConfig.hpp"

#include <gtest/gtest.h>

#include <string>

using cityops::config::CityConfig;
using cityops::model::Geometry;

namespace {

using cityops::config::testing::err;
using cityops::config::testing::kNow;
using cityops::config::testing::kSource;
using cityops::config::testing::ok;

TEST(CityConfigParse, EmptyFileGivesDefaults) {
  auto c = ok("");
  EXPECT_EQ(c.name, "cityops");
  EXPECT_EQ(c.timezone, "UTC");
  EXPECT_EQ(c.utcOffsetMinutes, 0);
  EXPECT_EQ(c.centerLat, 0);
  EXPECT_EQ(c.centerLon, 0);
  EXPECT_EQ(c.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.threads, 2);
  EXPECT_EQ(c.dataDir, "data");
  EXPECT_FALSE(c.fullSync);
  EXPECT_TRUE(c.entities.empty());
  EXPECT_TRUE(c.simulations.empty());
}

TEST(CityConfigParse, EveryKey) {
  auto c = ok(R"(
[city]
name = "Tam Kỳ"
timezone = "Asia/Ho_Chi_Minh"
center = { lat = 15.5736, lon = 108.4740 }
[server]
listen = "0.0.0.0:9090"
threads = 4
[storage]
data = "/var/lib/cityops"
full_sync = true

[[entity]]
id = "wl.tamky"
type = "WaterLevelStation"
name = "Trạm thủy văn Tam Kỳ"
tags = ["flood", "hydro", "flood"]
point = [108.482, 15.567]
attributes = { river = "Tam Kỳ", bd1 = 1.7, peaks = [{ value = 2.72, label = "late Oct 2025" }] }

[[entity]]
id = "zone.a"
type = "Zone"
geometry = { type = "Polygon", coordinates = [[[108.46, 15.56], [108.49, 15.56], [108.49, 15.59], [108.46, 15.56]]] }

[[simulate]]
entity = "wl.tamky"
metric = "water_level_m"
base = 0.6
amplitude = 0.3
period_minutes = 745.2
noise = 0.005
min = 0
max = 1.3
every_seconds = 30

[[simulate]]
type = "Zone"
metric = "people"

[[simulate]]
type = "Zone"
metric = "visitors"
amplitude = 40
peak_hour = 17
integer = true
)");
  EXPECT_EQ(c.name, "Tam Kỳ");
  EXPECT_EQ(c.timezone, "Asia/Ho_Chi_Minh");
  EXPECT_EQ(c.utcOffsetMinutes, 7 * 60);
  EXPECT_TRUE(c.utcOffsetKnown);
  EXPECT_DOUBLE_EQ(c.centerLat, 15.5736);
  EXPECT_DOUBLE_EQ(c.centerLon, 108.4740);
  EXPECT_EQ(c.listen, "0.0.0.0:9090");
  EXPECT_EQ(c.threads, 4);
  EXPECT_EQ(c.dataDir, "/var/lib/cityops");
  EXPECT_TRUE(c.fullSync);

  ASSERT_EQ(c.entities.size(), 2u);
  const auto& wl = c.entities[0];
  EXPECT_EQ(wl.id, "wl.tamky");
  EXPECT_EQ(wl.type, "WaterLevelStation");
  EXPECT_EQ(wl.name, "Trạm thủy văn Tam Kỳ");
  EXPECT_EQ(wl.tags, (std::vector<std::string>{"flood", "hydro"}));  // sorted, unique
  ASSERT_TRUE(wl.geometry.has_value());
  EXPECT_EQ(wl.geometry->kind, Geometry::Kind::Point);
  EXPECT_DOUBLE_EQ(wl.geometry->rings.at(0).at(0)[0], 108.482);  // point = [lon, lat]
  EXPECT_DOUBLE_EQ(wl.geometry->rings.at(0).at(0)[1], 15.567);
  EXPECT_EQ(wl.attributes.at("river").as_string(), "Tam Kỳ");
  EXPECT_DOUBLE_EQ(wl.attributes.at("peaks").at(0).at("value").as_double(), 2.72);
  EXPECT_EQ(wl.createdMs, kNow);
  EXPECT_EQ(c.entities[1].name, "zone.a");  // name defaults to the id
  EXPECT_EQ(c.entities[1].geometry->kind, Geometry::Kind::Polygon);

  ASSERT_EQ(c.simulations.size(), 3u);
  const auto& s = c.simulations[0];
  EXPECT_EQ(s.entity, "wl.tamky");
  EXPECT_EQ(s.type, "");
  EXPECT_EQ(s.metric, "water_level_m");
  EXPECT_DOUBLE_EQ(s.base, 0.6);
  EXPECT_DOUBLE_EQ(s.amplitude, 0.3);
  EXPECT_DOUBLE_EQ(s.periodMinutes, 745.2);
  EXPECT_DOUBLE_EQ(s.noise, 0.005);
  EXPECT_DOUBLE_EQ(s.min, 0);  // an integer where a float is expected is accepted
  EXPECT_DOUBLE_EQ(s.max, 1.3);
  EXPECT_EQ(s.everySeconds, 30);
  EXPECT_FALSE(s.peakHour.has_value());
  EXPECT_FALSE(s.integer);
  EXPECT_EQ(s.utcOffsetMinutes, 7 * 60);  // copied from city.timezone
  const auto& d = c.simulations[1];  // defaults
  EXPECT_EQ(d.type, "Zone");
  EXPECT_DOUBLE_EQ(d.base, 0);
  EXPECT_DOUBLE_EQ(d.amplitude, 0);
  EXPECT_DOUBLE_EQ(d.periodMinutes, 1440);
  EXPECT_DOUBLE_EQ(d.noise, 0);
  EXPECT_DOUBLE_EQ(d.min, -1e300);
  EXPECT_DOUBLE_EQ(d.max, 1e300);
  EXPECT_EQ(d.everySeconds, 10);
  EXPECT_FALSE(d.peakHour.has_value());
  EXPECT_FALSE(d.integer);
  const auto& p = c.simulations[2];
  EXPECT_EQ(p.peakHour, 17);
  EXPECT_TRUE(p.integer);
}

TEST(CityConfigParse, GeometryTableForAPoint) {
  auto c = ok(R"(
[[entity]]
id = "p"
type = "PointOfInterest"
geometry = { type = "Point", coordinates = [108.706, 15.403] }
)");
  ASSERT_EQ(c.entities.size(), 1u);
  EXPECT_DOUBLE_EQ(c.entities[0].geometry->rings.at(0).at(0)[1], 15.403);
}

TEST(CityConfigParse, BadTomlGivesTheLine) {
  const auto m = err("[city]\nname = \"Tam Kỳ\"\ntimezone = = \"Asia/Ho_Chi_Minh\"\n");
  EXPECT_EQ(m.rfind(kSource + ": ", 0), 0u) << m;
  EXPECT_NE(m.find("(line 3)"), std::string::npos) << m;
}

TEST(CityConfigParse, UnterminatedStringGivesTheLine) {
  const auto m = err("[server]\nthreads = 2\n\n\nlisten = \"127.0.0.1:8080\n");
  EXPECT_EQ(m.rfind(kSource + ": ", 0), 0u) << m;
  EXPECT_NE(m.find("(line 5)"), std::string::npos) << m;
}

TEST(CityConfigParse, DuplicateId) {
  EXPECT_EQ(err(R"(
[[entity]]
id = "wl.tamky"
type = "WaterLevelStation"
[[entity]]
id = "wl.caulau"
type = "WaterLevelStation"
[[entity]]
id = "wl.tamky"
type = "RainGauge"
)"),
            "city.toml: entity[2] (wl.tamky): id is declared twice (first in entity[0])");
}

TEST(CityConfigParse, BadTypeName) {
  EXPECT_EQ(err(R"(
[[entity]]
id = "wl.tamky"
type = "Water Level Station"
)"),
            "city.toml: entity[0] (wl.tamky): type must be a string of letters, digits and '_' (1-64 characters), "
            "e.g. \"WaterLevelStation\"");
}

TEST(CityConfigParse, MissingType) {
  EXPECT_EQ(err("[[entity]]\nid = \"wl.tamky\"\n"), "city.toml: entity[0] (wl.tamky): type is required");
}

TEST(CityConfigParse, BadIdIsQuotedBack) {
  EXPECT_EQ(err("[[entity]]\nid = \"Trạm Tam Kỳ\"\ntype = \"WaterLevelStation\"\n"),
            "city.toml: entity[0] (Trạm Tam Kỳ): id must be a string of letters, digits and . _ : - (1-128 characters)");
  EXPECT_EQ(err("[[entity]]\ntype = \"WaterLevelStation\"\n"),
            "city.toml: entity[0] (?): id must be a string of letters, digits and . _ : - (1-128 characters)");
}

TEST(CityConfigParse, BadTag) {
  EXPECT_EQ(err("[[entity]]\nid = \"a\"\ntype = \"Zone\"\ntags = [\"lũ lụt\"]\n"),
            "city.toml: entity[0] (a): each tag must be a string of letters, digits and . _ : - (1-64 characters)");
}

TEST(CityConfigParse, UnknownEntityKey) {
  EXPECT_EQ(err("[[entity]]\nid = \"a\"\ntype = \"Zone\"\nriver = \"Thu Bồn\"\n"),
            "city.toml: entity[0] (a): unknown field 'river' (put custom data under \"attributes\")");
}

TEST(CityConfigParse, PolygonNotClosed) {
  EXPECT_EQ(err(R"(
[[entity]]
id = "zone.center"
type = "Zone"
geometry = { type = "Polygon", coordinates = [[[108.46, 15.56], [108.49, 15.56], [108.49, 15.59], [108.46, 15.59]]] }
)"),
            "city.toml: entity[0] (zone.center): geometry.coordinates[0] is not closed (first and last positions "
            "differ)");
}

TEST(CityConfigParse, SwappedPointCoordinates) {
  // [lat, lon] instead of [lon, lat]: 108 is not a latitude.
  EXPECT_EQ(err("[[entity]]\nid = \"wl.tamky\"\ntype = \"WaterLevelStation\"\npoint = [15.567, 108.482]\n"),
            "city.toml: entity[0] (wl.tamky): geometry.coordinates is outside WGS84 range (lon -180..180, lat -90..90; "
            "GeoJSON order is [lon, lat])");
}

TEST(CityConfigParse, EntityMustBeATableArray) {
  EXPECT_EQ(err("entity = [1]\n"), "city.toml: entity[0]: must be a table ([[entity]])");
}

TEST(CityConfigParse, SimulateWithBothEntityAndType) {
  EXPECT_EQ(err(R"(
[[entity]]
id = "wl.tamky"
type = "WaterLevelStation"
[[simulate]]
entity = "wl.tamky"
metric = "water_level_m"
[[simulate]]
entity = "wl.tamky"
type = "WaterLevelStation"
metric = "water_level_m"
)"),
            "city.toml: simulate[1]: set exactly one of entity or type");
}

TEST(CityConfigParse, SimulateWithNeitherEntityNorType) {
  EXPECT_EQ(err("[[simulate]]\nmetric = \"rain_mm\"\n"), "city.toml: simulate[0]: set exactly one of entity or type");
}

TEST(CityConfigParse, SimulateBadMetric) {
  EXPECT_EQ(err("[[simulate]]\ntype = \"RainGauge\"\nmetric = \"Rain-mm\"\n"),
            "city.toml: simulate[0]: metric must match [a-z0-9_]{1,64}");
  EXPECT_EQ(err("[[simulate]]\ntype = \"RainGauge\"\n"), "city.toml: simulate[0]: metric must match [a-z0-9_]{1,64}");
}

TEST(CityConfigParse, SimulateBadNumbers) {
  const std::string head = "[[simulate]]\ntype = \"RainGauge\"\nmetric = \"rain_mm\"\n";
  EXPECT_EQ(err(head + "every_seconds = 0\n"), "city.toml: simulate[0]: every_seconds must be 1..86400, got 0");
  EXPECT_EQ(err(head + "period_minutes = 0\n"), "city.toml: simulate[0]: period_minutes must be > 0, got 0");
  EXPECT_EQ(err(head + "noise = -1\n"), "city.toml: simulate[0]: noise must be >= 0, got -1");
  EXPECT_EQ(err(head + "min = 5\nmax = 0.5\n"), "city.toml: simulate[0]: min must be <= max, got min 5 and max 0.5");
}

TEST(CityConfigParse, ThreadsOutOfRange) {
  EXPECT_EQ(err("[server]\nthreads = 0\n"), "city.toml: server.threads: must be 1..64, got 0");
  EXPECT_EQ(err("[server]\nthreads = 65\n"), "city.toml: server.threads: must be 1..64, got 65");
}

TEST(CityConfigLoad, MissingFile) {
  auto r = CityConfig::load("/nonexistent/cityops.toml", kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "not_found");
  EXPECT_EQ(r.error().message, "cannot read config file /nonexistent/cityops.toml");
}

}  // namespace
