#pragma once
// Who is calling: a user (with one role) or a device key (role Device, scoped to a list of entity ids).
#include "auth/Role.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cityops::auth {

struct Principal {
  enum class Kind { User, Device };
  Kind kind = Kind::User;
  int64_t id = 0;                  // users.id or device_keys.id
  std::string name;                // username or device key name
  Role role = Role::Viewer;        // always Role::Device for device keys
  std::vector<std::string> scope;  // devices: the entity ids they may write observations for; empty for users
  int64_t expiresMs = 0;           // sessions: when the token stops working; 0 for device keys (until revoked)

  /// Whether this principal may write observations for `entityId`: devices only within their scope; users by role
  /// (the route policy has already decided whether the user may write at all).
  bool mayWriteEntity(std::string_view entityId) const {
    if (kind == Kind::User) return role == Role::Admin || role == Role::Operator;
    return std::find(scope.begin(), scope.end(), entityId) != scope.end();
  }
};

}  // namespace cityops::auth
