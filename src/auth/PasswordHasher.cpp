#include "auth/PasswordHasher.hpp"

#include "auth/Sodium.hpp"

#include <atomic>
#include <sodium.h>

#include <array>
#include <cstring>

namespace cityops::auth {

Status PasswordHasher::checkPolicy(std::string_view password) {
  if (password.size() < kMinLength)
    return BadRequest("the password must be at least " + std::to_string(kMinLength) + " characters long");
  if (password.size() > kMaxLength)
    return BadRequest("the password must be at most " + std::to_string(kMaxLength) + " bytes long");
  return {};
}

Result<std::string> PasswordHasher::hash(std::string_view password) {
  if (auto s = checkPolicy(password); !s) return s.error();
  if (!sodiumReady()) return Internal("the crypto library could not be initialised");
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
    return Internal("password hashing failed (out of memory)");
  return std::string(out.data());
}

namespace {
std::atomic<uint64_t> verificationCount{0};
}  // namespace

uint64_t PasswordHasher::verifications() { return verificationCount.load(std::memory_order_relaxed); }

bool PasswordHasher::verify(std::string_view password, std::string_view hash) {
  if (!sodiumReady()) return false;
  if (password.size() > kMaxLength) return false;
  // crypto_pwhash_str_verify wants a NUL-terminated string inside a crypto_pwhash_STRBYTES buffer.
  std::array<char, crypto_pwhash_STRBYTES> h{};
  if (hash.empty() || hash.size() >= h.size() || hash.find('\0') != std::string_view::npos) return false;
  std::memcpy(h.data(), hash.data(), hash.size());
  const char* p = password.empty() ? "" : password.data();
  verificationCount.fetch_add(1, std::memory_order_relaxed);
  return crypto_pwhash_str_verify(h.data(), p, password.size()) == 0;
}

}  // namespace cityops::auth
