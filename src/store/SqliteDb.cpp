#include "store/SqliteDb.hpp"

#include <chrono>
#include <thread>

#include <sqlite3.h>

#include <utility>

namespace cityops::store {

Error sqliteError(sqlite3* db, std::string_view what) {
  const int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "cannot open database");
  if ((code & 0xff) == SQLITE_CONSTRAINT) return Conflict(msg);
  if ((code & 0xff) == SQLITE_FULL) return Unavailable("storage is full: " + msg);
  if ((code & 0xff) == SQLITE_BUSY) return Unavailable(msg);
  return Internal(msg);
}

SqliteStatement::~SqliteStatement() {
  if (st_) sqlite3_finalize(st_);
}
SqliteStatement::SqliteStatement(SqliteStatement&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)), st_(std::exchange(o.st_, nullptr)) {}
SqliteStatement& SqliteStatement::operator=(SqliteStatement&& o) noexcept {
  if (this != &o) {
    if (st_) sqlite3_finalize(st_);
    db_ = std::exchange(o.db_, nullptr);
    st_ = std::exchange(o.st_, nullptr);
  }
  return *this;
}

SqliteStatement& SqliteStatement::bind(int i, int64_t v) {
  sqlite3_bind_int64(st_, i, v);
  return *this;
}
SqliteStatement& SqliteStatement::bind(int i, double v) {
  sqlite3_bind_double(st_, i, v);
  return *this;
}
SqliteStatement& SqliteStatement::bind(int i, std::string_view t) {
  sqlite3_bind_text(st_, i, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
  return *this;
}
SqliteStatement& SqliteStatement::bindBlob(int i, std::string_view b) {
  sqlite3_bind_blob(st_, i, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
  return *this;
}
SqliteStatement& SqliteStatement::bindNull(int i) {
  sqlite3_bind_null(st_, i);
  return *this;
}

Result<bool> SqliteStatement::step() {
  const int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error e = sqliteError(db_, "query failed");
  sqlite3_reset(st_);
  return e;
}

Status SqliteStatement::run() {
  for (;;) {
    auto r = step();
    if (!r) return r.error();
    if (!*r) break;
  }
  reset();
  return {};
}

void SqliteStatement::reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

int64_t SqliteStatement::int64(int c) const { return sqlite3_column_int64(st_, c); }
double SqliteStatement::real(int c) const { return sqlite3_column_double(st_, c); }
std::string_view SqliteStatement::text(int c) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, c));
  return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(st_, c))) : std::string_view();
}
std::string_view SqliteStatement::blob(int c) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(st_, c));
  return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(st_, c))) : std::string_view();
}
bool SqliteStatement::isNull(int c) const { return sqlite3_column_type(st_, c) == SQLITE_NULL; }

Result<std::unique_ptr<SqliteDb>> SqliteDb::open(const std::string& path, bool readOnly, bool fullSync) {
  sqlite3* db = nullptr;
  const int flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Error e = sqliteError(db, "cannot open " + path);
    sqlite3_close(db);
    return e;
  }
  std::unique_ptr<SqliteDb> h(new SqliteDb(db));
  // Several connections of this process write to the file (store, accounts, rules, alerts, outbox); a writer that
  // finds the lock taken usually gets it within a fraction of a millisecond. SQLite's busy_timeout sleeps 1 ms, then
  // longer, at the first retry; this handler retries after 50 µs, doubling up to 10 ms, for 5 s in all.
  sqlite3_busy_handler(db, &SqliteDb::busyRetry, nullptr);
  std::string pragmas = "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16000;";
  if (!readOnly) {
    // auto_vacuum only takes effect on a new file, before anything (even the WAL switch) writes its header.
    pragmas += "PRAGMA auto_vacuum=INCREMENTAL; PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=4000;";
    // NORMAL in WAL mode: a commit survives a killed process; FULL also survives power loss (fsync per commit).
    pragmas += fullSync ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
  }
  if (auto s = h->exec(pragmas); !s) return s.error();
  return h;
}

int SqliteDb::busyRetry(void*, int count) {
  constexpr int kShort = 8;  // 50 µs · 2^n for n < 8: 12.75 ms in all
  constexpr int kMaxCount = kShort + 499;  // then 10 ms each: 5 s in all
  if (count >= kMaxCount) return 0;  // SQLITE_BUSY to the caller
  const int64_t us = count < kShort ? int64_t{50} << count : 10000;
  std::this_thread::sleep_for(std::chrono::microseconds(us));
  return 1;
}

SqliteDb::~SqliteDb() { sqlite3_close_v2(db_); }

Status SqliteDb::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    Error e = sqliteError(db_, "statement failed");
    sqlite3_free(err);
    return e;
  }
  return {};
}

Result<SqliteStatement> SqliteDb::prepare(std::string_view sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &st, nullptr) !=
      SQLITE_OK)
    return sqliteError(db_, "cannot prepare statement");
  return SqliteStatement(db_, st);
}

int64_t SqliteDb::lastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
int SqliteDb::changes() const { return sqlite3_changes(db_); }

Status SqliteDb::transaction(const std::function<Status()>& body, bool immediate) {
  if (auto s = exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN"); !s) return s;
  Status s = body();
  if (!s) {
    (void)exec("ROLLBACK");
    return s;
  }
  if (auto c = exec("COMMIT"); !c) {
    (void)exec("ROLLBACK");
    return c;
  }
  return {};
}

}  // namespace cityops::store
