#include "app/UserCommand.hpp"

#include "api/Auditor.hpp"
#include "auth/AccountStore.hpp"
#include "common/Clock.hpp"
#include "store/SqliteDb.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace cityops::app {

namespace {

/// The first line of `in`, without the line end.
bool firstLine(std::istream& in, std::string& out) {
  if (!std::getline(in, out)) return false;
  if (!out.empty() && out.back() == '\r') out.pop_back();
  return true;
}

bool readPassword(const UserAddArgs& args, std::string& out) {
  if (!args.passwordFile.empty()) {
    std::ifstream in(args.passwordFile);
    if (!in) {
      std::cerr << "cannot read " << args.passwordFile << "\n";
      return false;
    }
    return firstLine(in, out);
  }
  const bool tty = ::isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (tty) {  // typed by hand: no echo
    std::cerr << "password for " << args.name << ": " << std::flush;
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  const bool ok = firstLine(std::cin, out);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  return ok;
}

}  // namespace

int runUserAdd(const UserAddArgs& args) {
  auto role = auth::parseRole(args.role);
  if (!role || !auth::isUserRole(*role)) {
    std::cerr << "--role must be admin, operator or viewer\n";
    return 2;
  }
  if (!auth::AccountStore::isValidUsername(args.name)) {
    std::cerr << "the user name must be 1-64 characters of A-Z a-z 0-9 . _ -\n";
    return 2;
  }
  std::string password;
  if (!readPassword(args, password)) {
    std::cerr << "no password given (standard input or --password-file)\n";
    return 2;
  }
  std::error_code ec;
  std::filesystem::create_directories(args.dataDir, ec);
  const std::string path = (std::filesystem::path(args.dataDir) / "cityops.db").string();
  auto db = store::SqliteDb::open(path, false, false);
  if (!db) {
    std::cerr << "cannot open " << path << ": " << db.error().message << "\n";
    return 1;
  }
  if (auto s = auth::AccountStore::migrate(**db); !s) {
    std::cerr << "cannot prepare the account tables: " << s.error().message << "\n";
    return 1;
  }
  SystemClock clock;
  auth::AccountStore accounts(**db, clock);
  auto user = accounts.createUser(args.name, *role, password);
  if (!user) {
    std::cerr << "cannot create " << args.name << ": " << user.error().message << "\n";
    return user.error().code == "conflict" ? 3 : 2;
  }
  const char* login = std::getenv("USER");
  api::Auditor auditor(accounts);
  auditor.recordAs(std::string("cli:") + (login ? login : "unknown"), "", "user.create",
                   "user:" + std::to_string(user->id), {},
                   R"({"username":")" + user->username + R"(","role":")" + std::string(auth::roleName(user->role)) +
                       R"(","via":"command line"})");
  std::cout << "created user " << user->username << " (" << auth::roleName(user->role) << ", id " << user->id << ")\n";
  return 0;
}

}  // namespace cityops::app
