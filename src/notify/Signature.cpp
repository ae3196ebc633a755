#include "notify/Signature.hpp"

#include <sodium.h>

namespace cityops::notify {

namespace {

// notify/ does not link cityops_auth, so it initialises libsodium itself; sodium_init() is idempotent and
// thread-safe (it returns 1 when another caller, e.g. auth::sodiumReady(), got there first).
bool sodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

}  // namespace

Result<std::string> signatureHeader(std::string_view secret, std::string_view body) {
  if (!sodiumReady()) return Internal("libsodium failed to initialise: cannot sign webhook deliveries");
  crypto_auth_hmacsha256_state st;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  crypto_auth_hmacsha256_final(&st, mac);
  sodium_memzero(&st, sizeof st);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return "sha256=" + std::string(hex, crypto_auth_hmacsha256_BYTES * 2);
}

}  // namespace cityops::notify
