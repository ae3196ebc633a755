// Concurrency: many writers and readers at once; a slow WebSocket consumer next to a normal one.
#include "Support.hpp"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

namespace cityops::it {
namespace {

namespace json = boost::json;

TEST(Concurrency, SixteenWritersWithConcurrentReaders) {
  TempDir dir;
  ServerProcess s;
  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path(), 4));
  const uint16_t port = s.port();
  std::vector<std::string> entities;
  for (int i = 0; i < 8; ++i) entities.push_back("conc-" + std::to_string(i));
  {
    HttpClient c(port);
    std::vector<std::pair<std::string, std::string>> list;
    for (const auto& e : entities) list.emplace_back(e, "ConcSensor");
    ASSERT_NO_FATAL_FAILURE(createEntities(c, list));
  }
  const std::vector<std::string> metrics = {"level", "flow", "temp"};
  const int64_t base = nowMs() - 86400000;
  std::atomic<int64_t> slot{0};
  std::atomic<bool> writersDone{false};
  std::mutex mu;
  std::vector<Obs> acked;
  std::atomic<size_t> ackedPosts{0};
  std::vector<std::string> failures;
  auto fail = [&](std::string f) {
    std::lock_guard lock(mu);
    if (failures.size() < 20) failures.push_back(std::move(f));
  };

  constexpr int kWriters = 16, kPostsPerWriter = 40;
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937_64 rng(100 + static_cast<uint64_t>(w));
      HttpClient c(port);
      for (int p = 0; p < kPostsPerWriter; ++p) {
        const int form = static_cast<int>(rng() % 4);  // 0: single object, 1: array of 1, 2: array, 3: NDJSON
        const size_t n = form <= 1 ? 1 : 1 + rng() % 30;
        std::vector<Obs> batch(n);
        for (auto& o : batch) {
          o.entity = entities[rng() % entities.size()];
          o.metric = metrics[rng() % metrics.size()];
          o.time = base + slot.fetch_add(1) * 100;
          o.value = randomValue(rng);
          o.quality = randomQuality(rng);
          o.timeAsText = rng() % 2;
        }
        HttpResponse r;
        if (form == 0) r = c.postJson("/api/v1/observations", obsJson(batch[0]));
        else if (form == 3) r = c.request("POST", "/api/v1/observations", batchNdjson(batch), "application/x-ndjson");
        else r = c.postJson("/api/v1/observations", batchJson(batch));
        const auto v = r.json();
        if (r.status != 200 || !v.is_object() || !v.get_object().contains("accepted") ||
            v.at("accepted") != json::value(static_cast<int64_t>(n))) {
          fail("writer " + std::to_string(w) + " post " + std::to_string(p) + ": " + r.describe());
          continue;
        }
        ++ackedPosts;
        {
          std::lock_guard lock(mu);
          acked.insert(acked.end(), batch.begin(), batch.end());
        }
        // Read your writes: once acknowledged, the sample is visible.
        if (p % 8 == 0) {
          const Obs& o = batch[rng() % batch.size()];
          auto pts = queryRaw(c, o.entity, o.metric, o.time, o.time);
          if (pts.size() != 1 || pts[0].value != o.value)
            fail("acknowledged " + o.entity + "/" + o.metric + " @" + rfc3339(o.time) + " not visible right after");
        }
      }
    });
  }
  // Readers: latest, raw series, entity lists and metrics, all the time; series never shrink.
  std::atomic<size_t> reads{0};
  for (int rd = 0; rd < 4; ++rd) {
    threads.emplace_back([&, rd] {
      std::mt19937_64 rng(900 + static_cast<uint64_t>(rd));
      HttpClient c(port);
      std::map<std::string, size_t> seen;
      while (!writersDone.load()) {
        HttpResponse r;
        switch (rng() % 4) {
          case 0: {
            r = c.get("/api/v1/latest?type=ConcSensor");
            if (r.status == 200 && !r.json().is_array()) fail("latest is not an array: " + r.body.substr(0, 200));
            break;
          }
          case 1: {
            const auto& e = entities[rng() % entities.size()];
            const auto& m = metrics[rng() % metrics.size()];
            auto pts = queryRaw(c, e, m, base - 1, nowMs());
            for (size_t i = 1; i < pts.size(); ++i)
              if (pts[i - 1].time >= pts[i].time) {
                fail("raw points out of order in " + e + "/" + m);
                break;
              }
            auto& before = seen[e + "/" + m];
            if (pts.size() < before) fail(e + "/" + m + " shrank from " + std::to_string(before) + " to " +
                                          std::to_string(pts.size()) + " points");
            before = std::max(before, pts.size());
            r.status = 200;
            break;
          }
          case 2: r = c.get("/api/v1/entities?type=ConcSensor&limit=100"); break;
          default: r = c.get("/metrics"); break;
        }
        if (r.status != 200) fail("reader " + std::to_string(rd) + ": " + r.describe());
        ++reads;
      }
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[static_cast<size_t>(w)].join();
  writersDone = true;
  for (size_t i = kWriters; i < threads.size(); ++i) threads[i].join();
  for (const auto& f : failures) ADD_FAILURE() << f;
  EXPECT_EQ(ackedPosts.load(), static_cast<size_t>(kWriters * kPostsPerWriter)) << "every post is answered 200";
  EXPECT_GT(reads.load(), 20u);

  // Everything acknowledged is there, exactly once, with its value and quality.
  HttpClient c(port);
  std::map<std::tuple<std::string, std::string, int64_t>, const Obs*> expected;
  for (const auto& o : acked) expected[{o.entity, o.metric, o.time}] = &o;
  size_t found = 0, wrong = 0, extra = 0;
  for (const auto& e : entities)
    for (const auto& m : metrics)
      for (const auto& p : queryRaw(c, e, m, base - 1, nowMs())) {
        auto it = expected.find({e, m, p.time});
        if (it == expected.end()) {
          ++extra;
          continue;
        }
        ++found;
        if (it->second->value != p.value || it->second->quality != (p.quality == "good"      ? Quality::Good
                                                                    : p.quality == "suspect" ? Quality::Suspect
                                                                    : p.quality == "bad"     ? Quality::Bad
                                                                                             : Quality(99)))
          ++wrong;
      }
  EXPECT_EQ(found, acked.size()) << "acknowledged observations missing";
  EXPECT_EQ(wrong, 0u);
  EXPECT_EQ(extra, 0u);

  // The counters agree with what the clients saw.
  auto m = c.get("/metrics");
  ASSERT_EQ(m.status, 200) << m.describe();
  EXPECT_EQ(scrape(m.body, "cityops_ingest_batches_total").value_or(-1), static_cast<double>(ackedPosts.load()))
      << "cityops_ingest_batches_total vs acknowledged posts";
  EXPECT_EQ(scrape(m.body, "cityops_ingest_observations_total").value_or(-1), static_cast<double>(acked.size()));
  EXPECT_EQ(scrape(m.body, "cityops_ingest_rejected_total").value_or(0), 0.0);
  EXPECT_EQ(scrape(m.body, "cityops_http_requests_total",
                   {"route=\"/api/v1/observations\"", "method=\"POST\"", "status=\"200\""})
                .value_or(-1),
            static_cast<double>(ackedPosts.load()));
  const int st = s.terminate();
  EXPECT_TRUE(ServerProcess::exitedCleanly(st)) << ServerProcess::describeStatus(st) << "\n" << s.tail();
}

struct StreamedObs {
  std::string entity, metric, time, quality;
  double value;
  bool operator==(const StreamedObs&) const = default;
};

TEST(Concurrency, SlowWebSocketConsumerIsDroppedWithoutStallingIngest) {
  TempDir dir;
  ServerProcess s;
  ASSERT_NO_FATAL_FAILURE(startServer(s, dir.path(), 4));
  const uint16_t port = s.port();
  // Long names make every streamed observation big, so the slow client's queue fills with fewer batches.
  const std::string type = "FloodGaugeWithAVeryLongTypeNameForBigStreamFrames";
  const std::string metric = "water_level_above_the_local_reference_datum_in_metres";
  std::vector<std::string> entities;
  for (int i = 0; i < 4; ++i)
    entities.push_back("slow-consumer-test-gauge-" + std::to_string(i) + "-" + std::string(60, 'x'));
  {
    HttpClient c(port);
    std::vector<std::pair<std::string, std::string>> list;
    for (const auto& e : entities) list.emplace_back(e, type);
    ASSERT_NO_FATAL_FAILURE(createEntities(c, list));
  }

  // The slow client: subscribes to the whole type, then never reads again.
  WsClient slow;
  ASSERT_FALSE(slow.connect(port, "/api/v1/stream", 30s, 32 * 1024));
  std::string ack;
  ASSERT_FALSE(slow.subscribe({"observations:type:" + type}, ack));
  ASSERT_NE(ack.find("subscribed"), std::string::npos) << ack;
  const uint16_t slowPort = slow.localPort();
  ASSERT_EQ(tcpState(port, slowPort), 1) << "server side of the slow client's connection is not ESTABLISHED";

  // The normal client: one entity, read continuously.
  WsClient normal;
  ASSERT_FALSE(normal.connect(port));
  ASSERT_FALSE(normal.subscribe({"observations:entity:" + entities[0]}, ack));
  ASSERT_NE(ack.find("subscribed"), std::string::npos) << ack;

  constexpr int kBatches = 1500, kBatchSize = 100;
  std::vector<StreamedObs> expectedForNormal;  // entity 0, in posting order (one thread posts entity 0)
  const int64_t base = nowMs() - 86400000;
  std::vector<StreamedObs> received;
  std::atomic<size_t> receivedCount{0};
  std::atomic<bool> stopReading{false};
  std::string normalError;
  std::thread reader([&] {
    for (;;) {
      std::string text;
      auto ec = normal.read(text, 60s);
      if (ec) {
        if (!stopReading) normalError = "normal subscriber: " + ec.message();
        return;
      }
      boost::system::error_code jec;
      auto v = json::parse(text, jec);
      const auto* o = v.if_object();
      if (jec || !o || !o->contains("observations") || o->at("channel") != "observations") {
        normalError = "unexpected frame: " + text.substr(0, 200);
        return;
      }
      for (const auto& x : o->at("observations").as_array()) {
        const auto& ob = x.as_object();
        const auto& val = ob.at("value");
        received.push_back({std::string(ob.at("entity").as_string()), std::string(ob.at("metric").as_string()),
                            std::string(ob.at("time").as_string()), std::string(ob.at("quality").as_string()),
                            val.is_double() ? val.get_double() : static_cast<double>(val.as_int64())});
      }
      receivedCount = received.size();
      if (received.size() >= static_cast<size_t>(kBatches / 4 * kBatchSize)) return;
    }
  });

  // Two posting threads: thread 0 posts entities 0 and 1 alternately, thread 1 entities 2 and 3.
  std::atomic<int> ok{0};
  std::atomic<int64_t> slowClosedAfterPost{-1};
  std::vector<std::string> failures;
  std::mutex mu;
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> posters;
  for (int t = 0; t < 2; ++t) {
    posters.emplace_back([&, t] {
      std::mt19937_64 rng(55 + static_cast<uint64_t>(t));
      HttpClient c(port, 120s);
      for (int i = 0; i < kBatches / 2; ++i) {
        const size_t e = static_cast<size_t>(2 * t + i % 2);
        std::vector<Obs> batch(kBatchSize);
        for (int k = 0; k < kBatchSize; ++k) {
          Obs& o = batch[static_cast<size_t>(k)];
          o.entity = entities[e];
          o.metric = metric;
          o.time = base + (static_cast<int64_t>(i / 2) * kBatchSize + k) * 100;
          o.value = randomValue(rng);
          o.quality = randomQuality(rng);
        }
        if (e == 0)
          for (const auto& o : batch)
            expectedForNormal.push_back({o.entity, o.metric, rfc3339(o.time), qualityName(o.quality), o.value});
        auto r = c.postJson("/api/v1/observations", batchJson(batch));
        if (r.status != 200) {
          std::lock_guard lock(mu);
          failures.push_back("post " + std::to_string(i) + " of thread " + std::to_string(t) + ": " + r.describe());
          return;
        }
        const int n = ++ok;
        if (t == 0 && i % 20 == 0 && slowClosedAfterPost.load() < 0) {
          auto st = tcpState(port, slowPort);
          if (!st || *st != 1) slowClosedAfterPost = n;
        }
      }
    });
  }
  for (auto& p : posters) p.join();
  const double ingestSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const auto& f : failures) ADD_FAILURE() << f;
  EXPECT_EQ(ok.load(), kBatches) << "every post must be answered 200 despite the slow consumer";
  std::printf("[ info     ] %d batches of %d ingested in %.1f s; slow client seen closed after post %lld\n", ok.load(),
              kBatchSize, ingestSeconds, static_cast<long long>(slowClosedAfterPost.load()));

  // The slow client's queue overflowed: the server stopped streaming to it (only the normal client is left).
  {
    auto m = httpGet(port, "/metrics");
    EXPECT_EQ(scrape(m.body, "cityops_stream_subscribers").value_or(-1), 1.0)
        << "the slow client is still subscribed: its queue never overflowed (post more) or it was not dropped";
  }

  // The normal subscriber gets every observation of its entity, in order.
  const auto readDeadline = std::chrono::steady_clock::now() + 60s;
  while (receivedCount.load() < expectedForNormal.size() && std::chrono::steady_clock::now() < readDeadline)
    std::this_thread::sleep_for(20ms);
  stopReading = true;
  reader.join();  // it returns once it has everything, or on its own read deadline
  EXPECT_TRUE(normalError.empty()) << normalError;
  EXPECT_EQ(received.size(), expectedForNormal.size());
  if (received != expectedForNormal) {
    for (size_t i = 0; i < std::min(received.size(), expectedForNormal.size()); ++i)
      if (!(received[i] == expectedForNormal[i])) {
        ADD_FAILURE() << "normal subscriber: observation " << i << " is " << received[i].time << " "
                      << num(received[i].value) << ", expected " << expectedForNormal[i].time << " "
                      << num(expectedForNormal[i].value);
        break;
      }
  }

  // The slow client was disconnected by the server (its side of the TCP connection is closed) - without the
  // client reading anything.
  const auto closeDeadline = std::chrono::steady_clock::now() + 15s;
  std::optional<int> state = tcpState(port, slowPort);
  while (state && *state == 1 && std::chrono::steady_clock::now() < closeDeadline) {
    std::this_thread::sleep_for(100ms);
    state = tcpState(port, slowPort);
  }
  EXPECT_TRUE(!state || *state != 1)
      << "the server still holds the slow consumer's connection open (TCP state ESTABLISHED) 15 s after the ingest "
         "that overflowed its queue ended";

  // Reading now, the slow client finds the end of the stream: a 1008 close or a dropped connection, having been
  // sent far fewer observations than were posted for its type.
  size_t slowObservations = 0;
  beast::error_code ec;
  const auto drainDeadline = std::chrono::steady_clock::now() + 60s;
  for (;;) {
    std::string text;
    ec = slow.read(text, 20s);
    if (ec) break;
    auto v = json::parse(text, ec);
    if (!ec && v.is_object() && v.get_object().contains("observations"))
      slowObservations += v.at("observations").as_array().size();
    if (std::chrono::steady_clock::now() > drainDeadline) break;
  }
  EXPECT_NE(ec, beast::error_code(asio::error::timed_out)) << "the slow client's stream never ended";
  if (ec == beast::websocket::error::closed) {
    EXPECT_EQ(slow.closeReason().code, static_cast<std::uint16_t>(beast::websocket::close_code::policy_error))
        << "close reason: " << slow.closeReason().reason;
  }
  EXPECT_LT(slowObservations, static_cast<size_t>(kBatches) * kBatchSize)
      << "the slow consumer got everything: it was never dropped";
  std::printf("[ info     ] slow client: %zu observations before the end (%s)\n", slowObservations,
              ec.message().c_str());

  // The server is fine.
  auto h = httpGet(port, "/healthz");
  EXPECT_EQ(h.status, 200) << h.describe();
  const int st = s.terminate();
  EXPECT_TRUE(ServerProcess::exitedCleanly(st)) << ServerProcess::describeStatus(st) << "\n" << s.tail();
}

}  // namespace
}  // namespace cityops::it
