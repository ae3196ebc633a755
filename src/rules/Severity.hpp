#pragma once
// Alert severities, in increasing order: info < minor < major < critical.
#include "common/Result.hpp"

#include <string_view>

namespace cityops::rules {

enum class Severity { Info = 0, Minor = 1, Major = 2, Critical = 3 };

/// "info", "minor", "major", "critical".
std::string_view severityName(Severity s);
/// Exact lower-case names; "bad_request" otherwise.
Result<Severity> parseSeverity(std::string_view s);

}  // namespace cityops::rules
