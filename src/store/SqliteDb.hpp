#pragma once
// Thin RAII wrapper over the SQLite C API. Errors come back as values; nothing throws.
#include "common/Result.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace cityops::store {

class SqliteStatement {
 public:
  SqliteStatement() = default;
  SqliteStatement(sqlite3* db, sqlite3_stmt* st) : db_(db), st_(st) {}
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& o) noexcept;
  SqliteStatement& operator=(SqliteStatement&& o) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& bind(int i, int64_t v);
  SqliteStatement& bind(int i, double v);
  SqliteStatement& bind(int i, std::string_view text);
  SqliteStatement& bindBlob(int i, std::string_view bytes);
  SqliteStatement& bindNull(int i);

  /// true: a row is available; false: done. Errors as Result.
  Result<bool> step();
  /// Runs to completion (for statements without rows).
  Status run();
  void reset();

  int64_t int64(int col) const;
  double real(int col) const;
  std::string_view text(int col) const;
  std::string_view blob(int col) const;
  bool isNull(int col) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* st_ = nullptr;
};

class SqliteDb {
 public:
  /// Opens (creating if allowed) with WAL journal, busy timeout, and foreign keys on.
  static Result<std::unique_ptr<SqliteDb>> open(const std::string& path, bool readOnly, bool fullSync);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  Status exec(std::string_view sql);
  /// BEGIN IMMEDIATE (the write lock up front, waiting up to the busy timeout; `immediate` false: a deferred read
  /// transaction for a consistent snapshot), body, COMMIT; ROLLBACK when the body or the commit fails.
  Status transaction(const std::function<Status()>& body, bool immediate = true);
  Result<SqliteStatement> prepare(std::string_view sql);
  int64_t lastInsertRowid() const;
  int changes() const;
  sqlite3* raw() { return db_; }

 private:
  /// The busy handler of every connection (see open()).
  static int busyRetry(void*, int count);
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

/// An error from the SQLite handle, as an Error value.
Error sqliteError(sqlite3* db, std::string_view what);

}  // namespace cityops::store
