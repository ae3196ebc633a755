#pragma once
#include "alerts/AlertManager.hpp"
#include "common/Clock.hpp"
#include "store/SqliteDb.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace cityops::alerts::testing {

inline constexpr int64_t kT0 = 1761735600000;   // 2025-10-29T11:00:00.000Z (data time)
inline constexpr int64_t kNow = 1764201600000;  // 2025-11-27T00:00:00.000Z (wall clock)

inline Condition cond(std::optional<Severity> sev, double value, int64_t timeMs, std::string rule = "levels",
                      std::string entity = "station:tamky", std::string message = "") {
  Condition c;
  c.rule = std::move(rule);
  c.entity = std::move(entity);
  c.metric = "water_level_m";
  c.severity = sev;
  c.value = value;
  c.timeMs = timeMs;
  c.message = message.empty() && sev ? std::string(rules::severityName(*sev)) + " level" : std::move(message);
  return c;
}

/// Checks an alert's history against the lifecycle: raise first; escalate strictly up and active; de-escalate
/// strictly down keeping the state; ack only from active; comment changes nothing; after resolve only comments.
/// The alert row must match the last entry.
inline ::testing::AssertionResult consistentHistory(const Alert& a) {
  const auto& h = a.history;
  if (h.empty()) return ::testing::AssertionFailure() << "alert " << a.id << " has no history";
  if (h[0].action != "raise" || h[0].state != State::Active || h[0].atMs != a.raisedMs)
    return ::testing::AssertionFailure() << "alert " << a.id << " does not start with a raise";
  for (size_t i = 1; i < h.size(); ++i) {
    const auto& p = h[i - 1];
    const auto& e = h[i];
    auto fail = [&]() {
      return ::testing::AssertionFailure() << "alert " << a.id << " history[" << i << "] " << e.action << " "
                                           << rules::severityName(e.severity) << "/" << stateName(e.state)
                                           << " after " << rules::severityName(p.severity) << "/"
                                           << stateName(p.state);
    };
    if (e.id <= p.id) return fail();
    if (p.state == State::Resolved && e.action != "comment") return fail();  // only comments after resolve
    if (e.action == "escalate") {
      if (!(e.severity > p.severity) || e.state != State::Active || !e.value || e.by != "rule") return fail();
    } else if (e.action == "deescalate") {
      if (!(e.severity < p.severity) || e.state != p.state || !e.value || e.by != "rule") return fail();
    } else if (e.action == "ack") {
      if (p.state != State::Active || e.state != State::Acknowledged || e.severity != p.severity) return fail();
    } else if (e.action == "comment") {
      if (e.state != p.state || e.severity != p.severity) return fail();
    } else if (e.action == "resolve") {
      if (e.state != State::Resolved || e.severity != p.severity) return fail();
    } else {
      return fail();
    }
  }
  const auto& last = h.back();
  if (last.state != a.state || last.severity != a.severity || last.atMs != a.updatedMs)
    return ::testing::AssertionFailure() << "alert " << a.id << " row does not match its last history entry";
  if ((a.state == State::Resolved) != a.resolvedMs.has_value())
    return ::testing::AssertionFailure() << "alert " << a.id << " resolved_ms does not match its state";
  return ::testing::AssertionSuccess();
}

/// A real SQLite database file in a fresh temporary directory, migrated, with an AlertManager on it.
class AlertFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cityops-alerts-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    open();
  }
  void TearDown() override {
    manager_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string path() const { return (dir_ / "cityops.db").string(); }
  /// (Re)opens the connection and the manager: a restart.
  void open() {
    manager_.reset();
    db_.reset();
    db_ = connect();
    ASSERT_TRUE(db_);
    auto s = AlertManager::migrate(*db_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    auto m = AlertManager::open(*db_, clock_);
    ASSERT_TRUE(m.ok()) << m.error().message;
    manager_ = std::move(*m);
  }
  /// Another connection to the same file (for hand-written SQL, or a second manager).
  std::unique_ptr<store::SqliteDb> connect() const {
    auto db = store::SqliteDb::open(path(), false, false);
    EXPECT_TRUE(db.ok()) << db.error().message;
    if (!db) return nullptr;
    return std::move(*db);
  }
  /// The single integer a query returns, on a separate connection.
  int64_t count(const std::string& sql) const {
    auto db = connect();
    auto st = db->prepare(sql);
    EXPECT_TRUE(st.ok()) << st.error().message;
    auto row = st->step();
    EXPECT_TRUE(row.ok() && *row) << sql;
    return st->int64(0);
  }
  Alert mustApply(const Condition& c) {
    auto r = manager_->apply(c);
    EXPECT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r.ok() && r->has_value()) << "apply changed nothing";
    return r.ok() && r->has_value() ? **r : Alert{};
  }
  Alert mustGet(int64_t id) {
    auto r = manager_->get(id);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : Alert{};
  }

  std::filesystem::path dir_;
  ManualClock clock_{kNow};
  std::unique_ptr<store::SqliteDb> db_;
  std::unique_ptr<AlertManager> manager_;
};

}  // namespace cityops::alerts::testing
