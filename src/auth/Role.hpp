#pragma once
// The four roles: one per user (admin, operator, viewer); device keys always act as Device.
#include "common/Result.hpp"

#include <array>
#include <string_view>

namespace cityops::auth {

enum class Role { Admin, Operator, Viewer, Device };

inline constexpr std::array<Role, 4> kAllRoles = {Role::Admin, Role::Operator, Role::Viewer, Role::Device};

/// "admin", "operator", "viewer", "device".
std::string_view roleName(Role r);

/// Parses a role name (exact, lower case). Error "bad_request" for anything else.
Result<Role> parseRole(std::string_view s);

/// Roles a user account may hold (Device is reserved for device keys).
bool isUserRole(Role r);

}  // namespace cityops::auth
