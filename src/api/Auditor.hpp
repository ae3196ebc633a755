#pragma once
// Appends who changed what to the audit trail (auth::AccountStore::appendAudit), taking the actor, role and client
// address from the request. Summaries are JSON text, cut to a short form when large; secrets are never passed in.
// A failed append is logged, not returned: the change it describes has already been committed.
#include "auth/AccountStore.hpp"
#include "http/Message.hpp"

#include <string>
#include <string_view>

namespace cityops::api {

class Auditor {
 public:
  static constexpr size_t kMaxSummary = 8192;  // bytes of before/after JSON kept verbatim

  explicit Auditor(auth::AccountStore& accounts) : accounts_(accounts) {}

  /// `before` / `after`: JSON text or "".
  void record(const http::Request& req, std::string action, std::string target, std::string before = {},
              std::string after = {});
  /// For callers without a request (start-up, the command line): actor given by name.
  void recordAs(std::string actor, std::string role, std::string action, std::string target,
                std::string before = {}, std::string after = {});

  /// "<name>" for users, "device:<id>" for device keys, "anonymous".
  static std::string actorOf(const http::Request& req);
  /// `json` itself if short; else {"summary_of_bytes": N, "id": ..., "type": ...} with what fits of the top level.
  static std::string summarize(std::string json);

  auth::AccountStore& accounts() { return accounts_; }

 private:
  auth::AccountStore& accounts_;
};

}  // namespace cityops::api
