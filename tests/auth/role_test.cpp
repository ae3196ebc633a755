#include "auth/Role.hpp"

#include <gtest/gtest.h>

namespace cityops::auth {
namespace {

TEST(Role, NamesRoundTrip) {
  for (Role r : kAllRoles) {
    auto p = parseRole(roleName(r));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*p, r);
  }
  EXPECT_EQ(roleName(Role::Admin), "admin");
  EXPECT_EQ(roleName(Role::Operator), "operator");
  EXPECT_EQ(roleName(Role::Viewer), "viewer");
  EXPECT_EQ(roleName(Role::Device), "device");
}

TEST(Role, RejectsUnknownAndCaseVariants) {
  for (const char* s : {"", "Admin", "ADMIN", "root", "viewer ", "superuser"}) {
    auto p = parseRole(s);
    ASSERT_FALSE(p.ok()) << s;
    EXPECT_EQ(p.error().code, "bad_request");
  }
}

TEST(Role, DeviceIsNotAUserRole) {
  EXPECT_TRUE(isUserRole(Role::Admin));
  EXPECT_TRUE(isUserRole(Role::Operator));
  EXPECT_TRUE(isUserRole(Role::Viewer));
  EXPECT_FALSE(isUserRole(Role::Device));
}

}  // namespace
}  // namespace cityops::auth
