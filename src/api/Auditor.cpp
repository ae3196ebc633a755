#include "api/Auditor.hpp"

#include "common/JsonText.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

namespace cityops::api {

namespace json = boost::json;

std::string Auditor::actorOf(const http::Request& req) {
  if (!req.principal) return "anonymous";
  if (req.principal->kind == auth::Principal::Kind::Device) return "device:" + std::to_string(req.principal->id);
  return req.principal->name;
}

std::string Auditor::summarize(std::string text) {
  if (text.size() <= kMaxSummary) return text;
  json::object out;
  out["summary_of_bytes"] = text.size();
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (!ec && v.is_object()) {
    // Keep the short scalar members (id, type, name, status...): enough to say what changed.
    for (const auto& [k, member] : v.get_object()) {
      if (member.is_string() && member.get_string().size() <= 256) out[k] = member;
      else if (member.is_number() || member.is_bool()) out[k] = member;
    }
  }
  return toJsonText(out);
}

void Auditor::recordAs(std::string actor, std::string role, std::string action, std::string target,
                       std::string before, std::string after) {
  auth::AuditEntry e;
  e.actor = std::move(actor);
  e.role = std::move(role);
  e.action = std::move(action);
  e.target = std::move(target);
  e.before = summarize(std::move(before));
  e.after = summarize(std::move(after));
  if (auto r = accounts_.appendAudit(e); !r)
    spdlog::error("audit: cannot record {} on {} by {}: {}", e.action, e.target, e.actor, r.error().message);
}

void Auditor::record(const http::Request& req, std::string action, std::string target, std::string before,
                     std::string after) {
  auth::AuditEntry e;
  e.actor = actorOf(req);
  e.role = req.principal ? std::string(auth::roleName(req.principal->role)) : std::string();
  e.action = std::move(action);
  e.target = std::move(target);
  e.address = req.remote;
  e.before = summarize(std::move(before));
  e.after = summarize(std::move(after));
  if (auto r = accounts_.appendAudit(e); !r)
    spdlog::error("audit: cannot record {} on {} by {}: {}", e.action, e.target, e.actor, r.error().message);
}

}  // namespace cityops::api
