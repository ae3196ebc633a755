#pragma once
// Shared by the rules tests: data times in minutes after a fixed start, readable severities in failure messages.
#include "rules/Evaluator.hpp"
#include "rules/Severity.hpp"

#include <cstdint>
#include <optional>
#include <ostream>

namespace cityops::rules {

inline void PrintTo(Severity s, std::ostream* os) { *os << severityName(s); }

namespace testing_time {
constexpr int64_t kT0 = 1761735600000;  // 2025-10-29T11:00:00Z
constexpr int64_t kMinute = 60000;
/// Data time `m` minutes after kT0 (negative allowed).
inline int64_t at(int64_t m) { return kT0 + m * kMinute; }
}  // namespace testing_time

}  // namespace cityops::rules
