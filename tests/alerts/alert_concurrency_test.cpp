// Concurrent writers: 16 threads racing on the same (rule, entity) end with exactly one open alert and a history
// that is a valid lifecycle; listeners see the transitions in commit order.
#include "alerts/AlertManager.hpp"

#include "alerts/AlertFixture.hpp"

#include <algorithm>
#include <atomic>
#include <latch>
#include <mutex>
#include <thread>

namespace cityops::alerts {
namespace {

using testing::AlertFixture;
using testing::cond;
using testing::consistentHistory;
using testing::kT0;

constexpr int kThreads = 16;
constexpr int kPerThread = 40;

std::optional<Severity> randomSeverity(std::mt19937& rng, bool withClears) {
  std::uniform_int_distribution<int> d(withClears ? -1 : 0, 3);
  const int v = d(rng);
  if (v < 0) return std::nullopt;
  return static_cast<Severity>(v);
}

/// Every alert in the table, with history, in id order (the order they were raised in).
std::vector<Alert> everyAlert(AlertManager& m) {
  AlertQuery q;
  q.limit = 1000;
  auto r = m.list(q);  // newest first by data time, which the racing threads scramble
  EXPECT_TRUE(r.ok());
  std::vector<Alert> out;
  if (!r) return out;
  std::vector<int64_t> ids;
  for (const auto& a : *r) ids.push_back(a.id);
  std::sort(ids.begin(), ids.end());
  for (int64_t id : ids) {
    auto a = m.get(id);
    EXPECT_TRUE(a.ok());
    if (a) out.push_back(std::move(*a));
  }
  return out;
}

/// The id of the history row that closed the alert (its resolve), or of its last row while open.
int64_t lastLifecycleRow(const Alert& a) {
  for (auto it = a.history.rbegin(); it != a.history.rend(); ++it)
    if (it->action != "comment") return it->id;
  return a.history.front().id;
}

TEST_F(AlertFixture, SixteenThreadsRandomSeveritiesOneOpenAlert) {
  std::atomic<int> changes{0}, errors{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(1000 + t);
      start.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) {
        auto r = manager_->apply(cond(randomSeverity(rng, false), t + i / 100.0, kT0 + i * 1000 + t));
        if (!r) ++errors;
        else if (r->has_value()) ++changes;
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(errors.load(), 0);

  EXPECT_EQ(count("SELECT count(*) FROM alerts"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM alerts WHERE state <> 'resolved'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM alert_history"), changes.load());
  ASSERT_EQ(manager_->openAlerts().size(), 1u);
  const auto open = manager_->openAlert("levels", "station:tamky");
  ASSERT_TRUE(open);
  const Alert a = mustGet(open->id);
  EXPECT_EQ(static_cast<int>(a.history.size()), changes.load());
  EXPECT_GT(a.history.size(), 1u);
  EXPECT_TRUE(consistentHistory(a));
  EXPECT_EQ(open->severity, a.severity);
  EXPECT_EQ(open->value, a.value);
  EXPECT_EQ(open->updatedMs, a.updatedMs);
}

TEST_F(AlertFixture, SixteenThreadsWithClearsAndOperatorsKeepAValidLifecycle) {
  std::atomic<int> changes{0}, errors{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(2000 + t);
      start.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) {
        if (t % 4 == 3) {  // an operator: ack, comment or resolve whatever is open now (it may be gone already)
          auto open = manager_->openAlert("levels", "station:tamky");
          if (!open) continue;
          const int which = static_cast<int>(rng() % 3);
          auto r = which == 0   ? manager_->acknowledge(open->id, "op" + std::to_string(t), "")
                   : which == 1 ? manager_->comment(open->id, "op" + std::to_string(t), "note " + std::to_string(i))
                                : manager_->resolve(open->id, "op" + std::to_string(t), "");
          if (r) ++changes;
          else if (r.error().code != "conflict") ++errors;
          continue;
        }
        auto r = manager_->apply(cond(randomSeverity(rng, true), t + i / 100.0, kT0 + i * 1000 + t));
        if (!r) ++errors;
        else if (r->has_value()) ++changes;
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(errors.load(), 0);

  const auto all = everyAlert(*manager_);
  ASSERT_FALSE(all.empty());
  size_t rows = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_TRUE(consistentHistory(all[i]));
    rows += all[i].history.size();
    if (i + 1 < all.size()) {
      EXPECT_EQ(all[i].state, State::Resolved) << "alert " << all[i].id;
    }
  }
  EXPECT_EQ(static_cast<int>(rows), changes.load());
  EXPECT_EQ(count("SELECT count(*) FROM alert_history"), changes.load());
  EXPECT_LE(count("SELECT count(*) FROM alerts WHERE state <> 'resolved'"), 1);
  // Successive alerts do not overlap: one is resolved before the next is raised (comments may come later).
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(lastLifecycleRow(all[i - 1]), all[i].history.front().id);
  const auto open = manager_->openAlerts();
  if (all.back().state == State::Resolved) {
    EXPECT_TRUE(open.empty());
  } else {
    ASSERT_EQ(open.size(), 1u);
    EXPECT_EQ(open[0].id, all.back().id);
    EXPECT_EQ(open[0].state, all.back().state);
  }
}

TEST_F(AlertFixture, TwoManagersOnTwoConnectionsRacing) {
  // Two managers, each with its own connection (as two processes would be): the database arbitrates.
  auto db2 = connect();
  auto m2r = AlertManager::open(*db2, clock_);
  ASSERT_TRUE(m2r.ok());
  auto m2 = std::move(*m2r);
  std::atomic<int> errors{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      AlertManager& m = t % 2 == 0 ? *manager_ : *m2;
      std::mt19937 rng(3000 + t);
      start.arrive_and_wait();
      for (int i = 0; i < kPerThread / 2; ++i) {
        auto r = m.apply(cond(randomSeverity(rng, false), t, kT0 + i * 1000 + t));
        if (!r) {
          ADD_FAILURE() << r.error().code << ": " << r.error().message;
          ++errors;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(errors.load(), 0);
  EXPECT_EQ(count("SELECT count(*) FROM alerts"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM alerts WHERE state <> 'resolved'"), 1);
  const auto all = everyAlert(*manager_);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_TRUE(consistentHistory(all[0]));
  m2.reset();
}

TEST_F(AlertFixture, ListenersReceiveTransitionsInCommitOrder) {
  struct Seen {
    int64_t historyId;
    int64_t alertId;
    std::string action;
    State state;
  };
  std::mutex seenMu;
  std::vector<Seen> seen;
  std::atomic<int> inside{0}, overlaps{0};
  manager_->addListener([&](const Alert& a, const HistoryEntry& h) {
    if (inside.fetch_add(1) != 0) ++overlaps;  // one delivery at a time
    {
      std::lock_guard lock(seenMu);
      seen.push_back(Seen{h.id, a.id, h.action, a.state});
    }
    if (h.id % 7 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));  // let commits queue up
    inside.fetch_sub(1);
  });

  const std::vector<std::string> entities = {"station:tamky", "station:hoian", "camera:cam-03", "camera:cam-04"};
  std::atomic<int> changes{0}, errors{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(4000 + t);
      start.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) {
        const std::string& entity = entities[rng() % entities.size()];
        if (t % 5 == 4) {
          auto open = manager_->openAlert("levels", entity);
          if (!open) continue;
          auto r = rng() % 2 ? manager_->acknowledge(open->id, "op", "") : manager_->comment(open->id, "op", "x");
          if (r) ++changes;
          else if (r.error().code != "conflict") ++errors;
          continue;
        }
        auto r = manager_->apply(cond(randomSeverity(rng, true), i, kT0 + i * 1000 + t, "levels", entity));
        if (!r) ++errors;
        else if (r->has_value()) ++changes;
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(errors.load(), 0);
  EXPECT_EQ(overlaps.load(), 0);

  // Every committed transition was delivered exactly once, in the order of the history rows' ids.
  auto db = connect();
  auto st = db->prepare("SELECT h.id, h.alert_id, h.action, h.state FROM alert_history h ORDER BY h.id");
  ASSERT_TRUE(st.ok());
  std::vector<Seen> committed;
  for (;;) {
    auto row = st->step();
    ASSERT_TRUE(row.ok());
    if (!*row) break;
    committed.push_back(Seen{st->int64(0), st->int64(1), std::string(st->text(2)), *parseState(st->text(3))});
  }
  st = store::SqliteStatement();
  std::lock_guard lock(seenMu);
  ASSERT_EQ(static_cast<int>(committed.size()), changes.load());
  ASSERT_EQ(seen.size(), committed.size());
  for (size_t i = 0; i < seen.size(); ++i) {
    SCOPED_TRACE("event " + std::to_string(i));
    EXPECT_EQ(seen[i].historyId, committed[i].historyId);
    EXPECT_EQ(seen[i].alertId, committed[i].alertId);
    EXPECT_EQ(seen[i].action, committed[i].action);
    EXPECT_EQ(seen[i].state, committed[i].state);
  }
  for (const auto& a : everyAlert(*manager_)) EXPECT_TRUE(consistentHistory(a));
}

}  // namespace
}  // namespace cityops::alerts
