#pragma once
// The alert lifecycle: at most one open (active or acknowledged) alert per (rule, entity), also under concurrent
// callers (a mutex here, and a unique partial index in the database). Conditions reported by the rule engine raise,
// escalate, de-escalate and auto-resolve alerts; operators acknowledge, comment and resolve them. Every transition is
// one history row, written in the same transaction as the alert row, and then announced to the listeners.
#include "alerts/Alert.hpp"
#include "common/Clock.hpp"
#include "common/Result.hpp"
#include "store/SqliteDb.hpp"

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace cityops::alerts {

/// What the rule engine reports for one (rule, entity) whenever its verdict changes.
struct Condition {
  std::string rule;
  std::string entity;
  std::string metric;
  std::optional<Severity> severity;  // nullopt: the condition cleared
  double value = 0;
  int64_t timeMs = 0;  // data time of the change
  std::string message;
};

struct AlertQuery {
  std::optional<State> state;
  std::optional<Severity> severity;  // at least this severity
  std::optional<std::string> entity;
  std::optional<std::string> rule;
  std::optional<std::vector<std::string>> entities;  // e.g. every entity of a type (resolved by the caller)
  std::optional<int64_t> fromMs, toMs;               // raised in [from, to)
  int limit = 100;                                   // 1..1000, newest first
};

class AlertManager {
 public:
  /// Called after every committed transition, outside the manager's lock, in commit order.
  using Listener = std::function<void(const Alert& alert, const HistoryEntry& transition)>;

  /// Creates the tables alerts and alert_history (idempotent).
  static Status migrate(store::SqliteDb& db);

  /// `db` is this manager's own connection; loads the open alerts.
  static Result<std::unique_ptr<AlertManager>> open(store::SqliteDb& db, const Clock& clock);

  void addListener(Listener listener);  // before use

  /// A verdict change from the engine. Raise when none is open; escalate / de-escalate an open one (severity, value,
  /// message updated; an acknowledged alert that escalates becomes active again); resolve it when severity is
  /// nullopt. Returns the alert after the change, or nullopt when nothing changed (e.g. clear with none open).
  Result<std::optional<Alert>> apply(const Condition& c);

  /// Operator actions. "not_found"; "conflict" for an action the state does not allow (ack of a resolved alert...).
  Result<Alert> acknowledge(int64_t id, const std::string& by, const std::string& comment);
  Result<Alert> resolve(int64_t id, const std::string& by, const std::string& comment);
  Result<Alert> comment(int64_t id, const std::string& by, const std::string& comment);

  /// With history.
  Result<Alert> get(int64_t id);
  /// Without history.
  Result<std::vector<Alert>> list(const AlertQuery& q);
  /// The open alert of (rule, entity), if any (from memory).
  std::optional<Alert> openAlert(const std::string& rule, const std::string& entity) const;
  /// Every open alert (from memory), for the engine's restart.
  std::vector<Alert> openAlerts() const;

 private:
  AlertManager(store::SqliteDb& db, const Clock& clock) : db_(db), clock_(clock) {}
  store::SqliteDb& db_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, Alert> open_;  // (rule, entity) -> open alert
  std::vector<Listener> listeners_;
};

}  // namespace cityops::alerts
