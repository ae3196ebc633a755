#include "Support.hpp"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <cstring>

namespace cityops::it {

namespace json = boost::json;

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string rfc3339(int64_t ms) {
  const time_t secs = static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  const int64_t frac = ms - static_cast<int64_t>(secs) * 1000;
  struct tm tm {};
  ::gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(frac));
  return buf;
}

std::optional<int64_t> parseServerTime(std::string_view s) {
  if (s.size() != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' ||
      s[23] != 'Z')
    return std::nullopt;
  auto field = [&](size_t pos, size_t n) -> int {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + n, v);
    return (ec == std::errc() && p == s.data() + pos + n) ? v : -1;
  };
  struct tm tm {};
  tm.tm_year = field(0, 4) - 1900;
  tm.tm_mon = field(5, 2) - 1;
  tm.tm_mday = field(8, 2);
  tm.tm_hour = field(11, 2);
  tm.tm_min = field(14, 2);
  tm.tm_sec = field(17, 2);
  const int ms = field(20, 3);
  if (tm.tm_mon < 0 || tm.tm_mday < 0 || tm.tm_hour < 0 || tm.tm_min < 0 || tm.tm_sec < 0 || ms < 0)
    return std::nullopt;
  return static_cast<int64_t>(::timegm(&tm)) * 1000 + ms;
}

std::string num(double v) {
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

std::string urlTimestamp(int64_t ms) { return std::to_string(ms); }

const char* qualityName(Quality q) {
  switch (q) {
    case Quality::Good: return "good";
    case Quality::Suspect: return "suspect";
    case Quality::Bad: return "bad";
  }
  return "good";
}

std::string obsJson(const Obs& o) {
  std::string s;
  s.reserve(128);
  s += "{\"entity\":\"";
  s += o.entity;
  s += "\",\"metric\":\"";
  s += o.metric;
  s += "\",\"time\":";
  if (o.timeAsText) {
    s += '"';
    s += rfc3339(o.time);
    s += '"';
  } else {
    s += std::to_string(o.time);
  }
  s += ",\"value\":";
  s += num(o.value);
  if (o.sendQuality) {
    s += ",\"quality\":\"";
    s += qualityName(o.quality);
    s += '"';
  }
  s += '}';
  return s;
}

std::string batchJson(const std::vector<Obs>& batch) {
  std::string s;
  s.reserve(batch.size() * 110 + 2);
  s += '[';
  for (size_t i = 0; i < batch.size(); ++i) {
    if (i) s += ',';
    s += obsJson(batch[i]);
  }
  s += ']';
  return s;
}

std::string batchNdjson(const std::vector<Obs>& batch) {
  std::string s;
  s.reserve(batch.size() * 110);
  for (const auto& o : batch) {
    s += obsJson(o);
    s += '\n';
  }
  return s;
}

double randomValue(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0: return static_cast<double>(static_cast<int64_t>(rng() % 2000001) - 1000000);           // integers
    case 1: return static_cast<double>(static_cast<int64_t>(rng() % 200000001) - 100000000) / 1000;  // 3 decimals
    case 2: return static_cast<double>(rng() % 1000000) / 1e6;                                       // fractions
    default: return static_cast<double>(static_cast<int64_t>(rng() % 2000000001) - 1000000000) * 1e3;  // large
  }
}

Quality randomQuality(std::mt19937_64& rng) {
  const auto r = rng() % 10;
  return r < 7 ? Quality::Good : r < 9 ? Quality::Suspect : Quality::Bad;
}

void createEntities(HttpClient& c, const std::vector<std::pair<std::string, std::string>>& idsAndTypes) {
  json::array arr;
  for (const auto& [id, type] : idsAndTypes) {
    json::object o;
    o["id"] = id;
    o["type"] = type;
    o["name"] = "Entity " + id;
    arr.push_back(std::move(o));
  }
  auto r = c.postJson("/api/v1/entities", json::serialize(arr));
  ASSERT_EQ(r.status, 201) << r.describe();
}

std::vector<Point> queryRaw(HttpClient& c, const std::string& entity, const std::string& metric, int64_t from,
                            int64_t to, size_t limit) {
  std::vector<Point> out;
  const std::string target = "/api/v1/entities/" + entity + "/observations?metric=" + metric +
                             "&from=" + std::to_string(from) + "&to=" + std::to_string(to) +
                             "&limit=" + std::to_string(limit);
  auto r = c.get(target);
  EXPECT_EQ(r.status, 200) << "GET " << target << " -> " << r.describe();
  if (r.status != 200) return out;
  auto v = r.json();
  const auto* o = v.if_object();
  const json::array* pts = o ? (o->if_contains("points") ? o->at("points").if_array() : nullptr) : nullptr;
  EXPECT_TRUE(pts) << "no points array in " << r.body.substr(0, 300);
  if (!pts) return out;
  if (const auto* t = o->if_contains("truncated")) {
    EXPECT_EQ(*t, json::value(pts->size() >= limit)) << "GET " << target << ": truncated flag with " << pts->size()
                                                       << " points";
  }
  out.reserve(pts->size());
  for (const auto& p : *pts) {
    const auto& po = p.as_object();
    auto t = parseServerTime(po.at("time").as_string());
    EXPECT_TRUE(t) << "bad time in " << json::serialize(p);
    const auto& v = po.at("value");
    double value = v.is_double() ? v.get_double() : v.is_int64() ? static_cast<double>(v.get_int64())
                                                                 : static_cast<double>(v.as_uint64());
    const auto* q = po.if_contains("quality");
    out.push_back({t.value_or(-1), value, q && q->is_string() ? std::string(q->get_string()) : std::string("?")});
  }
  return out;
}

std::optional<double> scrape(const std::string& text, const std::string& name, const std::vector<std::string>& parts) {
  std::optional<double> sum;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    if (line.empty() || line[0] == '#') continue;
    if (line.substr(0, name.size()) != name) continue;
    const std::string_view rest = line.substr(name.size());
    std::string_view labels;
    std::string_view valueText;
    if (!rest.empty() && rest[0] == '{') {
      const auto close = rest.rfind('}');
      if (close == std::string_view::npos) continue;
      labels = rest.substr(1, close - 1);
      valueText = rest.substr(close + 1);
    } else if (!rest.empty() && rest[0] == ' ') {
      valueText = rest;
    } else {
      continue;  // a longer metric name with this prefix
    }
    bool all = true;
    for (const auto& p : parts) all = all && labels.find(p) != std::string_view::npos;
    if (!all) continue;
    while (!valueText.empty() && valueText.front() == ' ') valueText.remove_prefix(1);
    const auto sp = valueText.find(' ');
    if (sp != std::string_view::npos) valueText = valueText.substr(0, sp);
    try {
      sum = sum.value_or(0) + std::stod(std::string(valueText));
    } catch (...) {
    }
  }
  return sum;
}

::testing::AssertionResult isError(const HttpResponse& r, int status, const std::string& code,
                                   const std::string& messagePart) {
  if (r.status != status)
    return ::testing::AssertionFailure() << "expected HTTP " << status << " (" << code << "), got " << r.describe();
  auto v = r.json();
  const auto* o = v.if_object();
  if (!o) return ::testing::AssertionFailure() << "HTTP " << status << " body is not a JSON object: " << r.body;
  const auto* e = o->if_contains("error");
  const auto* m = o->if_contains("message");
  if (!e || !e->is_string() || e->get_string() != code)
    return ::testing::AssertionFailure() << "expected \"error\": \"" << code << "\", body: " << r.body;
  if (!m || !m->is_string() || m->get_string().empty())
    return ::testing::AssertionFailure() << "expected a non-empty \"message\", body: " << r.body;
  if (!messagePart.empty() && std::string_view(m->get_string()).find(messagePart) == std::string_view::npos)
    return ::testing::AssertionFailure() << "expected the message to mention '" << messagePart
                                         << "', body: " << r.body;
  if (r.header("Content-Type").find("application/json") == std::string::npos)
    return ::testing::AssertionFailure() << "error answer is not application/json: " << r.header("Content-Type");
  return ::testing::AssertionSuccess();
}

void startServer(ServerProcess& s, const std::string& dir, int threads) {
  ServerProcess::Options o;
  o.dataDir = dir;
  o.threads = threads;
  ASSERT_TRUE(s.start(o)) << s.error();
}

}  // namespace cityops::it

#include <fstream>

namespace cityops::it {

std::optional<int> tcpState(uint16_t localPort, uint16_t remotePort) {
  std::ifstream in("/proc/net/tcp");
  std::string line;
  char local[32], remote[32];
  std::snprintf(local, sizeof local, "0100007F:%04X", localPort);
  std::snprintf(remote, sizeof remote, "0100007F:%04X", remotePort);
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    char l[64] = {}, r[64] = {};
    unsigned st = 0;
    if (std::sscanf(line.c_str(), " %*[0-9]: %63s %63s %x", l, r, &st) != 3) continue;
    if (std::strcmp(l, local) == 0 && std::strcmp(r, remote) == 0) return static_cast<int>(st);
  }
  return std::nullopt;
}

const std::string kTamkyLevelsRule =
    R"({"id":"tamky-levels","name":"Tam Kỳ alarm levels","scope":{"entity":"wl.tamky"},"metric":"water_level_m",)"
    R"("kind":"threshold","levels":[{"above":1.7,"severity":"minor"},{"above":2.2,"severity":"major"},)"
    R"({"above":2.7,"severity":"critical"}],"hysteresis":0.05,"for":"0s","message":"{entity.name}: {value} m"})";

void TamkyLevelsServer::SetUp() { ASSERT_NO_FATAL_FAILURE(startServer(server_, dir_.path(), 2)); }

void TamkyLevelsServer::TearDown() {
  if (!server_.running()) return;
  const int st = server_.terminate();
  EXPECT_TRUE(ServerProcess::exitedCleanly(st)) << ServerProcess::describeStatus(st) << "\n" << server_.tail();
}

void TamkyLevelsServer::seed() {
  HttpClient c(port());
  auto e = c.postJson("/api/v1/entities", R"({"id":"wl.tamky","type":"WaterLevelStation","name":"Tam Kỳ"})");
  ASSERT_EQ(e.status, 201) << e.describe();
  auto r = c.postJson("/api/v1/rules", kTamkyLevelsRule);
  ASSERT_EQ(r.status, 201) << r.describe();
}

}  // namespace cityops::it
