#pragma once
// Rules in the database (table `rules`: id, the rule's canonical JSON, times), on a connection of their own.
// Thread-safe (one mutex over the connection).
#include "common/Result.hpp"
#include "rules/Rule.hpp"
#include "store/SqliteDb.hpp"

#include <mutex>
#include <string>
#include <vector>

namespace cityops::rules {

class RuleStore {
 public:
  /// Creates the table if missing (idempotent).
  static Status migrate(store::SqliteDb& db);
  explicit RuleStore(store::SqliteDb& db) : db_(db) {}

  Result<std::vector<Rule>> list();
  Result<Rule> get(const std::string& id);
  /// Inserts or replaces; keeps the first created time of an existing rule. Returns the rule as stored.
  Result<Rule> put(Rule rule, int64_t nowMs);
  /// "conflict" if the id exists.
  Result<Rule> create(Rule rule, int64_t nowMs);
  /// "not_found" if absent.
  Status remove(const std::string& id);

 private:
  Result<Rule> getLocked(const std::string& id);
  Result<Rule> writeLocked(Rule rule, int64_t nowMs, bool mustBeNew);
  store::SqliteDb& db_;
  std::mutex mu_;
};

}  // namespace cityops::rules
