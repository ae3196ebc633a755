#include "rules/Severity.hpp"

#include <string>

namespace cityops::rules {

std::string_view severityName(Severity s) {
  switch (s) {
    case Severity::Info: return "info";
    case Severity::Minor: return "minor";
    case Severity::Major: return "major";
    case Severity::Critical: return "critical";
  }
  return "info";
}

Result<Severity> parseSeverity(std::string_view s) {
  if (s == "info") return Severity::Info;
  if (s == "minor") return Severity::Minor;
  if (s == "major") return Severity::Major;
  if (s == "critical") return Severity::Critical;
  return BadRequest("severity must be one of info, minor, major, critical, got \"" + std::string(s.substr(0, 32)) + "\"");
}

}  // namespace cityops::rules
