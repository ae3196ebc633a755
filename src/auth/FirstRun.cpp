#include "auth/FirstRun.hpp"

#include "auth/Sodium.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace cityops::auth {

std::string FirstRun::randomPassword(size_t length) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  sodiumReady();
  std::string out(length, 'x');
  for (auto& c : out) c = kAlphabet[randombytes_uniform(64)];
  return out;
}

Result<FirstRun::AdminResult> FirstRun::ensureAdmin(AccountStore& accounts, const char* envPassword) {
  auto admins = accounts.countAdmins();
  if (!admins) return admins.error();
  if (*admins > 0) return AdminResult{};
  if (auto existing = accounts.getUserByName("admin"); existing)
    return Conflict("no enabled admin exists and the user 'admin' is not one; create an admin with "
                    "`cityops user add NAME --role admin`");
  AdminResult out;
  std::string password;
  if (envPassword && *envPassword) {
    password = envPassword;
  } else {
    password = randomPassword();
    out.generatedPassword = password;
  }
  auto u = accounts.createUser("admin", Role::Admin, password);
  if (!u) return Error{u.error().code, "cannot create the first admin: " + u.error().message};
  out.created = true;
  return out;
}

Result<std::optional<std::string>> FirstRun::ensureDemoOperator(AccountStore& accounts, const std::string& dataDir) {
  const auto file = std::filesystem::path(dataDir) / "demo-login.txt";
  if (auto existing = accounts.getUserByName("operator"); existing) {
    std::ifstream in(file);
    std::string password;
    if (in && std::getline(in, password) && !password.empty()) return std::optional<std::string>(password);
    return std::optional<std::string>();
  } else if (existing.error().code != "not_found") {
    return existing.error();
  }
  const std::string password = randomPassword(16);
  auto u = accounts.createUser("operator", Role::Operator, password);
  if (!u) return u.error();
  {
    const mode_t old = ::umask(077);
    std::ofstream out(file, std::ios::trunc);
    ::umask(old);
    if (out) out << password << "\n";
  }
  return std::optional<std::string>(password);
}

}  // namespace cityops::auth
