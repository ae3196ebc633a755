#include "metrics/Registry.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

using cityops::metrics::Histogram;
using cityops::metrics::Registry;

TEST(Registry, CounterWithLabelsRenders) {
  Registry r;
  r.counter("jobs_total", "Jobs run.", {{"kind", "flush"}}).inc();
  r.counter("jobs_total", "Jobs run.", {{"kind", "flush"}}).inc(2);
  r.counter("jobs_total", "Jobs run.", {{"kind", "ingest"}}).inc();
  EXPECT_EQ(r.render(),
            "# HELP jobs_total Jobs run.\n"
            "# TYPE jobs_total counter\n"
            "jobs_total{kind=\"flush\"} 3\n"
            "jobs_total{kind=\"ingest\"} 1\n");
}

TEST(Registry, SameNameAndLabelsGiveSameObject) {
  Registry r;
  auto& a = r.counter("c_total", "C.", {{"a", "1"}, {"b", "2"}});
  auto& b = r.counter("c_total", "C.", {{"b", "2"}, {"a", "1"}});  // label order does not matter
  auto& c = r.counter("c_total", "C.", {{"a", "1"}, {"b", "3"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
  auto& g1 = r.gauge("g", "G.");
  auto& g2 = r.gauge("g", "G.");
  EXPECT_EQ(&g1, &g2);
}

TEST(Registry, UnlabelledCounterAndGauge) {
  Registry r;
  r.counter("up_total", "Ups.").inc(7);
  r.gauge("temperature_celsius", "Temperature.").set(21.5);
  r.gauge("big", "Big.").set(1234567);
  r.gauge("tiny", "Tiny.").set(0.00001);
  r.gauge("neg", "Neg.").set(-2);
  EXPECT_EQ(r.render(),
            "# HELP up_total Ups.\n"
            "# TYPE up_total counter\n"
            "up_total 7\n"
            "# HELP temperature_celsius Temperature.\n"
            "# TYPE temperature_celsius gauge\n"
            "temperature_celsius 21.5\n"
            "# HELP big Big.\n"
            "# TYPE big gauge\n"
            "big 1.234567e+06\n"
            "# HELP tiny Tiny.\n"
            "# TYPE tiny gauge\n"
            "tiny 1e-05\n"
            "# HELP neg Neg.\n"
            "# TYPE neg gauge\n"
            "neg -2\n");
}

TEST(Registry, EscapesLabelValuesAndHelp) {
  Registry r;
  r.counter("e_total", "Line one\nback\\slash \"quotes\" stay", {{"path", "a\\b\"c\"\nd"}}).inc();
  EXPECT_EQ(r.render(),
            "# HELP e_total Line one\\nback\\\\slash \"quotes\" stay\n"
            "# TYPE e_total counter\n"
            "e_total{path=\"a\\\\b\\\"c\\\"\\nd\"} 1\n");
}

TEST(Registry, HistogramBucketsAreCumulative) {
  Registry r;
  auto& h = r.histogram("lat_seconds", "Latency.", {{"route", "/x"}}, {0.1, 0.5, 1});
  h.observe(0.05);
  h.observe(0.1);  // le is inclusive
  h.observe(0.3);
  h.observe(2);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_EQ(h.bucketCount(0), 2u);
  EXPECT_EQ(h.bucketCount(1), 1u);
  EXPECT_EQ(h.bucketCount(2), 0u);
  EXPECT_EQ(h.bucketCount(3), 1u);
  EXPECT_EQ(r.render(),
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{route=\"/x\",le=\"0.1\"} 2\n"
            "lat_seconds_bucket{route=\"/x\",le=\"0.5\"} 3\n"
            "lat_seconds_bucket{route=\"/x\",le=\"1\"} 3\n"
            "lat_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n"
            "lat_seconds_sum{route=\"/x\"} 2.45\n"
            "lat_seconds_count{route=\"/x\"} 4\n");
}

TEST(Registry, UnlabelledHistogramAndUnsortedBounds) {
  Registry r;
  auto& h = r.histogram("h", "H.", {}, {1, 0.25, 1});  // sorted and de-duplicated
  h.observe(0.25);
  EXPECT_EQ(r.render(),
            "# HELP h H.\n"
            "# TYPE h histogram\n"
            "h_bucket{le=\"0.25\"} 1\n"
            "h_bucket{le=\"1\"} 1\n"
            "h_bucket{le=\"+Inf\"} 1\n"
            "h_sum 0.25\n"
            "h_count 1\n");
}

TEST(Registry, DefaultLatencyBounds) {
  const auto b = Registry::defaultLatencyBounds();
  ASSERT_FALSE(b.empty());
  EXPECT_DOUBLE_EQ(b.front(), 0.00005);
  EXPECT_DOUBLE_EQ(b.back(), 10);
  EXPECT_TRUE(std::is_sorted(b.begin(), b.end()));
  Registry r;
  r.histogram("d_seconds", "D.").observe(0.001);
  const std::string out = r.render();
  EXPECT_NE(out.find("d_seconds_bucket{le=\"5e-05\"} 0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("d_seconds_bucket{le=\"0.001\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("d_seconds_bucket{le=\"10\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("d_seconds_sum 0.001\n"), std::string::npos) << out;
}

TEST(Registry, SameNameWithAnotherTypeIsNotRendered) {
  Registry r;
  r.counter("x", "X.").inc();
  r.gauge("x", "X as gauge.").set(5);  // usable, but would make the exposition invalid
  EXPECT_EQ(r.render(),
            "# HELP x X.\n"
            "# TYPE x counter\n"
            "x 1\n");
}

TEST(Histogram, NegativeObservationsKeepTheSum) {
  Histogram h({1});
  h.observe(2.5);
  h.observe(-0.5);
  EXPECT_DOUBLE_EQ(h.sum(), 2.0);
  EXPECT_EQ(h.count(), 2u);
}

TEST(Registry, ConcurrentUpdates) {
  Registry r;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&r, t] {
      for (int i = 0; i < 1000; ++i) {
        r.counter("n_total", "N.", {{"t", std::to_string(t % 2)}}).inc();
        r.histogram("h_seconds", "H.").observe(0.002);
        if (i % 100 == 0) (void)r.render();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(r.counter("n_total", "N.", {{"t", "0"}}).value(), 2000u);
  EXPECT_EQ(r.counter("n_total", "N.", {{"t", "1"}}).value(), 2000u);
  EXPECT_EQ(r.histogram("h_seconds", "H.").count(), 4000u);
  EXPECT_NEAR(r.histogram("h_seconds", "H.").sum(), 8.0, 1e-9);
}
