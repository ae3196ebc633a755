// Durability: what got a 200 survives kill -9 (right after the last answer, with posts in flight, after a restart
// that replayed the log, in the middle of the shutdown seal), a clean SIGTERM, and late data written over sealed
// ranges. Batches without an answer are all or nothing; /latest and the daily rollups agree with the raw data.
#include "Support.hpp"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

namespace cityops::it {
namespace {

namespace json = boost::json;

const std::vector<std::string> kMetrics = {"water_level_m", "rain_mm"};
constexpr const char* kType = "DurSensor";

struct Batch {
  std::vector<Obs> obs;
  enum State { Pending, Acked, NoReply, Rejected } state = Pending;
  std::string failure;
};

/// Generates batches with unique (entity, metric, time) across the whole test, posts them from several threads
/// and records exactly which were acknowledged.
class Workload {
 public:
  Workload(std::vector<std::string> entities, int64_t base, std::vector<std::string> metrics = kMetrics)
      : entities_(std::move(entities)), metrics_(std::move(metrics)), base_(base) {}

  const std::vector<std::string>& entities() const { return entities_; }
  const std::vector<std::string>& metrics() const { return metrics_; }
  int64_t base() const { return base_; }

  /// Sizes: mostly small, some medium, a few up to 20 000.
  static size_t randomSize(std::mt19937_64& rng) {
    const auto r = rng() % 100;
    if (r < 55) return 1 + rng() % 50;
    if (r < 85) return 50 + rng() % 1000;
    if (r < 95) return 1000 + rng() % 5000;
    return 10000 + rng() % 10001;
  }

  /// `offset` shifts times within their second (late data between earlier samples uses 500).
  std::vector<Obs> makeBatch(std::mt19937_64& rng, size_t n, int64_t offset) {
    std::vector<Obs> b(n);
    // Late data (offset != 0) reuses the slots from the start: it lands between the samples written before.
    auto& slots = offset == 0 ? nextSlot_ : nextLateSlot_;
    const int64_t first = slots.fetch_add(static_cast<int64_t>(n));
    for (size_t i = 0; i < n; ++i) {
      Obs& o = b[i];
      o.entity = entities_[rng() % entities_.size()];
      o.metric = metrics_[rng() % metrics_.size()];
      o.time = base_ + (first + static_cast<int64_t>(i)) * 1000 + offset;
      o.value = randomValue(rng);
      o.quality = randomQuality(rng);
      o.sendQuality = o.quality != Quality::Good || rng() % 2 == 0;
      o.timeAsText = rng() % 3 == 0;
    }
    // Runs of one series (the common producer shape) in some batches, shuffled order in others.
    if (rng() % 2) std::shuffle(b.begin(), b.end(), rng);
    else
      std::stable_sort(b.begin(), b.end(), [](const Obs& x, const Obs& y) {
        return std::tie(x.entity, x.metric) < std::tie(y.entity, y.metric);
      });
    return b;
  }

  /// Posts one batch and records the outcome. Returns false on a transport failure (the server is gone).
  static bool post(HttpClient& c, Batch& batch, bool ndjson) {
    const auto r = ndjson ? c.request("POST", "/api/v1/observations", batchNdjson(batch.obs), "application/x-ndjson")
                          : c.postJson("/api/v1/observations", batchJson(batch.obs));
    if (r.status == 0) {
      batch.state = Batch::NoReply;
      batch.failure = r.error;
      return false;
    }
    const auto v = r.json();
    const auto* o = v.if_object();
    const auto* accepted = o ? o->if_contains("accepted") : nullptr;
    if (r.status == 200 && accepted && accepted->is_int64() &&
        accepted->get_int64() == static_cast<int64_t>(batch.obs.size())) {
      batch.state = Batch::Acked;
    } else {
      batch.state = Batch::Rejected;
      batch.failure = r.describe();
    }
    return true;
  }

  std::vector<std::unique_ptr<Batch>> batches;  // every batch ever posted
  std::mutex mu;

  Batch& add(std::vector<Obs> obs) {
    std::lock_guard lock(mu);
    batches.push_back(std::make_unique<Batch>());
    batches.back()->obs = std::move(obs);
    return *batches.back();
  }

  /// `threads` clients post `perThread` batches each (or until the server disappears).
  void run(uint16_t port, int threads, int perThread, int64_t offset, uint64_t seed) {
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
      ts.emplace_back([=, this] {
        std::mt19937_64 rng(seed * 1000 + static_cast<uint64_t>(t));
        HttpClient c(port);
        for (int i = 0; i < perThread; ++i) {
          Batch& b = add(makeBatch(rng, randomSize(rng), offset));
          if (!post(c, b, rng() % 4 == 0)) return;
        }
      });
    }
    for (auto& t : ts) t.join();
  }

  size_t count(Batch::State s) const {
    size_t n = 0;
    for (const auto& b : batches) n += b->state == s;
    return n;
  }
  size_t observations(Batch::State s) const {
    size_t n = 0;
    for (const auto& b : batches)
      if (b->state == s) n += b->obs.size();
    return n;
  }

 private:
  std::vector<std::string> entities_;
  std::vector<std::string> metrics_;
  int64_t base_;
  std::atomic<int64_t> nextSlot_{0};
  std::atomic<int64_t> nextLateSlot_{0};
};

struct Key {
  std::string entity, metric;
  int64_t time;
  bool operator<(const Key& o) const { return std::tie(entity, metric, time) < std::tie(o.entity, o.metric, o.time); }
};

/// Checks the server's data against the workload: every acknowledged observation with its value and quality;
/// batches without an answer entirely present or entirely absent; nothing else; /latest = the newest sample.
void verify(uint16_t port, const Workload& w, const std::string& when) {
  SCOPED_TRACE(when);
  HttpClient c(port);
  std::map<Key, std::pair<const Obs*, size_t>> posted;  // -> (observation, batch index)
  for (size_t bi = 0; bi < w.batches.size(); ++bi) {
    const auto& b = *w.batches[bi];
    ASSERT_NE(b.state, Batch::Rejected) << "a valid batch was rejected: " << b.failure;
    for (const auto& o : b.obs) posted[{o.entity, o.metric, o.time}] = {&o, bi};
  }
  std::vector<size_t> presentPerBatch(w.batches.size(), 0);
  std::map<std::pair<std::string, std::string>, Point> newest;  // from the raw data
  size_t wrong = 0, unexpected = 0;
  std::string firstProblems;
  auto problem = [&](const std::string& s) {
    if (wrong + unexpected < 8) firstProblems += "  " + s + "\n";
  };
  for (const auto& e : w.entities()) {
    for (const auto& m : w.metrics()) {
      const int64_t to = nowMs() + 86400000;
      const auto points = queryRaw(c, e, m, w.base() - 1000, to);
      if (::testing::Test::HasFailure()) return;
      // The daily rollups count the same samples (bad ones are left out of aggregates).
      if (!points.empty()) {
        const std::string target = "/api/v1/entities/" + e + "/observations?metric=" + m +
                                   "&from=" + std::to_string(w.base() - 1000) + "&to=" + std::to_string(to) +
                                   "&interval=1d&agg=count&limit=100000";
        auto r = c.get(target);
        ASSERT_EQ(r.status, 200) << r.describe();
        int64_t counted = 0;
        const auto buckets = r.json();
        for (const auto& b : buckets.at("points").as_array()) counted += b.at("count").to_number<int64_t>();
        int64_t usable = 0;
        for (const auto& p : points) usable += p.quality != "bad";
        if (counted != usable) {
          ++wrong;
          problem(e + "/" + m + ": daily buckets count " + std::to_string(counted) + " samples, raw data has " +
                  std::to_string(usable) + " good or suspect ones");
        }
      }
      for (size_t i = 0; i < points.size(); ++i) {
        const auto& p = points[i];
        if (i > 0 && points[i - 1].time >= p.time) problem(e + "/" + m + ": raw points not in increasing time order");
        auto it = posted.find({e, m, p.time});
        if (it == posted.end()) {
          ++unexpected;
          problem(e + "/" + m + " @" + rfc3339(p.time) + ": a point nobody posted (value " + num(p.value) + ")");
          continue;
        }
        const Obs& o = *it->second.first;
        if (o.value != p.value || p.quality != qualityName(o.quality)) {
          ++wrong;
          problem(e + "/" + m + " @" + rfc3339(p.time) + ": expected " + num(o.value) + "/" + qualityName(o.quality) +
                  ", got " + num(p.value) + "/" + p.quality);
        }
        ++presentPerBatch[it->second.second];
        auto& n = newest[{e, m}];
        if (p.time >= n.time || n.quality.empty()) n = p;
      }
    }
  }
  size_t missing = 0, partial = 0, unansweredPresent = 0;
  for (size_t bi = 0; bi < w.batches.size(); ++bi) {
    const auto& b = *w.batches[bi];
    if (b.state == Batch::Acked && presentPerBatch[bi] != b.obs.size()) {
      missing += b.obs.size() - presentPerBatch[bi];
      if (missing < 5)
        ADD_FAILURE() << "acknowledged batch " << bi << " (" << b.obs.size() << " observations) has only "
                      << presentPerBatch[bi] << " stored";
    }
    if (b.state != Batch::Acked) {
      if (presentPerBatch[bi] != 0 && presentPerBatch[bi] != b.obs.size()) ++partial;
      if (presentPerBatch[bi] == b.obs.size()) ++unansweredPresent;
    }
  }
  EXPECT_EQ(missing, 0u) << "acknowledged observations lost";
  EXPECT_EQ(wrong, 0u) << "observations with a wrong value or quality, or rollups disagreeing with raw data";
  EXPECT_EQ(unexpected, 0u) << "observations nobody posted";
  EXPECT_EQ(partial, 0u) << "unanswered batches stored in part (a batch must be all or nothing)";
  if (!firstProblems.empty()) ADD_FAILURE() << "first problems:\n" << firstProblems;
  if (unansweredPresent)
    std::printf("[ info     ] %s: %zu batches without an answer were stored whole\n", when.c_str(), unansweredPresent);

  // /latest agrees with the newest stored sample of every series.
  auto r = c.get(std::string("/api/v1/latest?type=") + kType);
  ASSERT_EQ(r.status, 200) << r.describe();
  const auto v = r.json();
  ASSERT_TRUE(v.is_array()) << r.body.substr(0, 300);
  std::map<std::pair<std::string, std::string>, json::object> latest;
  for (const auto& x : v.get_array()) {
    const auto& o = x.as_object();
    EXPECT_EQ(o.at("type").as_string(), kType);
    latest[{std::string(o.at("entity").as_string()), std::string(o.at("metric").as_string())}] = o;
  }
  EXPECT_EQ(latest.size(), newest.size()) << "/latest lists other series than the raw data has";
  for (const auto& [k, p] : newest) {
    auto it = latest.find(k);
    if (it == latest.end()) {
      ADD_FAILURE() << "/latest lacks " << k.first << "/" << k.second;
      continue;
    }
    const auto& o = it->second;
    EXPECT_EQ(o.at("time").as_string(), rfc3339(p.time)) << k.first << "/" << k.second;
    const auto& val = o.at("value");
    const double value = val.is_double() ? val.get_double() : static_cast<double>(val.as_int64());
    EXPECT_EQ(value, p.value) << k.first << "/" << k.second;
    EXPECT_EQ(o.at("quality").as_string(), p.quality) << k.first << "/" << k.second;
  }
}

std::vector<std::pair<std::string, std::string>> entityList(const std::vector<std::string>& ids) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& id : ids) out.emplace_back(id, kType);
  return out;
}

TEST(Durability, AcknowledgedDataSurvivesKill9RestartsAndCleanStops) {
  TempDir dir;
  const std::vector<std::string> entities = {"dur-a0", "dur-a1", "dur-a2", "dur-a3", "dur-a4", "dur-a5"};
  Workload w(entities, nowMs() - 3 * 86400000LL);
  ServerProcess s;

  // 1. Concurrent batches, kill -9 right after the last answer.
  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path()));
  {
    HttpClient c(s.port());
    ASSERT_NO_FATAL_FAILURE(createEntities(c, entityList(entities)));
  }
  w.run(s.port(), 4, 12, 0, 1);
  s.kill9();
  ASSERT_EQ(w.count(Batch::Acked), w.batches.size()) << "every post was answered 200 while the server ran";
  std::printf("[ info     ] round 1: %zu batches, %zu observations acknowledged\n", w.batches.size(),
              w.observations(Batch::Acked));

  // 2. Restart (replays the log): everything is there. Write more, kill -9 again.
  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path()));
  ASSERT_NO_FATAL_FAILURE(verify(s.port(), w, "after the first kill -9"));
  w.run(s.port(), 3, 6, 0, 2);
  s.kill9();
  ASSERT_EQ(w.count(Batch::Acked), w.batches.size());

  // 3. Restart: both rounds are there (a log replayed twice keeps everything). Then a clean SIGTERM.
  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path()));
  ASSERT_NO_FATAL_FAILURE(verify(s.port(), w, "after the second kill -9 (log replayed before)"));
  {
    const int st = s.terminate();
    EXPECT_TRUE(ServerProcess::exitedCleanly(st)) << "SIGTERM: " << ServerProcess::describeStatus(st) << "\n"
                                                  << s.tail();
  }

  // 4. After the clean stop (data sealed into chunks): everything is there. Late data between sealed samples,
  // then kill -9.
  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path()));
  ASSERT_NO_FATAL_FAILURE(verify(s.port(), w, "after SIGTERM"));
  w.run(s.port(), 2, 6, 500, 3);  // times at +500 ms: between the samples sealed above
  s.kill9();
  ASSERT_EQ(w.count(Batch::Acked), w.batches.size());

  // 5. Sealed chunks + replayed late data.
  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path()));
  ASSERT_NO_FATAL_FAILURE(verify(s.port(), w, "after kill -9 with late data over sealed chunks"));
  const int st = s.terminate();
  EXPECT_TRUE(ServerProcess::exitedCleanly(st)) << "SIGTERM: " << ServerProcess::describeStatus(st) << "\n"
                                                << s.tail();
}

TEST(Durability, Kill9WhilePostsAreInFlight) {
  TempDir dir;
  const std::vector<std::string> entities = {"dur-b0", "dur-b1", "dur-b2", "dur-b3"};
  Workload w(entities, nowMs() - 2 * 86400000LL);
  ServerProcess s;
  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path()));
  {
    HttpClient c(s.port());
    ASSERT_NO_FATAL_FAILURE(createEntities(c, entityList(entities)));
  }
  std::atomic<bool> stop{false};
  std::atomic<int> acked{0};
  std::vector<std::thread> ts;
  const uint16_t port = s.port();
  for (int t = 0; t < 6; ++t) {
    ts.emplace_back([&, t] {
      std::mt19937_64 rng(7000 + static_cast<uint64_t>(t));
      HttpClient c(port, 20s);
      while (!stop.load()) {
        // Sizes up to 5 000, so that several posts are being decoded or committed at any moment.
        const size_t n = rng() % 3 == 0 ? 1 + rng() % 5000 : 1 + rng() % 200;
        Batch& b = w.add(w.makeBatch(rng, n, 0));
        if (!Workload::post(c, b, rng() % 4 == 0)) return;
        if (b.state == Batch::Acked) ++acked;
      }
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (acked.load() < 60 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  s.kill9();  // posts are in flight on every connection
  stop = true;
  for (auto& t : ts) t.join();
  ASSERT_GE(acked.load(), 60) << "the server did not acknowledge enough posts before the deadline";
  EXPECT_GT(w.count(Batch::NoReply), 0u) << "the kill did not catch any post in flight";
  std::printf("[ info     ] killed with %zu batches acknowledged, %zu without an answer\n", w.count(Batch::Acked),
              w.count(Batch::NoReply));

  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path()));
  ASSERT_NO_FATAL_FAILURE(verify(s.port(), w, "after kill -9 during ingest"));
  // The server keeps working on the recovered data.
  w.run(s.port(), 2, 3, 0, 9);
  ASSERT_NO_FATAL_FAILURE(verify(s.port(), w, "after more ingest on the recovered store"));
  const int st = s.terminate();
  EXPECT_TRUE(ServerProcess::exitedCleanly(st)) << "SIGTERM: " << ServerProcess::describeStatus(st) << "\n"
                                                << s.tail();
  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path()));
  ASSERT_NO_FATAL_FAILURE(verify(s.port(), w, "after SIGTERM"));
}

TEST(Durability, Kill9DuringTheShutdownSeal) {
  // SIGTERM seals the in-memory heads into chunks, in slices of 1 000 series committed one after another, and
  // drops the ingest log at the end. A kill -9 in the middle of that must lose nothing. 1 500 series: two slices.
  TempDir dir;
  std::vector<std::string> entities;
  for (int i = 0; i < 150; ++i) entities.push_back("seal-" + std::to_string(i));
  std::vector<std::string> metrics;
  for (int i = 0; i < 10; ++i) metrics.push_back("m" + std::to_string(i));
  Workload w(entities, nowMs() - 4 * 86400000LL, metrics);
  ServerProcess s;
  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path()));
  {
    HttpClient c(s.port());
    ASSERT_NO_FATAL_FAILURE(createEntities(c, entityList(entities)));
  }
  auto headSamples = [&] {
    auto m = httpGet(s.port(), "/metrics");
    return scrape(m.body, "cityops_head_samples").value_or(0);
  };
  auto sigtermAndWaitForStopping = [&] {
    ::kill(s.pid(), SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (s.output().find("stopping (signal") == std::string::npos && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    return std::chrono::steady_clock::now();
  };

  // Round 0: how long does a clean seal take per sample here?
  w.run(s.port(), 3, 8, 0, 40);
  ASSERT_EQ(w.count(Batch::Acked), w.batches.size());
  double heads = headSamples();
  ASSERT_GT(heads, 0);
  auto t0 = sigtermAndWaitForStopping();
  const int st0 = s.terminate();
  const double secondsPerSample = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / heads;
  ASSERT_TRUE(ServerProcess::exitedCleanly(st0)) << ServerProcess::describeStatus(st0) << "\n" << s.tail();

  // Rounds 1-3: more data (round 2 between the sealed samples), then kill -9 at 30 %, 60 % and 90 % of the
  // expected seal time.
  int round = 1;
  for (const double fraction : {0.3, 0.6, 0.9}) {
    ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path()));
    w.run(s.port(), 3, 8, round == 2 ? 500 : 0, 40 + static_cast<uint64_t>(round));
    ASSERT_EQ(w.count(Batch::Acked), w.batches.size());
    heads = headSamples();
    const auto delay = std::chrono::duration<double>(heads * secondsPerSample * fraction);
    t0 = sigtermAndWaitForStopping();
    std::this_thread::sleep_until(t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(delay));
    const bool finished = s.output().find("stopped cleanly") != std::string::npos;
    s.kill9();
    std::printf("[ info     ] round %d: kill -9 %.0f ms into sealing %.0f samples (%s)\n", round, delay.count() * 1000,
                heads, finished ? "it had already finished" : "before it finished");
    ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path()));
    ASSERT_NO_FATAL_FAILURE(verify(s.port(), w, "after kill -9 during the shutdown seal, round " + std::to_string(round)));
    s.kill9();
    ++round;
  }
  // Finally a clean stop of everything replayed.
  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path()));
  const int st = s.terminate();
  EXPECT_TRUE(ServerProcess::exitedCleanly(st)) << "SIGTERM: " << ServerProcess::describeStatus(st) << "\n" << s.tail();
  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path()));
  ASSERT_NO_FATAL_FAILURE(verify(s.port(), w, "after the final clean stop"));
}

}  // namespace
}  // namespace cityops::it
