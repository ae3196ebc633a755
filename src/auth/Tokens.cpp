#include "auth/Tokens.hpp"

#include "auth/Sodium.hpp"

#include <sodium.h>

#include <array>
#include <cstdlib>

namespace cityops::auth {

namespace {

std::string newSecret(std::string_view prefix) {
  if (!sodiumReady()) std::abort();  // no safe fallback for randomness
  std::array<unsigned char, Tokens::kRandomBytes> raw{};
  randombytes_buf(raw.data(), raw.size());
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::array<char, sodium_base64_ENCODED_LEN(Tokens::kRandomBytes, variant)> b64{};
  sodium_bin2base64(b64.data(), b64.size(), raw.data(), raw.size(), variant);
  sodium_memzero(raw.data(), raw.size());
  std::string out(prefix);
  out += b64.data();
  sodium_memzero(b64.data(), b64.size());
  return out;
}

bool isBase64Url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

std::string Tokens::newSessionToken() { return newSecret(kSessionPrefix); }
std::string Tokens::newDeviceKey() { return newSecret(kDeviceKeyPrefix); }

std::string Tokens::digest(std::string_view token) {
  (void)sodiumReady();
  std::array<unsigned char, crypto_hash_sha256_BYTES> h{};
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(token.data()), token.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), h.data(), h.size());
  return std::string(hex.data(), crypto_hash_sha256_BYTES * 2);
}

bool Tokens::equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  (void)sodiumReady();
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool Tokens::wellFormed(std::string_view token) {
  if (token.size() != kTokenLength) return false;
  const auto prefix = token.substr(0, 4);
  if (prefix != kSessionPrefix && prefix != kDeviceKeyPrefix) return false;
  for (char c : token.substr(4))
    if (!isBase64Url(c)) return false;
  return true;
}

}  // namespace cityops::auth
