#pragma once
// Accounts a fresh installation needs before anyone can log in: the first admin, and for the demo an operator.
#include "auth/AccountStore.hpp"

#include <optional>
#include <string>

namespace cityops::auth {

class FirstRun {
 public:
  /// A random password of `length` characters (base64url alphabet, ~6 bits each).
  static std::string randomPassword(size_t length = 20);

  struct AdminResult {
    bool created = false;
    std::string generatedPassword;  // set only when created with a generated password: print it once
  };
  /// When no enabled admin exists: creates the user `admin` with `envPassword` (CITYOPS_ADMIN_PASSWORD) if given,
  /// else with a generated password. "conflict" if a non-admin user is already called `admin`.
  static Result<AdminResult> ensureAdmin(AccountStore& accounts, const char* envPassword);

  /// The demo's operator login: creates the user `operator` on first use with a generated password, kept in
  /// `<dataDir>/demo-login.txt` (mode 0600) so every start of the demo can print it. Returns the password, or
  /// nullopt when the user exists but the file is gone (the password was changed by hand: nothing to print).
  static Result<std::optional<std::string>> ensureDemoOperator(AccountStore& accounts, const std::string& dataDir);
};

}  // namespace cityops::auth
