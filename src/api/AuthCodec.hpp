#pragma once
// JSON shapes of the account routes: request bodies in (strict: a JSON object, nesting at most kMaxDepth levels,
// unknown members and wrong types are "bad_request" errors that name the member) and users, device keys and audit
// entries out. Pure: no I/O, no clock.
//
// Secrets: no error message ever contains a password or a token; messages about a password depend only on its
// length, never on its content.
#include "auth/AccountStore.hpp"
#include "auth/Role.hpp"
#include "common/Result.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cityops::api {

inline constexpr int kAuthBodyMaxDepth = 4;  // the deepest valid body is {"scope": ["..."]}: 2
inline constexpr size_t kMaxLoginUsername = 64;
inline constexpr size_t kMaxDeviceKeyName = 128;
inline constexpr int kMaxAuditLimit = 1000;
inline constexpr int kDefaultAuditLimit = 100;

struct LoginRequest {
  std::string username;
  std::string password;
};

/// {"username": "...", "password": "..."}: both required strings; username at most 64 bytes, password at most
/// PasswordHasher::kMaxLength bytes. The password policy is not checked (old passwords must keep working).
Result<LoginRequest> decodeLogin(std::string_view body);

struct NewUserRequest {
  std::string username;
  auth::Role role = auth::Role::Viewer;
  std::string password;
};

/// {"username", "role", "password"}: all required; username per AccountStore::isValidUsername, role admin, operator
/// or viewer, password per PasswordHasher::checkPolicy.
Result<NewUserRequest> decodeNewUser(std::string_view body);

/// {"role"?, "password"?, "disabled"?}: at least one; same rules as decodeNewUser, disabled a boolean.
Result<auth::UserUpdate> decodeUserUpdate(std::string_view body);

struct NewDeviceKeyRequest {
  std::string name;
  std::vector<std::string> scope;
};

/// {"name": "...", "scope": ["entity id", ...]}: name 1..128 printable characters, scope 1..AccountStore::kMaxScope
/// valid entity ids (duplicates are left for the store to remove).
Result<NewDeviceKeyRequest> decodeNewDeviceKey(std::string_view body);

/// {id, username, role, created_at, disabled}
boost::json::object userJson(const auth::User& u);
/// {id, name, scope, created_at, revoked}: never the key.
boost::json::object deviceKeyJson(const auth::DeviceKeyInfo& k);
/// {id, time, actor, role, action, target, address, before, after}: before/after are the JSON they hold, null when
/// empty, or the text itself when it is not JSON.
boost::json::object auditJson(const auth::AuditEntry& e);

/// Query parameters of GET /api/v1/audit: actor, action (exact match, non-empty), from (inclusive), to (exclusive;
/// RFC 3339 or epoch ms), limit (1..1000, default 100). Unknown parameters are an error.
Result<auth::AuditQuery> decodeAuditQuery(const std::map<std::string, std::string>& query);

}  // namespace cityops::api
