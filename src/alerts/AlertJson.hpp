#pragma once
// An alert as the API, the WebSocket topic `alerts`, notifications and `cityops replay --json` show it.
#include "alerts/Alert.hpp"

#include <boost/json/object.hpp>

namespace cityops::alerts {

/// {"id", "rule", "entity", "metric", "severity", "state", "value", "message", "raised_at", "updated_at",
///  "resolved_at" (null while open)}, times RFC 3339 UTC with milliseconds; with `withHistory` also
/// "history": [{"at", "action", "state", "severity", "value" (null for operator actions), "by",
///  "comment" (null when none)}], oldest first.
boost::json::object alertJson(const Alert& alert, bool withHistory);
/// One history entry as it appears in "history".
boost::json::object historyJson(const HistoryEntry& entry);

}  // namespace cityops::alerts
