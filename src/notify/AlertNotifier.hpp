#pragma once
// What connects alert changes to subscriptions (webhooks, MQTT): inside each alert transaction
// (AlertManager::addTransactionHook) it writes one outbox row per matching subscription, so a notification commits
// with its change. The payload is the alert as the API shows it plus "transition" and "entity_type" (the type of the
// alert's entity — the one `types` filters match on, and the last level of an MQTT topic —, null when the entity is
// unknown). A severity filter matches on the highest severity the alert reached, so that a receiver that heard of a
// critical alert also hears of its de-escalation and its end (kept in memory: after a restart an open alert counts
// from its severity at that moment).
#include "alerts/AlertManager.hpp"
#include "common/Clock.hpp"
#include "notify/SubscriptionStore.hpp"
#include "store/Store.hpp"

#include <unordered_map>

namespace cityops::notify {

class AlertNotifier {
 public:
  AlertNotifier(SubscriptionStore& subscriptions, store::Store& store, const Clock& clock)
      : subscriptions_(subscriptions), store_(store), clock_(clock) {}

  /// Installs the transaction hook on `alerts` (before use). The notifier must outlive the manager's use.
  void attach(alerts::AlertManager& alerts);

  /// The hook itself: runs under the alert manager's lock, on its connection, inside its transaction.
  Status enqueue(store::SqliteDb& db, const alerts::Alert& alert, const alerts::HistoryEntry& transition);

 private:
  SubscriptionStore& subscriptions_;
  store::Store& store_;
  const Clock& clock_;
  std::unordered_map<int64_t, rules::Severity> peak_;  // open alerts: the highest severity reached
};

}  // namespace cityops::notify
