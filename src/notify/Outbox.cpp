#include "notify/Outbox.hpp"

#include "common/Time.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace cityops::notify {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS outbox(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
  payload TEXT NOT NULL, created_ms INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL, last_error TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS outbox_subscription ON outbox(subscription_id, id);
)sql";

constexpr const char* kSelectRow =
    "SELECT id, subscription_id, payload, created_ms, attempts, next_attempt_ms, last_error FROM outbox "
    "WHERE subscription_id=? ORDER BY id";

OutboxRow rowFrom(const store::SqliteStatement& st) {
  OutboxRow r;
  r.id = st.int64(0);
  r.subscriptionId = st.int64(1);
  r.payload = std::string(st.text(2));
  r.createdMs = st.int64(3);
  r.attempts = st.int64(4);
  r.nextAttemptMs = st.int64(5);
  r.lastError = std::string(st.text(6));
  return r;
}

constexpr size_t kMaxError = 512;

std::string clip(std::string_view s) { return std::string(s.substr(0, kMaxError)); }

}  // namespace

Status Outbox::migrate(store::SqliteDb& db) {
  if (auto s = SubscriptionStore::migrate(db); !s) return s;
  return db.transaction([&]() -> Status {
    if (auto s = db.exec(kSchema); !s) return Internal("notify migration failed: " + s.error().message);
    return {};
  });
}

Outbox::Outbox(SubscriptionStore& subscriptions, const Clock& clock) : subs_(subscriptions), clock_(clock) {}

Status Outbox::withTransaction(const std::function<Status()>& body) { return subs_.db_.transaction(body); }

Result<std::vector<int64_t>> Outbox::enqueueWithin(store::SqliteDb& db, const std::vector<Subscription>& active,
                                                   std::string_view payload, const EventAttributes& attrs,
                                                   int64_t nowMs) {
  if (payload.empty() || payload.size() > kMaxPayload)
    return BadRequest("a notification payload must be 1 to " + std::to_string(kMaxPayload) + " bytes");
  std::vector<int64_t> ids;
  std::optional<store::SqliteStatement> insert;
  for (const auto& s : active) {
    if (!s.enabled || !matches(s.filter, attrs)) continue;
    if (!insert) {
      // The EXISTS guard: a subscription deleted or disabled since `active` was read is skipped, not a failed
      // foreign key (which would fail the caller's whole transaction).
      auto st = db.prepare(
          "INSERT INTO outbox(subscription_id, payload, created_ms, attempts, next_attempt_ms, last_error) "
          "SELECT ?1, ?2, ?3, 0, ?3, '' WHERE EXISTS(SELECT 1 FROM subscriptions WHERE id=?1 AND enabled<>0)");
      if (!st) return st.error();
      insert.emplace(std::move(*st));
    }
    insert->bind(1, s.id).bind(2, payload).bind(3, nowMs);
    if (auto r = insert->run(); !r) return r.error();
    if (db.changes() == 1) ids.push_back(db.lastInsertRowid());
  }
  return ids;
}

Result<std::vector<int64_t>> Outbox::enqueue(std::string_view payload, const EventAttributes& attrs) {
  if (payload.empty() || payload.size() > kMaxPayload)
    return BadRequest("a notification payload must be 1 to " + std::to_string(kMaxPayload) + " bytes");
  std::vector<int64_t> ids;
  {
    std::lock_guard lock(subs_.mu_);
    const bool any = std::any_of(subs_.active_.begin(), subs_.active_.end(),
                                 [&](const Subscription& s) { return matches(s.filter, attrs); });
    if (!any) return ids;  // nothing to write: no transaction at all
    auto s = withTransaction([&]() -> Status {
      auto r = enqueueWithin(subs_.db_, subs_.active_, payload, attrs, clock_.nowMs());
      if (!r) return r.error();
      ids = std::move(*r);
      return {};
    });
    if (!s) return s.error();
  }
  if (!ids.empty()) {
    std::lock_guard hook(hookMu_);
    if (onEnqueued_) onEnqueued_();
  }
  return ids;
}

Result<std::optional<OutboxRow>> Outbox::oldest(int64_t subscriptionId) {
  std::lock_guard lock(subs_.mu_);
  auto st = subs_.db_.prepare(std::string(kSelectRow) + " LIMIT 1");
  if (!st) return st.error();
  st->bind(1, subscriptionId);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<OutboxRow>();
  return std::optional<OutboxRow>(rowFrom(*st));
}

Result<std::vector<OutboxRow>> Outbox::pending(int64_t subscriptionId) {
  std::lock_guard lock(subs_.mu_);
  auto st = subs_.db_.prepare(kSelectRow);
  if (!st) return st.error();
  st->bind(1, subscriptionId);
  std::vector<OutboxRow> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(rowFrom(*st));
  }
  return out;
}

Result<int64_t> Outbox::pendingCount() {
  std::lock_guard lock(subs_.mu_);
  auto st = subs_.db_.prepare("SELECT count(*) FROM outbox");
  if (!st) return st.error();
  auto row = st->step();
  if (!row) return row.error();
  return st->int64(0);
}

Status Outbox::markDelivered(const OutboxRow& row, int64_t nowMs) {
  std::lock_guard lock(subs_.mu_);
  auto& db = subs_.db_;
  return withTransaction([&]() -> Status {
    auto del = db.prepare("DELETE FROM outbox WHERE id=?");
    if (!del) return del.error();
    if (auto s = del->bind(1, row.id).run(); !s) return s;
    if (db.changes() == 0) return {};
    auto up = db.prepare("UPDATE subscriptions SET delivered=delivered+1, last_success_ms=? WHERE id=?");
    if (!up) return up.error();
    return up->bind(1, nowMs).bind(2, row.subscriptionId).run();
  });
}

Status Outbox::markFailed(const OutboxRow& row, std::string_view error, int64_t nowMs, int64_t nextAttemptMs) {
  const std::string err = clip(error);
  std::lock_guard lock(subs_.mu_);
  auto& db = subs_.db_;
  return withTransaction([&]() -> Status {
    auto up = db.prepare("UPDATE outbox SET attempts=attempts+1, next_attempt_ms=?, last_error=? WHERE id=?");
    if (!up) return up.error();
    if (auto s = up->bind(1, nextAttemptMs).bind(2, err).bind(3, row.id).run(); !s) return s;
    if (db.changes() == 0) return {};
    auto sub = db.prepare(
        "UPDATE subscriptions SET failures=failures+1, last_failure_ms=?, last_error=? WHERE id=?");
    if (!sub) return sub.error();
    return sub->bind(1, nowMs).bind(2, err).bind(3, row.subscriptionId).run();
  });
}

Result<int64_t> Outbox::dropExpired(int64_t subscriptionId, int64_t cutoffMs, std::string_view lastError) {
  int64_t n = 0, firstId = 0, lastId = 0;
  {
    std::lock_guard lock(subs_.mu_);
    auto& db = subs_.db_;
    auto s = withTransaction([&]() -> Status {
      auto sel = db.prepare(
          "SELECT count(*), coalesce(min(id), 0), coalesce(max(id), 0) FROM outbox "
          "WHERE subscription_id=? AND created_ms<=?");
      if (!sel) return sel.error();
      sel->bind(1, subscriptionId).bind(2, cutoffMs);
      auto row = sel->step();
      if (!row) return row.error();
      n = sel->int64(0);
      firstId = sel->int64(1);
      lastId = sel->int64(2);
      sel->reset();
      if (n == 0) return {};
      auto del = db.prepare("DELETE FROM outbox WHERE subscription_id=? AND created_ms<=?");
      if (!del) return del.error();
      if (auto r = del->bind(1, subscriptionId).bind(2, cutoffMs).run(); !r) return r;
      auto up = db.prepare("UPDATE subscriptions SET dropped=dropped+? WHERE id=?");
      if (!up) return up.error();
      return up->bind(1, n).bind(2, subscriptionId).run();
    });
    if (!s) return s.error();
  }
  if (n > 0)
    spdlog::warn("notify: subscription {} dropped {} undelivered notification(s) (outbox ids {}..{}, created at or "
                 "before {}) after retrying for too long; last error: {}",
                 subscriptionId, n, firstId, lastId, formatTime(cutoffMs), clip(lastError));
  return n;
}

void Outbox::setOnEnqueued(std::function<void()> hook) {
  std::lock_guard lock(hookMu_);
  onEnqueued_ = std::move(hook);
}

}  // namespace cityops::notify
