#pragma once
// Bearer secrets: session tokens ("cos_...") and device keys ("cok_..."), each 32 random bytes (256 bits) in
// URL-safe base64 without padding. Only digest() of a secret is ever stored.
#include <cstddef>
#include <string>
#include <string_view>

namespace cityops::auth {

class Tokens {
 public:
  static constexpr std::string_view kSessionPrefix = "cos_";
  static constexpr std::string_view kDeviceKeyPrefix = "cok_";
  static constexpr size_t kRandomBytes = 32;
  static constexpr size_t kEncodedLength = 43;  // base64url(32 bytes), no padding
  static constexpr size_t kTokenLength = 4 + kEncodedLength;

  static std::string newSessionToken();
  static std::string newDeviceKey();

  /// Lower-case hex SHA-256 of the token (64 chars): the form kept in the database.
  static std::string digest(std::string_view token);

  /// Constant-time equality (for equal lengths; different lengths compare unequal at once).
  static bool equal(std::string_view a, std::string_view b);

  /// true when `token` has a known prefix, the right length, and only base64url characters after the prefix.
  static bool wellFormed(std::string_view token);
};

}  // namespace cityops::auth
