#include "auth/Credentials.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace cityops::auth {
namespace {

// Hand-written, not from Tokens::new*(): 4-char prefix + 43 base64url characters.
const std::string kSession = "cos_" + std::string("AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde");
const std::string kDevice = "cok_" + std::string("zZyYxXwWvVuUtTsSrRqQpPoOnNmMlLkKjJiIhHgGfF9");

constexpr std::string_view kExpected = "expected Authorization: Bearer <token>";
constexpr std::string_view kMalformed = "malformed bearer token";

void expectError(std::string_view header, std::string_view message) {
  auto r = bearerToken(header);
  ASSERT_FALSE(r.ok()) << "accepted: [" << header << "]";
  EXPECT_EQ(r.error().code, "unauthenticated") << header;
  EXPECT_EQ(r.error().message, message) << header;
}

TEST(Credentials, TestTokensHaveTheRightShape) {
  ASSERT_EQ(kSession.size(), 47u);
  ASSERT_EQ(kDevice.size(), 47u);
}

TEST(Credentials, SessionTokenAndDeviceKey) {
  for (const auto& t : {kSession, kDevice}) {
    const std::string h = "Bearer " + t;
    auto r = bearerToken(h);
    ASSERT_TRUE(r.ok()) << h;
    EXPECT_EQ(*r, t);
    // A view into the header, not a copy.
    EXPECT_EQ(r->data(), h.data() + 7);
  }
}

TEST(Credentials, SchemeIsCaseInsensitive) {
  for (std::string scheme : {"bearer", "BEARER", "bEaReR", "Bearer"}) {
    const std::string h = scheme + " " + kSession;  // the result views into the header: keep it alive
    auto r = bearerToken(h);
    ASSERT_TRUE(r.ok()) << scheme;
    EXPECT_EQ(*r, kSession);
  }
}

TEST(Credentials, SpacesAndTabs) {
  for (std::string h : {"Bearer  " + kSession, "Bearer\t" + kSession, "Bearer \t \t" + kSession,
                        "Bearer " + kSession + " ", "Bearer " + kSession + "\t \t", " Bearer " + kSession,
                        "\tBearer\t" + kSession + "\t"}) {
    auto r = bearerToken(h);
    ASSERT_TRUE(r.ok()) << "[" << h << "]";
    EXPECT_EQ(*r, kSession);
  }
}

TEST(Credentials, EmptyOrBlankHeader) {
  expectError("", kExpected);
  expectError(" ", kExpected);
  expectError("\t \t", kExpected);
}

TEST(Credentials, OtherSchemes) {
  expectError("Basic dXNlcjpwYXNzd29yZA==", kExpected);
  expectError("Token " + kSession, kExpected);
  expectError("Bearers " + kSession, kExpected);
  expectError("Beare " + kSession, kExpected);
  expectError("Bearér " + kSession, kExpected);
  expectError(kSession, kExpected);  // the token without a scheme
}

TEST(Credentials, SchemeWithoutToken) {
  expectError("Bearer", kExpected);
  expectError("bearer", kExpected);
  expectError("Bearer ", kExpected);
  expectError("Bearer \t  ", kExpected);
}

TEST(Credentials, SchemeMustBeFollowedByBlank) {
  expectError("Bearer" + kSession, kExpected);
  expectError("Bearer:" + kSession, kExpected);
  expectError("Bearer\n" + kSession, kExpected);
  expectError("Bearer\r\n " + kSession, kExpected);
}

TEST(Credentials, MalformedTokens) {
  expectError("Bearer x", kMalformed);
  expectError("Bearer " + kSession.substr(0, 46), kMalformed);                  // one short
  expectError("Bearer " + kSession + "A", kMalformed);                          // one long
  expectError("Bearer " + kSession + kSession, kMalformed);                     // far too long
  expectError("Bearer " + std::string(100000, 'A'), kMalformed);                // huge
  expectError("Bearer cox_" + kSession.substr(4), kMalformed);                  // unknown prefix
  expectError("Bearer COS_" + kSession.substr(4), kMalformed);                  // prefix is case-sensitive
  expectError("Bearer " + kSession.substr(0, 46) + "=", kMalformed);            // padding
  expectError("Bearer " + kSession.substr(0, 46) + "+", kMalformed);            // standard base64
  expectError("Bearer " + kSession.substr(0, 20) + " " + kSession.substr(21), kMalformed);  // inner space
  expectError("Bearer " + kSession + " extra", kMalformed);                     // a second word
  expectError("Bearer " + kSession + "\r", kMalformed);                         // CR is not trailing blank
  expectError("Bearer " + kSession + std::string(1, '\0'), kMalformed);          // NUL
  expectError("Bearer \"" + kSession + "\"", kMalformed);                       // quoted
  expectError("Bearer Bearer " + kSession, kMalformed);
}

TEST(Credentials, ErrorsNeverRepeatTheToken) {
  const std::string secretish = "cos_" + std::string("SECRETsecretSECRETsecretSECRETsecretSECRETs");
  for (std::string h : {"Bearer " + secretish + "x", "Basic " + secretish, "Bearer" + secretish, secretish,
                        "Bearer " + secretish.substr(0, 30), "Bearer " + secretish + " " + secretish}) {
    auto r = bearerToken(h);
    ASSERT_FALSE(r.ok()) << h;
    EXPECT_EQ(r.error().message.find("SECRET"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("secret"), std::string::npos) << r.error().message;
    EXPECT_TRUE(r.error().message == kExpected || r.error().message == kMalformed) << r.error().message;
  }
}

}  // namespace
}  // namespace cityops::auth
