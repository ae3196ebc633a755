#include "alerts/AlertManager.hpp"

#include "alerts/AlertFixture.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace cityops::alerts {
namespace {

using testing::AlertFixture;
using testing::cond;
using testing::consistentHistory;
using testing::kNow;
using testing::kT0;

constexpr int64_t kMin = 60'000;

struct Expected {
  int64_t atMs;
  const char* action;
  State state;
  Severity severity;
  std::optional<double> value;
  const char* by;
  const char* comment;
};

void expectHistory(const Alert& a, const std::vector<Expected>& want) {
  ASSERT_EQ(a.history.size(), want.size()) << "alert " << a.id;
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("history[" + std::to_string(i) + "]");
    const auto& h = a.history[i];
    EXPECT_EQ(h.atMs, want[i].atMs);
    EXPECT_EQ(h.action, want[i].action);
    EXPECT_EQ(h.state, want[i].state);
    EXPECT_EQ(h.severity, want[i].severity);
    EXPECT_EQ(h.value, want[i].value);
    EXPECT_EQ(h.by, want[i].by);
    EXPECT_EQ(h.comment, want[i].comment);
    if (i > 0) {
      EXPECT_GT(h.id, a.history[i - 1].id);
    }
  }
  EXPECT_TRUE(consistentHistory(a));
}

TEST_F(AlertFixture, MigrateIsIdempotentAndCreatesTheSchema) {
  ASSERT_TRUE(AlertManager::migrate(*db_).ok());
  ASSERT_TRUE(AlertManager::migrate(*db_).ok());
  EXPECT_EQ(count("SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN ('alerts','alert_history')"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM sqlite_master WHERE type='index' AND name='alerts_one_open' "
                  "AND sql LIKE '%UNIQUE%' AND sql LIKE '%state <> ''resolved''%'"),
            1);
  EXPECT_EQ(count("SELECT count(*) FROM sqlite_master WHERE type='index' AND tbl_name='alert_history'"), 1);
  EXPECT_TRUE(manager_->openAlerts().empty());
}

TEST_F(AlertFixture, RaiseEscalateDeescalateResolve) {
  const Alert raised = mustApply(cond(Severity::Minor, 1.8, kT0, "levels", "station:tamky", "Tam Kỳ: 1.8 m"));
  EXPECT_GT(raised.id, 0);
  EXPECT_EQ(raised.rule, "levels");
  EXPECT_EQ(raised.entity, "station:tamky");
  EXPECT_EQ(raised.metric, "water_level_m");
  EXPECT_EQ(raised.severity, Severity::Minor);
  EXPECT_EQ(raised.state, State::Active);
  EXPECT_EQ(raised.value, 1.8);
  EXPECT_EQ(raised.message, "Tam Kỳ: 1.8 m");
  EXPECT_EQ(raised.raisedMs, kT0);
  EXPECT_EQ(raised.updatedMs, kT0);
  EXPECT_FALSE(raised.resolvedMs);

  const Alert up = mustApply(cond(Severity::Major, 2.3, kT0 + 10 * kMin, "levels", "station:tamky", "Tam Kỳ: 2.3 m"));
  EXPECT_EQ(up.id, raised.id);
  EXPECT_EQ(up.severity, Severity::Major);
  EXPECT_EQ(up.value, 2.3);
  EXPECT_EQ(up.message, "Tam Kỳ: 2.3 m");
  EXPECT_EQ(up.raisedMs, kT0);
  EXPECT_EQ(up.updatedMs, kT0 + 10 * kMin);

  const Alert crit = mustApply(cond(Severity::Critical, 2.8, kT0 + 20 * kMin));
  EXPECT_EQ(crit.id, raised.id);
  const Alert down = mustApply(cond(Severity::Minor, 1.9, kT0 + 30 * kMin));
  EXPECT_EQ(down.id, raised.id);
  EXPECT_EQ(down.severity, Severity::Minor);
  EXPECT_EQ(down.state, State::Active);

  auto open = manager_->openAlert("levels", "station:tamky");
  ASSERT_TRUE(open);
  EXPECT_EQ(open->id, raised.id);
  EXPECT_EQ(open->severity, Severity::Minor);
  EXPECT_EQ(open->value, 1.9);

  const Alert cleared = mustApply(cond(std::nullopt, 1.6, kT0 + 40 * kMin));
  EXPECT_EQ(cleared.id, raised.id);
  EXPECT_EQ(cleared.state, State::Resolved);
  EXPECT_EQ(cleared.severity, Severity::Minor);  // the last severity is kept
  EXPECT_EQ(cleared.value, 1.6);
  EXPECT_EQ(cleared.message, "minor level");     // the last message is kept
  EXPECT_EQ(cleared.resolvedMs, kT0 + 40 * kMin);
  EXPECT_EQ(cleared.updatedMs, kT0 + 40 * kMin);
  EXPECT_FALSE(manager_->openAlert("levels", "station:tamky"));
  EXPECT_TRUE(manager_->openAlerts().empty());

  const Alert got = mustGet(raised.id);
  EXPECT_EQ(got.state, State::Resolved);
  EXPECT_EQ(got.resolvedMs, kT0 + 40 * kMin);
  expectHistory(got, {
                         {kT0, "raise", State::Active, Severity::Minor, 1.8, "rule", ""},
                         {kT0 + 10 * kMin, "escalate", State::Active, Severity::Major, 2.3, "rule", ""},
                         {kT0 + 20 * kMin, "escalate", State::Active, Severity::Critical, 2.8, "rule", ""},
                         {kT0 + 30 * kMin, "deescalate", State::Active, Severity::Minor, 1.9, "rule", ""},
                         {kT0 + 40 * kMin, "resolve", State::Resolved, Severity::Minor, 1.6, "rule", ""},
                     });
  EXPECT_EQ(count("SELECT count(*) FROM alerts"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM alert_history"), 5);
}

TEST_F(AlertFixture, NoChangeIsNotRecorded) {
  // A clear with nothing open.
  auto r = manager_->apply(cond(std::nullopt, 1.0, kT0));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  EXPECT_EQ(count("SELECT count(*) FROM alerts"), 0);

  const Alert a = mustApply(cond(Severity::Major, 2.3, kT0));
  // The same severity again: nothing written, nothing returned, value and message kept.
  r = manager_->apply(cond(Severity::Major, 2.5, kT0 + kMin, "levels", "station:tamky", "other"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  const Alert got = mustGet(a.id);
  EXPECT_EQ(got.value, 2.3);
  EXPECT_EQ(got.message, "major level");
  EXPECT_EQ(got.updatedMs, kT0);
  EXPECT_EQ(got.history.size(), 1u);
  EXPECT_EQ(manager_->openAlert("levels", "station:tamky")->value, 2.3);
  EXPECT_EQ(count("SELECT count(*) FROM alert_history"), 1);
}

TEST_F(AlertFixture, ConditionValidation) {
  auto c = cond(Severity::Minor, 1.0, kT0);
  c.rule.clear();
  EXPECT_EQ(manager_->apply(c).error().code, "bad_request");
  c = cond(Severity::Minor, 1.0, kT0);
  c.entity.clear();
  EXPECT_EQ(manager_->apply(c).error().code, "bad_request");
  EXPECT_EQ(manager_->apply(cond(Severity::Minor, std::nan(""), kT0)).error().code, "bad_request");
  EXPECT_EQ(manager_->apply(cond(Severity::Minor, std::numeric_limits<double>::infinity(), kT0)).error().code,
            "bad_request");
  EXPECT_EQ(count("SELECT count(*) FROM alerts"), 0);
}

TEST_F(AlertFixture, EscalationReactivatesAnAcknowledgedAlertDeescalationDoesNot) {
  const Alert a = mustApply(cond(Severity::Major, 2.3, kT0));
  clock_.set(kNow + 1000);
  auto ack = manager_->acknowledge(a.id, "alice", "seen");
  ASSERT_TRUE(ack.ok()) << ack.error().message;
  EXPECT_EQ(ack->state, State::Acknowledged);

  const Alert down = mustApply(cond(Severity::Minor, 1.9, kT0 + kMin));
  EXPECT_EQ(down.state, State::Acknowledged);
  const Alert up = mustApply(cond(Severity::Critical, 2.9, kT0 + 2 * kMin));
  EXPECT_EQ(up.state, State::Active);
  EXPECT_EQ(manager_->openAlert("levels", "station:tamky")->state, State::Active);

  clock_.set(kNow + 2000);
  ASSERT_TRUE(manager_->acknowledge(a.id, "bob", "").ok());
  const Alert cleared = mustApply(cond(std::nullopt, 1.0, kT0 + 3 * kMin));
  EXPECT_EQ(cleared.state, State::Resolved);

  expectHistory(mustGet(a.id), {
                                   {kT0, "raise", State::Active, Severity::Major, 2.3, "rule", ""},
                                   {kNow + 1000, "ack", State::Acknowledged, Severity::Major, {}, "alice", "seen"},
                                   {kT0 + kMin, "deescalate", State::Acknowledged, Severity::Minor, 1.9, "rule", ""},
                                   {kT0 + 2 * kMin, "escalate", State::Active, Severity::Critical, 2.9, "rule", ""},
                                   {kNow + 2000, "ack", State::Acknowledged, Severity::Critical, {}, "bob", ""},
                                   {kT0 + 3 * kMin, "resolve", State::Resolved, Severity::Critical, 1.0, "rule", ""},
                               });
}

TEST_F(AlertFixture, OperatorActionsAndConflicts) {
  const Alert a = mustApply(cond(Severity::Minor, 1.8, kT0));

  clock_.set(kNow);
  auto c1 = manager_->comment(a.id, "carol", "looks like rain upstream");
  ASSERT_TRUE(c1.ok()) << c1.error().message;
  EXPECT_EQ(c1->state, State::Active);
  EXPECT_EQ(c1->updatedMs, kNow);

  clock_.set(kNow + 1000);
  auto ack = manager_->acknowledge(a.id, "alice", "on it");
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->state, State::Acknowledged);
  EXPECT_EQ(ack->updatedMs, kNow + 1000);
  EXPECT_FALSE(ack->resolvedMs);
  EXPECT_EQ(manager_->openAlert("levels", "station:tamky")->state, State::Acknowledged);

  auto again = manager_->acknowledge(a.id, "bob", "");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "conflict");

  clock_.set(kNow + 2000);
  auto res = manager_->resolve(a.id, "alice", "water receding");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->state, State::Resolved);
  EXPECT_EQ(res->resolvedMs, kNow + 2000);
  EXPECT_FALSE(manager_->openAlert("levels", "station:tamky"));

  EXPECT_EQ(manager_->acknowledge(a.id, "bob", "").error().code, "conflict");
  EXPECT_EQ(manager_->resolve(a.id, "bob", "").error().code, "conflict");
  // A clear from the engine after an operator resolved it: nothing open, nothing happens.
  auto clr = manager_->apply(cond(std::nullopt, 1.0, kT0 + kMin));
  ASSERT_TRUE(clr.ok());
  EXPECT_FALSE(clr->has_value());

  clock_.set(kNow + 3000);
  auto late = manager_->comment(a.id, "carol", "post-mortem: gauge fine");
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->state, State::Resolved);
  EXPECT_EQ(late->resolvedMs, kNow + 2000);
  EXPECT_EQ(c1->history.size(), 2u);  // operator actions return the alert with its history
  EXPECT_EQ(ack->history.size(), 3u);
  EXPECT_EQ(res->history.size(), 4u);

  for (const Alert& got : {*late, mustGet(a.id)})
    expectHistory(got,
                {
                    {kT0, "raise", State::Active, Severity::Minor, 1.8, "rule", ""},
                    {kNow, "comment", State::Active, Severity::Minor, {}, "carol", "looks like rain upstream"},
                    {kNow + 1000, "ack", State::Acknowledged, Severity::Minor, {}, "alice", "on it"},
                    {kNow + 2000, "resolve", State::Resolved, Severity::Minor, {}, "alice", "water receding"},
                    {kNow + 3000, "comment", State::Resolved, Severity::Minor, {}, "carol", "post-mortem: gauge fine"},
                });
}

TEST_F(AlertFixture, OperatorResolveOfAnActiveAlertAndValidation) {
  const Alert a = mustApply(cond(Severity::Critical, 3.0, kT0));
  EXPECT_EQ(manager_->acknowledge(999, "alice", "").error().code, "not_found");
  EXPECT_EQ(manager_->resolve(999, "alice", "").error().code, "not_found");
  EXPECT_EQ(manager_->comment(999, "alice", "x").error().code, "not_found");
  EXPECT_EQ(manager_->get(999).error().code, "not_found");

  EXPECT_EQ(manager_->comment(a.id, "alice", "").error().code, "bad_request");
  EXPECT_EQ(manager_->acknowledge(a.id, "", "").error().code, "bad_request");
  EXPECT_EQ(manager_->acknowledge(a.id, std::string(129, 'u'), "").error().code, "bad_request");
  EXPECT_EQ(manager_->comment(a.id, "alice", std::string(2001, 'c')).error().code, "bad_request");
  EXPECT_EQ(manager_->acknowledge(a.id, "alice", std::string(2001, 'c')).error().code, "bad_request");
  EXPECT_EQ(manager_->resolve(a.id, "alice", std::string(2001, 'c')).error().code, "bad_request");
  EXPECT_EQ(mustGet(a.id).history.size(), 1u);  // none of the refused actions left a trace

  auto c = manager_->comment(a.id, "alice", std::string(2000, 'c'));
  ASSERT_TRUE(c.ok());
  auto r = manager_->resolve(a.id, "bob", "");  // straight from active
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state, State::Resolved);
  const Alert got = mustGet(a.id);
  ASSERT_EQ(got.history.size(), 3u);
  EXPECT_EQ(got.history[1].comment.size(), 2000u);
  EXPECT_EQ(got.history[2].action, "resolve");
  EXPECT_EQ(got.history[2].by, "bob");
  EXPECT_TRUE(consistentHistory(got));
}

TEST_F(AlertFixture, ReopeningAfterResolveCreatesANewAlert) {
  const Alert first = mustApply(cond(Severity::Minor, 1.8, kT0));
  mustApply(cond(std::nullopt, 1.5, kT0 + kMin));
  const Alert second = mustApply(cond(Severity::Minor, 1.8, kT0 + 2 * kMin));
  EXPECT_NE(second.id, first.id);
  EXPECT_GT(second.id, first.id);
  EXPECT_EQ(second.raisedMs, kT0 + 2 * kMin);
  EXPECT_EQ(manager_->openAlert("levels", "station:tamky")->id, second.id);

  // Operator-resolved, then raised again.
  ASSERT_TRUE(manager_->resolve(second.id, "alice", "").ok());
  const Alert third = mustApply(cond(Severity::Major, 2.3, kT0 + 3 * kMin));
  EXPECT_GT(third.id, second.id);

  EXPECT_EQ(mustGet(first.id).state, State::Resolved);
  EXPECT_EQ(mustGet(second.id).state, State::Resolved);
  EXPECT_EQ(mustGet(third.id).state, State::Active);
  EXPECT_EQ(mustGet(third.id).history.size(), 1u);
  EXPECT_EQ(count("SELECT count(*) FROM alerts WHERE state <> 'resolved'"), 1);
}

TEST_F(AlertFixture, RestartKeepsOpenAlertsAndDoesNotDuplicate) {
  const Alert a = mustApply(cond(Severity::Major, 2.3, kT0));
  const Alert b = mustApply(cond(Severity::Minor, 1.8, kT0, "levels", "station:hoian"));
  ASSERT_TRUE(manager_->acknowledge(b.id, "alice", "").ok());
  const Alert c = mustApply(cond(Severity::Info, 0.5, kT0, "rain-1h", "station:tamky"));
  mustApply(cond(std::nullopt, 0.1, kT0 + kMin, "rain-1h", "station:tamky"));

  open();  // restart: a new connection and a new manager on the same file

  auto all = manager_->openAlerts();
  ASSERT_EQ(all.size(), 2u);
  auto oa = manager_->openAlert("levels", "station:tamky");
  ASSERT_TRUE(oa);
  EXPECT_EQ(oa->id, a.id);
  EXPECT_EQ(oa->severity, Severity::Major);
  EXPECT_EQ(oa->value, 2.3);
  EXPECT_EQ(oa->raisedMs, kT0);
  auto ob = manager_->openAlert("levels", "station:hoian");
  ASSERT_TRUE(ob);
  EXPECT_EQ(ob->id, b.id);
  EXPECT_EQ(ob->state, State::Acknowledged);
  EXPECT_FALSE(manager_->openAlert("rain-1h", "station:tamky"));

  // The engine, rebuilt, reports the same verdicts again: nothing new.
  auto r = manager_->apply(cond(Severity::Major, 2.4, kT0 + 5 * kMin));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  r = manager_->apply(cond(Severity::Minor, 1.8, kT0 + 5 * kMin, "levels", "station:hoian"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  EXPECT_EQ(count("SELECT count(*) FROM alerts"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM alerts WHERE state <> 'resolved'"), 2);

  // And a real change continues the same alert.
  const Alert up = mustApply(cond(Severity::Critical, 2.9, kT0 + 6 * kMin));
  EXPECT_EQ(up.id, a.id);
  EXPECT_EQ(mustGet(a.id).history.size(), 2u);
  EXPECT_NE(mustApply(cond(Severity::Info, 0.6, kT0 + 7 * kMin, "rain-1h", "station:tamky")).id, c.id);
}

TEST_F(AlertFixture, DatabaseRefusesASecondOpenAlert) {
  const Alert a = mustApply(cond(Severity::Minor, 1.8, kT0));
  auto db = connect();
  const std::string insert =
      "INSERT INTO alerts(rule, entity, metric, severity, state, value, message, raised_ms, updated_ms, resolved_ms) "
      "VALUES('levels', 'station:tamky', 'water_level_m', 'major', ";
  for (const char* state : {"'active', 2.0, 'dup', 1, 1, NULL)", "'acknowledged', 2.0, 'dup', 1, 1, NULL)"}) {
    auto s = db->exec(insert + state);
    ASSERT_FALSE(s.ok()) << state;
    EXPECT_EQ(s.error().code, "conflict");
    EXPECT_NE(s.error().message.find("UNIQUE"), std::string::npos) << s.error().message;
  }
  // Resolved ones may repeat; another entity or rule is another key.
  EXPECT_TRUE(db->exec(insert + "'resolved', 2.0, 'old', 1, 1, 2)").ok());
  EXPECT_TRUE(db->exec(insert + "'resolved', 2.0, 'old', 1, 1, 3)").ok());
  EXPECT_TRUE(db->exec("INSERT INTO alerts(rule, entity, metric, severity, state, value, message, raised_ms, "
                       "updated_ms) VALUES('levels', 'station:hoian', 'm', 'minor', 'active', 1, '', 1, 1)")
                  .ok());
  // Re-opening the resolved duplicate by hand is refused too.
  auto s = db->exec("UPDATE alerts SET state='active', resolved_ms=NULL WHERE message='old'");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "conflict");
  // The table keeps its names: a state or severity the code cannot read is refused.
  EXPECT_FALSE(db->exec(insert + "'open', 2.0, 'bad', 1, 1, NULL)").ok());
  EXPECT_FALSE(db->exec("UPDATE alert_history SET comment='rewritten'").ok());
  EXPECT_EQ(count("SELECT count(*) FROM alerts WHERE rule='levels' AND entity='station:tamky' AND "
                  "state <> 'resolved'"),
            1);
  EXPECT_EQ(manager_->openAlert("levels", "station:tamky")->id, a.id);
}

TEST_F(AlertFixture, SecondManagerOnAnotherConnectionSeesTheOpenAlert) {
  // A second process (e.g. `cityops replay` on the server's data directory) works through its own connection:
  // each change reads the open alert inside its write transaction, so it continues the alert, not duplicate it.
  auto db2 = connect();
  auto m2 = AlertManager::open(*db2, clock_);
  ASSERT_TRUE(m2.ok());
  const Alert a = mustApply(cond(Severity::Minor, 1.8, kT0));
  EXPECT_FALSE((*m2)->openAlert("levels", "station:tamky"));  // its cache is stale...
  auto r = (*m2)->apply(cond(Severity::Major, 2.3, kT0 + kMin));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->id, a.id);  // ...but the database decides
  EXPECT_EQ((*r)->raisedMs, kT0);
  r = (*m2)->apply(cond(Severity::Major, 2.3, kT0 + 2 * kMin));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  // The first manager, stale now, clears it correctly.
  const Alert cleared = mustApply(cond(std::nullopt, 1.0, kT0 + 3 * kMin));
  EXPECT_EQ(cleared.id, a.id);
  EXPECT_EQ(cleared.severity, Severity::Major);
  EXPECT_EQ(count("SELECT count(*) FROM alerts"), 1);
  EXPECT_TRUE(consistentHistory(mustGet(a.id)));
  m2->reset();
}

TEST_F(AlertFixture, ListenersSeeEveryTransitionOnce) {
  std::vector<std::pair<Alert, HistoryEntry>> seen;
  manager_->addListener([&](const Alert& a, const HistoryEntry& h) { seen.emplace_back(a, h); });
  const Alert a = mustApply(cond(Severity::Minor, 1.8, kT0));
  ASSERT_TRUE(manager_->apply(cond(Severity::Minor, 1.9, kT0 + kMin)).ok());  // no change, no event
  ASSERT_TRUE(manager_->apply(cond(std::nullopt, 1.0, kT0, "other")).ok());   // no change, no event
  mustApply(cond(Severity::Major, 2.3, kT0 + 2 * kMin));
  ASSERT_TRUE(manager_->acknowledge(a.id, "alice", "ok").ok());
  EXPECT_FALSE(manager_->acknowledge(a.id, "alice", "ok").ok());  // refused, no event
  ASSERT_TRUE(manager_->comment(a.id, "bob", "note").ok());
  ASSERT_TRUE(manager_->resolve(a.id, "alice", "").ok());

  ASSERT_EQ(seen.size(), 5u);
  const char* actions[] = {"raise", "escalate", "ack", "comment", "resolve"};
  const Alert stored = mustGet(a.id);
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].second.action, actions[i]);
    EXPECT_EQ(seen[i].first.id, a.id);
    EXPECT_EQ(seen[i].first.state, seen[i].second.state);
    EXPECT_EQ(seen[i].first.severity, seen[i].second.severity);
    EXPECT_TRUE(seen[i].first.history.empty());
    EXPECT_EQ(seen[i].second.id, stored.history[i].id);
  }
  EXPECT_EQ(seen[1].first.value, 2.3);
  EXPECT_EQ(seen[4].first.state, State::Resolved);
}

TEST_F(AlertFixture, ListenerMayCallBackIntoTheManager) {
  std::vector<std::string> seen;
  manager_->addListener([&](const Alert& a, const HistoryEntry& h) {
    // Outside the manager's lock: reading (and even changing) alerts from here does not deadlock.
    auto got = manager_->get(a.id);
    ASSERT_TRUE(got.ok());
    seen.push_back(h.action + ":" + std::to_string(got->history.size()));
    if (h.action == "raise") {
      ASSERT_TRUE(manager_->acknowledge(a.id, "auto", "auto-ack").ok());
    }
  });
  mustApply(cond(Severity::Minor, 1.8, kT0));
  // The nested ack was committed while the raise was being delivered and is delivered after it.
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], "raise:1");
  EXPECT_EQ(seen[1], "ack:2");
}

TEST_F(AlertFixture, ThrowingListenerDoesNotStopTheOthers) {
  int calls = 0;
  manager_->addListener([](const Alert&, const HistoryEntry&) { throw std::runtime_error("boom"); });
  manager_->addListener([&](const Alert&, const HistoryEntry&) { ++calls; });
  mustApply(cond(Severity::Minor, 1.8, kT0));
  mustApply(cond(Severity::Major, 2.3, kT0 + kMin));
  EXPECT_EQ(calls, 2);
}

TEST_F(AlertFixture, TransactionHookCommitsWithTheChange) {
  ASSERT_TRUE(db_->exec("CREATE TABLE side(history_id INTEGER, alert_id INTEGER, action TEXT, state TEXT)").ok());
  manager_->addTransactionHook([](store::SqliteDb& db, const Alert& a, const HistoryEntry& h) -> Status {
    // Inside the change's transaction: its own rows are already there.
    auto st = db.prepare("SELECT state FROM alerts WHERE id=?");
    if (!st) return st.error();
    st->bind(1, a.id);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row || st->text(0) != stateName(a.state)) return Internal("the alert row is not written yet");
    auto ins = db.prepare("INSERT INTO side VALUES(?,?,?,?)");
    if (!ins) return ins.error();
    return ins->bind(1, h.id).bind(2, a.id).bind(3, h.action).bind(4, stateName(h.state)).run();
  });
  const Alert a = mustApply(cond(Severity::Minor, 1.8, kT0));
  ASSERT_TRUE(manager_->acknowledge(a.id, "alice", "").ok());
  mustApply(cond(std::nullopt, 1.0, kT0 + kMin));
  EXPECT_EQ(count("SELECT count(*) FROM side"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM side s JOIN alert_history h ON h.id=s.history_id AND h.alert_id=s.alert_id "
                  "AND h.action=s.action AND h.state=s.state"),
            3);
}

TEST_F(AlertFixture, FailingTransactionHookRollsTheChangeBack) {
  enum class Mode { Pass, Fail, Throw } mode = Mode::Fail;
  int events = 0;
  manager_->addListener([&](const Alert&, const HistoryEntry&) { ++events; });
  manager_->addTransactionHook([&](store::SqliteDb&, const Alert&, const HistoryEntry&) -> Status {
    if (mode == Mode::Throw) throw std::runtime_error("boom");
    if (mode == Mode::Fail) return Unavailable("outbox full");
    return {};
  });
  auto r = manager_->apply(cond(Severity::Minor, 1.8, kT0));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "unavailable");
  EXPECT_EQ(count("SELECT count(*) FROM alerts"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM alert_history"), 0);
  EXPECT_FALSE(manager_->openAlert("levels", "station:tamky"));

  mode = Mode::Pass;
  const Alert a = mustApply(cond(Severity::Minor, 1.8, kT0));
  mode = Mode::Fail;
  EXPECT_EQ(manager_->acknowledge(a.id, "alice", "").error().code, "unavailable");
  EXPECT_EQ(manager_->apply(cond(Severity::Major, 2.3, kT0 + kMin)).error().code, "unavailable");
  mode = Mode::Throw;
  EXPECT_EQ(manager_->resolve(a.id, "alice", "").error().code, "internal");
  EXPECT_EQ(manager_->apply(cond(std::nullopt, 1.0, kT0 + kMin)).error().code, "internal");
  const Alert got = mustGet(a.id);
  EXPECT_EQ(got.state, State::Active);
  EXPECT_EQ(got.severity, Severity::Minor);
  EXPECT_EQ(got.history.size(), 1u);
  EXPECT_EQ(manager_->openAlert("levels", "station:tamky")->severity, Severity::Minor);

  mode = Mode::Pass;
  EXPECT_EQ(mustApply(cond(Severity::Major, 2.3, kT0 + 2 * kMin)).id, a.id);
  EXPECT_EQ(events, 2);
}

TEST_F(AlertFixture, ListFilters) {
  // ids 1..6, raised at kT0 + i minutes (but id 6 raised earliest, to check the order is by raise time).
  const Alert a1 = mustApply(cond(Severity::Minor, 1, kT0 + 1 * kMin, "levels", "station:tamky"));
  const Alert a2 = mustApply(cond(Severity::Major, 2, kT0 + 2 * kMin, "levels", "station:hoian"));
  const Alert a3 = mustApply(cond(Severity::Critical, 3, kT0 + 3 * kMin, "rain-1h", "station:tamky"));
  const Alert a4 = mustApply(cond(Severity::Info, 4, kT0 + 4 * kMin, "rain-1h", "station:hoian"));
  const Alert a5 = mustApply(cond(Severity::Major, 5, kT0 + 5 * kMin, "speed", "camera:cam-03"));
  const Alert a6 = mustApply(cond(Severity::Minor, 6, kT0, "speed", "camera:cam-04"));
  ASSERT_TRUE(manager_->acknowledge(a2.id, "alice", "").ok());
  mustApply(cond(std::nullopt, 0, kT0 + 6 * kMin, "rain-1h", "station:tamky"));  // a3 resolved

  auto ids = [&](const AlertQuery& q) {
    auto r = manager_->list(q);
    EXPECT_TRUE(r.ok()) << r.error().message;
    std::vector<int64_t> out;
    if (r) {
      for (const auto& a : *r) {
        EXPECT_TRUE(a.history.empty());
        out.push_back(a.id);
      }
    }
    return out;
  };
  using V = std::vector<int64_t>;
  EXPECT_EQ(ids({}), (V{a5.id, a4.id, a3.id, a2.id, a1.id, a6.id}));

  AlertQuery q;
  q.state = State::Active;
  EXPECT_EQ(ids(q), (V{a5.id, a4.id, a1.id, a6.id}));
  q.state = State::Acknowledged;
  EXPECT_EQ(ids(q), (V{a2.id}));
  q.state = State::Resolved;
  EXPECT_EQ(ids(q), (V{a3.id}));

  q = {};
  q.severity = Severity::Major;  // at least major
  EXPECT_EQ(ids(q), (V{a5.id, a3.id, a2.id}));
  q.severity = Severity::Info;
  EXPECT_EQ(ids(q).size(), 6u);
  q.severity = Severity::Critical;
  EXPECT_EQ(ids(q), (V{a3.id}));

  q = {};
  q.entity = "station:tamky";
  EXPECT_EQ(ids(q), (V{a3.id, a1.id}));
  q.rule = "levels";
  EXPECT_EQ(ids(q), (V{a1.id}));
  q.entity.reset();
  EXPECT_EQ(ids(q), (V{a2.id, a1.id}));

  q = {};
  q.entities = std::vector<std::string>{"camera:cam-03", "camera:cam-04", "camera:nope"};
  EXPECT_EQ(ids(q), (V{a5.id, a6.id}));
  q.entities = std::vector<std::string>{};
  EXPECT_TRUE(ids(q).empty());
  q.entities = std::vector<std::string>{"station:\"odd'name"};
  EXPECT_TRUE(ids(q).empty());

  q = {};
  q.fromMs = kT0 + 2 * kMin;
  q.toMs = kT0 + 4 * kMin;  // [from, to)
  EXPECT_EQ(ids(q), (V{a3.id, a2.id}));
  q.toMs.reset();
  EXPECT_EQ(ids(q), (V{a5.id, a4.id, a3.id, a2.id}));

  q = {};  // combined
  q.state = State::Active;
  q.severity = Severity::Minor;
  q.entities = std::vector<std::string>{"station:tamky", "station:hoian", "camera:cam-04"};
  q.fromMs = kT0;
  EXPECT_EQ(ids(q), (V{a1.id, a6.id}));

  q = {};
  q.limit = 2;
  EXPECT_EQ(ids(q), (V{a5.id, a4.id}));
  q.limit = 0;  // clamped to 1
  EXPECT_EQ(ids(q), (V{a5.id}));
  q.limit = 5000;  // clamped to 1000
  EXPECT_EQ(ids(q).size(), 6u);

  // The rows carry the stored fields.
  q = {};
  q.state = State::Resolved;
  auto r = manager_->list(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].rule, "rain-1h");
  EXPECT_EQ((*r)[0].severity, Severity::Critical);
  EXPECT_EQ((*r)[0].resolvedMs, kT0 + 6 * kMin);
  EXPECT_EQ((*r)[0].value, 0);
}

}  // namespace
}  // namespace cityops::alerts
