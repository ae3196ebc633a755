// The outbox table: enqueue (matching, one transaction, committed on return), the caller-transaction variant,
// delivered/failed/dropped bookkeeping and the subscription status counters.
#include "NotifyFixture.hpp"

using namespace cityops;
using namespace cityops::notify;
using namespace cityops::notify::testing;

namespace {

class OutboxTest : public NotifyTest {
 protected:
  /// Rows as another connection sees them (what survives this process).
  int64_t rowsSeenFromOutside() {
    auto other = store::SqliteDb::open(dbPath(), true, false);
    EXPECT_TRUE(other.ok());
    auto st = (*other)->prepare("SELECT count(*) FROM outbox");
    EXPECT_TRUE(st.ok());
    EXPECT_TRUE(st->step().ok());
    return st->int64(0);
  }
};

TEST_F(OutboxTest, OneRowPerMatchingEnabledSubscription) {
  clock_.freeze(kT0);
  Filter critical;
  critical.severities = {"critical"};
  Filter stations;
  stations.types = {"station"};
  Subscription all = subscribe("http://127.0.0.1:9/all");
  Subscription crit = subscribe("http://127.0.0.1:9/crit", critical);
  Subscription st = subscribe("http://127.0.0.1:9/st", stations);
  Subscription off = subscribe("http://127.0.0.1:9/off");
  ASSERT_TRUE(subs_->setEnabled(off.id, false).ok());

  auto ids = enqueue(payload(1), event("major", "station"));
  ASSERT_EQ(ids.size(), 2u);  // all + st
  EXPECT_LT(ids[0], ids[1]);
  EXPECT_EQ(pending(all.id).size(), 1u);
  EXPECT_EQ(pending(st.id).size(), 1u);
  EXPECT_TRUE(pending(crit.id).empty());
  EXPECT_TRUE(pending(off.id).empty());

  ids = enqueue(payload(2), event("critical", "camera", "cam-rule", "camera:cam-03"));
  ASSERT_EQ(ids.size(), 2u);  // all + crit
  auto rows = pending(all.id);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].payload, payload(1));  // oldest first
  EXPECT_EQ(rows[1].payload, payload(2));
  EXPECT_EQ(rows[0].createdMs, kT0);
  EXPECT_EQ(rows[0].attempts, 0);
  EXPECT_EQ(rows[0].nextAttemptMs, kT0);  // due at once
  EXPECT_EQ(rows[0].subscriptionId, all.id);

  EXPECT_TRUE(enqueue(payload(3), event("info", "camera")).size() == 1u);  // only `all`
  EXPECT_EQ(*outbox_->pendingCount(), 5);
  EXPECT_EQ(status(all.id).status.pending, 3);
}

TEST_F(OutboxTest, RowsAreCommittedWhenEnqueueReturns) {
  subscribe("http://127.0.0.1:9/a");
  subscribe("http://127.0.0.1:9/b");
  for (int i = 0; i < 10; ++i) enqueue(payload(i));
  EXPECT_EQ(rowsSeenFromOutside(), 20);
}

TEST_F(OutboxTest, NothingMatchingWritesNothing) {
  Filter f;
  f.rules = {"other"};
  subscribe("http://127.0.0.1:9/a", f);
  EXPECT_TRUE(enqueue(payload(1)).empty());
  EXPECT_EQ(*outbox_->pendingCount(), 0);
}

TEST_F(OutboxTest, RejectsEmptyAndHugePayloads) {
  subscribe("http://127.0.0.1:9/a");
  EXPECT_EQ(outbox_->enqueue("", event()).error().code, "bad_request");
  EXPECT_EQ(outbox_->enqueue(std::string(Outbox::kMaxPayload + 1, 'x'), event()).error().code, "bad_request");
  EXPECT_EQ(*outbox_->pendingCount(), 0);
}

TEST_F(OutboxTest, HookRunsAfterCommitOnlyWhenRowsWereAdded) {
  Filter f;
  f.severities = {"critical"};
  subscribe("http://127.0.0.1:9/a", f);
  int calls = 0;
  int64_t seenRows = -1;
  outbox_->setOnEnqueued([&] {
    ++calls;
    seenRows = rowsSeenFromOutside();  // committed before the hook runs
  });
  enqueue(payload(1), event("minor"));
  EXPECT_EQ(calls, 0);
  enqueue(payload(2), event("critical"));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seenRows, 1);
  outbox_->setOnEnqueued(nullptr);
  enqueue(payload(3), event("critical"));
  EXPECT_EQ(calls, 1);
}

TEST_F(OutboxTest, EnqueueWithinTheCallersTransaction) {
  Subscription a = subscribe("http://127.0.0.1:9/a");
  Subscription gone = subscribe("http://127.0.0.1:9/gone");
  auto active = subs_->active();  // a snapshot that still has `gone`
  ASSERT_TRUE(subs_->remove(gone.id).ok());

  auto other = store::SqliteDb::open(dbPath(), false, false);
  ASSERT_TRUE(other.ok());
  auto& db = **other;
  ASSERT_TRUE(db.exec("BEGIN IMMEDIATE").ok());
  auto ids = Outbox::enqueueWithin(db, active, payload(1), event(), kT0);
  ASSERT_TRUE(ids.ok()) << ids.error().message;
  EXPECT_EQ(ids->size(), 1u);  // the deleted subscription is skipped, not a foreign-key failure
  ASSERT_TRUE(db.exec("ROLLBACK").ok());
  EXPECT_TRUE(pending(a.id).empty());

  ASSERT_TRUE(db.exec("BEGIN IMMEDIATE").ok());
  ids = Outbox::enqueueWithin(db, active, payload(2), event(), kT0);
  ASSERT_TRUE(ids.ok());
  ASSERT_TRUE(db.exec("COMMIT").ok());
  auto rows = pending(a.id);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].payload, payload(2));
  EXPECT_EQ(rows[0].id, (*ids)[0]);
}

TEST_F(OutboxTest, DeletingASubscriptionDeletesItsRows) {
  Subscription a = subscribe("http://127.0.0.1:9/a");
  Subscription b = subscribe("http://127.0.0.1:9/b");
  enqueue(payload(1));
  enqueue(payload(2));
  ASSERT_TRUE(subs_->remove(a.id).ok());
  EXPECT_TRUE(pending(a.id).empty());
  EXPECT_EQ(pending(b.id).size(), 2u);
}

TEST_F(OutboxTest, BookkeepingAndStatusCounters) {
  clock_.freeze(kT0);
  Subscription a = subscribe("http://127.0.0.1:9/a");
  enqueue(payload(1));
  enqueue(payload(2));
  auto rows = pending(a.id);
  ASSERT_EQ(rows.size(), 2u);

  ASSERT_TRUE(outbox_->markFailed(rows[0], "HTTP 503 from x", kT0 + 10, kT0 + 1000).ok());
  ASSERT_TRUE(outbox_->markFailed(rows[0], "cannot connect to x: refused", kT0 + 1000, kT0 + 3000).ok());
  auto head = outbox_->oldest(a.id);
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->id, rows[0].id);
  EXPECT_EQ((*head)->attempts, 2);
  EXPECT_EQ((*head)->nextAttemptMs, kT0 + 3000);
  EXPECT_EQ((*head)->lastError, "cannot connect to x: refused");
  auto s = status(a.id).status;
  EXPECT_EQ(s.failures, 2);
  EXPECT_EQ(s.lastFailureMs, kT0 + 1000);
  EXPECT_EQ(s.lastError, "cannot connect to x: refused");
  EXPECT_FALSE(s.lastSuccessMs.has_value());
  EXPECT_EQ(s.pending, 2);

  ASSERT_TRUE(outbox_->markDelivered(rows[0], kT0 + 3000).ok());
  ASSERT_TRUE(outbox_->markDelivered(rows[0], kT0 + 3001).ok());  // gone already: not counted twice
  s = status(a.id).status;
  EXPECT_EQ(s.delivered, 1);
  EXPECT_EQ(s.lastSuccessMs, kT0 + 3000);
  EXPECT_EQ(s.pending, 1);
  EXPECT_EQ((*outbox_->oldest(a.id))->id, rows[1].id);

  auto n = outbox_->dropExpired(a.id, kT0, "HTTP 503 from x");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  s = status(a.id).status;
  EXPECT_EQ(s.dropped, 1);
  EXPECT_EQ(s.pending, 0);
  EXPECT_EQ(*outbox_->dropExpired(a.id, kT0, "again"), 0);
  EXPECT_EQ(status(a.id).status.dropped, 1);
}

TEST_F(OutboxTest, DropExpiredKeepsYoungerRows) {
  clock_.freeze(kT0);
  Subscription a = subscribe("http://127.0.0.1:9/a");
  enqueue(payload(1));
  clock_.advance(kHour);
  enqueue(payload(2));
  auto n = outbox_->dropExpired(a.id, kT0 + kHour - 1, "x");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  auto rows = pending(a.id);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].payload, payload(2));
}

}  // namespace
