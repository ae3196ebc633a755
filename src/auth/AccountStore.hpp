#pragma once
// Users, sessions, device keys and the audit trail, in four tables of the cityops SQLite database.
//
// Secrets: passwords are kept only as argon2id hashes, session tokens and device keys only as SHA-256 digests; the
// clear secret is handed to the caller once (login / createDeviceKey) and never stored or logged.
// Threading: every method may be called from any thread; one mutex serialises use of the connection, and password
// hashing/verification (the slow part) runs outside it.
#include "auth/Credentials.hpp"  // Unauthenticated()
#include "auth/Principal.hpp"
#include "auth/Role.hpp"
#include "common/Clock.hpp"
#include "common/Result.hpp"
#include "store/SqliteDb.hpp"

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cityops::auth {

struct User {
  int64_t id = 0;
  std::string username;
  Role role = Role::Viewer;
  int64_t createdMs = 0;
  bool disabled = false;
};

struct UserUpdate {
  std::optional<Role> role;
  std::optional<std::string> password;  // new clear password; checked against the policy, stored hashed
  std::optional<bool> disabled;
};

struct LoginResult {
  std::string token;  // the clear session token, returned once
  int64_t expiresMs = 0;
  Role role = Role::Viewer;
  int64_t userId = 0;
  std::string username;
};

struct DeviceKeyInfo {  // what listDeviceKeys shows: never the key
  int64_t id = 0;
  std::string name;
  std::vector<std::string> scope;
  int64_t createdMs = 0;
  bool revoked = false;
};

struct NewDeviceKey {
  int64_t id = 0;
  std::string key;  // the clear key, returned once
};

struct AuditEntry {
  int64_t id = 0;      // assigned by appendAudit
  int64_t timeMs = 0;  // 0: appendAudit uses the clock
  std::string actor;   // username, "device:<id>", or "anonymous"
  std::string role;    // role name of the actor, or "" for anonymous
  std::string action;  // e.g. "user.create", "login.failure"
  std::string target;  // e.g. "user:7"
  std::string address; // client address
  std::string before;  // JSON text or ""; never secrets
  std::string after;   // JSON text or ""; never secrets
};

struct AuditQuery {
  std::optional<std::string> actor;
  std::optional<std::string> action;
  std::optional<int64_t> fromMs;  // inclusive
  std::optional<int64_t> toMs;    // exclusive
  int limit = 100;                // clamped to [1, 1000]; newest first
};

class AccountStore {
 public:
  static constexpr int64_t kDefaultSessionTtlMs = 12LL * 3600 * 1000;
  static constexpr size_t kMaxScope = 10000;

  /// Creates the four tables (and indexes, and triggers that make audit rows append-only) if missing, in one
  /// transaction. Idempotent; does not touch PRAGMA user_version (that belongs to store::Schema).
  static Status migrate(store::SqliteDb& db);

  /// `db` must outlive this object and be used by nobody else (the lead gives it its own connection).
  /// Call migrate(db) first.
  AccountStore(store::SqliteDb& db, const Clock& clock);

  // --- users ---
  /// username [A-Za-z0-9._-]{1,64}; role admin/operator/viewer; password per PasswordHasher policy.
  /// "conflict" if the username exists.
  Result<User> createUser(std::string_view username, Role role, std::string_view password);
  Result<User> getUser(int64_t id);
  Result<User> getUserByName(std::string_view username);
  Result<std::vector<User>> listUsers();
  /// Changing the password or disabling revokes the user's sessions. Refuses ("conflict") to demote or disable the
  /// last enabled admin.
  Result<User> updateUser(int64_t id, const UserUpdate& update);
  /// Deletes the user and their sessions. Refuses ("conflict") to delete the last enabled admin.
  Status deleteUser(int64_t id);
  /// Enabled admins.
  Result<int64_t> countAdmins();

  // --- sessions ---
  /// Verifies the password (also for unknown users, against a decoy hash, so timing does not reveal which usernames
  /// exist) and opens a session valid for [nowMs, nowMs + ttlMs). Unknown user, wrong password and disabled account
  /// all give the same Unauthenticated error.
  Result<LoginResult> login(std::string_view username, std::string_view password, int64_t nowMs,
                            int64_t ttlMs = kDefaultSessionTtlMs);
  /// A session token ("cos_...") or a device key ("cok_..."). Unknown, malformed, expired (nowMs >= expires),
  /// revoked, disabled user: all the same Unauthenticated error.
  Result<Principal> authenticate(std::string_view token, int64_t nowMs);
  /// Revokes the session of `token`. Unknown tokens are not an error (idempotent).
  Status logout(std::string_view token);
  /// Revokes every session of the user; returns how many were live.
  Result<int64_t> revokeSessionsOf(int64_t userId);
  /// Deletes sessions that expired before nowMs or were revoked; returns how many.
  Result<int64_t> purgeSessions(int64_t nowMs);

  // --- device keys ---
  /// name: 1..128 printable characters; scope: 1..kMaxScope valid entity ids (duplicates removed).
  Result<NewDeviceKey> createDeviceKey(std::string_view name, const std::vector<std::string>& scope);
  Result<std::vector<DeviceKeyInfo>> listDeviceKeys();
  /// "not_found" if no such key; revoking twice is fine.
  Status revokeDeviceKey(int64_t id);

  // --- audit (append-only: there is no update or delete) ---
  Result<int64_t> appendAudit(const AuditEntry& entry);
  Result<std::vector<AuditEntry>> queryAudit(const AuditQuery& query);

  static bool isValidUsername(std::string_view s);

 private:
  struct UserRow {
    User user;
    std::string passwordHash;
  };
  Result<std::optional<UserRow>> findUserLocked(std::string_view username);
  Result<std::optional<User>> userByIdLocked(int64_t id);
  Result<int64_t> countAdminsLocked();
  Result<int64_t> revokeSessionsLocked(int64_t userId);
  Result<Principal> authenticateSessionLocked(std::string_view digest, int64_t nowMs);
  Result<Principal> authenticateDeviceLocked(std::string_view digest);
  Status withTransaction(const std::function<Status()>& body);

  store::SqliteDb& db_;
  const Clock& clock_;
  std::mutex mu_;
};

}  // namespace cityops::auth
