#include "alerts/Alert.hpp"

namespace cityops::alerts {

std::string_view stateName(State s) {
  switch (s) {
    case State::Active: return "active";
    case State::Acknowledged: return "acknowledged";
    case State::Resolved: return "resolved";
  }
  return "active";
}

Result<State> parseState(std::string_view s) {
  if (s == "active") return State::Active;
  if (s == "acknowledged") return State::Acknowledged;
  if (s == "resolved") return State::Resolved;
  return BadRequest("state must be one of active, acknowledged, resolved, got \"" + std::string(s.substr(0, 32)) +
                    "\"");
}

}  // namespace cityops::alerts
