#pragma once
// The durable outbox: one row per (event, matching subscription) in the table `outbox`, committed before enqueue()
// returns, deleted once the subscriber answered 2xx, or given up (dropped) after 24 h of failures.
//
// Ordering: rows get increasing ids (AUTOINCREMENT) in enqueue order, and the Deliverer sends the rows of one
// subscription strictly in id order. So callers enqueue in the order the alert changes committed (AlertManager's
// listeners run in commit order; call enqueue() from there).
//
// Durability: enqueue() commits on notify's connection after the alert's own commit, so a crash between the two loses
// that one notification. To make them atomic, the alert code may call enqueueWithin() inside its own transaction on
// its own connection (same database file), then Deliverer::wake() after its commit.
//
// Delivery is at least once: a crash after the subscriber's 2xx and before the row's deletion re-sends that row on
// restart, with the same X-Cityops-Delivery id (the row id) so receivers can de-duplicate.
//
// Threading: any thread; uses the SubscriptionStore's connection under the store's mutex.
#include "common/Result.hpp"
#include "notify/Subscription.hpp"
#include "notify/SubscriptionStore.hpp"
#include "store/SqliteDb.hpp"

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cityops::notify {

struct OutboxRow {
  int64_t id = 0;
  int64_t subscriptionId = 0;
  std::string payload;
  int64_t createdMs = 0;
  int64_t attempts = 0;       // failed attempts so far
  int64_t nextAttemptMs = 0;  // not before (Clock time)
  std::string lastError;
};

class Outbox {
 public:
  static constexpr size_t kMaxPayload = 1024 * 1024;

  /// Creates `subscriptions` (SubscriptionStore::migrate) and `outbox` if missing, idempotent.
  static Status migrate(store::SqliteDb& db);

  /// Shares the store's connection and mutex; the store must outlive the outbox.
  explicit Outbox(SubscriptionStore& subscriptions, const Clock& clock);

  /// Inserts one row per enabled subscription whose filter matches, all in ONE transaction, committed when this
  /// returns; then calls the onEnqueued hook (the Deliverer's wake). Returns the new row ids, in subscription id
  /// order (empty when nothing matched). payload: the JSON text to POST, 1..kMaxPayload bytes, sent verbatim.
  Result<std::vector<int64_t>> enqueue(std::string_view payload, const EventAttributes& attrs);

  /// The same inserts on a caller's connection, inside the caller's open transaction (no BEGIN/COMMIT here), for
  /// callers that want the notification committed atomically with their own change. `active` is
  /// SubscriptionStore::active(); rows of subscriptions deleted or disabled meanwhile are skipped, never an error.
  /// The caller calls Deliverer::wake() after committing.
  static Result<std::vector<int64_t>> enqueueWithin(store::SqliteDb& db, const std::vector<Subscription>& active,
                                                    std::string_view payload, const EventAttributes& attrs,
                                                    int64_t nowMs);

  /// The oldest undelivered row of a subscription (the one that blocks the others), if any.
  Result<std::optional<OutboxRow>> oldest(int64_t subscriptionId);
  /// Every undelivered row of a subscription, oldest first (status pages and tests).
  Result<std::vector<OutboxRow>> pending(int64_t subscriptionId);
  /// Undelivered rows of every subscription.
  Result<int64_t> pendingCount();

  /// The subscriber answered 2xx: deletes the row; the subscription's delivered+1, last_success_ms=nowMs; one
  /// transaction. Nothing is counted when the row is gone already (its subscription was deleted).
  Status markDelivered(const OutboxRow& row, int64_t nowMs);
  /// A failed attempt: the row's attempts+1, next_attempt_ms, last_error; the subscription's failures+1,
  /// last_failure_ms, last_error; one transaction.
  Status markFailed(const OutboxRow& row, std::string_view error, int64_t nowMs, int64_t nextAttemptMs);
  /// Gives up the rows of a subscription created at or before cutoffMs (24 h of failures): deletes them, adds them to
  /// the subscription's dropped count, logs one warning line. Returns how many.
  Result<int64_t> dropExpired(int64_t subscriptionId, int64_t cutoffMs, std::string_view lastError);

  /// Called after every enqueue() that inserted rows, on the enqueuing thread (under a hook mutex, so
  /// setOnEnqueued(nullptr) waits for a running call). The Deliverer installs its wake() here.
  void setOnEnqueued(std::function<void()> hook);

 private:
  Status withTransaction(const std::function<Status()>& body);  // caller holds subs_.mu_

  SubscriptionStore& subs_;
  const Clock& clock_;
  std::mutex hookMu_;
  std::function<void()> onEnqueued_;
};

}  // namespace cityops::notify
