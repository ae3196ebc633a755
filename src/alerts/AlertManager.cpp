#include "alerts/AlertManager.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <exception>

namespace cityops::alerts {

namespace {

// One open alert per (rule, entity) is a property of the database itself (alerts_one_open), not only of this
// class. History rows are never updated. Both tables keep their names in CHECK constraints so a stray writer cannot
// store a state or severity the code cannot read back.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS alerts(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  rule TEXT NOT NULL, entity TEXT NOT NULL, metric TEXT NOT NULL,
  severity TEXT NOT NULL CHECK(severity IN ('info','minor','major','critical')),
  state TEXT NOT NULL CHECK(state IN ('active','acknowledged','resolved')),
  value REAL NOT NULL, message TEXT NOT NULL,
  raised_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, resolved_ms INTEGER,
  CHECK((state = 'resolved') = (resolved_ms IS NOT NULL)));
CREATE UNIQUE INDEX IF NOT EXISTS alerts_one_open ON alerts(rule, entity) WHERE state <> 'resolved';
CREATE INDEX IF NOT EXISTS alerts_raised ON alerts(raised_ms);
CREATE INDEX IF NOT EXISTS alerts_entity ON alerts(entity, raised_ms);
CREATE TABLE IF NOT EXISTS alert_history(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  at_ms INTEGER NOT NULL,
  action TEXT NOT NULL CHECK(action IN ('raise','escalate','deescalate','ack','comment','resolve')),
  state TEXT NOT NULL CHECK(state IN ('active','acknowledged','resolved')),
  severity TEXT NOT NULL CHECK(severity IN ('info','minor','major','critical')),
  value REAL, "by" TEXT NOT NULL, comment TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS alert_history_alert ON alert_history(alert_id, id);
CREATE TRIGGER IF NOT EXISTS alert_history_no_update BEFORE UPDATE ON alert_history
  BEGIN SELECT RAISE(ABORT, 'alert history rows are append-only'); END;
)sql";

constexpr const char* kAlertColumns =
    "id, rule, entity, metric, severity, state, value, message, raised_ms, updated_ms, resolved_ms";

constexpr size_t kMaxBy = 128;

Result<Alert> readAlert(const store::SqliteStatement& st) {
  auto sev = rules::parseSeverity(st.text(4));
  auto state = parseState(st.text(5));
  if (!sev || !state) return Internal("corrupt alert row " + std::to_string(st.int64(0)) + " in the database");
  Alert a;
  a.id = st.int64(0);
  a.rule = std::string(st.text(1));
  a.entity = std::string(st.text(2));
  a.metric = std::string(st.text(3));
  a.severity = *sev;
  a.state = *state;
  a.value = st.real(6);
  a.message = std::string(st.text(7));
  a.raisedMs = st.int64(8);
  a.updatedMs = st.int64(9);
  if (!st.isNull(10)) a.resolvedMs = st.int64(10);
  return a;
}

/// Runs the statement and collects every row as an alert.
Result<std::vector<Alert>> readAlerts(store::SqliteStatement& st) {
  std::vector<Alert> out;
  for (;;) {
    auto row = st.step();
    if (!row) return row.error();
    if (!*row) break;
    auto a = readAlert(st);
    if (!a) return a.error();
    out.push_back(std::move(*a));
  }
  return out;
}

Result<std::optional<Alert>> selectOne(store::SqliteStatement& st) {
  auto rows = readAlerts(st);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Alert>();
  return std::optional<Alert>(std::move(rows->front()));
}

Result<std::optional<Alert>> selectOpen(store::SqliteDb& db, const std::string& rule, const std::string& entity) {
  // `state <> 'resolved'` word for word as in alerts_one_open, so the planner uses that partial index.
  auto st = db.prepare(std::string("SELECT ") + kAlertColumns +
                       " FROM alerts WHERE rule=? AND entity=? AND state <> 'resolved'");
  if (!st) return st.error();
  st->bind(1, rule).bind(2, entity);
  return selectOne(*st);
}

Result<std::optional<Alert>> selectById(store::SqliteDb& db, int64_t id) {
  auto st = db.prepare(std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE id=?");
  if (!st) return st.error();
  st->bind(1, id);
  return selectOne(*st);
}

Status insertAlert(store::SqliteDb& db, Alert& a) {
  auto st = db.prepare(
      "INSERT INTO alerts(rule, entity, metric, severity, state, value, message, raised_ms, updated_ms, resolved_ms) "
      "VALUES(?,?,?,?,?,?,?,?,?,NULL)");
  if (!st) return st.error();
  st->bind(1, a.rule)
      .bind(2, a.entity)
      .bind(3, a.metric)
      .bind(4, rules::severityName(a.severity))
      .bind(5, stateName(a.state))
      .bind(6, a.value)
      .bind(7, a.message)
      .bind(8, a.raisedMs)
      .bind(9, a.updatedMs);
  if (auto s = st->run(); !s) return s;
  a.id = db.lastInsertRowid();
  return {};
}

Status updateAlert(store::SqliteDb& db, const Alert& a) {
  auto st = db.prepare(
      "UPDATE alerts SET severity=?, state=?, value=?, message=?, updated_ms=?, resolved_ms=? WHERE id=?");
  if (!st) return st.error();
  st->bind(1, rules::severityName(a.severity)).bind(2, stateName(a.state)).bind(3, a.value).bind(4, a.message);
  st->bind(5, a.updatedMs);
  if (a.resolvedMs) st->bind(6, *a.resolvedMs);
  else st->bindNull(6);
  st->bind(7, a.id);
  if (auto s = st->run(); !s) return s;
  if (db.changes() != 1) return Internal("alert " + std::to_string(a.id) + " vanished during an update");
  return {};
}

Status insertHistory(store::SqliteDb& db, int64_t alertId, HistoryEntry& h) {
  auto st = db.prepare(
      "INSERT INTO alert_history(alert_id, at_ms, action, state, severity, value, \"by\", comment) "
      "VALUES(?,?,?,?,?,?,?,?)");
  if (!st) return st.error();
  st->bind(1, alertId).bind(2, h.atMs).bind(3, h.action).bind(4, stateName(h.state));
  st->bind(5, rules::severityName(h.severity));
  if (h.value) st->bind(6, *h.value);
  else st->bindNull(6);
  st->bind(7, h.by).bind(8, h.comment);
  if (auto s = st->run(); !s) return s;
  h.id = db.lastInsertRowid();
  return {};
}

Result<std::vector<HistoryEntry>> selectHistory(store::SqliteDb& db, int64_t alertId) {
  auto st = db.prepare(
      "SELECT id, at_ms, action, state, severity, value, \"by\", comment FROM alert_history "
      "WHERE alert_id=? ORDER BY id");
  if (!st) return st.error();
  st->bind(1, alertId);
  std::vector<HistoryEntry> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    auto state = parseState(st->text(3));
    auto sev = rules::parseSeverity(st->text(4));
    if (!state || !sev) return Internal("corrupt alert history row " + std::to_string(st->int64(0)));
    HistoryEntry h;
    h.id = st->int64(0);
    h.atMs = st->int64(1);
    h.action = std::string(st->text(2));
    h.state = *state;
    h.severity = *sev;
    if (!st->isNull(5)) h.value = st->real(5);
    h.by = std::string(st->text(6));
    h.comment = std::string(st->text(7));
    out.push_back(std::move(h));
  }
  return out;
}


std::string alertRef(int64_t id) { return "alert " + std::to_string(id); }

}  // namespace

Status AlertManager::migrate(store::SqliteDb& db) {
  if (auto s = db.exec("BEGIN IMMEDIATE"); !s) return s;
  if (auto s = db.exec(kSchema); !s) {
    (void)db.exec("ROLLBACK");
    return Internal("alerts migration failed: " + s.error().message);
  }
  if (auto s = db.exec("COMMIT"); !s) {
    (void)db.exec("ROLLBACK");
    return s;
  }
  return {};
}

Result<std::unique_ptr<AlertManager>> AlertManager::open(store::SqliteDb& db, const Clock& clock) {
  std::unique_ptr<AlertManager> m(new AlertManager(db, clock));
  auto st = db.prepare(std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE state <> 'resolved' ORDER BY id");
  if (!st) return st.error();
  auto rows = readAlerts(*st);
  if (!rows) return rows.error();
  for (auto& a : *rows) {
    auto key = std::make_pair(a.rule, a.entity);
    m->open_.emplace(std::move(key), std::move(a));
  }
  return m;
}

void AlertManager::addListener(Listener listener) { listeners_.push_back(std::move(listener)); }

void AlertManager::addTransactionHook(TransactionHook hook) { hooks_.push_back(std::move(hook)); }

Status AlertManager::runHooksLocked(const Alert& alert, const HistoryEntry& transition) {
  for (const auto& hook : hooks_) {
    try {
      if (auto s = hook(db_, alert, transition); !s) return s;
    } catch (const std::exception& ex) {
      return Internal(std::string("alert transaction hook failed: ") + ex.what());
    } catch (...) {
      return Internal("alert transaction hook failed");
    }
  }
  return {};
}

void AlertManager::committedLocked(const Alert& alert, const HistoryEntry& transition) {
  auto key = std::make_pair(alert.rule, alert.entity);
  if (alert.state == State::Resolved) open_.erase(key);
  else open_.insert_or_assign(std::move(key), alert);
  if (listeners_.empty()) return;
  std::lock_guard q(queueMu_);
  queue_.push_back(Event{alert, transition});
}

void AlertManager::drain() {
  std::unique_lock q(queueMu_);
  if (draining_) return;  // the thread that is draining will deliver ours after the earlier ones
  draining_ = true;
  while (!queue_.empty()) {
    std::vector<Event> batch;
    batch.swap(queue_);
    q.unlock();
    for (const Event& e : batch) {
      for (const auto& l : listeners_) {
        try {
          l(e.alert, e.transition);
        } catch (const std::exception& ex) {
          spdlog::error("alert listener failed on alert {} ({}): {}", e.alert.id, e.transition.action, ex.what());
        } catch (...) {
          spdlog::error("alert listener failed on alert {} ({})", e.alert.id, e.transition.action);
        }
      }
    }
    q.lock();
  }
  draining_ = false;
}

Result<std::optional<Alert>> AlertManager::apply(const Condition& c) {
  if (c.rule.empty() || c.entity.empty()) return BadRequest("an alert condition needs a rule and an entity");
  if (!std::isfinite(c.value)) return BadRequest("an alert condition's value must be a finite number");
  bool changed = false;
  Alert out;
  {
    std::lock_guard lock(mu_);
    HistoryEntry h;
    std::optional<Alert> current;
    auto s = db_.transaction([&]() -> Status {
      auto cur = selectOpen(db_, c.rule, c.entity);
      if (!cur) return cur.error();
      current = std::move(*cur);
      h.atMs = c.timeMs;
      h.by = "rule";
      h.value = c.value;
      if (!current) {
        if (!c.severity) return {};  // clear with nothing open
        out.rule = c.rule;
        out.entity = c.entity;
        out.metric = c.metric;
        out.severity = *c.severity;
        out.state = State::Active;
        out.value = c.value;
        out.message = c.message;
        out.raisedMs = out.updatedMs = c.timeMs;
        if (auto r = insertAlert(db_, out); !r) return r;
        h.action = "raise";
      } else {
        out = *current;
        if (!c.severity) {
          out.state = State::Resolved;
          out.resolvedMs = c.timeMs;
          h.action = "resolve";
        } else if (*c.severity == out.severity) {
          return {};  // same verdict: nothing to record
        } else {
          h.action = *c.severity > out.severity ? "escalate" : "deescalate";
          if (*c.severity > out.severity) out.state = State::Active;  // escalation needs a new acknowledgement
          out.severity = *c.severity;
          out.message = c.message;
        }
        out.value = c.value;
        out.updatedMs = c.timeMs;
        if (auto r = updateAlert(db_, out); !r) return r;
      }
      h.state = out.state;
      h.severity = out.severity;
      if (auto r = insertHistory(db_, out.id, h); !r) return r;
      if (auto r = runHooksLocked(out, h); !r) return r;
      changed = true;
      return {};
    });
    if (!s) return s.error();
    if (changed) {
      committedLocked(out, h);
    } else {
      // Nothing written; still align the cache with what the database says (another connection may have moved).
      auto key = std::make_pair(c.rule, c.entity);
      if (current) open_.insert_or_assign(std::move(key), *current);
      else open_.erase(key);
    }
  }
  if (!changed) return std::optional<Alert>();
  drain();
  return std::optional<Alert>(std::move(out));
}

Result<Alert> AlertManager::operatorAction(Action action, int64_t id, const std::string& by,
                                           const std::string& comment) {
  if (by.empty() || by.size() > kMaxBy) return BadRequest("the acting user's name must be 1 to 128 bytes");
  if (comment.size() > kMaxComment)
    return BadRequest("a comment may be at most " + std::to_string(kMaxComment) + " bytes");
  if (action == Action::Comment && comment.empty()) return BadRequest("the comment is empty");
  Alert out;
  std::vector<HistoryEntry> history;
  {
    std::lock_guard lock(mu_);
    HistoryEntry h;
    auto s = db_.transaction([&]() -> Status {
      auto cur = selectById(db_, id);
      if (!cur) return cur.error();
      if (!*cur) return NotFound("no alert with id " + std::to_string(id));
      out = std::move(**cur);
      const int64_t now = clock_.nowMs();
      switch (action) {
        case Action::Ack:
          if (out.state != State::Active)
            return Conflict(alertRef(id) + " is " + std::string(stateName(out.state)) +
                            "; only an active alert can be acknowledged");
          out.state = State::Acknowledged;
          h.action = "ack";
          break;
        case Action::Resolve:
          if (out.state == State::Resolved) return Conflict(alertRef(id) + " is already resolved");
          out.state = State::Resolved;
          out.resolvedMs = now;
          h.action = "resolve";
          break;
        case Action::Comment:
          h.action = "comment";
          break;
      }
      out.updatedMs = now;
      if (auto r = updateAlert(db_, out); !r) return r;
      h.atMs = now;
      h.state = out.state;
      h.severity = out.severity;
      h.by = by;
      h.comment = comment;
      if (auto r = insertHistory(db_, out.id, h); !r) return r;
      if (auto r = runHooksLocked(out, h); !r) return r;
      auto all = selectHistory(db_, out.id);
      if (!all) return all.error();
      history = std::move(*all);
      return {};
    });
    if (!s) return s.error();
    committedLocked(out, h);
  }
  drain();
  out.history = std::move(history);
  return out;
}

Result<Alert> AlertManager::acknowledge(int64_t id, const std::string& by, const std::string& comment) {
  return operatorAction(Action::Ack, id, by, comment);
}

Result<Alert> AlertManager::resolve(int64_t id, const std::string& by, const std::string& comment) {
  return operatorAction(Action::Resolve, id, by, comment);
}

Result<Alert> AlertManager::comment(int64_t id, const std::string& by, const std::string& comment) {
  return operatorAction(Action::Comment, id, by, comment);
}

Result<Alert> AlertManager::get(int64_t id) {
  std::lock_guard lock(mu_);
  Alert out;
  const auto read = [&]() -> Status {
    auto a = selectById(db_, id);
    if (!a) return a.error();
    if (!*a) return NotFound("no alert with id " + std::to_string(id));
    out = std::move(**a);
    auto h = selectHistory(db_, id);
    if (!h) return h.error();
    out.history = std::move(*h);
    return {};
  };
  auto s = db_.transaction(read, /*immediate=*/false);  // one snapshot for the alert and its history
  if (!s) return s.error();
  return out;
}

Result<std::vector<Alert>> AlertManager::list(const AlertQuery& q) {
  if (q.entities && q.entities->empty()) return std::vector<Alert>();
  // Only the filters present go into the SQL, so the planner can use alerts_entity / alerts_raised.
  std::string sql = std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE 1=1";
  int n = 0;  // index of the last bound parameter
  std::vector<std::pair<int, std::string>> binds;
  std::vector<std::pair<int, int64_t>> ints;
  auto text = [&](std::string v) { binds.emplace_back(++n, std::move(v)); };
  auto num = [&](int64_t v) { ints.emplace_back(++n, v); };
  if (q.state) {
    sql += " AND state=?";
    text(std::string(stateName(*q.state)));
  }
  if (q.severity) {
    sql += " AND severity IN (";
    bool first = true;
    for (int s = static_cast<int>(*q.severity); s <= static_cast<int>(Severity::Critical); ++s) {
      sql += first ? "?" : ",?";
      first = false;
      text(std::string(rules::severityName(static_cast<Severity>(s))));
    }
    sql += ")";
  }
  if (q.entity) {
    sql += " AND entity=?";
    text(*q.entity);
  }
  if (q.rule) {
    sql += " AND rule=?";
    text(*q.rule);
  }
  if (q.entities) {
    // Any number of entities as one JSON array parameter (no limit on bound variables).
    boost::json::array a;
    for (const auto& e : *q.entities) a.emplace_back(boost::json::string_view(e.data(), e.size()));
    sql += " AND entity IN (SELECT value FROM json_each(?))";
    text(boost::json::serialize(a));
  }
  if (q.fromMs) {
    sql += " AND raised_ms>=?";
    num(*q.fromMs);
  }
  if (q.toMs) {
    sql += " AND raised_ms<?";
    num(*q.toMs);
  }
  sql += " ORDER BY raised_ms DESC, id DESC LIMIT ?";
  num(std::clamp(q.limit, 1, 1000));

  std::lock_guard lock(mu_);
  auto st = db_.prepare(sql);
  if (!st) return st.error();
  for (const auto& [i, v] : binds) st->bind(i, v);
  for (const auto& [i, v] : ints) st->bind(i, v);
  return readAlerts(*st);
}

std::optional<Alert> AlertManager::openAlert(const std::string& rule, const std::string& entity) const {
  std::lock_guard lock(mu_);
  auto it = open_.find(std::make_pair(rule, entity));
  if (it == open_.end()) return std::nullopt;
  return it->second;
}

std::vector<Alert> AlertManager::openAlerts() const {
  std::lock_guard lock(mu_);
  std::vector<Alert> out;
  out.reserve(open_.size());
  for (const auto& [key, a] : open_) out.push_back(a);
  return out;
}

}  // namespace cityops::alerts
