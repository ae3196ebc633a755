#include "rules/RuleStore.hpp"

#include "common/JsonText.hpp"
#include "rules/RuleCodec.hpp"

#include <boost/json.hpp>

namespace cityops::rules {

namespace {

Result<Rule> decodeRow(std::string_view json, int64_t createdMs, int64_t updatedMs) {
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  if (ec) return Internal("a stored rule is not valid JSON");
  auto r = fromJson(v, createdMs);
  if (!r) return Internal("a stored rule no longer decodes: " + r.error().message);
  r->createdMs = createdMs;
  r->updatedMs = updatedMs;
  return r;
}

}  // namespace

Status RuleStore::migrate(store::SqliteDb& db) {
  return db.exec(
      "CREATE TABLE IF NOT EXISTS rules(id TEXT PRIMARY KEY, json TEXT NOT NULL, created_ms INTEGER NOT NULL, "
      "updated_ms INTEGER NOT NULL) WITHOUT ROWID");
}

Result<std::vector<Rule>> RuleStore::list() {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("SELECT json, created_ms, updated_ms FROM rules ORDER BY id");
  if (!st) return st.error();
  std::vector<Rule> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    auto r = decodeRow(st->text(0), st->int64(1), st->int64(2));
    if (!r) return r.error();
    out.push_back(std::move(*r));
  }
  return out;
}

Result<Rule> RuleStore::getLocked(const std::string& id) {
  auto st = db_.prepare("SELECT json, created_ms, updated_ms FROM rules WHERE id=?");
  if (!st) return st.error();
  st->bind(1, id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return NotFound("no rule " + id);
  return decodeRow(st->text(0), st->int64(1), st->int64(2));
}

Result<Rule> RuleStore::get(const std::string& id) {
  std::lock_guard lock(mu_);
  return getLocked(id);
}

Result<Rule> RuleStore::writeLocked(Rule rule, int64_t nowMs, bool mustBeNew) {
  auto existing = getLocked(rule.id);
  if (existing && mustBeNew) return Conflict("rule " + rule.id + " already exists");
  if (!existing && existing.error().code != "not_found") return existing.error();
  rule.createdMs = existing ? existing->createdMs : nowMs;
  rule.updatedMs = nowMs;
  auto st = db_.prepare(
      "INSERT INTO rules(id, json, created_ms, updated_ms) VALUES(?,?,?,?) "
      "ON CONFLICT(id) DO UPDATE SET json=excluded.json, updated_ms=excluded.updated_ms");
  if (!st) return st.error();
  st->bind(1, rule.id).bind(2, toJsonText(toJson(rule))).bind(3, rule.createdMs).bind(4, rule.updatedMs);
  if (auto s = st->run(); !s) return s.error();
  return rule;
}

Result<Rule> RuleStore::put(Rule rule, int64_t nowMs) {
  std::lock_guard lock(mu_);
  return writeLocked(std::move(rule), nowMs, false);
}

Result<Rule> RuleStore::create(Rule rule, int64_t nowMs) {
  std::lock_guard lock(mu_);
  return writeLocked(std::move(rule), nowMs, true);
}

Status RuleStore::remove(const std::string& id) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("DELETE FROM rules WHERE id=?");
  if (!st) return st.error();
  st->bind(1, id);
  if (auto s = st->run(); !s) return s.error();
  if (db_.changes() == 0) return NotFound("no rule " + id);
  return {};
}

}  // namespace cityops::rules
