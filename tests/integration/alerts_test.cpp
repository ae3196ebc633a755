// Rules and alerts through the running server: readings posted over HTTP raise, escalate and resolve alerts, which
// are pushed on the WebSocket topic "alerts"; a restart in the middle of an active alert neither forgets nor
// duplicates it; concurrent writers on one entity never open two alerts; a silent sensor raises a stale alert.
#include "Support.hpp"

#include <atomic>
#include <cmath>
#include <thread>

namespace cityops::it {
namespace {

namespace json = boost::json;

std::string reading(const std::string& entity, int64_t t, double v) {
  return "[" + obsJson(Obs{entity, "water_level_m", t, v}) + "]";
}

class Alerts : public TamkyLevelsServer {
 protected:
  void post(HttpClient& c, int64_t t, double v) {
    auto r = c.postJson("/api/v1/observations", reading("wl.tamky", t, v));
    ASSERT_EQ(r.status, 200) << r.describe();
  }
  /// GET /api/v1/alerts?<query> until `pred` holds (rules run on their own thread), at most 20 s.
  json::array waitAlerts(const std::string& query, const std::function<bool(const json::array&)>& pred) {
    HttpClient c(port());
    json::array last;
    for (int i = 0; i < 400; ++i) {
      auto r = c.get("/api/v1/alerts?" + query);
      EXPECT_EQ(r.status, 200) << r.describe();
      if (r.status != 200) return {};
      last = r.json().as_array();
      if (pred(last)) return last;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "alerts never reached the expected state: " << json::serialize(last);
    return last;
  }
  json::object alert(int64_t id) {
    HttpClient c(port());
    auto r = c.get("/api/v1/alerts/" + std::to_string(id));
    EXPECT_EQ(r.status, 200) << r.describe();
    return r.status == 200 ? r.json().as_object() : json::object();
  }
  static std::vector<std::string> actions(const json::object& a) {
    std::vector<std::string> out;
    for (const auto& h : a.at("history").as_array()) out.emplace_back(h.at("action").as_string());
    return out;
  }

};

TEST_F(Alerts, LevelsRaiseEscalateResolveAndArePushed) {
  ASSERT_NO_FATAL_FAILURE(seed());
  WsClient ws;
  ASSERT_FALSE(ws.connect(port()));
  std::string ack;
  ASSERT_FALSE(ws.subscribe({"alerts"}, ack));

  HttpClient c(port());
  const int64_t t0 = nowMs() - 60000;
  // 1.5 normal, 1.8 minor, 2.3 major, 2.25 still major (hysteresis 0.05), 2.8 critical, 2.1 back to minor
  // (below 2.7-0.05 and 2.2-0.05), 1.6 clear (below 1.7-0.05).
  const std::vector<double> values = {1.5, 1.8, 2.3, 2.25, 2.8, 2.1, 1.6};
  for (size_t i = 0; i < values.size(); ++i) ASSERT_NO_FATAL_FAILURE(post(c, t0 + static_cast<int64_t>(i) * 1000, values[i]));

  auto list = waitAlerts("rule=tamky-levels", [](const json::array& a) {
    return a.size() == 1 && a[0].at("state") == "resolved";
  });
  ASSERT_EQ(list.size(), 1u);
  const auto a = alert(list[0].at("id").as_int64());
  EXPECT_EQ(actions(a), (std::vector<std::string>{"raise", "escalate", "escalate", "deescalate", "resolve"}));
  const auto& h = a.at("history").as_array();
  EXPECT_EQ(h[0].at("severity"), "minor");
  EXPECT_EQ(h[0].at("value").to_number<double>(), 1.8);
  EXPECT_EQ(h[0].at("at"), json::value(rfc3339(t0 + 1000)));  // data time
  EXPECT_EQ(h[1].at("severity"), "major");
  EXPECT_EQ(h[2].at("severity"), "critical");
  EXPECT_EQ(h[3].at("severity"), "minor");
  EXPECT_EQ(h[4].at("state"), "resolved");
  EXPECT_EQ(a.at("resolved_at"), json::value(rfc3339(t0 + 6000)));

  // The same five transitions on the stream, in order.
  std::vector<std::string> pushed;
  for (int i = 0; i < 5; ++i) {
    std::string text;
    ASSERT_FALSE(ws.read(text, 20s)) << "frame " << i;
    auto f = json::parse(text);
    EXPECT_EQ(f.at("channel"), "alerts") << text;
    pushed.emplace_back(f.at("data").at("transition").as_string());
  }
  EXPECT_EQ(pushed, (std::vector<std::string>{"raise", "escalate", "escalate", "deescalate", "resolve"}));
}

TEST_F(Alerts, OperatorsAcknowledgeCommentAndResolve) {
  ASSERT_NO_FATAL_FAILURE(seed());
  HttpClient c(port());
  ASSERT_NO_FATAL_FAILURE(post(c, nowMs() - 1000, 2.4));
  auto list = waitAlerts("state=active", [](const json::array& a) { return a.size() == 1; });
  ASSERT_EQ(list.size(), 1u);
  const std::string base = "/api/v1/alerts/" + std::to_string(list[0].at("id").as_int64());
  auto acked = c.postJson(base + "/ack", R"({"comment":"crew on the way"})");
  ASSERT_EQ(acked.status, 200) << acked.describe();
  EXPECT_EQ(acked.json().at("state"), "acknowledged");
  EXPECT_TRUE(isError(c.postJson(base + "/ack", "{}"), 409, "conflict"));
  EXPECT_TRUE(isError(c.postJson(base + "/comment", "{}"), 400, "bad_request"));
  EXPECT_EQ(c.postJson(base + "/comment", R"({"comment":"road closed"})").status, 200);
  auto resolved = c.postJson(base + "/resolve", "");
  ASSERT_EQ(resolved.status, 200) << resolved.describe();
  EXPECT_EQ(resolved.json().at("state"), "resolved");
  const auto resolvedJson = resolved.json();
  const auto& h = resolvedJson.at("history").as_array();
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[1].at("action"), "ack");
  EXPECT_EQ(h[1].at("by"), "admin");
  EXPECT_EQ(h[1].at("comment"), "crew on the way");
  EXPECT_EQ(h[2].at("action"), "comment");
  EXPECT_EQ(h[3].at("action"), "resolve");
  // The actions are in the audit log.
  auto audit = c.get("/api/v1/audit?action=alert.ack");
  ASSERT_EQ(audit.status, 200);
  EXPECT_EQ(audit.json().as_array().size(), 1u);
  // A viewer may read alerts but not act on them.
  ASSERT_EQ(c.postJson("/api/v1/users", R"({"username":"al-viewer","role":"viewer","password":"al-viewer-password"})").status,
            201);
  HttpClient anon(port());
  anon.setToken("");
  auto login = anon.postJson("/api/v1/auth/login", R"({"username":"al-viewer","password":"al-viewer-password"})");
  ASSERT_EQ(login.status, 200);
  HttpClient viewer(port());
  viewer.setToken(std::string(login.json().at("token").as_string()));
  EXPECT_EQ(viewer.get(base).status, 200);
  EXPECT_TRUE(isError(viewer.postJson(base + "/comment", R"({"comment":"x"})"), 403, "forbidden"));
}

TEST_F(Alerts, RestartInTheMiddleOfAnActiveAlertNeitherForgetsNorDuplicates) {
  ASSERT_NO_FATAL_FAILURE(seed());
  const int64_t t0 = nowMs() - 60000;
  {
    HttpClient c(port());
    ASSERT_NO_FATAL_FAILURE(post(c, t0, 2.8));
  }
  auto before = waitAlerts("state=active", [](const json::array& a) { return a.size() == 1; });
  ASSERT_EQ(before.size(), 1u);
  const int64_t id = before[0].at("id").as_int64();
  const int st = server_.terminate();
  ASSERT_TRUE(ServerProcess::exitedCleanly(st)) << server_.tail();
  ASSERT_NO_FATAL_FAILURE(startServer(server_, dir_.path(), 2));

  HttpClient c(port());
  ASSERT_NO_FATAL_FAILURE(post(c, t0 + 1000, 2.9));   // still critical: nothing new
  ASSERT_NO_FATAL_FAILURE(post(c, t0 + 2000, 2.3));   // major: de-escalates the same alert
  auto after = waitAlerts("rule=tamky-levels", [](const json::array& a) {
    return !a.empty() && a[0].at("severity") == "major";
  });
  ASSERT_EQ(after.size(), 1u) << json::serialize(after);
  EXPECT_EQ(after[0].at("id").as_int64(), id);
  EXPECT_EQ(actions(alert(id)), (std::vector<std::string>{"raise", "deescalate"}));
}

TEST_F(Alerts, SixteenWritersOnOneEntityOpenOneAlert) {
  ASSERT_NO_FATAL_FAILURE(seed());
  const int64_t t0 = nowMs() - 3600000;
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 16; ++w) {
    writers.emplace_back([&, w] {
      HttpClient c(port());
      std::mt19937_64 rng(static_cast<uint64_t>(w) + 1);
      std::uniform_real_distribution<double> level(1.0, 3.2);
      for (int i = 0; i < 40; ++i) {
        const int64_t t = t0 + (static_cast<int64_t>(i) * 16 + w) * 100;
        auto r = c.postJson("/api/v1/observations", reading("wl.tamky", t, std::round(level(rng) * 100) / 100));
        if (r.status != 200) ++failures;
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(failures.load(), 0);
  HttpClient c(port());
  // Last and highest: the alert must be open and critical (its value is that of the reading that made it critical,
  // which may be an earlier one).
  ASSERT_NO_FATAL_FAILURE(post(c, t0 + 3600000, 3.0));
  auto list = waitAlerts("rule=tamky-levels&state=active", [](const json::array& a) {
    return a.size() == 1 && a[0].at("severity") == "critical";
  });
  EXPECT_EQ(list.size(), 1u);
  // Whatever happened in between: never two open at once, each resolved one closed before the next opened.
  auto all = c.get("/api/v1/alerts?rule=tamky-levels&limit=1000");
  ASSERT_EQ(all.status, 200);
  const auto items = all.json().as_array();
  int open = 0;
  for (const auto& a : items) open += a.at("state") != "resolved" ? 1 : 0;
  EXPECT_EQ(open, 1);
}

TEST_F(Alerts, SilentSensorRaisesStaleAndRecovers) {
  HttpClient c(port());
  ASSERT_EQ(c.postJson("/api/v1/entities", R"({"id":"wl.silent","type":"WaterLevelStation"})").status, 201);
  auto r = c.postJson("/api/v1/rules", R"({"id":"silent","name":"Silent station","scope":{"entity":"wl.silent"},)"
                                       R"("metric":"water_level_m","kind":"stale","after":"2s","severity":"minor",)"
                                       R"("message":"{entity.id} is silent"})");
  ASSERT_EQ(r.status, 201) << r.describe();
  auto raised = waitAlerts("rule=silent&state=active", [](const json::array& a) { return a.size() == 1; });
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].at("message"), "wl.silent is silent");
  auto obs = c.postJson("/api/v1/observations", reading("wl.silent", nowMs(), 1.0));
  ASSERT_EQ(obs.status, 200);
  auto cleared = waitAlerts("rule=silent", [](const json::array& a) {
    return a.size() == 1 && a[0].at("state") == "resolved";
  });
  EXPECT_EQ(cleared.size(), 1u);
}

TEST_F(Alerts, BadRulesAreRefusedAndNothingIsStored) {
  HttpClient c(port());
  EXPECT_TRUE(isError(c.postJson("/api/v1/rules", R"({"id":"x","name":"x","kind":"threshold"})"), 400, "bad_request"));
  EXPECT_TRUE(isError(c.postJson("/api/v1/rules", "[1,2]"), 400, "bad_request"));
  EXPECT_TRUE(isError(c.postJson("/api/v1/rules", "{"), 400, "bad_request"));
  auto list = c.get("/api/v1/rules");
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(list.json().as_array().empty());
  EXPECT_TRUE(isError(c.get("/api/v1/rules/nope"), 404, "not_found"));
  EXPECT_TRUE(isError(c.get("/api/v1/alerts/999"), 404, "not_found"));
  EXPECT_TRUE(isError(c.get("/api/v1/alerts?state=sleeping"), 400, "bad_request"));
}

}  // namespace
}  // namespace cityops::it
