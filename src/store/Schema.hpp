#pragma once
// Versioned schema migrations, applied in order at open (PRAGMA user_version holds the version).
#include "common/Result.hpp"
#include "store/SqliteDb.hpp"

namespace cityops::store {

class Schema {
 public:
  static constexpr int kVersion = 1;
  /// Applies every migration above the database's version, each in its own transaction.
  static Status migrate(SqliteDb& db);
};

}  // namespace cityops::store
