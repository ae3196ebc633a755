#include "alerts/AlertJson.hpp"

#include "common/Time.hpp"

#include <boost/json.hpp>

namespace cityops::alerts {

namespace {

boost::json::string_view sv(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace

boost::json::object historyJson(const HistoryEntry& h) {
  boost::json::object o;
  o["at"] = formatTime(h.atMs);
  o["action"] = sv(h.action);
  o["state"] = sv(stateName(h.state));
  o["severity"] = sv(rules::severityName(h.severity));
  if (h.value) o["value"] = *h.value;
  else o["value"] = nullptr;
  o["by"] = sv(h.by);
  if (h.comment.empty()) o["comment"] = nullptr;
  else o["comment"] = sv(h.comment);
  return o;
}

boost::json::object alertJson(const Alert& a, bool withHistory) {
  boost::json::object o;
  o["id"] = a.id;
  o["rule"] = sv(a.rule);
  o["entity"] = sv(a.entity);
  o["metric"] = sv(a.metric);
  o["severity"] = sv(rules::severityName(a.severity));
  o["state"] = sv(stateName(a.state));
  o["value"] = a.value;
  o["message"] = sv(a.message);
  o["raised_at"] = formatTime(a.raisedMs);
  o["updated_at"] = formatTime(a.updatedMs);
  if (a.resolvedMs) o["resolved_at"] = formatTime(*a.resolvedMs);
  else o["resolved_at"] = nullptr;
  if (withHistory) {
    boost::json::array h;
    h.reserve(a.history.size());
    for (const auto& e : a.history) h.emplace_back(historyJson(e));
    o["history"] = std::move(h);
  }
  return o;
}

}  // namespace cityops::alerts
