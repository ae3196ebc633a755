// [ui] (what the dashboard is told: basemap tiles, zoom, default language) and [server] web_root.
#include "ParseHelpers.hpp"
#include "config/CityConfig.hpp"

#include <gtest/gtest.h>

using cityops::config::CityConfig;
using cityops::config::testing::err;
using cityops::config::testing::ok;

TEST(CityConfigUi, DefaultsWhenAbsent) {
  auto c = ok("[city]\nname = \"x\"\n");
  EXPECT_EQ(c.ui.tileUrl, "https://tile.openstreetmap.org/{z}/{x}/{y}.png");
  EXPECT_EQ(c.ui.tileAttribution, "© OpenStreetMap contributors");
  EXPECT_EQ(c.ui.zoom, 13);
  EXPECT_EQ(c.ui.language, "vi");
  EXPECT_EQ(c.webRoot, "");
}

TEST(CityConfigUi, AllKeysRead) {
  auto c = ok("[server]\nweb_root = \"/opt/cityops/web\"\n"
              "[ui]\ntile_url = \"https://{s}.tiles.example.org/osm/{z}/{x}/{y}{r}.png\"\n"
              "tile_attribution = \"© OSM, tiles: example\"\nzoom = 14\nlanguage = \"en\"\n");
  EXPECT_EQ(c.webRoot, "/opt/cityops/web");
  EXPECT_EQ(c.ui.tileUrl, "https://{s}.tiles.example.org/osm/{z}/{x}/{y}{r}.png");
  EXPECT_EQ(c.ui.tileAttribution, "© OSM, tiles: example");
  EXPECT_EQ(c.ui.zoom, 14);
  EXPECT_EQ(c.ui.language, "en");
  EXPECT_EQ(ok("[ui]\ntile_url = \"\"\n").ui.tileUrl, "") << "no basemap: the local layers only";
}

TEST(CityConfigUi, BadValuesNamed) {
  const std::string urlMessage =
      "must be an http(s) URL template with {z}, {x} and {y} such as "
      "\"https://tile.openstreetmap.org/{z}/{x}/{y}.png\", or \"\" for no basemap, got ";
  EXPECT_EQ(err("[ui]\ntile_url = \"tile.openstreetmap.org/{z}/{x}/{y}.png\"\n"),
            "city.toml: ui.tile_url: " + urlMessage + "\"tile.openstreetmap.org/{z}/{x}/{y}.png\"");
  EXPECT_EQ(err("[ui]\ntile_url = \"https://tiles.example.org/map.png\"\n"),
            "city.toml: ui.tile_url: " + urlMessage + "\"https://tiles.example.org/map.png\"");
  EXPECT_EQ(err("[ui]\ntile_url = \"https://tiles.example.org/{z}/{x}/{y}.png; script-src *\"\n"),
            "city.toml: ui.tile_url: " + urlMessage + "\"https://tiles.example.org/{z}/{x}/{y}.png; script-src *\"")
      << "the origin goes into the Content-Security-Policy: no separators";
  EXPECT_EQ(err("[ui]\nzoom = 25\n"), "city.toml: ui.zoom: must be 1..19, got 25");
  EXPECT_EQ(err("[ui]\nlanguage = \"fr\"\n"), "city.toml: ui.language: must be \"vi\" or \"en\", got \"fr\"");
  EXPECT_EQ(err("[ui]\ntiles = \"x\"\n"),
            "city.toml: ui: unknown key 'tiles' (expected tile_url, tile_attribution, zoom, language)");
  EXPECT_EQ(err("ui = 3\n"), "city.toml: ui: must be a table ([ui]), got integer 3");
}
