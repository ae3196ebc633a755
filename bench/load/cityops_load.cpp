// cityops_load: end-to-end load generator and measurer for `make bench`.
//
// Drives either a cityops server or a VictoriaMetrics single-node server with
// the same deterministic data set and prints machine-readable lines:
//
//   RESULT <key> <value> <unit>     measurements (stdout)
//   CHECK  <what> ok|FAIL <detail>  correctness cross-checks (stdout)
//   ERROR  <what> <detail>          failed requests (stdout, first few only)
//
// Progress and notes go to stderr. See bench/README.md for the scenarios.
#include "http_client.hpp"

#include <boost/json.hpp>
#include <boost/asio/connect.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace json = boost::json;
using namespace load;
using Clock = std::chrono::steady_clock;
using tcp = boost::asio::ip::tcp;

namespace {

// ---------------------------------------------------------------- options

enum class Target { cityops, victoria };

struct Options {
  Target target = Target::cityops;
  std::string url;
  std::string scenario;
  int sensors = 10000;
  int minutes = 100;
  int batch = 5000;
  int conns = 2;
  std::int64_t end_ms = 0;       // end (exclusive) of the 100-minute window; 0 = now floored to 10 min
  std::int64_t year_end_ms = 0;  // end (exclusive) of the year window; 0 = now floored to 1 day
  double duration_s = 5.0;       // single
  std::int64_t count = 0;        // single: stop after this many requests (0 = duration only)
  int reps = -1;                 // query/latest/year repetitions (-1 = scenario default)
  int warmup = -1;
  int sensor = -1;               // query: fixed sensor index (-1 = rotate over sensors)
  std::string vm_format = "prom";  // victoria import format: prom | json
  std::string metric = "water_level_m";
  std::string path = "/readyz";  // wait
  double timeout_s = 120;        // wait / searchable polling
  bool create = true;            // ingest/year: create cityops entities first
  int pid = 0;                   // wait: give up as soon as this process has exited
  bool vm_flush = false;         // ingest: call /internal/force_flush after the last ack
  std::uint64_t seed = 20260101;
  // cityops authentication: a bearer token on every request; --token, else a login as --user with --password
  // (default: $CITYOPS_ADMIN_PASSWORD). --no-auth sends none (a server without authentication).
  std::string token;
  std::string user = "admin";
  std::string password;
  bool no_auth = false;
  // alerts: alert latency under a background load
  int triggers = 200;            // timed threshold crossings (raise / resolve alternately), after --warmup ones
  double bg_rate = 10000;        // background observations per second (0 = none)
  int bg_batch = 100;            // background observations per request
  int bg_rules = 0;              // threshold rules (never crossed) created on the first N background sensors
  double gap_ms = 20;            // pause between crossings (plus 0..10 ms jitter)
  std::string alert_entity = "alert-bench-01";
};

[[noreturn]] void usage(const char* msg = nullptr) {
  if (msg) std::fprintf(stderr, "cityops_load: %s\n\n", msg);
  std::fprintf(stderr,
               "usage: cityops_load --target cityops|victoria --url http://127.0.0.1:PORT SCENARIO [options]\n"
               "       cityops_load free-port\n"
               "scenarios:\n"
               "  ingest   N sensors x M minutes in batches of B over C keep-alive connections\n"
               "  single   one-observation POSTs over C connections for --duration seconds\n"
               "  query    one sensor, M minutes in 10-minute averages, repeated\n"
               "  latest   latest value of every sensor, repeated\n"
               "  year     one extra sensor with a year of 1-minute data, then 1-day averages\n"
               "  wait     poll GET --path until 200 (prints RESULT ready_at_ms)\n"
               "  alerts   cityops: one threshold rule on --alert-entity, a background load on the sensors, and\n"
               "           --triggers crossings; time from each POST's send / 200 to its frame on the WebSocket topic\n"
               "           \"alerts\"\n"
               "options:\n"
               "  --sensors N (10000) --minutes M (100) --batch B (5000) --conns C (2)\n"
               "  --end-ms T        end of the M-minute window (epoch ms, default now floored to 10 min)\n"
               "  --year-end-ms T   end of the year window (default now floored to a UTC day)\n"
               "  --duration S (5)  --count K (0)     single\n"
               "  --reps R --warmup W --sensor I      query/latest/year\n"
               "  --vm-format prom|json (prom)         VictoriaMetrics import format\n"
               "  --path P (/readyz) --timeout S (120) --pid PID (wait: stop if PID exits)\n"
               "  --no-create       do not create cityops entities first\n"
               "  --vm-flush        ingest: call /internal/force_flush after the last ack (default: natural visibility)\n"
               "  --triggers N (200) --warmup W (10) --gap-ms G (20) --alert-entity ID (alert-bench-01)   alerts\n"
               "  --bg-rate OBS_PER_S (10000) --bg-batch B (100) --bg-rules N (0)   alerts: background load on\n"
               "                    --sensors sensors (created unless --no-create), N never-crossed rules on them\n"
               "cityops authentication (every request carries Authorization: Bearer TOKEN):\n"
               "  --token TOKEN     use this token (a session token or a device key)\n"
               "  --user U (admin) --password P ($CITYOPS_ADMIN_PASSWORD)   otherwise log in first\n"
               "  --no-auth         send no token (a server without authentication)\n");
  std::exit(2);
}

Options parse_args(int argc, char** argv) {
  Options o;
  auto need = [&](int& i) -> std::string {
    if (i + 1 >= argc) usage((std::string("missing value for ") + argv[i]).c_str());
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--target") {
      auto t = need(i);
      if (t == "cityops") o.target = Target::cityops;
      else if (t == "victoria" || t == "victoriametrics" || t == "vm") o.target = Target::victoria;
      else usage("unknown --target");
    } else if (a == "--url") o.url = need(i);
    else if (a == "--sensors") o.sensors = std::stoi(need(i));
    else if (a == "--minutes") o.minutes = std::stoi(need(i));
    else if (a == "--batch") o.batch = std::stoi(need(i));
    else if (a == "--conns") o.conns = std::stoi(need(i));
    else if (a == "--end-ms") o.end_ms = std::stoll(need(i));
    else if (a == "--year-end-ms") o.year_end_ms = std::stoll(need(i));
    else if (a == "--duration") o.duration_s = std::stod(need(i));
    else if (a == "--count") o.count = std::stoll(need(i));
    else if (a == "--reps") o.reps = std::stoi(need(i));
    else if (a == "--warmup") o.warmup = std::stoi(need(i));
    else if (a == "--sensor") o.sensor = std::stoi(need(i));
    else if (a == "--vm-format") o.vm_format = need(i);
    else if (a == "--metric") o.metric = need(i);
    else if (a == "--path") o.path = need(i);
    else if (a == "--timeout") o.timeout_s = std::stod(need(i));
    else if (a == "--seed") o.seed = std::stoull(need(i));
    else if (a == "--no-create") o.create = false;
    else if (a == "--vm-flush") o.vm_flush = true;
    else if (a == "--pid") o.pid = std::stoi(need(i));
    else if (a == "--token") o.token = need(i);
    else if (a == "--user") o.user = need(i);
    else if (a == "--password") o.password = need(i);
    else if (a == "--no-auth") o.no_auth = true;
    else if (a == "--triggers") o.triggers = std::stoi(need(i));
    else if (a == "--bg-rate") o.bg_rate = std::stod(need(i));
    else if (a == "--bg-batch") o.bg_batch = std::stoi(need(i));
    else if (a == "--bg-rules") o.bg_rules = std::stoi(need(i));
    else if (a == "--gap-ms") o.gap_ms = std::stod(need(i));
    else if (a == "--alert-entity") o.alert_entity = need(i);
    else if (a == "-h" || a == "--help") usage();
    else if (!a.empty() && a[0] != '-' && o.scenario.empty()) o.scenario = a;
    else usage(("unknown argument " + a).c_str());
  }
  if (o.scenario.empty()) usage("no scenario");
  if (o.scenario != "free-port" && o.url.empty()) usage("--url is required");
  if (o.sensors <= 0 || o.minutes <= 0 || o.batch <= 0 || o.conns <= 0) usage("sizes must be positive");
  if (o.vm_format != "prom" && o.vm_format != "json") usage("--vm-format must be prom or json");
  if (o.password.empty())
    if (const char* p = std::getenv("CITYOPS_ADMIN_PASSWORD")) o.password = p;
  return o;
}

// ---------------------------------------------------------------- helpers

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double ms_since(Clock::time_point t0, Clock::time_point t1) {
  return std::chrono::duration<double, std::milli>(t1 - t0).count();
}

void result(const std::string& key, double v, const char* unit) {
  if (std::fabs(v) >= 1000 || v == std::floor(v))
    std::printf("RESULT %s %.0f %s\n", key.c_str(), v, unit);
  else
    std::printf("RESULT %s %.4g %s\n", key.c_str(), v, unit);
  std::fflush(stdout);
}

bool g_check_failed = false;

void check(const std::string& what, bool ok, const std::string& detail) {
  if (!ok) g_check_failed = true;
  std::printf("CHECK %s %s %s\n", what.c_str(), ok ? "ok" : "FAIL", detail.c_str());
  std::fflush(stdout);
}

std::string clip(std::string_view s, std::size_t n = 300) {
  std::string o(s.substr(0, n));
  for (auto& c : o)
    if (c == '\n' || c == '\r') c = ' ';
  if (s.size() > n) o += "...";
  return o;
}

// Thread-safe "print the first few errors" sink.
struct ErrorLog {
  std::mutex mu;
  std::atomic<std::uint64_t> count{0};
  void add(const std::string& what, const Response& r) {
    auto n = count.fetch_add(1);
    if (n < 5) {
      std::lock_guard lk(mu);
      if (r.status == 0)
        std::printf("ERROR %s transport: %s\n", what.c_str(), r.error.c_str());
      else
        std::printf("ERROR %s status=%d body=%s\n", what.c_str(), r.status, clip(r.body).c_str());
      std::fflush(stdout);
    }
  }
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  double idx = p / 100.0 * (v.size() - 1);
  auto lo = static_cast<std::size_t>(std::floor(idx));
  auto hi = static_cast<std::size_t>(std::ceil(idx));
  return v[lo] + (v[hi] - v[lo]) * (idx - lo);
}

// seconds with millisecond precision, as VictoriaMetrics query args
std::string vm_time(std::int64_t ms) {
  char b[40];
  std::snprintf(b, sizeof b, "%" PRId64 ".%03d", ms / 1000, static_cast<int>(ms % 1000));
  return b;
}

// ---------------------------------------------------------------- data set

struct SplitMix {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

// A river gauge: level in millimetres, a bounded random walk (so values are
// metres with 3 decimals and stay plausible: 0.2 m .. 6 m).
struct Walk {
  SplitMix rng;
  int mm;
  explicit Walk(std::uint64_t seed) : rng{seed} { mm = 500 + static_cast<int>(rng.next() % 2500); }
  int step() {
    int d = static_cast<int>(rng.next() % 21) - 10;  // -10..+10 mm per minute
    mm += d;
    if (mm < 200) mm = 400 - mm;
    if (mm > 6000) mm = 12000 - mm;
    return mm;
  }
};

std::string sensor_id(int s) {  // 0-based index -> s00001
  char b[16];
  std::snprintf(b, sizeof b, "s%05d", s + 1);
  return b;
}
const std::string kYearSensor = "y00001";

// Observation window: minute m (0..M-1) is at start_ms + m*60000, start_ms = end_ms - M*60000.
struct DataSet {
  int n = 0, m = 0;
  std::int64_t start_ms = 0, end_ms = 0;
  std::vector<std::int32_t> mm;  // [minute * n + sensor]
  int at(int minute, int s) const { return mm[static_cast<std::size_t>(minute) * n + s]; }
};

DataSet make_dataset(const Options& o) {
  DataSet d;
  d.n = o.sensors;
  d.m = o.minutes;
  d.end_ms = o.end_ms ? o.end_ms : now_ms() / 600000 * 600000;
  d.start_ms = d.end_ms - static_cast<std::int64_t>(o.minutes) * 60000;
  d.mm.resize(static_cast<std::size_t>(d.n) * d.m);
  std::vector<Walk> w;
  w.reserve(d.n);
  for (int s = 0; s < d.n; ++s) w.emplace_back(o.seed * 1000003ULL + s);
  for (int t = 0; t < d.m; ++t)
    for (int s = 0; s < d.n; ++s) d.mm[static_cast<std::size_t>(t) * d.n + s] = w[s].step();
  return d;
}

struct YearSet {
  std::int64_t start_ms = 0, end_ms = 0;
  std::vector<std::int32_t> mm;  // one per minute
};
constexpr std::int64_t kDayMs = 86400000;
constexpr int kYearMinutes = 365 * 1440;  // 525 600

YearSet make_yearset(const Options& o) {
  YearSet y;
  y.end_ms = o.year_end_ms ? o.year_end_ms : now_ms() / kDayMs * kDayMs;
  y.start_ms = y.end_ms - 365 * kDayMs;
  y.mm.resize(kYearMinutes);
  Walk w(o.seed ^ 0x5eed5eedULL);
  for (auto& v : y.mm) v = w.step();
  return y;
}

// Appends one observation in the target's wire format.
void append_obs(std::string& out, Target t, const std::string& fmt, const std::string& metric,
                const std::string& entity, std::int64_t ts, int mm, bool first) {
  char b[256];
  int n;
  if (t == Target::cityops) {
    n = std::snprintf(b, sizeof b,
                      "%s{\"entity\":\"%s\",\"metric\":\"%s\",\"time\":%" PRId64 ",\"value\":%d.%03d}",
                      first ? "" : ",", entity.c_str(), metric.c_str(), ts, mm / 1000, mm % 1000);
  } else if (fmt == "prom") {
    n = std::snprintf(b, sizeof b, "%s{entity=\"%s\"} %d.%03d %" PRId64 "\n", metric.c_str(),
                      entity.c_str(), mm / 1000, mm % 1000, ts);
  } else {
    n = std::snprintf(b, sizeof b,
                      "{\"metric\":{\"__name__\":\"%s\",\"entity\":\"%s\"},\"values\":[%d.%03d],"
                      "\"timestamps\":[%" PRId64 "]}\n",
                      metric.c_str(), entity.c_str(), mm / 1000, mm % 1000, ts);
  }
  out.append(b, static_cast<std::size_t>(n));
}

struct Ingest {
  std::string path, content_type;
};
Ingest ingest_endpoint(const Options& o) {
  if (o.target == Target::cityops) return {"/api/v1/observations", "application/json"};
  if (o.vm_format == "prom") return {"/api/v1/import/prometheus", "text/plain"};
  return {"/api/v1/import", "application/json"};
}

std::string wrap_body(const Options& o, std::string body) {
  if (o.target == Target::cityops) return "[" + body + "]";
  return body;
}

// ---------------------------------------------------------------- cityops entities

bool create_entities(const Options& o, const Url& url, const std::vector<std::string>& ids,
                     const std::string& name_prefix) {
  Connection c(url);
  const std::size_t per_req = 10000;
  for (std::size_t i = 0; i < ids.size(); i += per_req) {
    std::string body = "[";
    for (std::size_t j = i; j < std::min(ids.size(), i + per_req); ++j) {
      char b[320];
      double lon = 108.30 + 0.30 * static_cast<double>(j % 100) / 100.0;
      double lat = 15.40 + 0.30 * static_cast<double>((j / 100) % 100) / 100.0;
      std::snprintf(b, sizeof b,
                    "%s{\"id\":\"%s\",\"type\":\"Sensor\",\"name\":\"%s %zu\",\"geometry\":{\"type\":\"Point\","
                    "\"coordinates\":[%.5f,%.5f]}}",
                    j == i ? "" : ",", ids[j].c_str(), name_prefix.c_str(), j + 1, lon, lat);
      body += b;
    }
    body += "]";
    auto req = build_request("POST", "/api/v1/entities", url, "application/json", body);
    auto t0 = Clock::now();
    auto r = c.roundtrip(req, 0);
    auto t1 = Clock::now();
    std::fprintf(stderr, "create entities %zu..%zu: status %d in %.0f ms\n", i,
                 std::min(ids.size(), i + per_req) - 1, r.status, ms_since(t0, t1));
    if (!r.ok()) {
      std::printf("ERROR create_entities status=%d body=%s %s\n", r.status, clip(r.body).c_str(),
                  r.error.c_str());
      std::fflush(stdout);
      if (r.status != 409) return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------- batched sending

struct SendStats {
  Clock::time_point t0, t_last_ack;
  std::uint64_t ok_batches = 0, failed_batches = 0, reconnects = 0;
};

SendStats send_batches(const Options& o, const Url& url, const std::vector<std::string>& reqs,
                       const std::string& what, ErrorLog& errs) {
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> ok{0}, failed{0}, reconn{0};
  std::vector<Clock::time_point> last(o.conns);
  // connect before the clock starts
  std::vector<std::unique_ptr<Connection>> conns;
  for (int i = 0; i < o.conns; ++i) {
    conns.push_back(std::make_unique<Connection>(url));
    conns.back()->get(o.target == Target::cityops ? "/readyz" : "/health");
  }
  SendStats st;
  st.t0 = Clock::now();
  std::vector<std::thread> th;
  for (int i = 0; i < o.conns; ++i) {
    th.emplace_back([&, i] {
      auto& c = *conns[i];
      last[i] = st.t0;
      for (;;) {
        std::size_t k = next.fetch_add(1);
        if (k >= reqs.size()) break;
        auto r = c.roundtrip(reqs[k], 2);
        if (r.ok()) {
          ++ok;
          last[i] = Clock::now();
        } else {
          ++failed;
          errs.add(what, r);
        }
      }
      reconn += c.reconnects();
    });
  }
  for (auto& t : th) t.join();
  st.t_last_ack = *std::max_element(last.begin(), last.end());
  st.ok_batches = ok;
  st.failed_batches = failed;
  st.reconnects = reconn;
  return st;
}

// ---------------------------------------------------------------- VictoriaMetrics helpers

// Runs an instant query and returns the first result's value (or nullopt).
std::optional<double> vm_scalar(Connection& c, const std::string& q, std::int64_t at_ms) {
  auto r = c.get("/api/v1/query?query=" + url_encode(q) + "&time=" + vm_time(at_ms) + "&nocache=1");
  if (!r.ok()) return std::nullopt;
  try {
    auto v = json::parse(r.body);
    auto& res = v.at("data").at("result").as_array();
    if (res.empty()) return 0.0;
    return std::stod(std::string(res[0].at("value").as_array()[1].as_string()));
  } catch (...) {
    return std::nullopt;
  }
}

// Polls until `q` evaluated at `at_ms` reports `want`; returns the time it did.
std::optional<Clock::time_point> vm_wait_count(const Url& url, const std::string& q, std::int64_t at_ms,
                                               double want, double timeout_s, int* polls) {
  Connection c(url);
  auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
  double last = -1;
  *polls = 0;
  while (Clock::now() < deadline) {
    auto v = vm_scalar(c, q, at_ms);
    ++*polls;
    if (v) {
      last = *v;
      if (*v >= want) return Clock::now();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::fprintf(stderr, "searchable: timed out, last count %.0f of %.0f\n", last, want);
  return std::nullopt;
}

// ---------------------------------------------------------------- scenarios

int run_ingest(const Options& o, const Url& url) {
  auto d = make_dataset(o);
  std::fprintf(stderr, "ingest: %d sensors x %d minutes = %lld obs, window [%lld, %lld) ms, batch %d, conns %d\n",
               d.n, d.m, static_cast<long long>(d.n) * d.m, static_cast<long long>(d.start_ms),
               static_cast<long long>(d.end_ms), o.batch, o.conns);
  if (o.target == Target::cityops && o.create) {
    std::vector<std::string> ids;
    for (int s = 0; s < d.n; ++s) ids.push_back(sensor_id(s));
    if (!create_entities(o, url, ids, "Sensor")) return 1;
  }
  // Pre-build every request (time-major: each minute, every sensor reports).
  auto ep = ingest_endpoint(o);
  std::vector<std::string> ids;
  for (int s = 0; s < d.n; ++s) ids.push_back(sensor_id(s));
  std::vector<std::string> reqs;
  const std::int64_t total = static_cast<std::int64_t>(d.n) * d.m;
  std::string body;
  std::size_t bytes = 0;
  for (std::int64_t i = 0; i < total;) {
    body.clear();
    std::int64_t end = std::min(total, i + o.batch);
    for (std::int64_t k = i; k < end; ++k) {
      int t = static_cast<int>(k / d.n), s = static_cast<int>(k % d.n);
      append_obs(body, o.target, o.vm_format, o.metric, ids[s], d.start_ms + t * 60000LL, d.at(t, s), k == i);
    }
    auto b = wrap_body(o, body);
    bytes += b.size();
    reqs.push_back(build_request("POST", ep.path, url, ep.content_type, b));
    i = end;
  }
  std::fprintf(stderr, "ingest: %zu requests, %.1f MB of bodies to %s\n", reqs.size(), bytes / 1e6,
               ep.path.c_str());

  ErrorLog errs;
  auto st = send_batches(o, url, reqs, "ingest", errs);
  double ack_ms = ms_since(st.t0, st.t_last_ack);
  double obs_ok = static_cast<double>(total) * st.ok_batches / reqs.size();
  result("ingest_obs", static_cast<double>(total), "obs");
  result("ingest_body_bytes", static_cast<double>(bytes), "bytes");
  result("ingest_failed_batches", static_cast<double>(st.failed_batches), "batches");
  result("ingest_reconnects", static_cast<double>(st.reconnects), "count");
  result("ingest_ack_ms", ack_ms, "ms");
  result("ingest_ack_obs_per_s", obs_ok / (ack_ms / 1000.0), "obs/s");
  if (st.failed_batches) return 1;

  if (o.target == Target::cityops) {
    // A 200 from cityops means durable and searchable.
    result("ingest_searchable_ms", ack_ms, "ms");
    result("ingest_searchable_obs_per_s", obs_ok / (ack_ms / 1000.0), "obs/s");
  } else {
    // Default: natural visibility (no /internal/force_flush). Either way, poll
    // a count query until it sees every sample of the window.
    if (o.vm_flush) {
      Connection c(url);
      auto r = c.get("/internal/force_flush");
      if (!r.ok()) errs.add("force_flush", r);
    }
    result("ingest_searchable_force_flush", o.vm_flush ? 1 : 0, "bool");
    char q[256];
    std::snprintf(q, sizeof q, "sum(count_over_time(%s{entity=~\"s.*\"}[%ds]))", o.metric.c_str(), d.m * 60);
    int polls = 0;
    auto t = vm_wait_count(url, q, d.end_ms - 1, static_cast<double>(total), o.timeout_s, &polls);
    if (!t) {
      check("ingest_searchable", false, "count never reached " + std::to_string(total));
      return 1;
    }
    double s_ms = ms_since(st.t0, *t);
    result("ingest_searchable_ms", s_ms, "ms");
    result("ingest_searchable_after_ack_ms", ms_since(st.t_last_ack, *t), "ms");
    result("ingest_searchable_polls", polls, "count");
    result("ingest_searchable_obs_per_s", total / (s_ms / 1000.0), "obs/s");
  }
  return 0;
}

int run_single(const Options& o, const Url& url) {
  auto ep = ingest_endpoint(o);
  std::atomic<std::uint64_t> next{0}, ok{0}, failed{0};
  ErrorLog errs;
  const int n = o.sensors;
  const std::int64_t t_base = now_ms();
  std::vector<std::string> ids;
  for (int s = 0; s < n; ++s) ids.push_back(sensor_id(s));
  std::vector<std::unique_ptr<Connection>> conns;
  for (int i = 0; i < o.conns; ++i) {
    conns.push_back(std::make_unique<Connection>(url));
    conns.back()->get(o.target == Target::cityops ? "/readyz" : "/health");
  }
  std::vector<std::vector<double>> lat(o.conns);
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::duration<double>(o.duration_s);
  std::vector<std::thread> th;
  for (int c = 0; c < o.conns; ++c) {
    th.emplace_back([&, c] {
      auto& conn = *conns[c];
      std::string body, req;
      lat[c].reserve(1 << 16);
      SplitMix rng{o.seed + 77 + c};
      for (std::uint64_t k = 0;; ++k) {
        if ((k & 15) == 0 && Clock::now() >= deadline) break;
        std::uint64_t i = next.fetch_add(1);
        if (o.count && i >= static_cast<std::uint64_t>(o.count)) break;
        int s = static_cast<int>(i % n);
        std::int64_t ts = t_base + static_cast<std::int64_t>(i / n);
        int mm = 500 + static_cast<int>(rng.next() % 2500);
        body.clear();
        append_obs(body, o.target, o.vm_format, o.metric, ids[s], ts, mm, true);
        req = build_request("POST", ep.path, url, ep.content_type, wrap_body(o, body));
        auto a = Clock::now();
        auto r = conn.roundtrip(req, 0);
        auto b = Clock::now();
        if (r.ok()) {
          ++ok;
          lat[c].push_back(ms_since(a, b));
        } else {
          ++failed;
          errs.add("single", r);
        }
      }
    });
  }
  for (auto& t : th) t.join();
  double el = ms_since(t0, Clock::now());
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  result("single_conns", o.conns, "connections");
  result("single_ok", static_cast<double>(ok), "requests");
  result("single_failed", static_cast<double>(failed), "requests");
  result("single_req_per_s", ok / (el / 1000.0), "req/s");
  result("single_p50_ms", percentile(all, 50), "ms");
  result("single_p99_ms", percentile(all, 99), "ms");
  return failed ? 1 : 0;
}

// Extracts the point values from a query response (either shape).
std::optional<std::vector<double>> series_values(Target t, const std::string& body, std::string* why) {
  try {
    auto v = json::parse(body);
    std::vector<double> out;
    if (t == Target::cityops) {
      for (auto& p : v.at("points").as_array()) {
        auto& val = p.at("value");
        if (val.is_null()) {
          out.push_back(NAN);
        } else {
          out.push_back(val.to_number<double>());
        }
      }
    } else {
      auto& res = v.at("data").at("result").as_array();
      if (res.empty()) return out;
      for (auto& p : res[0].at("values").as_array())
        out.push_back(std::stod(std::string(p.as_array()[1].as_string())));
    }
    return out;
  } catch (const std::exception& e) {
    *why = e.what();
    return std::nullopt;
  }
}

bool compare_values(const std::vector<double>& got, const std::vector<double>& want, std::string* detail) {
  if (got.size() != want.size()) {
    *detail = "got " + std::to_string(got.size()) + " points, want " + std::to_string(want.size());
    return false;
  }
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (!(std::fabs(got[i] - want[i]) <= 1e-6 * std::max(1.0, std::fabs(want[i])))) {
      char b[160];
      std::snprintf(b, sizeof b, "point %zu: got %.9g want %.9g", i, got[i], want[i]);
      *detail = b;
      return false;
    }
  }
  *detail = std::to_string(got.size()) + " points match";
  return true;
}

struct Latencies {
  std::vector<double> ms;
  std::uint64_t failed = 0;
};

// Runs `warmup` + `reps` GETs on one keep-alive connection; validates the
// first few responses with `validate`.
Latencies timed_gets(const Url& url, int warmup, int reps, const std::function<std::string(int)>& target,
                     const std::function<void(int, const Response&)>& validate, int validate_n,
                     const std::string& what) {
  Connection c(url);
  ErrorLog errs;
  Latencies L;
  L.ms.reserve(reps);
  for (int i = 0; i < warmup + reps; ++i) {
    std::string t = target(i);
    auto a = Clock::now();
    auto r = c.get(t);
    auto b = Clock::now();
    if (!r.ok() || r.body.empty()) {
      ++L.failed;
      errs.add(what, r);
      if (r.status == 0 && L.failed > 20) break;
      continue;
    }
    if (i >= warmup) L.ms.push_back(ms_since(a, b));
    if (i < validate_n) validate(i, r);
  }
  return L;
}

int run_query(const Options& o, const Url& url) {
  auto d = make_dataset(o);
  const int warm = o.warmup >= 0 ? o.warmup : 200;
  const int reps = o.reps >= 0 ? o.reps : 2000;
  const int buckets = d.m / 10;
  auto sensor_of = [&](int i) { return o.sensor >= 0 ? o.sensor % d.n : static_cast<int>((i * 7919LL) % d.n); };
  auto target = [&](int i) {
    const std::string id = sensor_id(sensor_of(i));
    char b[512];
    if (o.target == Target::cityops) {
      std::snprintf(b, sizeof b,
                    "/api/v1/entities/%s/observations?metric=%s&from=%" PRId64 "&to=%" PRId64
                    "&interval=10m&agg=avg",
                    id.c_str(), o.metric.c_str(), d.start_ms, d.start_ms + buckets * std::int64_t{600000});
      return std::string(b);
    }
    // Each point at t averages (t-10m, t]; t = bucket end - 1 ms gives exactly
    // the same samples as cityops' [bucket start, bucket end).
    std::string q = o.metric + "{entity=\"" + id + "\"}";
    q = "avg_over_time(" + q + "[10m])";
    return "/api/v1/query_range?query=" + url_encode(q) + "&start=" + vm_time(d.start_ms + 600000 - 1) +
           "&end=" + vm_time(d.start_ms + buckets * 600000LL - 1) + "&step=600s&nocache=1";
  };
  int checked = 0, bad = 0;
  std::string first_bad;
  auto validate = [&](int i, const Response& r) {
    int s = sensor_of(i);
    std::vector<double> want;
    for (int k = 0; k < buckets; ++k) {
      double sum = 0;
      for (int t = k * 10; t < k * 10 + 10; ++t) sum += d.at(t, s);
      want.push_back(sum / 10.0 / 1000.0);
    }
    std::string why, detail;
    auto got = series_values(o.target, r.body, &why);
    bool ok = got && compare_values(*got, want, &detail);
    ++checked;
    if (!ok) {
      ++bad;
      if (first_bad.empty())
        first_bad = sensor_id(s) + ": " + (got ? detail : "unparsable (" + why + ")") + " body=" + clip(r.body, 400);
    }
  };
  auto L = timed_gets(url, warm, reps, target, validate, std::min(warm, 50), "query");
  check("query_values", checked > 0 && bad == 0,
        bad ? std::to_string(bad) + "/" + std::to_string(checked) + " wrong; first: " + first_bad
            : std::to_string(checked) + " responses match the expected 10-minute averages");
  result("query_reps", static_cast<double>(L.ms.size()), "requests");
  result("query_failed", static_cast<double>(L.failed), "requests");
  result("query_p50_ms", percentile(L.ms, 50), "ms");
  result("query_p99_ms", percentile(L.ms, 99), "ms");
  result("query_max_ms", L.ms.empty() ? NAN : *std::max_element(L.ms.begin(), L.ms.end()), "ms");
  result("query_mean_ms", L.ms.empty() ? NAN : std::accumulate(L.ms.begin(), L.ms.end(), 0.0) / L.ms.size(), "ms");
  return L.failed || bad ? 1 : 0;
}

int run_latest(const Options& o, const Url& url) {
  auto d = make_dataset(o);
  const int warm = o.warmup >= 0 ? o.warmup : 3;
  const int reps = o.reps >= 0 ? o.reps : 50;
  auto target = [&](int) {
    if (o.target == Target::cityops) return "/api/v1/latest?type=Sensor&metric=" + o.metric;
    // Instant query at "now"; a 1 h look-back finds each sensor's last sample.
    std::string q = "last_over_time(" + o.metric + "[1h])";
    return "/api/v1/query?query=" + url_encode(q) + "&time=" + vm_time(now_ms()) + "&nocache=1";
  };
  std::string shape_note;
  auto validate = [&](int, const Response& r) {
    if (!shape_note.empty()) return;
    std::size_t items = 0, matched = 0, wrong = 0;
    std::string first_wrong;
    try {
      auto v = json::parse(r.body);
      const json::array* arr = nullptr;
      if (o.target == Target::cityops) arr = v.is_array() ? &v.as_array() : nullptr;
      else arr = &v.at("data").at("result").as_array();
      if (!arr) {
        check("latest_shape", false, "not a JSON array: " + clip(r.body));
        shape_note = "x";
        return;
      }
      items = arr->size();
      for (auto& it : *arr) {
        std::string ent;
        double val = NAN;
        if (o.target == Target::cityops) {
          auto& ob = it.as_object();
          if (auto* e = ob.if_contains("entity"); e && e->is_string()) ent = std::string(e->as_string());
          else if (auto* e2 = ob.if_contains("id"); e2 && e2->is_string()) ent = std::string(e2->as_string());
          if (auto* x = ob.if_contains("value"); x && x->is_number()) val = x->to_number<double>();
        } else {
          ent = std::string(it.at("metric").at("entity").as_string());
          val = std::stod(std::string(it.at("value").as_array()[1].as_string()));
        }
        if (ent.size() == 6 && ent[0] == 's') {
          int s = std::atoi(ent.c_str() + 1) - 1;
          if (s >= 0 && s < d.n) {
            double want = d.at(d.m - 1, s) / 1000.0;
            if (std::fabs(val - want) < 1e-9) ++matched;
            else if (++wrong == 1) first_wrong = ent + " got " + std::to_string(val) + " want " + std::to_string(want);
          }
        }
      }
      std::string first = arr->empty() ? "" : json::serialize((*arr)[0]);
      bool ok = items == static_cast<std::size_t>(d.n) && matched == items;
      check("latest_values", ok,
            std::to_string(items) + " items, " + std::to_string(matched) + " match the last generated value" +
                (wrong ? ", " + std::to_string(wrong) + " differ (first: " + first_wrong + ")" : "") +
                "; first item " + clip(first, 200));
    } catch (const std::exception& e) {
      check("latest_shape", false, std::string("unparsable: ") + e.what() + " body=" + clip(r.body));
    }
    shape_note = "done";
  };
  auto L = timed_gets(url, warm, reps, target, validate, warm + 1, "latest");
  result("latest_reps", static_cast<double>(L.ms.size()), "requests");
  result("latest_failed", static_cast<double>(L.failed), "requests");
  result("latest_median_ms", percentile(L.ms, 50), "ms");
  result("latest_min_ms", L.ms.empty() ? NAN : *std::min_element(L.ms.begin(), L.ms.end()), "ms");
  result("latest_max_ms", L.ms.empty() ? NAN : *std::max_element(L.ms.begin(), L.ms.end()), "ms");
  return L.failed ? 1 : 0;
}

int run_year(const Options& o, const Url& url) {
  auto y = make_yearset(o);
  const int warm = o.warmup >= 0 ? o.warmup : 5;
  const int reps = o.reps >= 0 ? o.reps : 50;
  std::fprintf(stderr, "year: %d samples for %s, window [%lld, %lld)\n", kYearMinutes, kYearSensor.c_str(),
               static_cast<long long>(y.start_ms), static_cast<long long>(y.end_ms));
  if (o.target == Target::cityops && o.create)
    if (!create_entities(o, url, {kYearSensor}, "Year sensor")) return 1;
  auto ep = ingest_endpoint(o);
  std::vector<std::string> reqs;
  std::string body;
  for (int i = 0; i < kYearMinutes;) {
    int end = std::min(kYearMinutes, i + o.batch);
    body.clear();
    if (o.target == Target::victoria && o.vm_format == "json") {
      // one JSON line can carry many samples of one series
      body = "{\"metric\":{\"__name__\":\"" + o.metric + "\",\"entity\":\"" + kYearSensor + "\"},\"values\":[";
      for (int k = i; k < end; ++k) {
        char b[32];
        std::snprintf(b, sizeof b, "%s%d.%03d", k == i ? "" : ",", y.mm[k] / 1000, y.mm[k] % 1000);
        body += b;
      }
      body += "],\"timestamps\":[";
      for (int k = i; k < end; ++k) {
        if (k != i) body += ',';
        body += std::to_string(y.start_ms + k * 60000LL);
      }
      body += "]}\n";
    } else {
      for (int k = i; k < end; ++k)
        append_obs(body, o.target, o.vm_format, o.metric, kYearSensor, y.start_ms + k * 60000LL, y.mm[k], k == i);
      body = wrap_body(o, body);
    }
    reqs.push_back(build_request("POST", ep.path, url, ep.content_type, body));
    i = end;
  }
  ErrorLog errs;
  auto st = send_batches(o, url, reqs, "year_ingest", errs);
  double ack_ms = ms_since(st.t0, st.t_last_ack);
  result("year_ingest_failed_batches", static_cast<double>(st.failed_batches), "batches");
  result("year_ingest_ack_obs_per_s", kYearMinutes / (ack_ms / 1000.0), "obs/s");
  if (st.failed_batches) return 1;
  if (o.target == Target::victoria) {
    std::string q = "sum(count_over_time(" + o.metric + "{entity=\"" + kYearSensor + "\"}[365d]))";
    int polls = 0;
    auto t = vm_wait_count(url, q, y.end_ms - 1, kYearMinutes, o.timeout_s, &polls);
    if (!t) {
      check("year_searchable", false, "count never reached 525600");
      return 1;
    }
    result("year_searchable_after_ack_ms", ms_since(st.t_last_ack, *t), "ms");
  }

  const int days = 365;
  auto target_for = [&](bool nocache) {
    if (o.target == Target::cityops) {
      char b[512];
      std::snprintf(b, sizeof b,
                    "/api/v1/entities/%s/observations?metric=%s&from=%" PRId64 "&to=%" PRId64
                    "&interval=1d&agg=avg",
                    kYearSensor.c_str(), o.metric.c_str(), y.start_ms, y.end_ms);
      return std::string(b);
    }
    std::string q = "avg_over_time(" + o.metric + "{entity=\"" + kYearSensor + "\"}[1d])";
    return "/api/v1/query_range?query=" + url_encode(q) + "&start=" + vm_time(y.start_ms + kDayMs - 1) +
           "&end=" + vm_time(y.end_ms - 1) + "&step=86400s" + (nocache ? "&nocache=1" : "");
  };
  std::vector<double> want;
  for (int dday = 0; dday < days; ++dday) {
    double sum = 0;
    for (int k = dday * 1440; k < (dday + 1) * 1440; ++k) sum += y.mm[k];
    want.push_back(sum / 1440.0 / 1000.0);
  }
  auto validate = [&](int i, const Response& r) {
    if (i != 0) return;
    std::string why, detail;
    auto got = series_values(o.target, r.body, &why);
    bool ok = got && compare_values(*got, want, &detail);
    check("year_values", ok, (got ? detail : "unparsable (" + why + ")") + (ok ? "" : " body=" + clip(r.body, 400)));
  };
  auto L = timed_gets(url, warm, reps, [&](int) { return target_for(true); }, validate, 1, "year_query");
  result("year_reps", static_cast<double>(L.ms.size()), "requests");
  result("year_failed", static_cast<double>(L.failed), "requests");
  result("year_median_ms", percentile(L.ms, 50), "ms");
  result("year_min_ms", L.ms.empty() ? NAN : *std::min_element(L.ms.begin(), L.ms.end()), "ms");
  result("year_max_ms", L.ms.empty() ? NAN : *std::max_element(L.ms.begin(), L.ms.end()), "ms");
  if (o.target == Target::victoria) {
    // For reference: the same query allowed to use VictoriaMetrics' rollup result cache.
    auto C = timed_gets(url, warm, reps, [&](int) { return target_for(false); }, [](int, const Response&) {}, 0,
                        "year_query_cached");
    result("year_cached_median_ms", percentile(C.ms, 50), "ms");
  }
  return L.failed ? 1 : 0;
}

// true while PID exists and is not a zombie
bool process_running(int pid) {
  std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!f) return false;
  char buf[512];
  std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  const char* p = std::strrchr(buf, ')');
  return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

int run_wait(const Options& o, const Url& url) {
  Connection c(url);
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::duration<double>(o.timeout_s);
  int attempts = 0;
  Response last;
  while (Clock::now() < deadline) {
    ++attempts;
    last = c.roundtrip("GET " + o.path + " HTTP/1.1\r\nHost: " + url.hostport() + "\r\n\r\n", 0);
    if (last.status == 200) {
      result("ready_at_ms", static_cast<double>(now_ms()), "epoch_ms");
      result("wait_ms", ms_since(t0, Clock::now()), "ms");
      result("wait_attempts", attempts, "count");
      return 0;
    }
    if (o.pid && !process_running(o.pid)) {
      std::printf("ERROR wait process %d exited before %s answered 200\n", o.pid, o.path.c_str());
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::printf("ERROR wait %s not ready after %.0f s (last: status %d %s)\n", o.path.c_str(), o.timeout_s,
              last.status, last.status ? clip(last.body).c_str() : last.error.c_str());
  return 1;
}

// cityops: the token for every request (--token, or a login). Returns false after printing an ERROR line.
bool authenticate(const Options& o, const Url& url) {
  if (o.target != Target::cityops || o.no_auth) return true;
  if (!o.token.empty()) {
    set_bearer_token(o.token);
    return true;
  }
  if (o.password.empty()) {
    std::printf("ERROR login no --token and no password (--password or $CITYOPS_ADMIN_PASSWORD)\n");
    return false;
  }
  Connection c(url);
  const std::string body = json::serialize(json::object{{"username", o.user}, {"password", o.password}});
  Response r;
  for (int attempt = 0; attempt < 20; ++attempt) {  // 429/503 (throttled, busy): wait and retry
    r = c.roundtrip(build_request("POST", "/api/v1/auth/login", url, "application/json", body), 0);
    if (r.status != 429 && r.status != 503) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  if (r.status != 200) {
    std::printf("ERROR login as %s: status=%d body=%s %s\n", o.user.c_str(), r.status, clip(r.body).c_str(),
                r.error.c_str());
    return false;
  }
  try {
    set_bearer_token(std::string(json::parse(r.body).at("token").as_string()));
  } catch (const std::exception&) {
    std::printf("ERROR login no token in the answer: %s\n", clip(r.body).c_str());
    return false;
  }
  std::fprintf(stderr, "logged in as %s\n", o.user.c_str());
  return true;
}

// ---------------------------------------------------------------- alert latency

// A WebSocket client of /api/v1/stream subscribed to "alerts": a reader thread timestamps every frame of the rule
// it watches as it arrives.
class AlertStream {
 public:
  struct Frame {
    Clock::time_point at;
    std::string transition;
    double value = NAN;
  };

  AlertStream(const Url& url, std::string rule) : ws_(ioc_), rule_(std::move(rule)) {
    tcp::resolver resolver(ioc_);
    boost::asio::connect(ws_.next_layer(), resolver.resolve(url.host, url.port));
    ws_.next_layer().set_option(tcp::no_delay(true));
    std::string target = "/api/v1/stream";
    if (!bearer_token().empty()) target += "?access_token=" + url_encode(bearer_token());
    ws_.handshake(url.hostport(), target);
    ws_.text(true);
    ws_.write(boost::asio::buffer(std::string(R"({"subscribe":["alerts"]})")));
    boost::beast::flat_buffer b;
    ws_.read(b);
    const std::string reply = boost::beast::buffers_to_string(b.data());
    if (reply.find("\"subscribed\"") == std::string::npos)
      throw std::runtime_error("stream: the subscription was refused: " + clip(reply));
    reader_ = std::thread([this] { read_loop(); });
  }

  ~AlertStream() {
    stop_ = true;
    ::shutdown(ws_.next_layer().native_handle(), SHUT_RDWR);  // wakes the blocking read
    if (reader_.joinable()) reader_.join();
  }

  // Waits for the first frame (in arrival order) of `transition` with `value`; frames before it are dropped.
  std::optional<Frame> wait_for(const std::string& transition, double value, double timeout_ms) {
    std::unique_lock lk(mu_);
    const auto deadline = Clock::now() + std::chrono::duration<double, std::milli>(timeout_ms);
    for (;;) {
      while (!frames_.empty()) {
        Frame f = std::move(frames_.front());
        frames_.erase(frames_.begin());
        if (f.transition == transition && std::fabs(f.value - value) < 1e-9) return f;
        ++unmatched_;
      }
      if (closed_) return std::nullopt;
      if (cv_.wait_until(lk, deadline) == std::cv_status::timeout && frames_.empty()) return std::nullopt;
    }
  }

  void clear() {
    std::lock_guard lk(mu_);
    frames_.clear();
  }
  std::uint64_t unmatched() {
    std::lock_guard lk(mu_);
    return unmatched_;
  }
  std::uint64_t frames_seen() const { return seen_; }
  std::string close_reason() {
    std::lock_guard lk(mu_);
    return close_reason_;
  }

 private:
  void read_loop() {
    boost::beast::flat_buffer b;
    for (;;) {
      boost::system::error_code ec;
      ws_.read(b, ec);
      const auto at = Clock::now();
      if (ec) {
        std::lock_guard lk(mu_);
        closed_ = true;
        if (!stop_) close_reason_ = ec.message();
        cv_.notify_all();
        return;
      }
      ++seen_;
      const std::string text = boost::beast::buffers_to_string(b.data());
      b.consume(b.size());
      try {
        auto v = json::parse(text);
        const auto* o = v.if_object();
        if (!o) continue;
        const auto* ch = o->if_contains("channel");
        if (!ch || !ch->is_string() || ch->get_string() != "alerts") continue;
        const auto& d = o->at("data").as_object();
        if (d.at("rule").as_string() != rule_) continue;
        Frame f{at, std::string(d.at("transition").as_string()), d.at("value").to_number<double>()};
        std::lock_guard lk(mu_);
        frames_.push_back(std::move(f));
        cv_.notify_all();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "stream: unparsable frame (%s): %s\n", e.what(), clip(text).c_str());
      }
    }
  }

  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<tcp::socket> ws_;
  std::string rule_;
  std::thread reader_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> seen_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Frame> frames_;
  std::uint64_t unmatched_ = 0;
  bool closed_ = false;
  std::string close_reason_;
};

// PUT a rule (create or replace); true on 200/201.
bool put_rule(Connection& c, const Url& url, const std::string& id, const json::object& rule) {
  auto r = c.roundtrip(build_request("PUT", "/api/v1/rules/" + id, url, "application/json", json::serialize(rule)), 0);
  if (r.status == 200 || r.status == 201) return true;
  std::printf("ERROR put_rule %s status=%d body=%s %s\n", id.c_str(), r.status, clip(r.body).c_str(), r.error.c_str());
  std::fflush(stdout);
  return false;
}

json::object threshold_rule(const std::string& name, const std::string& entity, const std::string& metric,
                            std::initializer_list<std::pair<double, const char*>> levels) {
  json::array ls;
  for (const auto& [above, severity] : levels) ls.push_back(json::object{{"above", above}, {"severity", severity}});
  return json::object{{"name", name},         {"enabled", true},       {"scope", json::object{{"entity", entity}}},
                      {"metric", metric},     {"kind", "threshold"},   {"levels", std::move(ls)},
                      {"hysteresis", 0.0},    {"for", "0s"},           {"message", "{entity.name}: {value} m"}};
}

// The background: --bg-rate observations/s in requests of --bg-batch on one keep-alive connection, on an absolute
// schedule, to the sensors s00001..; each observation is timed now (each sensor reports about once per
// sensors/rate seconds).
struct Background {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> obs{0}, failed{0}, late{0};
  std::vector<double> ms;
  Clock::time_point t0, t1;
  std::thread th;

  void start(const Options& o, const Url& url, ErrorLog& errs) {
    if (o.bg_rate <= 0) return;
    th = std::thread([this, &o, url, &errs] {
      Connection c(url);
      c.get("/readyz");
      const auto period = std::chrono::duration<double>(o.bg_batch / o.bg_rate);
      SplitMix rng{o.seed + 4242};
      std::string body, req;
      std::uint64_t next_sensor = 0;
      t0 = Clock::now();
      for (std::uint64_t k = 0; !stop; ++k) {
        const auto due = t0 + std::chrono::duration_cast<Clock::duration>(period * static_cast<double>(k));
        if (Clock::now() > due + period) ++late;  // behind schedule by more than a period
        std::this_thread::sleep_until(due);
        body.clear();
        const std::int64_t ts = now_ms();
        for (int j = 0; j < o.bg_batch; ++j) {
          const int s = static_cast<int>(next_sensor++ % static_cast<std::uint64_t>(o.sensors));
          append_obs(body, Target::cityops, "", o.metric, sensor_id(s), ts, 500 + static_cast<int>(rng.next() % 2500),
                     j == 0);
        }
        req = build_request("POST", "/api/v1/observations", url, "application/json", "[" + body + "]");
        auto a = Clock::now();
        auto r = c.roundtrip(req, 0);
        ms.push_back(ms_since(a, Clock::now()));
        if (r.ok()) obs += static_cast<std::uint64_t>(o.bg_batch);
        else {
          ++failed;
          errs.add("alerts_background", r);
        }
      }
      t1 = Clock::now();
    });
  }
  void finish() {
    stop = true;
    if (th.joinable()) th.join();
  }
};

int run_alerts(const Options& o, const Url& url) {
  if (o.target != Target::cityops) usage("the alerts scenario needs --target cityops");
  const std::string rule_id = "bench-alert-latency";
  ErrorLog errs;
  Connection c(url);
  // The dedicated entity (already there from an earlier run: fine) and the background sensors.
  {
    json::object e{{"id", o.alert_entity}, {"type", "Sensor"}, {"name", "Alert latency gauge"}};
    auto r = c.roundtrip(build_request("POST", "/api/v1/entities", url, "application/json", json::serialize(e)), 0);
    if (!r.ok() && r.status != 409) {
      errs.add("alerts_entity", r);
      return 1;
    }
  }
  if (o.create && o.bg_rate > 0) {
    std::vector<std::string> ids;
    for (int s = 0; s < o.sensors; ++s) ids.push_back(sensor_id(s));
    if (!create_entities(o, url, ids, "Sensor")) return 1;
  }
  if (o.bg_rules > 0) {
    auto t0 = Clock::now();
    for (int s = 0; s < std::min(o.bg_rules, o.sensors); ++s) {
      const std::string id = "bench-bg-" + sensor_id(s);
      if (!put_rule(c, url, id,
                    threshold_rule("Background " + sensor_id(s), sensor_id(s), o.metric,
                                   {{10.0, "minor"}, {11.0, "major"}, {12.0, "critical"}})))
        return 1;
    }
    std::fprintf(stderr, "alerts: %d background rules in %.1f s\n", std::min(o.bg_rules, o.sensors),
                 ms_since(t0, Clock::now()) / 1000);
  }
  if (!put_rule(c, url, rule_id, threshold_rule("Alert latency bench", o.alert_entity, o.metric, {{2.0, "major"}})))
    return 1;

  AlertStream stream(url, rule_id);
  Background bg;
  bg.start(o, url, errs);

  // One crossing: POST a single reading, note the send and the 200, wait for the frame of the transition.
  std::int64_t last_ts = 0;
  auto post_value = [&](double v) {
    last_ts = std::max(now_ms(), last_ts + 1);
    std::string body;
    const int mm = static_cast<int>(std::lround(v * 1000));
    append_obs(body, Target::cityops, "", o.metric, o.alert_entity, last_ts, mm, true);
    return build_request("POST", "/api/v1/observations", url, "application/json", "[" + body + "]");
  };
  // Start below the level, with nothing open.
  {
    auto r = c.roundtrip(post_value(1.0), 0);
    if (!r.ok()) errs.add("alerts_trigger", r);
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // and let the background settle
    stream.clear();
  }

  std::vector<double> after_ack, after_send, post_ms;
  std::uint64_t missing = 0, early = 0, failed_posts = 0;
  SplitMix jitter{o.seed + 99};
  const int warm = o.warmup >= 0 ? o.warmup : 10;
  for (int i = 0; i < warm + o.triggers; ++i) {
    const bool raise = i % 2 == 0;
    // unique values, 3 decimals: raise 2.5xx, resolve 1.0xx (the rule's level is 2.0)
    const double v = (raise ? 2.5 : 1.0) + (i % 500) / 1000.0;
    const auto req = post_value(v);
    const auto t_send = Clock::now();
    auto r = c.roundtrip(req, 0);
    const auto t_ack = Clock::now();
    if (!r.ok()) {
      ++failed_posts;
      errs.add("alerts_trigger", r);
      continue;
    }
    auto f = stream.wait_for(raise ? "raise" : "resolve", std::round(v * 1000) / 1000, 2000);
    if (!f) {
      ++missing;
      if (missing <= 5)
        std::printf("ERROR alerts no %s frame for value %.3f within 2 s%s\n", raise ? "raise" : "resolve", v,
                    stream.close_reason().empty() ? "" : (" (stream closed: " + stream.close_reason() + ")").c_str());
      continue;
    }
    if (i >= warm) {
      after_ack.push_back(ms_since(t_ack, f->at));
      after_send.push_back(ms_since(t_send, f->at));
      post_ms.push_back(ms_since(t_send, t_ack));
      if (f->at < t_ack) ++early;
    }
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(o.gap_ms + jitter.next() % 10));
  }
  bg.finish();
  const double bg_s = o.bg_rate > 0 ? ms_since(bg.t0, bg.t1) / 1000 : 0;

  result("alerts_triggers", o.triggers, "crossings");
  result("alerts_received", static_cast<double>(after_ack.size()), "frames");
  result("alerts_missing", static_cast<double>(missing), "frames");
  result("alerts_after_ack_p50_ms", percentile(after_ack, 50), "ms");
  result("alerts_after_ack_p99_ms", percentile(after_ack, 99), "ms");
  result("alerts_after_ack_max_ms", after_ack.empty() ? NAN : *std::max_element(after_ack.begin(), after_ack.end()), "ms");
  result("alerts_after_send_p50_ms", percentile(after_send, 50), "ms");
  result("alerts_after_send_p99_ms", percentile(after_send, 99), "ms");
  result("alerts_after_send_max_ms",
         after_send.empty() ? NAN : *std::max_element(after_send.begin(), after_send.end()), "ms");
  result("alerts_frame_before_ack", static_cast<double>(early), "frames");
  result("alerts_post_p50_ms", percentile(post_ms, 50), "ms");
  result("alerts_post_p99_ms", percentile(post_ms, 99), "ms");
  result("alerts_bg_rules", std::min(o.bg_rules, o.sensors), "rules");
  result("alerts_bg_obs_per_s", bg_s > 0 ? bg.obs / bg_s : 0, "obs/s");
  result("alerts_bg_failed", static_cast<double>(bg.failed), "requests");
  result("alerts_bg_late", static_cast<double>(bg.late), "requests");
  result("alerts_bg_post_p99_ms", percentile(bg.ms, 99), "ms");
  const bool rate_ok = o.bg_rate <= 0 || bg.obs / bg_s >= 0.95 * o.bg_rate;
  check("alerts_frames", missing == 0 && failed_posts == 0 && after_ack.size() == static_cast<std::size_t>(o.triggers),
        std::to_string(after_ack.size()) + "/" + std::to_string(o.triggers) + " timed crossings each reached the stream as " +
            "its raise/resolve frame; " + std::to_string(stream.unmatched()) + " other frames of the rule");
  if (o.bg_rate > 0) {
    char b[160];
    std::snprintf(b, sizeof b, "%.0f obs/s achieved of %.0f, %" PRIu64 " failed requests", bg.obs / bg_s, o.bg_rate,
                  static_cast<std::uint64_t>(bg.failed));
    check("alerts_background_rate", rate_ok && bg.failed == 0, b);
  }
  return missing || failed_posts || bg.failed ? 1 : 0;
}

int run_free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return 1;
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  std::printf("%d\n", ntohs(a.sin_port));
  ::close(fd);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    auto o = parse_args(argc, argv);
    if (o.scenario == "free-port") return run_free_port();
    auto url = parse_url(o.url);
    if (o.scenario != "wait" && !authenticate(o, url)) return 1;
    int rc;
    if (o.scenario == "ingest") rc = run_ingest(o, url);
    else if (o.scenario == "single") rc = run_single(o, url);
    else if (o.scenario == "query") rc = run_query(o, url);
    else if (o.scenario == "latest") rc = run_latest(o, url);
    else if (o.scenario == "year") rc = run_year(o, url);
    else if (o.scenario == "wait") rc = run_wait(o, url);
    else if (o.scenario == "alerts") rc = run_alerts(o, url);
    else usage(("unknown scenario " + o.scenario).c_str());
    return rc != 0 ? rc : (g_check_failed ? 3 : 0);
  } catch (const std::exception& e) {
    std::printf("ERROR fatal %s\n", e.what());
    std::fprintf(stderr, "cityops_load: %s\n", e.what());
    return 1;
  }
}
