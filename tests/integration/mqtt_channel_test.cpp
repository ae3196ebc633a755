// MQTT as the second notification channel, end to end: a [[subscription]] with an mqtt:// URL in the city's
// configuration, a real mosquitto broker on loopback, the real server; alert changes arrive on
// <prefix>/<severity>/<entity type> in order, each once, with the webhook's JSON body.
#include "Support.hpp"

#include "../notify/MosquittoBroker.hpp"

#include <filesystem>
#include <fstream>

namespace cityops::it {
namespace {

namespace json = boost::json;

TEST(MqttChannel, AlertChangesArePublishedPerSeverityAndType) {
  cityops::testing::MosquittoBroker broker;
  ASSERT_TRUE(broker.start()) << broker.error();
  cityops::testing::TestSubscriber sub(broker.port(), "tamky/alerts/#");
  ASSERT_TRUE(sub.start()) << sub.error();

  TempDir dir;
  const std::string config = (std::filesystem::path(dir.path()) / "mqtt.toml").string();
  std::ofstream(config) << "[security]\nrate_limit = 0\nanonymous_rate_limit = 0\n\n"
                        << "[[subscription]]\nurl = \"mqtt://127.0.0.1:" << broker.port() << "/tamky/alerts\"\n"
                        << "secret = \"not-used-without-a-user\"\n"
                        << "filter = { severities = [\"minor\", \"major\", \"critical\"] }\n";
  ServerProcess server;
  ServerProcess::Options o;
  o.dataDir = dir.path();
  o.threads = 2;
  o.unlimitedRates = false;
  o.extraArgs = {"--config", config};
  ASSERT_TRUE(server.start(o)) << server.error();
  HttpClient c(server.port());
  ASSERT_EQ(c.postJson("/api/v1/entities", R"({"id":"wl.tamky","type":"WaterLevelStation","name":"Tam Kỳ"})").status,
            201);
  ASSERT_EQ(c.postJson("/api/v1/rules", kTamkyLevelsRule).status, 201);

  const int64_t t0 = nowMs() - 3600000;
  for (auto [dt, v] : {std::pair<int64_t, double>{0, 1.8}, {600000, 2.3}, {1200000, 1.0}}) {
    auto r = c.postJson("/api/v1/observations", "[" + obsJson(Obs{"wl.tamky", "water_level_m", t0 + dt, v}) + "]");
    ASSERT_EQ(r.status, 200) << r.describe();
  }
  ASSERT_TRUE(sub.waitFor(3)) << "got " << sub.messages().size() << " messages\n" << server.tail();
  const auto got = sub.messages();
  ASSERT_EQ(got.size(), 3u);
  const char* topics[] = {"tamky/alerts/minor/WaterLevelStation", "tamky/alerts/major/WaterLevelStation",
                          "tamky/alerts/major/WaterLevelStation"};  // the resolve keeps the alert's severity
  const char* transitions[] = {"raise", "escalate", "resolve"};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(got[i].topic, topics[i]);
    const auto body = json::parse(got[i].payload);
    EXPECT_EQ(body.at("transition").as_string(), transitions[i]);
    EXPECT_EQ(body.at("entity").as_string(), "wl.tamky");
    EXPECT_EQ(body.at("entity_type").as_string(), "WaterLevelStation");
  }
  // The subscription's status shows the deliveries.
  auto subs = c.get("/api/v1/subscriptions");
  ASSERT_EQ(subs.status, 200);
  const json::value list = subs.json();
  ASSERT_EQ(list.as_array().size(), 1u);
  EXPECT_EQ(list.as_array()[0].at("status").at("delivered").to_number<int>(), 3);
  const int st = server.terminate();
  EXPECT_TRUE(ServerProcess::exitedCleanly(st)) << ServerProcess::describeStatus(st);
}

}  // namespace
}  // namespace cityops::it
