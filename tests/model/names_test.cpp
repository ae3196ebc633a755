// The identifier grammar: ids and tags [A-Za-z0-9._:-], metrics [a-z0-9_], types [A-Za-z0-9_], with length limits.
#include <gtest/gtest.h>

#include <string>

#include "model/Names.hpp"

namespace cityops::model {
namespace {

TEST(Names, EntityIdLength) {
  EXPECT_FALSE(isValidEntityId(""));
  EXPECT_TRUE(isValidEntityId("a"));
  EXPECT_TRUE(isValidEntityId(std::string(128, 'a')));
  EXPECT_FALSE(isValidEntityId(std::string(129, 'a')));
  EXPECT_TRUE(isValidEntityId(std::string(127, 'a') + "-"));
}

TEST(Names, EntityIdCharacters) {
  EXPECT_TRUE(isValidEntityId("tamky:wl.01"));
  EXPECT_TRUE(isValidEntityId("urn:ngsi-ld:WaterLevelStation:TK_01"));
  EXPECT_TRUE(isValidEntityId("AZaz09._:-"));
  EXPECT_TRUE(isValidEntityId("..."));  // only characters are checked, not structure
  for (const char* bad : {"a b", "a/b", "a#b", "a@b", "a?b", "a%20b", "a+b", "a,b", "a;b", "a\"b", "a'b", "a\\b",
                          "a\tb", "a\nb", "Hội", "a~b", "a*b", "(a)", "[a]", "{a}", "a=b", "a!b", "a$b", "a&b", "a|b"}) {
    EXPECT_FALSE(isValidEntityId(bad)) << bad;
  }
  EXPECT_FALSE(isValidEntityId(std::string_view("a\0b", 3)));
  EXPECT_FALSE(isValidEntityId("\xff"));
}

TEST(Names, Metric) {
  EXPECT_TRUE(isValidMetric("water_level"));
  EXPECT_TRUE(isValidMetric("pm2_5"));
  EXPECT_TRUE(isValidMetric("0"));
  EXPECT_TRUE(isValidMetric(std::string(64, 'm')));
  EXPECT_FALSE(isValidMetric(std::string(65, 'm')));
  EXPECT_FALSE(isValidMetric(""));
  EXPECT_FALSE(isValidMetric("Water_level"));  // upper case
  EXPECT_FALSE(isValidMetric("water-level"));
  EXPECT_FALSE(isValidMetric("water.level"));
  EXPECT_FALSE(isValidMetric("water:level"));
  EXPECT_FALSE(isValidMetric("water level"));
}

TEST(Names, Type) {
  EXPECT_TRUE(isValidType("WaterLevelStation"));
  EXPECT_TRUE(isValidType("Camera_2"));
  EXPECT_TRUE(isValidType(std::string(64, 'T')));
  EXPECT_FALSE(isValidType(std::string(65, 'T')));
  EXPECT_FALSE(isValidType(""));
  EXPECT_FALSE(isValidType("Water-Level"));
  EXPECT_FALSE(isValidType("ngsi:Station"));
  EXPECT_FALSE(isValidType("a.b"));
  EXPECT_FALSE(isValidType("Trạm"));
}

TEST(Names, Tag) {
  EXPECT_TRUE(isValidTag("flood-risk"));
  EXPECT_TRUE(isValidTag("zone:north"));
  EXPECT_TRUE(isValidTag("v1.2_x"));
  EXPECT_TRUE(isValidTag(std::string(64, 't')));
  EXPECT_FALSE(isValidTag(std::string(65, 't')));  // tags are shorter than ids
  EXPECT_FALSE(isValidTag(""));
  EXPECT_FALSE(isValidTag("flood risk"));
  EXPECT_FALSE(isValidTag("#flood"));
}

}  // namespace
}  // namespace cityops::model
