#include "auth/Tokens.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace cityops::auth {
namespace {

bool base64url(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }

TEST(Tokens, SessionTokenFormat) {
  const std::string t = Tokens::newSessionToken();
  EXPECT_EQ(t.rfind("cos_", 0), 0u);
  EXPECT_EQ(t.size(), 4u + 43u);  // 32 random bytes = 256 bits -> 43 base64url chars, no '=' padding
  for (char c : t.substr(4)) EXPECT_TRUE(base64url(c)) << t;
  EXPECT_EQ(t.find('='), std::string::npos);
  EXPECT_TRUE(Tokens::wellFormed(t));
}

TEST(Tokens, DeviceKeyFormat) {
  const std::string k = Tokens::newDeviceKey();
  EXPECT_EQ(k.rfind("cok_", 0), 0u);
  EXPECT_EQ(k.size(), 47u);
  for (char c : k.substr(4)) EXPECT_TRUE(base64url(c)) << k;
  EXPECT_TRUE(Tokens::wellFormed(k));
}

TEST(Tokens, DistinctAndUseTheWholeAlphabet) {
  std::set<std::string> seen;
  std::set<char> chars;
  for (int i = 0; i < 2000; ++i) {
    auto t = Tokens::newSessionToken();
    EXPECT_TRUE(seen.insert(t).second);
    // The last char of 43 carries only 4 bits (of 256 total), so count the first 42.
    for (char c : t.substr(4, 42)) chars.insert(c);
  }
  // 2000 x 42 draws from 64 symbols: every symbol appears (a missing one would mean a broken encoder or RNG).
  EXPECT_EQ(chars.size(), 64u);
}

TEST(Tokens, DigestIsHexSha256) {
  // SHA-256("abc"), FIPS 180-2 test vector.
  EXPECT_EQ(Tokens::digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Tokens::digest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const auto t = Tokens::newSessionToken();
  const auto d = Tokens::digest(t);
  EXPECT_EQ(d.size(), 64u);
  EXPECT_EQ(d, Tokens::digest(t));
  EXPECT_EQ(d.find(t.substr(4)), std::string::npos);
}

TEST(Tokens, ConstantTimeEqual) {
  EXPECT_TRUE(Tokens::equal("abcdef", "abcdef"));
  EXPECT_FALSE(Tokens::equal("abcdef", "abcdeg"));
  EXPECT_FALSE(Tokens::equal("abcdef", "abcde"));
  EXPECT_TRUE(Tokens::equal("", ""));
}

TEST(Tokens, WellFormedRejectsOthers) {
  const std::string t = Tokens::newSessionToken();
  EXPECT_FALSE(Tokens::wellFormed(""));
  EXPECT_FALSE(Tokens::wellFormed("cos_"));
  EXPECT_FALSE(Tokens::wellFormed(t.substr(0, 46)));
  EXPECT_FALSE(Tokens::wellFormed(t + "A"));
  EXPECT_FALSE(Tokens::wellFormed("xxx_" + t.substr(4)));
  std::string bad = t;
  bad[10] = '+';
  EXPECT_FALSE(Tokens::wellFormed(bad));
}

}  // namespace
}  // namespace cityops::auth
