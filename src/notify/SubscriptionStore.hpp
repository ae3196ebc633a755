#pragma once
// Webhook subscriptions in the table `subscriptions` of the cityops database, with their delivery status.
//
// Threading: every method may be called from any thread. One mutex serialises use of the connection; the Outbox
// built on this store shares that connection and that mutex (so the lead opens one connection for notify/).
// The enabled subscriptions are also kept in memory (active()), so matching an event never reads the table.
//
// Secrets are stored in clear, exactly as given (16..256 bytes): signing every delivery needs the secret itself.
// Protect the database file accordingly; the secret is never logged and never part of toJson().
#include "common/Clock.hpp"
#include "common/Result.hpp"
#include "notify/Subscription.hpp"
#include "store/SqliteDb.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace cityops::notify {

class Outbox;

class SubscriptionStore {
 public:
  static constexpr size_t kMinSecret = 16;
  static constexpr size_t kMaxSecret = 256;
  static constexpr size_t kMaxSubscriptions = 256;  // each enabled one gets a delivery thread (see Deliverer)

  /// Creates the table `subscriptions` if missing (idempotent; does not touch PRAGMA user_version).
  /// Outbox::migrate() calls this and then creates `outbox`: call that one.
  static Status migrate(store::SqliteDb& db);

  /// `db` is notify's own connection, used by nobody else but the Outbox built on this store; it must outlive both.
  /// Both tables must exist (Outbox::migrate). Loads the subscriptions into memory.
  static Result<std::unique_ptr<SubscriptionStore>> open(store::SqliteDb& db, const Clock& clock);

  /// Validates the URL (parseEndpoint) and the secret (kMinSecret..kMaxSecret bytes), stores, returns it.
  /// "conflict" beyond kMaxSubscriptions.
  Result<Subscription> create(const NewSubscription& s);
  /// The subscription with this URL as declared (the config file's [[subscription]] tables, at start): created when
  /// no subscription has the URL, else the first one with it gets this secret, filter and enabled flag in place (its
  /// pending rows and status are kept). Validated like create(). Call it before the Deliverer starts: a running lane
  /// keeps the secret it started with.
  Result<Subscription> declare(const NewSubscription& s);
  /// With status and pending count, by id.
  Result<std::vector<Subscription>> list();
  Result<Subscription> get(int64_t id);
  /// Deletes the subscription and (ON DELETE CASCADE) its undelivered outbox rows. "not_found".
  Status remove(int64_t id);
  /// A disabled subscription gets no new rows and its deliveries pause (its pending rows are kept; once enabled
  /// again they are retried, and those older than 24 h dropped after one more failed attempt). "not_found".
  Result<Subscription> setEnabled(int64_t id, bool enabled);

  /// The enabled subscriptions, from memory (no status), by id.
  std::vector<Subscription> active() const;
  /// Changes whenever the set of subscriptions or an enabled flag changes.
  uint64_t generation() const { return generation_.load(); }

 private:
  friend class Outbox;  // shares db_ and mu_, reads active_ under mu_
  SubscriptionStore(store::SqliteDb& db, const Clock& clock) : db_(db), clock_(clock) {}
  Status loadLocked();
  Result<std::optional<Subscription>> getLocked(int64_t id);

  store::SqliteDb& db_;
  const Clock& clock_;
  mutable std::mutex mu_;
  /// Enabled, by id. Changed with both mu_ and activeMu_ held; read under either. activeMu_ is a leaf lock: nothing
  /// waits for SQLite while holding it.
  std::vector<Subscription> active_;
  mutable std::mutex activeMu_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace cityops::notify
