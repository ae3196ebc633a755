#pragma once
// `cityops user add NAME --role ROLE [--data DIR] [--password-file FILE]`: creates an account in the data
// directory's database, also while the server runs (SQLite WAL; the server sees the user at its next login).
#include <string>

namespace cityops::app {

struct UserAddArgs {
  std::string name;
  std::string role = "viewer";
  std::string dataDir = "data";
  std::string passwordFile;  // "": the first line of standard input
};

/// Returns the process exit code; messages go to stderr, never the password.
int runUserAdd(const UserAddArgs& args);

}  // namespace cityops::app
