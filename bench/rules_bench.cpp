// Rule overhead on the ingest path, without HTTP: what 10 000 threshold rules (one per entity, 3 levels) with real
// alert tables add to the time it takes to ingest 1 000 000 observations in batches of 5 000 through
// Store::ingestSync. A plain timed program (not Google Benchmark) so the runs can alternate in one process and
// `make bench` (bench/run.sh) can read the figures: one `RESULT <key> <value> <unit>` / `CHECK <what> ok|FAIL ...`
// line per fact on stdout, like cityops_load; progress on stderr. See bench/README.md.
//
// Each repetition runs every mode once, on a fresh store in a temp dir (10 000 entities of type WaterLevelStation),
// in an order that rotates between repetitions; figures are medians over the repetitions:
//   none  ingestSync of every batch; no rules.
//   sync  the engine added to the store as an ObservationSink but not started: each committed batch is evaluated
//         on the writer thread before ingestSync returns (the evaluation cost fully serial with ingest: the worst
//         case). The time inside the engine alone gives the evaluate-only throughput.
//   sink  the engine started and added to the store as an ObservationSink, as `cityops serve` wires it: the writer
//         thread copies each committed batch into the engine's queue, the engine thread evaluates. Timed until the
//         last ack, and until drain() (every reading evaluated, every alert committed).
//   paced-none / paced-sink   (with --paced-rate > 0) the same at a fixed 100 000 obs/s (a batch every 50 ms):
//         mean and p99 ingestSync time per batch, and the process's CPU time per second.
// Verdict changes go to a real alerts::AlertManager (its own SQLite connection to the store's file, like the
// server), whose listener renders each transition as JSON like the server's publish to the "alerts" topic.
#include "alerts/AlertJson.hpp"
#include "alerts/AlertManager.hpp"
#include "common/Clock.hpp"
#include "metrics/Registry.hpp"
#include "rules/RuleEngine.hpp"
#include "store/SqliteDb.hpp"
#include "store/SqliteStore.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

using namespace cityops;
using Steady = std::chrono::steady_clock;

namespace {

struct Options {
  int entities = 10000;
  int64_t obs = 1000000;
  int batch = 5000;
  int reps = 3;
  double pacedRate = 100000;  // obs/s; 0 = no paced runs
  int64_t pacedObs = 1000000;
  std::string tmp = std::filesystem::temp_directory_path().string();
  uint64_t seed = 20260101;
};

[[noreturn]] void usage(const char* msg = nullptr) {
  if (msg) std::fprintf(stderr, "rules_bench: %s\n\n", msg);
  std::fprintf(stderr,
               "usage: rules_bench [--entities N (10000)] [--obs M (1000000)] [--batch B (5000)] [--reps R (3)]\n"
               "                   [--paced-rate OBS_PER_S (100000; 0 = skip)] [--paced-obs M (1000000)] [--tmp DIR]\n");
  std::exit(2);
}

Options parseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto need = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--entities") o.entities = std::stoi(need());
    else if (a == "--obs") o.obs = std::stoll(need());
    else if (a == "--batch") o.batch = std::stoi(need());
    else if (a == "--reps") o.reps = std::stoi(need());
    else if (a == "--paced-rate") o.pacedRate = std::stod(need());
    else if (a == "--paced-obs") o.pacedObs = std::stoll(need());
    else if (a == "--tmp") o.tmp = need();
    else if (a == "--seed") o.seed = std::stoull(need());
    else if (a == "-h" || a == "--help") usage();
    else usage(("unknown argument " + a).c_str());
  }
  if (o.entities <= 0 || o.obs <= 0 || o.batch <= 0 || o.reps <= 0 || o.pacedObs <= 0) usage("sizes must be positive");
  return o;
}

void result(const std::string& key, double v, const char* unit) {
  if (std::fabs(v) >= 1000 || v == std::floor(v)) std::printf("RESULT %s %.0f %s\n", key.c_str(), v, unit);
  else std::printf("RESULT %s %.4g %s\n", key.c_str(), v, unit);
  std::fflush(stdout);
}

bool g_checkFailed = false;
void check(const std::string& what, bool ok, const std::string& detail) {
  if (!ok) g_checkFailed = true;
  std::printf("CHECK %s %s %s\n", what.c_str(), ok ? "ok" : "FAIL", detail.c_str());
  std::fflush(stdout);
}

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const double idx = p / 100.0 * (v.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(idx)), hi = static_cast<size_t>(std::ceil(idx));
  return v[lo] + (v[hi] - v[lo]) * (idx - lo);
}

double seconds(Steady::time_point a, Steady::time_point b) { return std::chrono::duration<double>(b - a).count(); }

double cpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// ---------------------------------------------------------------- data

struct SplitMix {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

const std::string kType = "WaterLevelStation";
const std::string kMetric = "water_level_m";

std::string entityId(int i) {
  char b[16];
  std::snprintf(b, sizeof b, "wl%05d", i + 1);
  return b;
}

// A river gauge per entity: a bounded random walk in millimetres, -10..+10 mm a minute, starting between 0.5 and
// 3 m. Its rule raises level I (minor) 100..130 mm above the starting level, II (major) 50 mm higher, III (critical)
// 50 mm higher again, hysteresis 20 mm: over the 100 minutes about one gauge in twenty reaches level I and fewer the
// higher levels; about 0.08 % of the readings change a verdict (832 of 1 000 000 with the default seed).
struct DataSet {
  int n = 0;
  int minutes = 0;
  int64_t startMs = 0;
  std::vector<int32_t> startMm;
  std::vector<int32_t> mm;  // [minute * n + entity]
};

DataSet makeData(const Options& o, int64_t endMs) {
  DataSet d;
  d.n = o.entities;
  d.minutes = static_cast<int>((o.obs + o.entities - 1) / o.entities);
  d.startMs = endMs - static_cast<int64_t>(d.minutes) * 60000;
  d.startMm.resize(d.n);
  d.mm.resize(static_cast<size_t>(d.n) * d.minutes);
  std::vector<SplitMix> rng;
  std::vector<int32_t> cur(d.n);
  for (int e = 0; e < d.n; ++e) {
    rng.push_back(SplitMix{o.seed * 1000003ULL + static_cast<uint64_t>(e)});
    cur[e] = d.startMm[e] = 500 + static_cast<int32_t>(rng[e].next() % 2500);
  }
  for (int t = 0; t < d.minutes; ++t)
    for (int e = 0; e < d.n; ++e) {
      int32_t v = cur[e] + static_cast<int32_t>(rng[e].next() % 21) - 10;
      if (v < 200) v = 400 - v;
      if (v > 6000) v = 12000 - v;
      d.mm[static_cast<size_t>(t) * d.n + e] = cur[e] = v;
    }
  return d;
}

rules::Rule makeRule(const DataSet& d, int e) {
  SplitMix r{0xabcdefULL + static_cast<uint64_t>(e)};
  const double base = d.startMm[e] / 1000.0 + (100 + static_cast<int>(r.next() % 31)) / 1000.0;
  rules::Rule rule;
  rule.id = "level-" + entityId(e);
  rule.name = "Alarm levels " + entityId(e);
  rule.scope.entity = entityId(e);
  rule.metric = kMetric;
  rule.kind = rules::Kind::Threshold;
  rule.levels = {{true, base, rules::Severity::Minor},
                 {true, base + 0.050, rules::Severity::Major},
                 {true, base + 0.100, rules::Severity::Critical}};
  rule.hysteresis = 0.020;
  rule.message = "{entity.name}: {value} m ({severity})";
  return rule;
}

// Observations [from, to) of the time-major sequence (each minute, every entity reports), as batches.
std::vector<std::vector<model::Observation>> makeBatches(const DataSet& d, const Options& o, int64_t from, int64_t to) {
  std::vector<std::vector<model::Observation>> out;
  std::vector<std::string> ids;
  for (int e = 0; e < d.n; ++e) ids.push_back(entityId(e));
  const int64_t total = static_cast<int64_t>(d.n) * d.minutes;
  to = std::min(to, total);
  for (int64_t i = from; i < to;) {
    const int64_t end = std::min(to, i + o.batch);
    std::vector<model::Observation> b;
    b.reserve(static_cast<size_t>(end - i));
    for (int64_t k = i; k < end; ++k) {
      const int t = static_cast<int>(k / d.n), e = static_cast<int>(k % d.n);
      b.push_back({ids[e], kMetric, d.startMs + t * 60000LL, d.mm[static_cast<size_t>(k)] / 1000.0,
                   model::Quality::Good});
    }
    out.push_back(std::move(b));
    i = end;
  }
  return out;
}

// ---------------------------------------------------------------- one run

enum class Mode { None, Sync, Sink };
const char* modeName(Mode m) { return m == Mode::None ? "none" : m == Mode::Sync ? "sync" : "sink"; }

struct RunResult {
  double ingestS = 0;    // first ingestSync -> last ack (sync: including evaluate)
  double drainedS = 0;   // sink: first ingestSync -> drain() returned
  double evaluateS = 0;  // sync: time inside engine.evaluate()
  double tickMs = 0;     // sync: one engine.tick() over every (rule, entity) state, median of 5
  int64_t readings = 0;
  int64_t changes = 0;      // verdict changes the engine reported
  int64_t transitions = 0;  // alert transitions committed (AlertManager::apply returned an alert)
  int64_t applyErrors = 0;
  int64_t listenerBytes = 0;
  double applyS = 0;  // time inside AlertManager::apply (committing the alert transitions)
  // paced
  std::vector<double> batchMs;
  double cpuPerWallS = 0;
};

class Fixture {
 public:
  Fixture(const Options& o, const DataSet& d, bool withRules, int tag) : dir_(o.tmp) {
    dir_ /= "cityops-rules-bench-" + std::to_string(::getpid()) + "-" + std::to_string(tag);
    std::filesystem::remove_all(dir_);
    store::SqliteStore::Options so;
    so.dataDir = dir_.string();
    auto s = store::SqliteStore::open(so, clock_, registry_);
    if (!s) throw std::runtime_error("cannot open the store: " + s.error().message);
    store_ = std::move(*s);
    std::vector<model::Entity> es;
    es.reserve(d.n);
    for (int e = 0; e < d.n; ++e) {
      model::Entity en;
      en.id = entityId(e);
      en.name = "Gauge " + std::to_string(e + 1);
      en.type = kType;
      es.push_back(std::move(en));
    }
    if (auto r = store_->createEntities(std::move(es)); !r)
      throw std::runtime_error("cannot create the entities: " + r.error().message);
    if (!withRules) return;
    auto db = store::SqliteDb::open((dir_ / "cityops.db").string(), false, false);
    if (!db) throw std::runtime_error("cannot open the alert connection: " + db.error().message);
    alertsDb_ = std::move(*db);
    if (auto m = alerts::AlertManager::migrate(*alertsDb_); !m)
      throw std::runtime_error("cannot create the alert tables: " + m.error().message);
    auto am = alerts::AlertManager::open(*alertsDb_, clock_);
    if (!am) throw std::runtime_error("cannot open the alert manager: " + am.error().message);
    alerts_ = std::move(*am);
    alerts_->addListener([this](const alerts::Alert& a, const alerts::HistoryEntry& t) {
      auto data = alerts::alertJson(a, false);  // what the server publishes on "alerts"
      data["transition"] = t.action;
      listenerBytes_ += static_cast<int64_t>(boost::json::serialize(boost::json::object{{"channel", "alerts"},
                                                                                        {"data", std::move(data)}})
                                                 .size());
    });
    engine_ = std::make_unique<rules::RuleEngine>(*store_, clock_, [this](const rules::Change& c) {
      ++changes_;
      const auto a0 = Steady::now();
      struct Add {
        std::atomic<int64_t>& ns;
        Steady::time_point a0;
        ~Add() { ns += std::chrono::duration_cast<std::chrono::nanoseconds>(Steady::now() - a0).count(); }
      } add{applyNs_, a0};
      auto r = alerts_->apply(alerts::Condition{c.rule, c.entity, c.metric, c.severity, c.value, c.timeMs, c.message});
      if (!r) ++applyErrors_;
      else if (*r) ++transitions_;
    });
    for (int e = 0; e < d.n; ++e) engine_->upsert(makeRule(d, e));
  }

  ~Fixture() {
    if (engine_) engine_->stop();
    if (store_) store_->close();
    engine_.reset();
    alerts_.reset();
    alertsDb_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  store::SqliteStore& store() { return *store_; }
  rules::RuleEngine& engine() { return *engine_; }
  void fill(RunResult& r) const {
    r.changes = changes_;
    r.transitions = transitions_;
    r.applyErrors = applyErrors_;
    r.listenerBytes = listenerBytes_;
    r.applyS = static_cast<double>(applyNs_.load()) / 1e9;
  }

 private:
  std::filesystem::path dir_;
  SystemClock clock_;
  metrics::Registry registry_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::SqliteDb> alertsDb_;
  std::unique_ptr<alerts::AlertManager> alerts_;
  std::unique_ptr<rules::RuleEngine> engine_;
  std::atomic<int64_t> changes_{0}, transitions_{0}, applyErrors_{0}, listenerBytes_{0}, applyNs_{0};
};

/// The engine as the writer thread's sink (not started: it evaluates inline), with the time spent inside it.
struct TimedSink final : stream::ObservationSink {
  explicit TimedSink(rules::RuleEngine* e) : engine(e) {}
  void onObservations(std::span<const stream::ObservationEvent> events) override {
    const auto a = Steady::now();
    engine->onObservations(events);
    seconds += ::seconds(a, Steady::now());
  }
  bool listening() const override { return engine != nullptr && engine->listening(); }
  rules::RuleEngine* engine;
  double seconds = 0;  // written by the writer thread, read after the last ack
};

void ingestOrDie(store::Store& s, std::vector<model::Observation> b) {
  if (auto r = s.ingestSync(std::move(b)); !r) {
    std::fprintf(stderr, "rules_bench: ingest failed: %s\n", r.error().message.c_str());
    std::exit(1);
  }
}

RunResult runFull(const Options& o, const DataSet& d, Mode mode, int tag) {
  Fixture f(o, d, mode != Mode::None, tag);
  auto batches = makeBatches(d, o, 0, o.obs);
  TimedSink timed(mode == Mode::Sync ? &f.engine() : nullptr);
  if (mode == Mode::Sink) {
    f.store().addSink(&f.engine());
    f.engine().start();
  } else if (mode == Mode::Sync) {
    f.store().addSink(&timed);
  }
  RunResult r;
  const auto t0 = Steady::now();
  for (auto& b : batches) {
    r.readings += static_cast<int64_t>(b.size());
    ingestOrDie(f.store(), std::move(b));
  }
  const auto t1 = Steady::now();
  r.evaluateS = timed.seconds;
  r.ingestS = seconds(t0, t1);
  if (mode == Mode::Sync) {
    std::vector<double> ticks;
    const int64_t now = SystemClock().nowMs();
    for (int i = 0; i < 5; ++i) {
      const auto a = Steady::now();
      f.engine().tick(now + i);
      ticks.push_back(seconds(a, Steady::now()) * 1000);
    }
    r.tickMs = median(ticks);
  }
  if (mode == Mode::Sink) {
    f.engine().drain();
    r.drainedS = seconds(t0, Steady::now());
  } else {
    r.drainedS = r.ingestS;
  }
  f.fill(r);
  return r;
}

// A batch every batch/rate seconds (absolute schedule, so a slow batch does not lower the rate).
RunResult runPaced(const Options& o, const DataSet& d, bool withRules, int tag) {
  Fixture f(o, d, withRules, tag);
  auto batches = makeBatches(d, o, 0, std::min<int64_t>(o.pacedObs, o.obs));
  if (withRules) {
    f.store().addSink(&f.engine());
    f.engine().start();
  }
  RunResult r;
  const auto period = std::chrono::duration<double>(o.batch / o.pacedRate);
  const auto c0 = cpuSeconds();
  const auto t0 = Steady::now();
  for (size_t i = 0; i < batches.size(); ++i) {
    std::this_thread::sleep_until(t0 + std::chrono::duration_cast<Steady::duration>(period * static_cast<double>(i)));
    r.readings += static_cast<int64_t>(batches[i].size());
    const auto a = Steady::now();
    ingestOrDie(f.store(), std::move(batches[i]));
    r.batchMs.push_back(seconds(a, Steady::now()) * 1000);
  }
  if (withRules) f.engine().drain();
  const auto t1 = Steady::now();
  r.ingestS = seconds(t0, t1);
  r.cpuPerWallS = (cpuSeconds() - c0) / r.ingestS;
  f.fill(r);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parseArgs(argc, argv);
  spdlog::set_level(spdlog::level::warn);
  const int64_t endMs =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count() /
      600000 * 600000;
  const DataSet d = makeData(o, endMs);
  std::fprintf(stderr,
               "rules_bench: %d entities (%s), %d threshold rules (3 levels), %" PRId64
               " observations in batches of %d, %d repetitions\n",
               o.entities, kType.c_str(), o.entities, o.obs, o.batch, o.reps);

  const Mode modes[] = {Mode::None, Mode::Sync, Mode::Sink};
  std::vector<double> ingest[3], drained[3], evaluate, applyMs, tickMs, overheadSync, overheadSink, overheadSinkAck;
  int64_t changes[3] = {-1, -1, -1}, transitions[3] = {-1, -1, -1};
  bool consistent = true;
  int64_t applyErrors = 0;
  int tag = 0;
  for (int rep = 0; rep < o.reps; ++rep) {
    RunResult rr[3];
    for (int k = 0; k < 3; ++k) {
      const int m = (k + rep) % 3;  // rotate the order
      rr[m] = runFull(o, d, modes[m], ++tag);
      std::fprintf(stderr,
                   "  rep %d %-4s ingest %.3f s (%.0f obs/s)%s, %" PRId64 " verdict changes, %" PRId64
                   " alert transitions\n",
                   rep + 1, modeName(modes[m]), rr[m].ingestS, rr[m].readings / rr[m].ingestS,
                   modes[m] == Mode::Sink ? (", drained " + std::to_string(rr[m].drainedS) + " s").c_str()
                   : modes[m] == Mode::Sync ? (", in the engine " + std::to_string(rr[m].evaluateS) +
                                               " s of which committing alerts " + std::to_string(rr[m].applyS) + " s")
                                                  .c_str()
                                            : "",
                   rr[m].changes, rr[m].transitions);
    }
    for (int m = 0; m < 3; ++m) {
      ingest[m].push_back(rr[m].readings / rr[m].ingestS);
      drained[m].push_back(rr[m].readings / rr[m].drainedS);
      applyErrors += rr[m].applyErrors;
      if (m > 0) {
        if (changes[m] >= 0 && (changes[m] != rr[m].changes || transitions[m] != rr[m].transitions)) consistent = false;
        changes[m] = rr[m].changes;
        transitions[m] = rr[m].transitions;
      }
    }
    evaluate.push_back(rr[1].readings / (rr[1].evaluateS - rr[1].applyS));
    applyMs.push_back(rr[1].applyS * 1000);
    tickMs.push_back(rr[1].tickMs);
    // Overheads per repetition (paired runs, adjacent in time), then their median.
    overheadSync.push_back((rr[1].ingestS / rr[0].ingestS - 1) * 100);
    overheadSink.push_back((rr[2].drainedS / rr[0].ingestS - 1) * 100);
    overheadSinkAck.push_back((rr[2].ingestS / rr[0].ingestS - 1) * 100);
  }

  result("rules_entities", o.entities, "entities");
  result("rules_rules", o.entities, "rules");
  result("rules_obs", static_cast<double>(o.obs), "obs");
  result("rules_reps", o.reps, "repetitions");
  result("rules_none_obs_per_s", median(ingest[0]), "obs/s");
  result("rules_sync_obs_per_s", median(ingest[1]), "obs/s");
  result("rules_sink_ack_obs_per_s", median(ingest[2]), "obs/s");
  result("rules_sink_drained_obs_per_s", median(drained[2]), "obs/s");
  result("rules_sync_overhead_pct", median(overheadSync), "%");
  result("rules_sink_overhead_pct", median(overheadSink), "%");
  result("rules_sink_ack_overhead_pct", median(overheadSinkAck), "%");
  result("rules_evaluate_readings_per_s", median(evaluate), "readings/s");
  result("rules_alert_commit_ms", median(applyMs), "ms");
  result("rules_tick_ms", median(tickMs), "ms");
  result("rules_verdict_changes", static_cast<double>(changes[1]), "changes");
  result("rules_alert_transitions", static_cast<double>(transitions[1]), "transitions");
  result("rules_changes_per_million_readings", changes[1] * 1e6 / static_cast<double>(o.obs), "changes");
  check("rules_changes", consistent && changes[1] > 0 && changes[1] == changes[2] && transitions[1] == changes[1] &&
                             transitions[2] == changes[2] && applyErrors == 0,
        std::to_string(changes[1]) + " verdict changes (sync), " + std::to_string(changes[2]) + " (sink), " +
            std::to_string(transitions[1]) + "/" + std::to_string(transitions[2]) + " alert transitions, " +
            std::to_string(applyErrors) + " apply errors; the same in every repetition: " +
            (consistent ? "yes" : "no"));

  if (o.pacedRate > 0) {
    std::vector<double> meanMs[2], p99Ms[2], cpu[2], over;
    for (int rep = 0; rep < o.reps; ++rep) {
      RunResult pr[2];
      for (int k = 0; k < 2; ++k) {
        const int m = (k + rep) % 2;
        pr[m] = runPaced(o, d, m == 1, ++tag);
        double sum = 0;
        for (double x : pr[m].batchMs) sum += x;
        meanMs[m].push_back(sum / pr[m].batchMs.size());
        p99Ms[m].push_back(percentile(pr[m].batchMs, 99));
        cpu[m].push_back(pr[m].cpuPerWallS);
        std::fprintf(stderr,
                     "  rep %d paced %.0f obs/s %-4s: %.0f obs/s achieved, batch mean %.2f ms p99 %.2f ms, CPU %.2f "
                     "s/s, %" PRId64 " verdict changes\n",
                     rep + 1, o.pacedRate, m ? "sink" : "none", pr[m].readings / pr[m].ingestS, meanMs[m].back(),
                     p99Ms[m].back(), cpu[m].back(), pr[m].changes);
      }
      over.push_back((meanMs[1].back() / meanMs[0].back() - 1) * 100);
    }
    result("rules_paced_rate", o.pacedRate, "obs/s");
    result("rules_paced_none_batch_mean_ms", median(meanMs[0]), "ms");
    result("rules_paced_sink_batch_mean_ms", median(meanMs[1]), "ms");
    result("rules_paced_none_batch_p99_ms", median(p99Ms[0]), "ms");
    result("rules_paced_sink_batch_p99_ms", median(p99Ms[1]), "ms");
    result("rules_paced_overhead_pct", median(over), "%");
    result("rules_paced_none_cpu_s_per_s", median(cpu[0]), "s/s");
    result("rules_paced_sink_cpu_s_per_s", median(cpu[1]), "s/s");
  }

  std::printf("\nrule overhead (medians of %d): no rules %.0f obs/s; rules evaluated inline %.0f obs/s (%+.1f %%); "
              "engine as sink %.0f obs/s acked, %.0f obs/s evaluated (%+.1f %%); evaluate only %.0f readings/s\n",
              o.reps, median(ingest[0]), median(ingest[1]), median(overheadSync), median(ingest[2]),
              median(drained[2]), median(overheadSink), median(evaluate));
  return g_checkFailed ? 3 : 0;
}
