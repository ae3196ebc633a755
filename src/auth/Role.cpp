#include "auth/Role.hpp"

#include <string>

namespace cityops::auth {

std::string_view roleName(Role r) {
  switch (r) {
    case Role::Admin: return "admin";
    case Role::Operator: return "operator";
    case Role::Viewer: return "viewer";
    case Role::Device: return "device";
  }
  return "unknown";
}

Result<Role> parseRole(std::string_view s) {
  for (Role r : kAllRoles)
    if (roleName(r) == s) return r;
  return BadRequest("role must be one of admin, operator, viewer, device (got '" + std::string(s.substr(0, 32)) + "')");
}

bool isUserRole(Role r) { return r == Role::Admin || r == Role::Operator || r == Role::Viewer; }

}  // namespace cityops::auth
