#include "auth/AccountStore.hpp"

#include "auth/PasswordHasher.hpp"
#include "auth/Tokens.hpp"
#include "model/Names.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <set>

namespace cityops::auth {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS users(
  id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
  password_hash TEXT NOT NULL, created_ms INTEGER NOT NULL, disabled INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS sessions(
  token_digest TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);
CREATE TABLE IF NOT EXISTS device_keys(
  id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, key_digest TEXT NOT NULL UNIQUE, scope TEXT NOT NULL,
  created_ms INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS audit(
  id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL,
  action TEXT NOT NULL, target TEXT NOT NULL, address TEXT NOT NULL, "before" TEXT, "after" TEXT);
CREATE INDEX IF NOT EXISTS audit_time ON audit(time_ms);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
)sql";

const Error& badCredentials() {
  static const Error e = Unauthenticated("invalid username or password");
  return e;
}
const Error& badToken() {
  static const Error e = Unauthenticated("missing, invalid, expired or revoked credentials");
  return e;
}

/// A real argon2id hash of a throw-away password, with the same parameters as every stored hash, so verifying
/// against it costs the same time as verifying a real user's password.
const std::string& decoyHash() {
  static const std::string h = [] {
    auto r = PasswordHasher::hash("cityops-timing-decoy-password");
    return r ? std::move(r).value() : std::string();
  }();
  return h;
}

Result<Role> roleFromDb(std::string_view s) {
  auto r = parseRole(s);
  if (!r) return Internal("unknown role '" + std::string(s) + "' in the users table");
  return r;
}

std::string scopeToJson(const std::vector<std::string>& scope) {
  boost::json::array a;
  for (const auto& s : scope) a.emplace_back(boost::json::string_view(s.data(), s.size()));
  return boost::json::serialize(a);
}

Result<std::vector<std::string>> scopeFromJson(std::string_view text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(boost::json::string_view(text.data(), text.size()), ec);
  if (ec || !v.is_array()) return Internal("corrupt device key scope in the database");
  std::vector<std::string> out;
  for (const auto& e : v.get_array()) {
    if (!e.is_string()) return Internal("corrupt device key scope in the database");
    out.emplace_back(e.get_string().data(), e.get_string().size());
  }
  return out;
}

bool validDeviceName(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  return std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace

bool AccountStore::isValidUsername(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

Status AccountStore::migrate(store::SqliteDb& db) {
  return db.transaction([&]() -> Status {
    if (auto s = db.exec(kSchema); !s) return Internal("auth migration failed: " + s.error().message);
    return {};
  });
}

AccountStore::AccountStore(store::SqliteDb& db, const Clock& clock) : db_(db), clock_(clock) {}

Status AccountStore::withTransaction(const std::function<Status()>& body) { return db_.transaction(body); }

// ---------------------------------------------------------------------------------------------------------- users

Result<std::optional<AccountStore::UserRow>> AccountStore::findUserLocked(std::string_view username) {
  auto st = db_.prepare("SELECT id, username, role, password_hash, created_ms, disabled FROM users WHERE username=?");
  if (!st) return st.error();
  st->bind(1, username);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<UserRow>();
  auto role = roleFromDb(st->text(2));
  if (!role) return role.error();
  UserRow r;
  r.user = User{st->int64(0), std::string(st->text(1)), *role, st->int64(4), st->int64(5) != 0};
  r.passwordHash = std::string(st->text(3));
  return std::optional<UserRow>(std::move(r));
}

Result<std::optional<User>> AccountStore::userByIdLocked(int64_t id) {
  auto st = db_.prepare("SELECT id, username, role, created_ms, disabled FROM users WHERE id=?");
  if (!st) return st.error();
  st->bind(1, id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<User>();
  auto role = roleFromDb(st->text(2));
  if (!role) return role.error();
  return std::optional<User>(User{st->int64(0), std::string(st->text(1)), *role, st->int64(3), st->int64(4) != 0});
}

Result<int64_t> AccountStore::countAdminsLocked() {
  auto st = db_.prepare("SELECT count(*) FROM users WHERE role='admin' AND disabled=0");
  if (!st) return st.error();
  auto row = st->step();
  if (!row) return row.error();
  return st->int64(0);
}

Result<User> AccountStore::createUser(std::string_view username, Role role, std::string_view password) {
  if (!isValidUsername(username))
    return BadRequest("the username must be 1 to 64 characters from A-Z, a-z, 0-9, '.', '_' and '-'");
  if (!isUserRole(role)) return BadRequest("a user's role must be admin, operator or viewer");
  auto hash = PasswordHasher::hash(password);  // checks the policy; slow, so outside the lock
  if (!hash) return hash.error();
  std::lock_guard lock(mu_);
  const int64_t now = clock_.nowMs();
  auto st = db_.prepare("INSERT INTO users(username, role, password_hash, created_ms, disabled) VALUES(?,?,?,?,0)");
  if (!st) return st.error();
  st->bind(1, username).bind(2, roleName(role)).bind(3, *hash).bind(4, now);
  if (auto s = st->run(); !s) {
    if (s.error().code == "conflict") return Conflict("a user named '" + std::string(username) + "' already exists");
    return s.error();
  }
  return User{db_.lastInsertRowid(), std::string(username), role, now, false};
}

Result<User> AccountStore::getUser(int64_t id) {
  std::lock_guard lock(mu_);
  auto u = userByIdLocked(id);
  if (!u) return u.error();
  if (!*u) return NotFound("no user with id " + std::to_string(id));
  return **u;
}

Result<User> AccountStore::getUserByName(std::string_view username) {
  std::lock_guard lock(mu_);
  auto u = findUserLocked(username);
  if (!u) return u.error();
  if (!*u) return NotFound("no user named '" + std::string(username.substr(0, 64)) + "'");
  return (*u)->user;
}

Result<std::vector<User>> AccountStore::listUsers() {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("SELECT id, username, role, created_ms, disabled FROM users ORDER BY id");
  if (!st) return st.error();
  std::vector<User> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    auto role = roleFromDb(st->text(2));
    if (!role) return role.error();
    out.push_back(User{st->int64(0), std::string(st->text(1)), *role, st->int64(3), st->int64(4) != 0});
  }
  return out;
}

Result<User> AccountStore::updateUser(int64_t id, const UserUpdate& update) {
  if (update.role && !isUserRole(*update.role)) return BadRequest("a user's role must be admin, operator or viewer");
  std::optional<std::string> newHash;
  if (update.password) {
    auto h = PasswordHasher::hash(*update.password);
    if (!h) return h.error();
    newHash = std::move(*h);
  }
  std::lock_guard lock(mu_);
  User result;
  auto s = withTransaction([&]() -> Status {
    auto cur = userByIdLocked(id);
    if (!cur) return cur.error();
    if (!*cur) return NotFound("no user with id " + std::to_string(id));
    User u = **cur;
    const bool wasActiveAdmin = u.role == Role::Admin && !u.disabled;
    if (update.role) u.role = *update.role;
    if (update.disabled) u.disabled = *update.disabled;
    const bool isActiveAdmin = u.role == Role::Admin && !u.disabled;
    if (wasActiveAdmin && !isActiveAdmin) {
      auto n = countAdminsLocked();
      if (!n) return n.error();
      if (*n <= 1) return Conflict("cannot demote or disable the last enabled admin");
    }
    auto st = db_.prepare("UPDATE users SET role=?, disabled=?, password_hash=coalesce(?, password_hash) WHERE id=?");
    if (!st) return st.error();
    st->bind(1, roleName(u.role)).bind(2, int64_t{u.disabled ? 1 : 0});
    if (newHash) st->bind(3, *newHash);
    else st->bindNull(3);
    st->bind(4, id);
    if (auto r = st->run(); !r) return r;
    if (newHash || u.disabled) {
      if (auto r = revokeSessionsLocked(id); !r) return r.error();
    }
    result = u;
    return {};
  });
  if (!s) return s.error();
  return result;
}

Status AccountStore::deleteUser(int64_t id) {
  std::lock_guard lock(mu_);
  return withTransaction([&]() -> Status {
    auto cur = userByIdLocked(id);
    if (!cur) return cur.error();
    if (!*cur) return NotFound("no user with id " + std::to_string(id));
    if ((*cur)->role == Role::Admin && !(*cur)->disabled) {
      auto n = countAdminsLocked();
      if (!n) return n.error();
      if (*n <= 1) return Conflict("cannot delete the last enabled admin");
    }
    auto del = db_.prepare("DELETE FROM sessions WHERE user_id=?");
    if (!del) return del.error();
    if (auto r = del->bind(1, id).run(); !r) return r;
    auto st = db_.prepare("DELETE FROM users WHERE id=?");
    if (!st) return st.error();
    return st->bind(1, id).run();
  });
}

Result<int64_t> AccountStore::countAdmins() {
  std::lock_guard lock(mu_);
  return countAdminsLocked();
}

// ------------------------------------------------------------------------------------------------------- sessions

Result<LoginResult> AccountStore::login(std::string_view username, std::string_view password, int64_t nowMs,
                                        int64_t ttlMs) {
  if (ttlMs <= 0) return BadRequest("the session lifetime must be positive");
  std::optional<UserRow> row;
  if (isValidUsername(username)) {
    std::lock_guard lock(mu_);
    auto r = findUserLocked(username);
    if (!r) return r.error();
    row = std::move(*r);
  }
  // Always verify, against the decoy hash when there is no such user, so timing does not reveal usernames.
  const bool match = PasswordHasher::verify(password, row ? row->passwordHash : decoyHash());
  if (!row || !match || row->user.disabled) return badCredentials();

  LoginResult out;
  out.token = Tokens::newSessionToken();
  out.expiresMs = nowMs + ttlMs;
  out.role = row->user.role;
  out.userId = row->user.id;
  out.username = row->user.username;
  std::lock_guard lock(mu_);
  auto st = db_.prepare("INSERT INTO sessions(token_digest, user_id, created_ms, expires_ms, revoked) VALUES(?,?,?,?,0)");
  if (!st) return st.error();
  st->bind(1, Tokens::digest(out.token)).bind(2, out.userId).bind(3, nowMs).bind(4, out.expiresMs);
  if (auto s = st->run(); !s) {
    if (s.error().code == "conflict") return badCredentials();  // the user was deleted meanwhile
    return s.error();
  }
  return out;
}

Result<Principal> AccountStore::authenticateSessionLocked(std::string_view digest, int64_t nowMs) {
  auto st = db_.prepare(
      "SELECT u.id, u.username, u.role, u.disabled, s.expires_ms, s.revoked FROM sessions s "
      "JOIN users u ON u.id = s.user_id WHERE s.token_digest=?");
  if (!st) return st.error();
  st->bind(1, digest);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return badToken();
  if (st->int64(3) != 0 || st->int64(5) != 0 || nowMs >= st->int64(4)) return badToken();
  auto role = roleFromDb(st->text(2));
  if (!role) return role.error();
  Principal p;
  p.kind = Principal::Kind::User;
  p.id = st->int64(0);
  p.name = std::string(st->text(1));
  p.role = *role;
  p.expiresMs = st->int64(4);
  return p;
}

Result<Principal> AccountStore::authenticateDeviceLocked(std::string_view digest) {
  auto st = db_.prepare("SELECT id, name, scope, revoked FROM device_keys WHERE key_digest=?");
  if (!st) return st.error();
  st->bind(1, digest);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row || st->int64(3) != 0) return badToken();
  auto scope = scopeFromJson(st->text(2));
  if (!scope) return scope.error();
  Principal p;
  p.kind = Principal::Kind::Device;
  p.id = st->int64(0);
  p.name = std::string(st->text(1));
  p.role = Role::Device;
  p.scope = std::move(*scope);
  return p;
}

Result<Principal> AccountStore::authenticate(std::string_view token, int64_t nowMs) {
  if (!Tokens::wellFormed(token)) return badToken();
  const std::string digest = Tokens::digest(token);
  std::lock_guard lock(mu_);
  if (token.substr(0, 4) == Tokens::kSessionPrefix) return authenticateSessionLocked(digest, nowMs);
  return authenticateDeviceLocked(digest);
}

Status AccountStore::logout(std::string_view token) {
  if (!Tokens::wellFormed(token) || token.substr(0, 4) != Tokens::kSessionPrefix) return {};
  const std::string digest = Tokens::digest(token);
  std::lock_guard lock(mu_);
  auto st = db_.prepare("UPDATE sessions SET revoked=1 WHERE token_digest=?");
  if (!st) return st.error();
  return st->bind(1, digest).run();
}

Result<int64_t> AccountStore::revokeSessionsLocked(int64_t userId) {
  auto st = db_.prepare("UPDATE sessions SET revoked=1 WHERE user_id=? AND revoked=0");
  if (!st) return st.error();
  if (auto s = st->bind(1, userId).run(); !s) return s.error();
  return static_cast<int64_t>(db_.changes());
}

Result<int64_t> AccountStore::revokeSessionsOf(int64_t userId) {
  std::lock_guard lock(mu_);
  return revokeSessionsLocked(userId);
}

Result<int64_t> AccountStore::purgeSessions(int64_t nowMs) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("DELETE FROM sessions WHERE revoked<>0 OR expires_ms<=?");
  if (!st) return st.error();
  if (auto s = st->bind(1, nowMs).run(); !s) return s.error();
  return static_cast<int64_t>(db_.changes());
}

// ---------------------------------------------------------------------------------------------------- device keys

Result<NewDeviceKey> AccountStore::createDeviceKey(std::string_view name, const std::vector<std::string>& scope) {
  if (!validDeviceName(name)) return BadRequest("the device key name must be 1 to 128 printable characters");
  if (scope.empty()) return BadRequest("a device key's scope must list at least one entity id");
  if (scope.size() > kMaxScope)
    return BadRequest("a device key's scope may list at most " + std::to_string(kMaxScope) + " entity ids");
  std::vector<std::string> ids;
  std::set<std::string_view> seen;
  for (const auto& id : scope) {
    if (!model::isValidEntityId(id)) return BadRequest("'" + id.substr(0, 128) + "' is not a valid entity id");
    if (seen.insert(id).second) ids.push_back(id);
  }
  NewDeviceKey out;
  out.key = Tokens::newDeviceKey();
  std::lock_guard lock(mu_);
  auto st = db_.prepare("INSERT INTO device_keys(name, key_digest, scope, created_ms, revoked) VALUES(?,?,?,?,0)");
  if (!st) return st.error();
  st->bind(1, name).bind(2, Tokens::digest(out.key)).bind(3, scopeToJson(ids)).bind(4, clock_.nowMs());
  if (auto s = st->run(); !s) return s.error();
  out.id = db_.lastInsertRowid();
  return out;
}

Result<std::vector<DeviceKeyInfo>> AccountStore::listDeviceKeys() {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("SELECT id, name, scope, created_ms, revoked FROM device_keys ORDER BY id");
  if (!st) return st.error();
  std::vector<DeviceKeyInfo> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    auto scope = scopeFromJson(st->text(2));
    if (!scope) return scope.error();
    out.push_back(DeviceKeyInfo{st->int64(0), std::string(st->text(1)), std::move(*scope), st->int64(3),
                                st->int64(4) != 0});
  }
  return out;
}

Status AccountStore::revokeDeviceKey(int64_t id) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("UPDATE device_keys SET revoked=1 WHERE id=?");
  if (!st) return st.error();
  if (auto s = st->bind(1, id).run(); !s) return s;
  if (db_.changes() == 0) return NotFound("no device key with id " + std::to_string(id));
  return {};
}

// ---------------------------------------------------------------------------------------------------------- audit

Result<int64_t> AccountStore::appendAudit(const AuditEntry& e) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "INSERT INTO audit(time_ms, actor, role, action, target, address, \"before\", \"after\") VALUES(?,?,?,?,?,?,?,?)");
  if (!st) return st.error();
  st->bind(1, e.timeMs != 0 ? e.timeMs : clock_.nowMs())
      .bind(2, e.actor)
      .bind(3, e.role)
      .bind(4, e.action)
      .bind(5, e.target)
      .bind(6, e.address);
  if (e.before.empty()) st->bindNull(7);
  else st->bind(7, e.before);
  if (e.after.empty()) st->bindNull(8);
  else st->bind(8, e.after);
  if (auto s = st->run(); !s) return s.error();
  return db_.lastInsertRowid();
}

Result<std::vector<AuditEntry>> AccountStore::queryAudit(const AuditQuery& q) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "SELECT id, time_ms, actor, role, action, target, address, \"before\", \"after\" FROM audit "
      "WHERE (?1 IS NULL OR actor=?1) AND (?2 IS NULL OR action=?2) AND (?3 IS NULL OR time_ms>=?3) "
      "AND (?4 IS NULL OR time_ms<?4) ORDER BY id DESC LIMIT ?5");
  if (!st) return st.error();
  if (q.actor) st->bind(1, *q.actor);
  else st->bindNull(1);
  if (q.action) st->bind(2, *q.action);
  else st->bindNull(2);
  if (q.fromMs) st->bind(3, *q.fromMs);
  else st->bindNull(3);
  if (q.toMs) st->bind(4, *q.toMs);
  else st->bindNull(4);
  st->bind(5, int64_t{std::clamp(q.limit, 1, 1000)});
  std::vector<AuditEntry> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    AuditEntry e;
    e.id = st->int64(0);
    e.timeMs = st->int64(1);
    e.actor = std::string(st->text(2));
    e.role = std::string(st->text(3));
    e.action = std::string(st->text(4));
    e.target = std::string(st->text(5));
    e.address = std::string(st->text(6));
    e.before = std::string(st->text(7));
    e.after = std::string(st->text(8));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace cityops::auth
