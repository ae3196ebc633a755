// [[subscription]] tables: webhooks and MQTT channels declared in the city's file.
#include "ParseHelpers.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace cityops::config::testing {
namespace {

TEST(CityConfigSubscriptions, WebhookAndMqttWithFilter) {
  auto c = ok(R"(
[[subscription]]
url = "http://127.0.0.1:9000/hooks"
secret = "0123456789abcdef"

[[subscription]]
url = "mqtt://127.0.0.1:1883/tamky/alerts"
secret = "fedcba9876543210"
enabled = false
filter = { severities = ["major", "critical"], types = ["WaterLevelStation"] }
)");
  ASSERT_EQ(c.subscriptions.size(), 2u);
  EXPECT_EQ(c.subscriptions[0].url, "http://127.0.0.1:9000/hooks");
  EXPECT_EQ(c.subscriptions[0].secret, "0123456789abcdef");
  EXPECT_TRUE(c.subscriptions[0].enabled);
  EXPECT_EQ(c.subscriptions[0].filter, notify::Filter{});
  EXPECT_EQ(c.subscriptions[1].url, "mqtt://127.0.0.1:1883/tamky/alerts");
  EXPECT_FALSE(c.subscriptions[1].enabled);
  EXPECT_EQ(c.subscriptions[1].filter.severities, (std::vector<std::string>{"major", "critical"}));
  EXPECT_EQ(c.subscriptions[1].filter.types, (std::vector<std::string>{"WaterLevelStation"}));
}

TEST(CityConfigSubscriptions, SecretFileIsReadRelativeToTheConfig) {
  const auto dir = std::filesystem::temp_directory_path() / ("cityops-cfg-sub-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "hook.secret") << "a-secret-of-20-bytes\n";
  const std::string toml = "[[subscription]]\nurl = \"http://127.0.0.1:9000/h\"\nsecret_file = \"hook.secret\"\n";
  auto r = CityConfig::parse(toml, (dir / "city.toml").string(), kNow);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->subscriptions.size(), 1u);
  EXPECT_EQ(r->subscriptions[0].secret, "a-secret-of-20-bytes");  // the trailing newline is not part of it
  auto missing = CityConfig::parse("[[subscription]]\nurl = \"http://127.0.0.1:9000/h\"\nsecret_file = \"nope\"\n",
                                   (dir / "city.toml").string(), kNow);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("cannot read secret_file"), std::string::npos) << missing.error().message;
  std::filesystem::remove_all(dir);
}

TEST(CityConfigSubscriptions, MistakesNameTheEntry) {
  EXPECT_NE(err("[[subscription]]\nurl = \"http://h:1/x\"\nsecret = \"0123456789abcdef\"\nsecret_file = \"f\"\n")
                .find("subscription[0] (http://h:1/x): set secret or secret_file, not both"),
            std::string::npos);
  EXPECT_NE(err("[[subscription]]\nurl = \"ftp://h/x\"\nsecret = \"0123456789abcdef\"\n").find("subscription[0]"),
            std::string::npos);
  EXPECT_NE(err("[[subscription]]\nurl = \"http://h:1/x\"\nsecret = \"short\"\n").find("16 to 256 bytes"),
            std::string::npos);
  EXPECT_NE(err("[[subscription]]\nurl = \"http://h:1/x\"\nsecret = \"0123456789abcdef\"\nfilter = { colours = [] }\n")
                .find("subscription[0]"),
            std::string::npos);
  EXPECT_NE(err("[[subscription]]\nurl = \"http://h:1/x\"\nsecret = \"0123456789abcdef\"\n"
                "[[subscription]]\nurl = \"http://h:1/x\"\nsecret = \"0123456789abcdef\"\n")
                .find("subscription[1] (http://h:1/x): a subscription with this url is declared twice"),
            std::string::npos);
  EXPECT_NE(err("subscription = 3\n").find("must be an array of tables ([[subscription]])"), std::string::npos);
}

}  // namespace
}  // namespace cityops::config::testing

namespace cityops::config::testing {
namespace {

TEST(CityConfigFlood, StationRuleSettingsAndQcDefaults) {
  auto c = ok(R"(
[flood]
hysteresis = 0.1
for = "2m"
rise_per_hour = 0.4
rise_window = "30m"
[flood.qc.water_level_m]
hard_min = -1
soft_max = 8
flat_count = 12
gap = "20m"
)");
  EXPECT_EQ(c.flood.stationRules.hysteresis, 0.1);
  EXPECT_EQ(c.flood.stationRules.forMs, 120000);
  EXPECT_EQ(c.flood.stationRules.risePerHour, 0.4);
  EXPECT_EQ(c.flood.stationRules.riseWindowMs, 1800000);
  ASSERT_EQ(c.flood.qc.count("water_level_m"), 1u);
  EXPECT_EQ(c.flood.qc.at("water_level_m").hardMin, -1);
  EXPECT_EQ(c.flood.qc.at("water_level_m").softMax, 8);
  EXPECT_EQ(c.flood.qc.at("water_level_m").flatCount, 12);
  EXPECT_EQ(c.flood.qc.at("water_level_m").gapMs, 1200000);
  EXPECT_FALSE(ok("").flood.stationRules.risePerHour.has_value());  // no rise rules unless asked for
}

TEST(CityConfigFlood, MistakesNameTheKey) {
  EXPECT_NE(err("[flood]\nrise_per_hour = -1\n").find("flood.rise_per_hour"), std::string::npos);
  EXPECT_NE(err("[flood]\nfor = \"soon\"\n").find("flood.for"), std::string::npos);
  EXPECT_NE(err("[flood]\nhysterisis = 0.1\n").find("hysterisis"), std::string::npos);
  EXPECT_NE(err("[flood.qc.water_level_m]\nspike = 1\n").find("flood.qc.water_level_m"), std::string::npos);
  EXPECT_NE(err("[flood.qc.Water]\nhard_min = 1\n").find("is not a metric name"), std::string::npos);
}

}  // namespace
}  // namespace cityops::config::testing
