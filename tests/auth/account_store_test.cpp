#include "auth/AccountStore.hpp"
#include "auth/PasswordHasher.hpp"
#include "auth/Tokens.hpp"

#include "auth/AuthFixture.hpp"

#include <algorithm>
#include <chrono>

namespace cityops::auth {
namespace {

using testing::AuthFixture;
using testing::kNow;

constexpr const char* kPw = "Tr0ub4dor&3-unique-pw";

TEST_F(AuthFixture, CreateGetListUsers) {
  auto a = accounts_->createUser("alice", Role::Admin, kPw);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->username, "alice");
  EXPECT_EQ(a->role, Role::Admin);
  EXPECT_EQ(a->createdMs, kNow);
  EXPECT_FALSE(a->disabled);
  auto b = accounts_->createUser("bob.ops-1_x", Role::Operator, kPw);
  ASSERT_TRUE(b.ok()) << b.error().message;

  auto got = accounts_->getUser(b->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->username, "bob.ops-1_x");
  EXPECT_EQ(got->role, Role::Operator);
  auto byName = accounts_->getUserByName("alice");
  ASSERT_TRUE(byName.ok());
  EXPECT_EQ(byName->id, a->id);

  auto all = accounts_->listUsers();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].username, "alice");
  EXPECT_EQ((*all)[1].username, "bob.ops-1_x");

  EXPECT_EQ(accounts_->getUser(9999).error().code, "not_found");
  EXPECT_EQ(accounts_->getUserByName("nobody").error().code, "not_found");
}

TEST_F(AuthFixture, CreateUserValidation) {
  ASSERT_TRUE(accounts_->createUser("alice", Role::Viewer, kPw).ok());
  auto dup = accounts_->createUser("alice", Role::Admin, kPw);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, "conflict");
  EXPECT_EQ(dup.error().message, "a user named 'alice' already exists");

  for (std::string bad : {std::string(), std::string(65, 'a'), std::string("al ice"), std::string("al/ice"),
                          std::string("al@ice"), std::string("ål")}) {
    auto r = accounts_->createUser(bad, Role::Viewer, kPw);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "bad_request") << bad;
  }
  EXPECT_TRUE(accounts_->createUser(std::string(64, 'a'), Role::Viewer, kPw).ok());

  auto dev = accounts_->createUser("dev", Role::Device, kPw);
  ASSERT_FALSE(dev.ok());
  EXPECT_EQ(dev.error().code, "bad_request");

  auto weak = accounts_->createUser("carol", Role::Viewer, "123456789");
  ASSERT_FALSE(weak.ok());
  EXPECT_EQ(weak.error().code, "bad_request");
  EXPECT_EQ(weak.error().message, "the password must be at least 10 characters long");
  EXPECT_EQ(accounts_->getUserByName("carol").error().code, "not_found");
}

TEST_F(AuthFixture, SecretsNeverReachTheDatabaseFiles) {
  const std::string password = "Zebra-Quartz-91827364";
  ASSERT_TRUE(accounts_->createUser("alice", Role::Admin, password).ok());
  auto login = accounts_->login("alice", password, kNow);
  ASSERT_TRUE(login.ok()) << login.error().message;
  ASSERT_TRUE(accounts_->authenticate(login->token, kNow + 1).ok());
  auto key = accounts_->createDeviceKey("pump-7", {"pump-7"});
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(accounts_->authenticate(key->key, kNow + 1).ok());
  ASSERT_TRUE(accounts_->updateUser(login->userId, UserUpdate{std::nullopt, std::string("Another-Secret-55555"),
                                                              std::nullopt}).ok());

  // Look while the connection is open (data may sit in the WAL) and again after closing it.
  for (int pass = 0; pass < 2; ++pass) {
    const std::string bytes = allBytes();
    ASSERT_FALSE(bytes.empty());
    EXPECT_EQ(bytes.find(password), std::string::npos) << "clear password in the database files";
    EXPECT_EQ(bytes.find("Another-Secret-55555"), std::string::npos);
    EXPECT_EQ(bytes.find(login->token.substr(4)), std::string::npos) << "clear session token in the database";
    EXPECT_EQ(bytes.find(key->key.substr(4)), std::string::npos) << "clear device key in the database";
    // Sanity: we are looking at the right bytes, the stored forms are there.
    EXPECT_NE(bytes.find(Tokens::digest(login->token)), std::string::npos);
    EXPECT_NE(bytes.find(Tokens::digest(key->key)), std::string::npos);
    EXPECT_NE(bytes.find("$argon2id$"), std::string::npos);
    accounts_.reset();
    db_.reset();
  }
}

TEST_F(AuthFixture, LoginAuthenticateLogout) {
  auto u = accounts_->createUser("olga", Role::Operator, kPw);
  ASSERT_TRUE(u.ok());
  auto login = accounts_->login("olga", kPw, kNow);
  ASSERT_TRUE(login.ok()) << login.error().message;
  EXPECT_TRUE(Tokens::wellFormed(login->token));
  EXPECT_EQ(login->token.rfind("cos_", 0), 0u);
  EXPECT_EQ(login->expiresMs, kNow + 12LL * 3600 * 1000);  // default 12 h
  EXPECT_EQ(login->role, Role::Operator);
  EXPECT_EQ(login->userId, u->id);

  auto p = accounts_->authenticate(login->token, kNow + 1000);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->kind, Principal::Kind::User);
  EXPECT_EQ(p->id, u->id);
  EXPECT_EQ(p->name, "olga");
  EXPECT_EQ(p->role, Role::Operator);
  EXPECT_TRUE(p->scope.empty());

  ASSERT_TRUE(accounts_->logout(login->token).ok());
  auto after = accounts_->authenticate(login->token, kNow + 1001);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, "unauthenticated");
  EXPECT_TRUE(accounts_->logout(login->token).ok());      // idempotent
  EXPECT_TRUE(accounts_->logout("cos_nonsense").ok());     // unknown: not an error
}

TEST_F(AuthFixture, SessionExpiresExactlyAtExpiresMs) {
  ASSERT_TRUE(accounts_->createUser("vic", Role::Viewer, kPw).ok());
  auto login = accounts_->login("vic", kPw, kNow, 60'000);
  ASSERT_TRUE(login.ok());
  EXPECT_EQ(login->expiresMs, kNow + 60'000);
  EXPECT_TRUE(accounts_->authenticate(login->token, kNow).ok());
  EXPECT_TRUE(accounts_->authenticate(login->token, kNow + 59'999).ok());
  auto at = accounts_->authenticate(login->token, kNow + 60'000);
  ASSERT_FALSE(at.ok());
  EXPECT_EQ(at.error().code, "unauthenticated");
  EXPECT_FALSE(accounts_->authenticate(login->token, kNow + 10'000'000).ok());
  EXPECT_EQ(accounts_->login("vic", kPw, kNow, 0).error().code, "bad_request");
}

TEST_F(AuthFixture, AllAuthenticationFailuresLookTheSame) {
  ASSERT_TRUE(accounts_->createUser("alice", Role::Admin, kPw).ok());
  auto d = accounts_->createUser("dora", Role::Viewer, kPw);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(accounts_->updateUser(d->id, UserUpdate{std::nullopt, std::nullopt, true}).ok());

  auto unknown = accounts_->login("nobody", kPw, kNow);
  auto wrong = accounts_->login("alice", "wrong-password-123", kNow);
  auto disabled = accounts_->login("dora", kPw, kNow);
  auto invalidName = accounts_->login("not a valid name!", kPw, kNow);
  for (const auto* r : {&unknown, &wrong, &disabled, &invalidName}) {
    ASSERT_FALSE(r->ok());
    EXPECT_EQ(r->error().code, "unauthenticated");
    EXPECT_EQ(r->error().message, "invalid username or password");
  }

  // authenticate: unknown, malformed, expired, revoked -> one message.
  auto login = accounts_->login("alice", kPw, kNow, 1000);
  ASSERT_TRUE(login.ok());
  auto expired = accounts_->authenticate(login->token, kNow + 1000);
  auto garbage = accounts_->authenticate("Bearer xyz", kNow);
  auto empty = accounts_->authenticate("", kNow);
  auto forged = accounts_->authenticate(Tokens::newSessionToken(), kNow);
  std::string swapped = login->token;
  swapped.replace(0, 4, "cok_");  // a session token presented as a device key
  auto asDevice = accounts_->authenticate(swapped, kNow);
  const auto second = accounts_->login("alice", kPw, kNow);
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(accounts_->logout(second->token).ok());
  auto revoked = accounts_->authenticate(second->token, kNow);
  for (const auto* r : {&expired, &garbage, &empty, &forged, &asDevice, &revoked}) {
    ASSERT_FALSE(r->ok());
    EXPECT_EQ(r->error().code, "unauthenticated");
    EXPECT_EQ(r->error().message, "missing, invalid, expired or revoked credentials");
  }
}

TEST_F(AuthFixture, UnknownUserLoginStillPaysForAPasswordVerification) {
  // The response time must not reveal which usernames exist: every login runs exactly one argon2 verification,
  // against a decoy hash when the user is unknown (counted, not timed).
  ASSERT_TRUE(accounts_->createUser("alice", Role::Admin, kPw).ok());
  for (const char* user : {"alice", "nobody"}) {
    const uint64_t before = PasswordHasher::verifications();
    EXPECT_FALSE(accounts_->login(user, "wrong-password-123", kNow).ok());
    EXPECT_EQ(PasswordHasher::verifications(), before + 1) << user;
  }
}

TEST_F(AuthFixture, RevocationIsImmediate) {
  auto u = accounts_->createUser("olga", Role::Operator, kPw);
  ASSERT_TRUE(u.ok());
  auto s1 = accounts_->login("olga", kPw, kNow);
  auto s2 = accounts_->login("olga", kPw, kNow);
  ASSERT_TRUE(s1.ok() && s2.ok());
  EXPECT_NE(s1->token, s2->token);
  ASSERT_TRUE(accounts_->authenticate(s1->token, kNow).ok());
  auto n = accounts_->revokeSessionsOf(u->id);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  EXPECT_FALSE(accounts_->authenticate(s1->token, kNow).ok());
  EXPECT_FALSE(accounts_->authenticate(s2->token, kNow).ok());
  auto s3 = accounts_->login("olga", kPw, kNow);
  ASSERT_TRUE(s3.ok());
  EXPECT_TRUE(accounts_->authenticate(s3->token, kNow).ok());
}

TEST_F(AuthFixture, UpdateUserRolePasswordDisabled) {
  ASSERT_TRUE(accounts_->createUser("root", Role::Admin, kPw).ok());
  auto u = accounts_->createUser("olga", Role::Operator, kPw);
  ASSERT_TRUE(u.ok());
  auto s = accounts_->login("olga", kPw, kNow);
  ASSERT_TRUE(s.ok());

  // Role change: effective on the next request, session kept.
  auto r = accounts_->updateUser(u->id, UserUpdate{Role::Viewer, std::nullopt, std::nullopt});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->role, Role::Viewer);
  auto p = accounts_->authenticate(s->token, kNow);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->role, Role::Viewer);

  // Password change: old sessions and the old password stop working.
  ASSERT_TRUE(accounts_->updateUser(u->id, UserUpdate{std::nullopt, std::string("brand-new-password"), std::nullopt})
                  .ok());
  EXPECT_FALSE(accounts_->authenticate(s->token, kNow).ok());
  EXPECT_FALSE(accounts_->login("olga", kPw, kNow).ok());
  auto s2 = accounts_->login("olga", "brand-new-password", kNow);
  ASSERT_TRUE(s2.ok());

  // Disable: sessions revoked, login refused; enable again: login works.
  ASSERT_TRUE(accounts_->updateUser(u->id, UserUpdate{std::nullopt, std::nullopt, true}).ok());
  EXPECT_FALSE(accounts_->authenticate(s2->token, kNow).ok());
  EXPECT_FALSE(accounts_->login("olga", "brand-new-password", kNow).ok());
  ASSERT_TRUE(accounts_->updateUser(u->id, UserUpdate{std::nullopt, std::nullopt, false}).ok());
  EXPECT_TRUE(accounts_->login("olga", "brand-new-password", kNow).ok());

  // Errors.
  EXPECT_EQ(accounts_->updateUser(u->id, UserUpdate{std::nullopt, std::string("short"), std::nullopt}).error().code,
            "bad_request");
  EXPECT_EQ(accounts_->updateUser(u->id, UserUpdate{Role::Device, std::nullopt, std::nullopt}).error().code,
            "bad_request");
  EXPECT_EQ(accounts_->updateUser(424242, UserUpdate{Role::Viewer, std::nullopt, std::nullopt}).error().code,
            "not_found");
}

TEST_F(AuthFixture, LastAdminCannotBeRemoved) {
  auto a = accounts_->createUser("root", Role::Admin, kPw);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*accounts_->countAdmins(), 1);
  EXPECT_EQ(accounts_->updateUser(a->id, UserUpdate{Role::Viewer, std::nullopt, std::nullopt}).error().code,
            "conflict");
  EXPECT_EQ(accounts_->updateUser(a->id, UserUpdate{std::nullopt, std::nullopt, true}).error().code, "conflict");
  EXPECT_EQ(accounts_->deleteUser(a->id).error().code, "conflict");
  EXPECT_EQ(accounts_->getUser(a->id)->role, Role::Admin);

  auto b = accounts_->createUser("root2", Role::Admin, kPw);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*accounts_->countAdmins(), 2);
  ASSERT_TRUE(accounts_->updateUser(a->id, UserUpdate{std::nullopt, std::nullopt, true}).ok());
  EXPECT_EQ(*accounts_->countAdmins(), 1);  // disabled admins do not count
  EXPECT_EQ(accounts_->deleteUser(b->id).error().code, "conflict");
  EXPECT_TRUE(accounts_->deleteUser(a->id).ok());  // a disabled admin may go
}

TEST_F(AuthFixture, DeleteUserEndsSessions) {
  ASSERT_TRUE(accounts_->createUser("root", Role::Admin, kPw).ok());
  auto u = accounts_->createUser("vic", Role::Viewer, kPw);
  ASSERT_TRUE(u.ok());
  auto s = accounts_->login("vic", kPw, kNow);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(accounts_->deleteUser(u->id).ok());
  EXPECT_FALSE(accounts_->authenticate(s->token, kNow).ok());
  EXPECT_EQ(accounts_->deleteUser(u->id).error().code, "not_found");
  // The name is free again, and the new account does not inherit the old session.
  auto again = accounts_->createUser("vic", Role::Viewer, kPw);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(accounts_->authenticate(s->token, kNow).ok());
}

TEST_F(AuthFixture, PurgeSessions) {
  ASSERT_TRUE(accounts_->createUser("vic", Role::Viewer, kPw).ok());
  auto shortLived = accounts_->login("vic", kPw, kNow, 1000);
  auto longLived = accounts_->login("vic", kPw, kNow, 100'000);
  auto loggedOut = accounts_->login("vic", kPw, kNow, 100'000);
  ASSERT_TRUE(shortLived.ok() && longLived.ok() && loggedOut.ok());
  ASSERT_TRUE(accounts_->logout(loggedOut->token).ok());
  auto n = accounts_->purgeSessions(kNow + 1000);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  EXPECT_TRUE(accounts_->authenticate(longLived->token, kNow + 1000).ok());
}

TEST_F(AuthFixture, DeviceKeyScopeRoundTripAndRevocation) {
  auto k = accounts_->createDeviceKey("river gauge #3", {"gauge-3", "gauge:3b", "gauge-3"});
  ASSERT_TRUE(k.ok()) << k.error().message;
  EXPECT_EQ(k->key.rfind("cok_", 0), 0u);
  EXPECT_TRUE(Tokens::wellFormed(k->key));

  auto p = accounts_->authenticate(k->key, kNow);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->kind, Principal::Kind::Device);
  EXPECT_EQ(p->role, Role::Device);
  EXPECT_EQ(p->id, k->id);
  EXPECT_EQ(p->name, "river gauge #3");
  EXPECT_EQ(p->scope, (std::vector<std::string>{"gauge-3", "gauge:3b"}));  // duplicates removed, order kept
  EXPECT_TRUE(p->mayWriteEntity("gauge-3"));
  EXPECT_TRUE(p->mayWriteEntity("gauge:3b"));
  EXPECT_FALSE(p->mayWriteEntity("gauge-4"));
  EXPECT_FALSE(p->mayWriteEntity(""));
  // Device keys do not expire with the session clock.
  EXPECT_TRUE(accounts_->authenticate(k->key, kNow + 365LL * 24 * 3600 * 1000).ok());

  auto k2 = accounts_->createDeviceKey("second", {"x"});
  ASSERT_TRUE(k2.ok());
  auto list = accounts_->listDeviceKeys();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, k->id);
  EXPECT_EQ((*list)[0].name, "river gauge #3");
  EXPECT_EQ((*list)[0].scope, (std::vector<std::string>{"gauge-3", "gauge:3b"}));
  EXPECT_EQ((*list)[0].createdMs, kNow);
  EXPECT_FALSE((*list)[0].revoked);

  ASSERT_TRUE(accounts_->revokeDeviceKey(k->id).ok());
  auto after = accounts_->authenticate(k->key, kNow);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, "unauthenticated");
  EXPECT_TRUE(accounts_->authenticate(k2->key, kNow).ok());
  EXPECT_TRUE((*accounts_->listDeviceKeys())[0].revoked);
  EXPECT_TRUE(accounts_->revokeDeviceKey(k->id).ok());  // twice is fine
  EXPECT_EQ(accounts_->revokeDeviceKey(999).error().code, "not_found");
  // A device key is not a session: logout does nothing to it.
  EXPECT_TRUE(accounts_->logout(k2->key).ok());
  EXPECT_TRUE(accounts_->authenticate(k2->key, kNow).ok());
}

TEST_F(AuthFixture, DeviceKeyValidation) {
  EXPECT_EQ(accounts_->createDeviceKey("", {"a"}).error().code, "bad_request");
  EXPECT_EQ(accounts_->createDeviceKey(std::string(129, 'n'), {"a"}).error().code, "bad_request");
  EXPECT_EQ(accounts_->createDeviceKey("line\nbreak", {"a"}).error().code, "bad_request");
  EXPECT_EQ(accounts_->createDeviceKey("ok", {}).error().code, "bad_request");
  EXPECT_EQ(accounts_->createDeviceKey("ok", {"bad id"}).error().code, "bad_request");
  EXPECT_EQ(accounts_->createDeviceKey("ok", {"a", ""}).error().code, "bad_request");
  EXPECT_TRUE(accounts_->listDeviceKeys()->empty());
}

TEST_F(AuthFixture, UsersAreNeverDevices) {
  ASSERT_TRUE(accounts_->createUser("alice", Role::Admin, kPw).ok());
  auto s = accounts_->login("alice", kPw, kNow);
  ASSERT_TRUE(s.ok());
  auto p = accounts_->authenticate(s->token, kNow);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->mayWriteEntity("anything"));
  Principal viewer = *p;
  viewer.role = Role::Viewer;
  EXPECT_FALSE(viewer.mayWriteEntity("anything"));
}

TEST_F(AuthFixture, AuditAppendAndQuery) {
  auto e = [](int64_t t, std::string actor, std::string action, std::string target) {
    AuditEntry a;
    a.timeMs = t;
    a.actor = std::move(actor);
    a.role = "admin";
    a.action = std::move(action);
    a.target = std::move(target);
    a.address = "10.0.0.1";
    return a;
  };
  auto first = e(kNow, "alice", "user.create", "user:2");
  first.after = R"({"username":"bob","role":"viewer"})";
  auto id1 = accounts_->appendAudit(first);
  ASSERT_TRUE(id1.ok()) << id1.error().message;
  ASSERT_TRUE(accounts_->appendAudit(e(kNow + 10, "alice", "user.update", "user:2")).ok());
  ASSERT_TRUE(accounts_->appendAudit(e(kNow + 20, "carol", "device_key.create", "device_key:1")).ok());
  clock_.set(kNow + 30);
  ASSERT_TRUE(accounts_->appendAudit(e(0, "alice", "device_key.revoke", "device_key:1")).ok());  // time from clock

  auto all = accounts_->queryAudit({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].action, "device_key.revoke");  // newest first
  EXPECT_EQ((*all)[0].timeMs, kNow + 30);
  EXPECT_EQ((*all)[3].id, *id1);
  EXPECT_EQ((*all)[3].after, R"({"username":"bob","role":"viewer"})");
  EXPECT_EQ((*all)[3].before, "");
  EXPECT_EQ((*all)[3].address, "10.0.0.1");

  AuditQuery byActor;
  byActor.actor = "alice";
  EXPECT_EQ(accounts_->queryAudit(byActor)->size(), 3u);
  AuditQuery byAction;
  byAction.action = "user.update";
  ASSERT_EQ(accounts_->queryAudit(byAction)->size(), 1u);
  AuditQuery window;
  window.fromMs = kNow + 10;  // inclusive
  window.toMs = kNow + 30;    // exclusive
  auto w = accounts_->queryAudit(window);
  ASSERT_EQ(w->size(), 2u);
  EXPECT_EQ((*w)[0].actor, "carol");
  EXPECT_EQ((*w)[1].action, "user.update");
  AuditQuery limited;
  limited.limit = 1;
  EXPECT_EQ(accounts_->queryAudit(limited)->size(), 1u);
  AuditQuery combined;
  combined.actor = "alice";
  combined.toMs = kNow + 10;
  EXPECT_EQ(accounts_->queryAudit(combined)->size(), 1u);
}

TEST_F(AuthFixture, AuditRowsAreAppendOnlyEvenInSql) {
  AuditEntry a;
  a.actor = "alice";
  a.action = "user.create";
  ASSERT_TRUE(accounts_->appendAudit(a).ok());
  EXPECT_FALSE(db_->exec("UPDATE audit SET actor='mallory'").ok());
  EXPECT_FALSE(db_->exec("DELETE FROM audit").ok());
  EXPECT_EQ(accounts_->queryAudit({})->at(0).actor, "alice");
}

TEST_F(AuthFixture, MigrateIsIdempotentAndDataSurvivesReopen) {
  ASSERT_TRUE(accounts_->createUser("alice", Role::Admin, kPw).ok());
  auto s = accounts_->login("alice", kPw, kNow);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(AccountStore::migrate(*db_).ok());
  open();  // closes and reopens the file, migrates again
  auto p = accounts_->authenticate(s->token, kNow);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "alice");
  // The store's schema version is left alone.
  auto v = db_->prepare("PRAGMA user_version");
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(*v->step());
  EXPECT_EQ(v->int64(0), 0);
}

}  // namespace
}  // namespace cityops::auth
