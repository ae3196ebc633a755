#pragma once
// The alert lifecycle: at most one open (active or acknowledged) alert per (rule, entity), also under concurrent
// callers (a mutex here, and a unique partial index in the database). Conditions reported by the rule engine raise,
// escalate, de-escalate and auto-resolve alerts; operators acknowledge, comment and resolve them. Every transition is
// one history row, written in the same transaction as the alert row, and then announced to the listeners.
#include "alerts/Alert.hpp"
#include "common/Clock.hpp"
#include "common/Result.hpp"
#include "store/SqliteDb.hpp"

#include <deque>
#include <functional>
#include <map>
#include <memory>
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

/// Thread-safe. The database is the arbiter: every change reads the current row inside its own BEGIN IMMEDIATE
/// transaction, so even a second manager on another connection to the same file cannot open a duplicate (and the
/// unique partial index alerts(rule, entity) WHERE state <> 'resolved' refuses one in any case). The in-memory map
/// of open alerts is refreshed after each commit and serves openAlert()/openAlerts().
class AlertManager {
 public:
  /// Called after every committed transition, outside the manager's lock, in commit order (the order of the
  /// history rows' ids). The alert comes without history. Delivery: each commit appends its transition to a queue
  /// while the state lock is still held; then one thread at a time drains the queue and calls the listeners. The
  /// committing thread delivers unless another thread is already draining, in which case that thread delivers it
  /// right after the ones before it (so apply() may return just before its own transition reached the listeners).
  /// A slow listener therefore never holds the state lock, and a listener may call back into the manager (get,
  /// list, openAlert, even apply: the nested transition is queued and delivered after the current one). A listener
  /// that throws is logged and skipped.
  using Listener = std::function<void(const Alert& alert, const HistoryEntry& transition)>;

  /// Called inside the transaction of every transition, after its alert and history rows are written (both carry
  /// their ids), on this manager's connection and under its lock: for writes that must commit atomically with the
  /// change, e.g. notify::Outbox::enqueueWithin. A failure (or exception) rolls the whole transition back, and the
  /// call that caused it returns the error. It must not call back into the manager.
  using TransactionHook =
      std::function<Status(store::SqliteDb& db, const Alert& alert, const HistoryEntry& transition)>;

  /// Maximum size of an operator comment, in bytes ("bad_request" beyond).
  static constexpr size_t kMaxComment = 2000;

  /// Creates the tables alerts and alert_history (idempotent).
  static Status migrate(store::SqliteDb& db);

  /// `db` is this manager's own connection; loads the open alerts.
  static Result<std::unique_ptr<AlertManager>> open(store::SqliteDb& db, const Clock& clock);

  void addListener(Listener listener);                // before use
  void addTransactionHook(TransactionHook hook);      // before use

  /// A verdict change from the engine. Raise when none is open; escalate / de-escalate an open one (severity, value,
  /// message updated; an acknowledged alert that escalates becomes active again); resolve it when severity is
  /// nullopt. Returns the alert after the change (without history), or nullopt when nothing changed (e.g. clear
  /// with none open).
  /// The same severity as the open alert's is no change: nothing is written (no history row, value and message
  /// keep those of the last transition) and the result is nullopt — so re-reporting after a restart never
  /// duplicates. Times are c.timeMs (data time). Auto-resolve records c.value; severity and message are kept.
  /// "bad_request" for an empty rule or entity or a non-finite value.
  Result<std::optional<Alert>> apply(const Condition& c);

  /// Operator actions, timed by the clock; `by` is the user's name (1..128 bytes), `comment` at most kMaxComment
  /// bytes (required for comment()). acknowledge: active -> acknowledged; resolve: active or acknowledged ->
  /// resolved; comment: any state, unchanged. Each one is a history row and sets updated_at. Returns the alert
  /// after the change, with its history. "not_found"; "conflict" for an action the state does not allow (ack of an
  /// acknowledged or resolved alert, resolve of a resolved one); "bad_request" for `by` or `comment`.
  Result<Alert> acknowledge(int64_t id, const std::string& by, const std::string& comment);
  Result<Alert> resolve(int64_t id, const std::string& by, const std::string& comment);
  Result<Alert> comment(int64_t id, const std::string& by, const std::string& comment);

  /// With history.
  Result<Alert> get(int64_t id);
  /// Without history; newest first (raised_at, then id); q.limit clamped to 1..1000; an empty q.entities matches none.
  Result<std::vector<Alert>> list(const AlertQuery& q);
  /// The open alert of (rule, entity), if any (from memory).
  std::optional<Alert> openAlert(const std::string& rule, const std::string& entity) const;
  /// Every open alert (from memory), for the engine's restart.
  std::vector<Alert> openAlerts() const;

 private:
  struct Event {
    Alert alert;
    HistoryEntry transition;
  };
  enum class Action { Ack, Resolve, Comment };

  AlertManager(store::SqliteDb& db, const Clock& clock) : db_(db), clock_(clock) {}
  Result<Alert> operatorAction(Action action, int64_t id, const std::string& by, const std::string& comment);
  /// With mu_ held, inside the transaction: the hooks.
  Status runHooksLocked(const Alert& alert, const HistoryEntry& transition);
  /// With mu_ held, after a commit: refresh open_ and queue the transition.
  void committedLocked(const Alert& alert, const HistoryEntry& transition);
  /// Without mu_: deliver queued transitions unless another thread is already doing so.
  void drain();

  store::SqliteDb& db_;
  const Clock& clock_;
  mutable std::mutex mu_;                                      // db_ and open_
  std::map<std::pair<std::string, std::string>, Alert> open_;  // (rule, entity) -> open alert
  std::vector<Listener> listeners_;
  std::vector<TransactionHook> hooks_;
  std::mutex queueMu_;  // taken after mu_ (never the other way round)
  std::vector<Event> queue_;  // committed, not yet delivered; drain() takes it whole
  bool draining_ = false;
};

}  // namespace cityops::alerts
