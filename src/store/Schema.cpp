#include "store/Schema.hpp"

#include <string>

namespace cityops::store {

namespace {
// Append new migrations; never edit a released one.
constexpr const char* kMigrations[] = {
    // 1: entities, series, the ingest log, sealed chunks and rollups. Series ids are never reused (AUTOINCREMENT):
    //    the log may still hold entries of a deleted series, which must not attach to a new one.
    R"sql(
CREATE TABLE entities(
  id TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL, geometry TEXT, attributes TEXT NOT NULL,
  tags TEXT NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX entities_type ON entities(type);
CREATE TABLE series(
  id INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL, metric TEXT NOT NULL,
  sealed_to INTEGER NOT NULL DEFAULT -1, last_t INTEGER, last_v REAL, last_q INTEGER,
  UNIQUE(entity, metric));
CREATE TABLE wal_batches(id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE chunks(
  series INTEGER NOT NULL, start_t INTEGER NOT NULL, end_t INTEGER NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY(series, start_t));
CREATE TABLE rollups(
  series INTEGER NOT NULL, res INTEGER NOT NULL, start_t INTEGER NOT NULL, end_t INTEGER NOT NULL,
  n INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY(series, res, start_t));
)sql",
};
}  // namespace

Status Schema::migrate(SqliteDb& db) {
  auto st = db.prepare("PRAGMA user_version");
  if (!st) return st.error();
  auto row = st->step();
  if (!row) return row.error();
  const int current = *row ? static_cast<int>(st->int64(0)) : 0;
  st->reset();
  constexpr int available = static_cast<int>(sizeof kMigrations / sizeof kMigrations[0]);
  if (current > available)
    return Internal("the database schema (version " + std::to_string(current) +
                    ") is newer than this cityops (version " + std::to_string(available) + ")");
  for (int v = current; v < available; ++v) {
    if (auto s = db.exec("BEGIN IMMEDIATE"); !s) return s;
    if (auto s = db.exec(kMigrations[v]); !s) {
      (void)db.exec("ROLLBACK");
      return Internal("migration " + std::to_string(v + 1) + " failed: " + s.error().message);
    }
    if (auto s = db.exec("PRAGMA user_version=" + std::to_string(v + 1) + "; COMMIT"); !s) {
      (void)db.exec("ROLLBACK");
      return s;
    }
  }
  return {};
}

}  // namespace cityops::store
