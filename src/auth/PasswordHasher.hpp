#pragma once
#include <cstdint>
// Password hashing with argon2id (libsodium crypto_pwhash_str, interactive limits). The clear password is never
// stored, copied into long-lived memory, or put into an error message.
#include "common/Result.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace cityops::auth {

class PasswordHasher {
 public:
  static constexpr size_t kMinLength = 10;    // bytes
  static constexpr size_t kMaxLength = 1024;  // bytes; bounds the hashing work an attacker can ask for

  /// Policy: between kMinLength and kMaxLength bytes. Error "bad_request" with a sentence for the user.
  static Status checkPolicy(std::string_view password);

  /// The encoded argon2id hash ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"). Checks the policy first.
  /// "internal" if libsodium cannot initialise or runs out of memory.
  static Result<std::string> hash(std::string_view password);

  /// true iff `password` matches the encoded `hash`. False for malformed hashes and over-long passwords.
  static bool verify(std::string_view password, std::string_view hash);
  /// How many argon2 verifications ran in this process (lets tests check that no path skips the work).
  static uint64_t verifications();
};

}  // namespace cityops::auth
