// Live stream round trip over /api/v1/stream.
#include "Support.hpp"

namespace cityops::it {
namespace {

namespace json = boost::json;

class Stream : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(startServer(server_, dir_.path(), 2));
    HttpClient c(server_.port());
    ASSERT_NO_FATAL_FAILURE(createEntities(c, {{"st-a", "Pump"}, {"st-b", "Pump"}, {"st-c", "Gate"}}));
  }
  void TearDown() override {
    const int st = server_.terminate();
    EXPECT_TRUE(ServerProcess::exitedCleanly(st)) << ServerProcess::describeStatus(st) << "\n" << server_.tail();
  }
  uint16_t port() const { return server_.port(); }

  /// The observation as the stream must show it.
  static json::object streamed(const Obs& o, const std::string& type) {
    return json::object{{"entity", o.entity},         {"type", type}, {"metric", o.metric},
                        {"time", rfc3339(o.time)},    {"value", o.value},
                        {"quality", qualityName(o.quality)}};
  }
  /// Reads one frame and checks it is {"channel":"observations","observations":[expected...]}.
  static void expectFrame(WsClient& ws, const std::vector<json::object>& expected, const std::string& who) {
    std::string text;
    auto ec = ws.read(text, 20s);
    ASSERT_FALSE(ec) << who << ": no frame: " << ec.message();
    boost::system::error_code jec;
    auto v = json::parse(text, jec);
    ASSERT_FALSE(jec) << who << ": not JSON: " << text;
    ASSERT_TRUE(v.is_object()) << text;
    const auto& o = v.get_object();
    EXPECT_EQ(o.size(), 2u) << who << ": frame keys: " << text;
    EXPECT_EQ(o.if_contains("channel") ? *o.if_contains("channel") : json::value(), json::value("observations"))
        << text;
    const auto* items = o.if_contains("observations");
    ASSERT_TRUE(items && items->is_array()) << text;
    ASSERT_EQ(items->get_array().size(), expected.size()) << who << ": " << text;
    for (size_t i = 0; i < expected.size(); ++i) {
      const auto& got = items->get_array()[i].as_object();
      EXPECT_EQ(got.size(), expected[i].size()) << who << " item " << i << ": " << json::serialize(got);
      for (const auto& kv : expected[i]) {
        const auto* g = got.if_contains(kv.key());
        if (!g) {
          ADD_FAILURE() << who << " item " << i << " lacks '" << kv.key() << "': " << json::serialize(got);
          continue;
        }
        if (kv.key() == "value") {
          const double gv = g->is_double() ? g->get_double() : g->is_int64() ? static_cast<double>(g->get_int64()) : -1e300;
          EXPECT_EQ(gv, kv.value().as_double()) << who << " item " << i;
        } else {
          EXPECT_EQ(*g, kv.value()) << who << " item " << i << " field " << kv.key();
        }
      }
    }
  }

  TempDir dir_;
  ServerProcess server_;
};

TEST_F(Stream, EntityAndTypeSubscriptionsReceiveExactlyThePostedValues) {
  WsClient byEntity, byType;
  ASSERT_FALSE(byEntity.connect(port()));
  ASSERT_FALSE(byType.connect(port()));
  std::string ack;
  ASSERT_FALSE(byEntity.subscribe({"observations:entity:st-a"}, ack));
  EXPECT_EQ(json::parse(ack), json::parse(R"({"subscribed":["observations:entity:st-a"]})"));
  ASSERT_FALSE(byType.subscribe({"observations:type:Gate"}, ack));
  EXPECT_EQ(json::parse(ack), json::parse(R"({"subscribed":["observations:type:Gate"]})"));

  const int64_t t0 = nowMs() - 600000;
  std::vector<Obs> batch = {
      {"st-a", "pressure_bar", t0 + 1, 2.5, Quality::Good, true, false},
      {"st-b", "pressure_bar", t0 + 2, 9.0, Quality::Good, true, false},
      {"st-a", "pressure_bar", t0 + 3, -0.125, Quality::Suspect, true, true},
      {"st-c", "opening_pct", t0 + 4, 40, Quality::Bad, true, false},
      {"st-a", "flow_m3s", t0 + 5, 123456789, Quality::Good, false, true},  // quality omitted: good
      {"st-c", "opening_pct", t0 + 6, 41.5, Quality::Good, true, false},
  };
  HttpClient c(port());
  auto r = c.postJson("/api/v1/observations", batchJson(batch));
  ASSERT_EQ(r.status, 200) << r.describe();
  ASSERT_NO_FATAL_FAILURE(expectFrame(
      byEntity, {streamed(batch[0], "Pump"), streamed(batch[2], "Pump"), streamed(batch[4], "Pump")}, "entity st-a"));
  ASSERT_NO_FATAL_FAILURE(
      expectFrame(byType, {streamed(batch[3], "Gate"), streamed(batch[5], "Gate")}, "type Gate"));

  // A batch for nobody's topics sends nothing; a rejected batch sends nothing; the next frame is the next batch.
  r = c.postJson("/api/v1/observations", batchJson({{"st-b", "pressure_bar", t0 + 10, 1, Quality::Good}}));
  ASSERT_EQ(r.status, 200) << r.describe();
  r = c.postJson("/api/v1/observations", batchJson({{"st-a", "pressure_bar", t0 + 11, 7, Quality::Good},
                                                    {"nobody", "pressure_bar", t0 + 12, 7, Quality::Good}}));
  ASSERT_EQ(r.status, 422) << r.describe();
  r = c.postJson("/api/v1/observations", "[{\"entity\":\"st-a\",\"metric\":\"pressure_bar\",\"time\":1,\"value\":\"x\"}]");
  ASSERT_EQ(r.status, 400) << r.describe();
  const Obs next{"st-a", "pressure_bar", t0 + 20, 3.75, Quality::Good};
  const Obs gate{"st-c", "opening_pct", t0 + 21, 42, Quality::Good};
  // NDJSON goes to the stream the same way.
  r = c.request("POST", "/api/v1/observations", batchNdjson({next, gate}), "application/x-ndjson");
  ASSERT_EQ(r.status, 200) << r.describe();
  ASSERT_NO_FATAL_FAILURE(expectFrame(byEntity, {streamed(next, "Pump")}, "entity st-a, second frame"));
  ASSERT_NO_FATAL_FAILURE(expectFrame(byType, {streamed(gate, "Gate")}, "type Gate, second frame"));

  // A single observation (object form) too; and a subscriber can add topics later.
  ASSERT_FALSE(byEntity.subscribe({"observations:entity:st-b"}, ack));
  EXPECT_EQ(json::parse(ack), json::parse(R"({"subscribed":["observations:entity:st-b"]})"));
  const Obs single{"st-b", "pressure_bar", t0 + 30, 8.5, Quality::Suspect};
  r = c.postJson("/api/v1/observations", obsJson(single));
  ASSERT_EQ(r.status, 200) << r.describe();
  ASSERT_NO_FATAL_FAILURE(expectFrame(byEntity, {streamed(single, "Pump")}, "entity st-b (added topic)"));
}

TEST_F(Stream, BadSubscriptionsGetAnErrorFrameAndTheConnectionStaysUsable) {
  WsClient ws;
  ASSERT_FALSE(ws.connect(port()));
  auto expectError = [&](const std::string& send, const std::string& mention) {
    ASSERT_FALSE(ws.send(send));
    std::string text;
    ASSERT_FALSE(ws.read(text, 20s)) << "no answer to " << send;
    auto v = json::parse(text);
    ASSERT_TRUE(v.is_object()) << text;
    EXPECT_EQ(v.at("error"), json::value("bad_request")) << text;
    EXPECT_TRUE(v.at("message").is_string() && !v.at("message").as_string().empty()) << text;
    if (!mention.empty()) {
      EXPECT_NE(text.find(mention), std::string::npos) << text;
    }
  };
  ASSERT_NO_FATAL_FAILURE(expectError("hello", ""));
  ASSERT_NO_FATAL_FAILURE(expectError(R"({"subscribe":"alerts"})", ""));
  ASSERT_NO_FATAL_FAILURE(expectError(R"({"subscribe":[1]})", ""));
  ASSERT_NO_FATAL_FAILURE(expectError(R"({"subscribe":["weather"]})", "weather"));
  ASSERT_NO_FATAL_FAILURE(expectError(R"({"subscribe":["observations:entity:bad id"]})", ""));
  // A message with one bad topic adds none of its topics (st-b's observations must not arrive below).
  ASSERT_NO_FATAL_FAILURE(expectError(R"({"subscribe":["observations:entity:st-b","weather"]})", "weather"));
  // More than 1000 topics for one connection: an error, none added.
  {
    json::array many;
    for (int i = 0; i < 1001; ++i) many.emplace_back("observations:entity:st-x" + std::to_string(i));
    ASSERT_NO_FATAL_FAILURE(expectError(json::serialize(json::object{{"subscribe", many}}), ""));
  }
  std::string ack;
  ASSERT_FALSE(ws.subscribe({"observations:entity:st-a", "alerts"}, ack));
  EXPECT_EQ(json::parse(ack), json::parse(R"({"subscribed":["observations:entity:st-a","alerts"]})"));
  const Obs o{"st-a", "pressure_bar", nowMs() - 1000, 1.25, Quality::Good};
  const Obs b{"st-b", "pressure_bar", nowMs() - 1000, 2.5, Quality::Good};
  HttpClient c(port());
  auto r = c.postJson("/api/v1/observations", batchJson({b}));
  ASSERT_EQ(r.status, 200) << r.describe();
  r = c.postJson("/api/v1/observations", batchJson({o}));
  ASSERT_EQ(r.status, 200) << r.describe();
  ASSERT_NO_FATAL_FAILURE(expectFrame(ws, {streamed(o, "Pump")}, "after errors"));

  // A plain GET on the stream endpoint is told to upgrade.
  EXPECT_TRUE(isError(c.get("/api/v1/stream"), 426, "upgrade_required"));
}

}  // namespace
}  // namespace cityops::it
