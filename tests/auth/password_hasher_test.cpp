#include "auth/PasswordHasher.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cityops::auth {
namespace {

TEST(PasswordHasher, HashIsArgon2idAndNotTheClearPassword) {
  const std::string pw = "correct horse battery staple";
  auto h = PasswordHasher::hash(pw);
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u) << *h;
  EXPECT_EQ(h->find(pw), std::string::npos);
  EXPECT_EQ(h->find("horse"), std::string::npos);
}

TEST(PasswordHasher, SaltedSoTwoHashesDiffer) {
  auto a = PasswordHasher::hash("same password 123");
  auto b = PasswordHasher::hash("same password 123");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(PasswordHasher::verify("same password 123", *a));
  EXPECT_TRUE(PasswordHasher::verify("same password 123", *b));
}

TEST(PasswordHasher, VerifyRightAndWrong) {
  auto h = PasswordHasher::hash("s3cret-passphrase");
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(PasswordHasher::verify("s3cret-passphrase", *h));
  EXPECT_FALSE(PasswordHasher::verify("s3cret-passphrasE", *h));
  EXPECT_FALSE(PasswordHasher::verify("s3cret-passphrase ", *h));
  EXPECT_FALSE(PasswordHasher::verify("", *h));
}

TEST(PasswordHasher, VerifyAgainstMalformedHashIsFalse) {
  EXPECT_FALSE(PasswordHasher::verify("whatever-password", ""));
  EXPECT_FALSE(PasswordHasher::verify("whatever-password", "not a hash"));
  EXPECT_FALSE(PasswordHasher::verify("whatever-password", "$argon2id$v=19$m=65536,t=2,p=1$garbage"));
  EXPECT_FALSE(PasswordHasher::verify("whatever-password", std::string(500, 'x')));
  EXPECT_FALSE(PasswordHasher::verify("whatever-password", std::string("$argon2id\0$", 11)));
}

TEST(PasswordHasher, PolicyBoundsAreInclusive) {
  EXPECT_TRUE(PasswordHasher::checkPolicy(std::string(10, 'a')).ok());
  EXPECT_TRUE(PasswordHasher::checkPolicy(std::string(1024, 'a')).ok());

  auto tooShort = PasswordHasher::checkPolicy(std::string(9, 'a'));
  ASSERT_FALSE(tooShort.ok());
  EXPECT_EQ(tooShort.error().code, "bad_request");
  EXPECT_EQ(tooShort.error().message, "the password must be at least 10 characters long");

  auto tooLong = PasswordHasher::checkPolicy(std::string(1025, 'a'));
  ASSERT_FALSE(tooLong.ok());
  EXPECT_EQ(tooLong.error().code, "bad_request");
  EXPECT_EQ(tooLong.error().message, "the password must be at most 1024 bytes long");

  EXPECT_FALSE(PasswordHasher::checkPolicy("").ok());
}

TEST(PasswordHasher, HashEnforcesPolicyAndNeverEchoesThePassword) {
  auto h = PasswordHasher::hash("short-pw");  // 8 bytes
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code, "bad_request");
  EXPECT_EQ(h.error().message.find("short-pw"), std::string::npos);
  EXPECT_FALSE(PasswordHasher::hash(std::string(1025, 'p')).ok());
}

TEST(PasswordHasher, OverLongPasswordNeverVerifies) {
  auto h = PasswordHasher::hash(std::string(1024, 'p'));
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(PasswordHasher::verify(std::string(1024, 'p'), *h));
  EXPECT_FALSE(PasswordHasher::verify(std::string(1025, 'p'), *h));
}

}  // namespace
}  // namespace cityops::auth
