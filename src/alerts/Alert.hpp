#pragma once
// An alert and its history, as stored and as the API shows it.
#include "rules/Severity.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cityops::alerts {

using rules::Severity;

enum class State { Active, Acknowledged, Resolved };
std::string_view stateName(State s);  // "active", "acknowledged", "resolved"
Result<State> parseState(std::string_view s);

/// One transition: raise, escalate, deescalate, ack, comment, resolve.
struct HistoryEntry {
  int64_t atMs = 0;
  std::string action;  // "raise", "escalate", "deescalate", "ack", "comment", "resolve"
  State state = State::Active;
  Severity severity = Severity::Minor;
  std::optional<double> value;
  std::string by;  // user name, or "rule" for automatic transitions
  std::string comment;
  int64_t id = 0;  // the alert_history row id: increases in commit order (0 until stored)
};

struct Alert {
  int64_t id = 0;
  std::string rule;
  std::string entity;
  std::string metric;
  Severity severity = Severity::Minor;
  State state = State::Active;
  double value = 0;
  std::string message;
  int64_t raisedMs = 0;
  int64_t updatedMs = 0;
  std::optional<int64_t> resolvedMs;
  std::vector<HistoryEntry> history;  // filled by AlertManager::get, oldest first
};

}  // namespace cityops::alerts
