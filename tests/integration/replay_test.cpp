// `cityops replay`: historical readings from a CSV pushed through store -> rules -> alerts in data time, in-process
// on a data directory whose server is stopped. The rules are created through the API of a server that is then
// stopped (or come from --config); the replay's alert times are checked against a hand computation; a bad line
// stops the replay with FILE:LINE and exit code 2 after the lines before it; a server started again on the
// directory shows the alerts.
#include "Support.hpp"

#include <filesystem>

#include <map>

#include <array>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace cityops::it {
namespace {

namespace json = boost::json;

/// 2025-10-29T00:00:00Z: the start of the hand-made flood.
constexpr int64_t kT0 = 1761696000000;
constexpr int64_t kMin = 60000;

const std::string kLevels =
    R"({"id":"tamky-levels","name":"Tam Kỳ alarm levels","scope":{"entity":"wl.tamky"},"metric":"water_level_m",)"
    R"("kind":"threshold","levels":[{"above":1.7,"severity":"minor"},{"above":2.2,"severity":"major"},)"
    R"({"above":2.7,"severity":"critical"}],"hysteresis":0.05,"for":"0s","message":"{entity.name}: {value} m"})";
// Above 2.85 for 5 minutes: only the data-time tick can notice it (the next reading is already below).
const std::string kPeak =
    R"({"id":"tamky-peak","name":"Tam Kỳ near the record","scope":{"entity":"wl.tamky"},"metric":"water_level_m",)"
    R"("kind":"threshold","levels":[{"above":2.85,"severity":"critical"}],"hysteresis":0,"for":"5m"})";
const std::string kSilent =
    R"({"id":"tamky-silent","name":"Tam Kỳ silent","scope":{"entity":"wl.tamky"},"metric":"water_level_m",)"
    R"("kind":"stale","after":"15m","severity":"minor"})";

struct Run {
  int status = -1;  // exit code, or -1 when it did not exit normally (see signal)
  int signal = 0;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Runs `cityops <args...>` with stdout and stderr captured in files under `scratch`; killed after `timeout`.
Run runCityops(const std::vector<std::string>& args, const std::string& scratch,
               std::chrono::seconds timeout = std::chrono::seconds(120)) {
  Run r;
  const std::string outPath = scratch + "/replay.stdout", errPath = scratch + "/replay.stderr";
  std::vector<std::string> argv = {cityopsBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, cargv[0], &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    r.err = "posix_spawn failed: " + std::to_string(rc);
    return r;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int st = 0;
  for (;;) {
    const pid_t w = ::waitpid(pid, &st, WNOHANG);
    if (w == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &st, 0);
      r.err = "timed out\n";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (WIFEXITED(st)) r.status = WEXITSTATUS(st);
  else if (WIFSIGNALED(st)) r.signal = WTERMSIG(st);
  r.out = slurp(outPath);
  r.err += slurp(errPath);
  EXPECT_EQ(r.err.find("runtime error:"), std::string::npos) << r.err;  // UndefinedBehaviorSanitizer
  return r;
}

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.flush()) << "cannot write " << path;
}

/// Starts a server on `dir`, creates wl.tamky and the given rules through the API, stops it cleanly.
void prepare(const std::string& dir, const std::vector<std::string>& rules) {
  ServerProcess server;
  ASSERT_NO_FATAL_FAILURE(startServer(server, dir, 2));
  {
    HttpClient c(server.port());
    auto e = c.postJson("/api/v1/entities", R"({"id":"wl.tamky","type":"WaterLevelStation","name":"Tam Kỳ"})");
    ASSERT_EQ(e.status, 201) << e.describe();
    for (const auto& rule : rules) {
      auto r = c.postJson("/api/v1/rules", rule);
      ASSERT_EQ(r.status, 201) << r.describe();
    }
  }
  const int st = server.terminate();
  ASSERT_TRUE(ServerProcess::exitedCleanly(st)) << ServerProcess::describeStatus(st) << "\n" << server.tail();
}

std::string at(int64_t minutes) { return rfc3339(kT0 + minutes * kMin); }

/// The history of an alert as "action severity value @time" lines.
std::vector<std::string> historyOf(const json::object& alert) {
  std::vector<std::string> out;
  for (const auto& hv : alert.at("history").as_array()) {
    const auto& h = hv.as_object();
    std::string line = std::string(h.at("action").as_string()) + " " + std::string(h.at("severity").as_string()) +
                       " " + (h.at("value").is_null() ? std::string("null") : num(h.at("value").to_number<double>())) +
                       " @" + std::string(h.at("at").as_string());
    out.push_back(std::move(line));
  }
  return out;
}

/// The alert of `rule` in a replay's {"alerts": [...]}.
const json::object* alertOf(const json::array& alerts, const std::string& rule) {
  for (const auto& a : alerts)
    if (a.at("rule") == json::value(rule)) return &a.as_object();
  return nullptr;
}

TEST(Replay, FloodHydrographRaisesEscalatesAndResolvesInDataTime) {
  TempDir dir, scratch;
  ASSERT_NO_FATAL_FAILURE(prepare(dir.path(), {kLevels, kPeak, kSilent}));

  // A hand-made flood, every 10 minutes from 2025-10-29T00:00Z; times in epoch ms, UTC and +07:00 mixed.
  // Expected, with levels 1.7 / 2.2 / 2.7 and hysteresis 0.05:
  //   tamky-levels: raise minor @40 (1.74), escalate major @70 (2.21; 2.18 @80 stays major: > 2.15),
  //     escalate critical @120 (2.71; 2.68 @130 stays: > 2.65), deescalate major @180 (2.60; 2.66 @170 stayed),
  //     deescalate minor @220 (2.12; 2.16 @210 stayed), resolve @270 (1.60; 1.66 @260 stayed: > 1.65).
  //     The 3.50 @255 is flagged bad (never triggers); the 3.10 @155 comes after 160 (out of order: ignored).
  //   tamky-peak (> 2.85 for 5 min): 2.90 @150 holds until the 2.78 @160; the tick at 155 raises critical @155,
  //     the reading @160 resolves it.
  //   tamky-silent (15 min): nothing between 290 and 330: raised @305 (290 + 15, value 1.42), resolved @330.
  struct Line {
    int64_t minute;
    double value;
    const char* quality;
    int timeForm;  // 0 epoch ms, 1 RFC 3339 UTC, 2 RFC 3339 +07:00
  };
  const std::vector<Line> lines = {
      {0, 1.20, "", 0},    {10, 1.35, "", 1},   {20, 1.52, "", 2},   {30, 1.68, "", 0},   {40, 1.74, "", 1},
      {50, 1.90, "", 2},   {60, 2.08, "", 0},   {70, 2.21, "", 1},   {80, 2.18, "", 2},   {90, 2.35, "", 0},
      {100, 2.52, "", 1},  {110, 2.69, "", 2},  {120, 2.71, "", 0},  {130, 2.68, "", 1},  {140, 2.84, "", 2},
      {150, 2.90, "", 0},  {160, 2.78, "", 1},  {155, 3.10, "", 0},  {170, 2.66, "", 2},  {180, 2.60, "", 0},
      {190, 2.40, "", 1},  {200, 2.25, "", 2},  {210, 2.16, "", 0},  {220, 2.12, "", 1},  {230, 1.95, "", 2},
      {240, 1.80, "", 0},  {250, 1.72, "", 1},  {255, 3.50, "bad", 2}, {260, 1.66, "good", 0}, {270, 1.60, "", 1},
      {280, 1.50, "", 2},  {290, 1.42, "", 0},  {330, 1.38, "", 1},  {340, 1.35, "", 2},
  };
  std::string csv = "time,entity,metric,value,quality\r\n";
  for (const auto& l : lines) {
    const int64_t t = kT0 + l.minute * kMin;
    std::string time;
    if (l.timeForm == 0) {
      time = std::to_string(t);
    } else if (l.timeForm == 1) {
      time = rfc3339(t);
    } else {  // the same instant in Vietnam's time
      std::string local = rfc3339(t + 7 * 3600000);
      time = local.substr(0, local.size() - 1) + "+07:00";
    }
    csv += time + ",wl.tamky,water_level_m," + num(l.value) + "," + l.quality + "\r\n";
    if (l.minute == 100) csv += "\r\n";  // a blank line is skipped
  }
  const std::string csvPath = scratch.path() + "/flood.csv";
  ASSERT_NO_FATAL_FAILURE(writeFile(csvPath, csv));

  auto run = runCityops({"replay", csvPath, "--data", dir.path(), "--json"}, scratch.path());
  ASSERT_EQ(run.status, 0) << "signal " << run.signal << "\n" << run.err << run.out;
  json::value parsed;
  ASSERT_NO_THROW(parsed = json::parse(run.out)) << run.out;
  ASSERT_TRUE(parsed.is_object());
  ASSERT_EQ(parsed.as_object().size(), 1u) << run.out;  // exactly {"alerts": [...]}
  const json::array alerts = parsed.at("alerts").as_array();
  ASSERT_EQ(alerts.size(), 3u) << run.out;
  // In the order of their first transition.
  EXPECT_EQ(alerts[0].at("rule"), "tamky-levels");
  EXPECT_EQ(alerts[1].at("rule"), "tamky-peak");
  EXPECT_EQ(alerts[2].at("rule"), "tamky-silent");

  const auto* levels = alertOf(alerts, "tamky-levels");
  ASSERT_TRUE(levels);
  EXPECT_EQ(historyOf(*levels), (std::vector<std::string>{
                                    "raise minor 1.74 @" + at(40),
                                    "escalate major 2.21 @" + at(70),
                                    "escalate critical 2.71 @" + at(120),
                                    "deescalate major 2.6 @" + at(180),
                                    "deescalate minor 2.12 @" + at(220),
                                    "resolve minor 1.6 @" + at(270),
                                }));
  EXPECT_EQ(levels->at("state"), "resolved");
  EXPECT_EQ(levels->at("entity"), "wl.tamky");
  EXPECT_EQ(levels->at("metric"), "water_level_m");
  EXPECT_EQ(levels->at("raised_at"), json::value(at(40)));
  EXPECT_EQ(levels->at("updated_at"), json::value(at(270)));
  EXPECT_EQ(levels->at("resolved_at"), json::value(at(270)));
  EXPECT_EQ(levels->at("message"), "Tam Kỳ: 2.12 m");  // the last change's message is kept at resolve
  for (const auto& h : levels->at("history").as_array()) EXPECT_EQ(h.at("by"), "rule");

  const auto* peak = alertOf(alerts, "tamky-peak");
  ASSERT_TRUE(peak);
  EXPECT_EQ(historyOf(*peak),
            (std::vector<std::string>{"raise critical 2.9 @" + at(155), "resolve critical 2.78 @" + at(160)}));

  const auto* silent = alertOf(alerts, "tamky-silent");
  ASSERT_TRUE(silent);
  EXPECT_EQ(historyOf(*silent),
            (std::vector<std::string>{"raise minor 1.42 @" + at(305), "resolve minor 1.38 @" + at(330)}));

  // Every reading is stored, the bad and the out-of-order ones too.
  ServerProcess server;
  ASSERT_NO_FATAL_FAILURE(startServer(server, dir.path(), 2));
  HttpClient c(server.port());
  const auto points = queryRaw(c, "wl.tamky", "water_level_m", kT0, kT0 + 400 * kMin);
  EXPECT_EQ(points.size(), lines.size());

  // The server shows the replayed alerts exactly as the replay printed them (history included), and they stay
  // resolved: the restart neither re-raises nor duplicates them.
  auto list = c.get("/api/v1/alerts?entity=wl.tamky");
  ASSERT_EQ(list.status, 200) << list.describe();
  EXPECT_EQ(list.json().as_array().size(), 3u) << list.body;
  for (const auto& a : alerts) {
    auto got = c.get("/api/v1/alerts/" + std::to_string(a.at("id").as_int64()));
    ASSERT_EQ(got.status, 200) << got.describe();
    EXPECT_EQ(got.json(), a) << got.body;
  }
  const int st = server.terminate();
  EXPECT_TRUE(ServerProcess::exitedCleanly(st)) << ServerProcess::describeStatus(st) << "\n" << server.tail();
}

TEST(Replay, ABadLineStopsWithFileAndLineAfterTheLinesBeforeIt) {
  TempDir dir, scratch;
  // The entity comes from --config this time (no server needed to prepare).
  const std::string config = scratch.path() + "/city.toml";
  ASSERT_NO_FATAL_FAILURE(writeFile(config, "[[entity]]\nid = \"wl.tamky\"\ntype = \"WaterLevelStation\"\n"
                                            "name = \"Tam Kỳ\"\n"));
  const std::string csvPath = scratch.path() + "/bad.csv";
  ASSERT_NO_FATAL_FAILURE(writeFile(csvPath, "time,entity,metric,value\n" +
                                                 std::to_string(kT0) + ",wl.tamky,water_level_m,1.2\n" +
                                                 at(10) + ",wl.tamky,water_level_m,1.3\n"
                                                 "\n" +
                                                 at(20) + ",wl.tamky,water_level_m,1.4\n" +
                                                 at(30) + ",wl.tamky,water_level_m,high\n" +
                                                 at(40) + ",wl.tamky,water_level_m,1.6\n"));
  auto run = runCityops({"replay", csvPath, "--data", dir.path(), "--config", config, "--json"}, scratch.path());
  EXPECT_EQ(run.status, 2) << run.err;
  EXPECT_NE(run.err.find(csvPath + ":6: value 'high' is not a finite number"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("3 readings before it were ingested"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");  // no result claimed

  // Other problems, each with its line; nothing of these files is ingested (the bad line comes first).
  struct Case {
    std::string text, expected;
  };
  const std::vector<Case> cases = {
      {"time,entity,metric,value\n" + at(50) + ",wl.nowhere,water_level_m,1\n", ":2: no entity 'wl.nowhere'"},
      {"time,entity,metric,value\nyesterday,wl.tamky,water_level_m,1\n", ":2: time 'yesterday' is neither"},
      {"time,entity,metric,value\n" + at(50) + ",wl.tamky,Water Level,1\n", ":2: metric 'Water Level' is not"},
      {"time,entity,metric,value\n" + at(50) + ",wl.tamky,water_level_m\n", ":2: expected 4 fields, found 3"},
      {"time,entity,metric,value,quality\n" + at(50) + ",wl.tamky,water_level_m,1,great\n", ":2: quality 'great'"},
      {"\ntime,entity,metric,level\n", ":2: unknown column 'level'"},
  };
  for (const auto& k : cases) {
    ASSERT_NO_FATAL_FAILURE(writeFile(csvPath, k.text));
    auto r = runCityops({"replay", csvPath, "--data", dir.path()}, scratch.path());
    EXPECT_EQ(r.status, 2) << k.expected << "\n" << r.err;
    EXPECT_NE(r.err.find(csvPath + k.expected), std::string::npos) << r.err;
  }

  // Exactly the three readings before the bad line are in the store.
  ServerProcess server;
  ASSERT_NO_FATAL_FAILURE(startServer(server, dir.path(), 2));
  HttpClient c(server.port());
  const auto points = queryRaw(c, "wl.tamky", "water_level_m", kT0 - kMin, kT0 + 100 * kMin);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].time, kT0);
  EXPECT_EQ(points[2].time, kT0 + 20 * kMin);
  EXPECT_EQ(points[2].value, 1.4);
  const int st = server.terminate();
  EXPECT_TRUE(ServerProcess::exitedCleanly(st)) << ServerProcess::describeStatus(st) << "\n" << server.tail();
}

TEST(Replay, PrintsATimelineAndPacesWithSpeed) {
  TempDir dir, scratch;
  // The entity and the rule come from --config ([[entity]], [[rule]]): they are stored before the replay.
  const std::string config = scratch.path() + "/city.toml";
  ASSERT_NO_FATAL_FAILURE(writeFile(config, R"([[entity]]
id = "wl.tamky"
type = "WaterLevelStation"
name = "Tam Kỳ"

[[rule]]
id = "tamky-levels"
name = "Tam Kỳ alarm levels"
scope = { entity = "wl.tamky" }
metric = "water_level_m"
kind = "threshold"
levels = [{ above = 1.7, severity = "minor" }, { above = 2.2, severity = "major" }, { above = 2.7, severity = "critical" }]
hysteresis = 0.05
for = "0s"
)"));
  // 10 minutes of data at --speed 600: about one second of wall time.
  const std::string csvPath = scratch.path() + "/short.csv";
  ASSERT_NO_FATAL_FAILURE(writeFile(csvPath, "entity,time,value,metric\n"  // columns in any order
                                             "wl.tamky," + at(0) + ",1.8,water_level_m\n" +
                                             "wl.tamky," + at(5) + ",2.3,water_level_m\n" +
                                             "\"wl.tamky\"," + at(10) + ",1.0,water_level_m\n"));
  const auto started = std::chrono::steady_clock::now();
  auto run = runCityops({"replay", csvPath, "--data", dir.path(), "--config", config, "--speed", "600"},
                        scratch.path());
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_GE(took, std::chrono::milliseconds(950));
  EXPECT_NE(run.err.find("replayed 3 readings"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("1 alert raised or changed"), std::string::npos) << run.err;
  // A header and one row per transition, in data time.
  std::vector<std::string> rows;
  std::istringstream in(run.out);
  for (std::string line; std::getline(in, line);) rows.push_back(line);
  ASSERT_EQ(rows.size(), 4u) << run.out;
  EXPECT_EQ(rows[0].rfind("time", 0), 0u) << run.out;
  EXPECT_NE(rows[0].find("transition"), std::string::npos) << run.out;
  const std::vector<std::pair<std::string, std::string>> expected = {
      {at(0), "raise"}, {at(5), "escalate"}, {at(10), "resolve"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(rows[i + 1].rfind(expected[i].first, 0), 0u) << rows[i + 1];
    EXPECT_NE(rows[i + 1].find(" tamky-levels "), std::string::npos) << rows[i + 1];
    EXPECT_NE(rows[i + 1].find(" " + expected[i].second + " "), std::string::npos) << rows[i + 1];
  }
}


// The synthetic October 2025 flood through `cityops replay` with the Tam Kỳ configuration: each station's alarm-level
// alert reaches each level at the first hourly reading at or above it (the crossings are read from the CSV here, the
// levels are the facts sheet's), and its forecast alert reached that severity earlier.
// (Hội An is left out: its tide takes it over BĐ I and back several times before the main flood.)
TEST(Replay, FloodEventRaisesAlarmLevelsOnTimeAndForecastsWarnEarlier) {
  const std::string root = (std::filesystem::path(__FILE__).parent_path() / ".." / "..").string();
  const std::string csvPath = root + "/examples/tamky/flood-2025-10.csv";
  const std::string config = root + "/examples/tamky/cityops.toml";
  ASSERT_TRUE(std::filesystem::exists(csvPath)) << csvPath;
  // BĐ I/II/III from shared/data/tamky/README.md (Decision 05/2020 levels as bulletins give them).
  const std::map<std::string, std::array<double, 3>> levels = {
      {"wl.tamky", {1.7, 2.2, 2.7}}, {"wl.nongson", {11.0, 13.0, 15.0}}, {"wl.giaothuy", {6.5, 7.5, 8.8}},
      {"wl.caulau", {2.0, 3.0, 4.0}}, {"wl.ainghia", {6.5, 8.0, 9.0}}};
  // First reading above each level (strictly, as the rules read "above") during the main flood (from 28 Oct 2025
  // 12:00 +07:00 on).
  const int64_t mainFlood = 1761627600000;  // 2025-10-28T05:00:00Z
  std::map<std::string, std::array<int64_t, 3>> crossing;
  {
    std::ifstream in(csvPath);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::stringstream ss(line);
      std::string time, entity, metric, value;
      std::getline(ss, time, ',');
      std::getline(ss, entity, ',');
      std::getline(ss, metric, ',');
      std::getline(ss, value, ',');
      auto l = levels.find(entity);
      if (l == levels.end() || metric != "water_level_m") continue;
      const auto t = parseServerTime(time.substr(0, 19) + ".000Z");
      ASSERT_TRUE(t.has_value()) << time;
      const int64_t ms = *t - 7 * 3600000;  // +07:00
      if (ms < mainFlood) continue;
      auto& c = crossing.try_emplace(entity, std::array<int64_t, 3>{0, 0, 0}).first->second;
      for (int i = 0; i < 3; ++i)
        if (c[i] == 0 && std::stod(value) > l->second[i]) c[i] = ms;
    }
  }
  TempDir dir;
  const auto r = runCityops({"replay", csvPath, "--data", dir.path(), "--config", config, "--json"}, dir.path(),
                           std::chrono::seconds(240));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto alerts = json::parse(r.out).at("alerts").as_array();
  const char* severities[] = {"minor", "major", "critical"};
  // When each rule's alert on each entity first reached each severity (after the main flood began).
  auto reached = [&](const std::string& rule, int level) -> std::optional<int64_t> {
    std::optional<int64_t> first;
    for (const auto& a : alerts) {
      if (a.at("rule").as_string() != rule) continue;
      for (const auto& h : a.at("history").as_array()) {
        const auto at = parseServerTime(h.at("at").as_string());
        if (!at || *at < mainFlood) continue;
        const std::string sev(h.at("severity").as_string());
        int rank = sev == "minor" ? 0 : sev == "major" ? 1 : sev == "critical" ? 2 : -1;
        const std::string action(h.at("action").as_string());
        if (rank >= level && (action == "raise" || action == "escalate") && (!first || *at < *first)) first = *at;
      }
    }
    return first;
  };
  for (const auto& [station, times] : crossing) {
    for (int i = 0; i < 3; ++i) {
      SCOPED_TRACE(station + " " + severities[i]);
      ASSERT_NE(times[i], 0) << "the event never reaches this level";
      const auto alarm = reached("alarm." + station, i);
      ASSERT_TRUE(alarm.has_value());
      EXPECT_EQ(*alarm, times[i]) << rfc3339(*alarm) << " vs " << rfc3339(times[i]);
      const auto forecast = reached("forecast." + station, i);
      ASSERT_TRUE(forecast.has_value());
      EXPECT_LT(*forecast, times[i]) << "forecast " << rfc3339(*forecast) << ", observed " << rfc3339(times[i]);
    }
  }
}

}  // namespace
}  // namespace cityops::it
