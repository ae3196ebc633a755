#include "notify/SubscriptionStore.hpp"

#include "common/JsonText.hpp"

#include <algorithm>

namespace cityops::notify {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS subscriptions(
  id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL, secret TEXT NOT NULL, filter TEXT NOT NULL,
  created_ms INTEGER NOT NULL, enabled INTEGER NOT NULL DEFAULT 1,
  last_success_ms INTEGER, last_failure_ms INTEGER, last_error TEXT NOT NULL DEFAULT '',
  failures INTEGER NOT NULL DEFAULT 0, delivered INTEGER NOT NULL DEFAULT 0, dropped INTEGER NOT NULL DEFAULT 0);
)sql";

constexpr const char* kSelect =
    "SELECT s.id, s.url, s.secret, s.filter, s.created_ms, s.enabled, s.last_success_ms, s.last_failure_ms, "
    "s.last_error, s.failures, s.delivered, s.dropped, "
    "(SELECT count(*) FROM outbox o WHERE o.subscription_id = s.id) FROM subscriptions s";

Result<Subscription> fromRow(const store::SqliteStatement& st) {
  Subscription s;
  s.id = st.int64(0);
  s.url = std::string(st.text(1));
  s.secret = std::string(st.text(2));
  auto f = parseFilterText(st.text(3));
  if (!f) return Internal("corrupt filter of subscription " + std::to_string(s.id) + ": " + f.error().message);
  s.filter = std::move(*f);
  s.createdMs = st.int64(4);
  s.enabled = st.int64(5) != 0;
  if (!st.isNull(6)) s.status.lastSuccessMs = st.int64(6);
  if (!st.isNull(7)) s.status.lastFailureMs = st.int64(7);
  s.status.lastError = std::string(st.text(8));
  s.status.failures = st.int64(9);
  s.status.delivered = st.int64(10);
  s.status.dropped = st.int64(11);
  s.status.pending = st.int64(12);
  return s;
}

}  // namespace

Status SubscriptionStore::migrate(store::SqliteDb& db) {
  return db.transaction([&]() -> Status {
    if (auto s = db.exec(kSchema); !s) return Internal("notify migration failed: " + s.error().message);
    return {};
  });
}

Result<std::unique_ptr<SubscriptionStore>> SubscriptionStore::open(store::SqliteDb& db, const Clock& clock) {
  std::unique_ptr<SubscriptionStore> s(new SubscriptionStore(db, clock));
  {
    std::lock_guard lock(s->mu_);
    if (auto r = s->loadLocked(); !r) return r.error();
  }
  return s;
}

Status SubscriptionStore::loadLocked() {
  auto st = db_.prepare(std::string(kSelect) + " WHERE s.enabled<>0 ORDER BY s.id");
  if (!st) return st.error();
  std::vector<Subscription> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    auto s = fromRow(*st);
    if (!s) return s.error();
    s->status = {};
    out.push_back(std::move(*s));
  }
  {
    std::lock_guard a(activeMu_);
    active_ = std::move(out);
  }
  generation_.fetch_add(1);
  return {};
}

Result<std::optional<Subscription>> SubscriptionStore::getLocked(int64_t id) {
  auto st = db_.prepare(std::string(kSelect) + " WHERE s.id=?");
  if (!st) return st.error();
  st->bind(1, id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<Subscription>();
  auto s = fromRow(*st);
  if (!s) return s.error();
  return std::optional<Subscription>(std::move(*s));
}

namespace {
/// The checks create() and declare() share; the filter's canonical text on success.
Result<std::string> validated(const NewSubscription& n) {
  if (auto ep = parseEndpoint(n.url); !ep) return ep.error();
  if (n.secret.size() < SubscriptionStore::kMinSecret || n.secret.size() > SubscriptionStore::kMaxSecret)
    return BadRequest("the secret must be " + std::to_string(SubscriptionStore::kMinSecret) + " to " +
                      std::to_string(SubscriptionStore::kMaxSecret) + " bytes");
  std::string filterText = toJsonText(filterToJson(n.filter));
  // Round trip through the parser: a Filter built in code gets the same checks as one from JSON.
  if (auto f = parseFilterText(filterText); !f) return f.error();
  return filterText;
}
}  // namespace

Result<Subscription> SubscriptionStore::declare(const NewSubscription& n) {
  auto filterText = validated(n);
  if (!filterText) return filterText.error();
  {
    std::lock_guard lock(mu_);
    auto find = db_.prepare("SELECT id FROM subscriptions WHERE url=? ORDER BY id LIMIT 1");
    if (!find) return find.error();
    find->bind(1, n.url);
    auto row = find->step();
    if (!row) return row.error();
    if (*row) {
      const int64_t id = find->int64(0);
      auto st = db_.prepare("UPDATE subscriptions SET secret=?, filter=?, enabled=? WHERE id=?");
      if (!st) return st.error();
      st->bind(1, n.secret).bind(2, *filterText).bind(3, int64_t{n.enabled ? 1 : 0}).bind(4, id);
      if (auto s = st->run(); !s) return s.error();
      if (auto s = loadLocked(); !s) return s.error();  // active() shows the new secret and filter
      auto s = getLocked(id);
      if (!s) return s.error();
      if (!*s) return NotFound("no subscription with id " + std::to_string(id));
      return std::move(**s);
    }
  }
  return create(n);
}

Result<Subscription> SubscriptionStore::create(const NewSubscription& n) {
  auto validatedFilter = validated(n);
  if (!validatedFilter) return validatedFilter.error();
  const std::string& filterText = *validatedFilter;

  std::lock_guard lock(mu_);
  {
    auto count = db_.prepare("SELECT count(*) FROM subscriptions");
    if (!count) return count.error();
    auto row = count->step();
    if (!row) return row.error();
    if (count->int64(0) >= static_cast<int64_t>(kMaxSubscriptions))
      return Conflict("there are already " + std::to_string(kMaxSubscriptions) + " subscriptions");
  }
  const int64_t now = clock_.nowMs();
  auto st = db_.prepare("INSERT INTO subscriptions(url, secret, filter, created_ms, enabled) VALUES(?,?,?,?,?)");
  if (!st) return st.error();
  st->bind(1, n.url).bind(2, n.secret).bind(3, filterText).bind(4, now).bind(5, int64_t{n.enabled ? 1 : 0});
  if (auto s = st->run(); !s) return s.error();
  Subscription out;
  out.id = db_.lastInsertRowid();
  out.url = n.url;
  out.secret = n.secret;
  out.filter = n.filter;
  out.createdMs = now;
  out.enabled = n.enabled;
  if (out.enabled) {
    std::lock_guard a(activeMu_);
    active_.push_back(out);  // ids only grow: active_ stays sorted
    generation_.fetch_add(1);
  }
  return out;
}

Result<std::vector<Subscription>> SubscriptionStore::list() {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(std::string(kSelect) + " ORDER BY s.id");
  if (!st) return st.error();
  std::vector<Subscription> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    auto s = fromRow(*st);
    if (!s) return s.error();
    out.push_back(std::move(*s));
  }
  return out;
}

Result<Subscription> SubscriptionStore::get(int64_t id) {
  std::lock_guard lock(mu_);
  auto s = getLocked(id);
  if (!s) return s.error();
  if (!*s) return NotFound("no subscription with id " + std::to_string(id));
  return std::move(**s);
}

Status SubscriptionStore::remove(int64_t id) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("DELETE FROM subscriptions WHERE id=?");
  if (!st) return st.error();
  if (auto s = st->bind(1, id).run(); !s) return s;
  if (db_.changes() == 0) return NotFound("no subscription with id " + std::to_string(id));
  {
    std::lock_guard a(activeMu_);
    std::erase_if(active_, [id](const Subscription& s) { return s.id == id; });
  }
  generation_.fetch_add(1);
  return {};
}

Result<Subscription> SubscriptionStore::setEnabled(int64_t id, bool enabled) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("UPDATE subscriptions SET enabled=? WHERE id=?");
  if (!st) return st.error();
  if (auto s = st->bind(1, int64_t{enabled ? 1 : 0}).bind(2, id).run(); !s) return s.error();
  if (db_.changes() == 0) return NotFound("no subscription with id " + std::to_string(id));
  auto s = getLocked(id);
  if (!s) return s.error();
  if (!*s) return NotFound("no subscription with id " + std::to_string(id));
  std::lock_guard activeLock(activeMu_);
  std::erase_if(active_, [id](const Subscription& a) { return a.id == id; });
  if (enabled) {
    Subscription copy = **s;
    copy.status = {};
    active_.insert(std::upper_bound(active_.begin(), active_.end(), id,
                                    [](int64_t v, const Subscription& a) { return v < a.id; }),
                   std::move(copy));
  }
  generation_.fetch_add(1);
  return std::move(**s);
}

std::vector<Subscription> SubscriptionStore::active() const {
  // Only activeMu_: the alert manager calls this inside its write transaction, while a delivery worker may hold mu_
  // and wait for that same write lock (mu_ here would deadlock the two until SQLite's busy timeout).
  std::lock_guard lock(activeMu_);
  return active_;
}

}  // namespace cityops::notify
