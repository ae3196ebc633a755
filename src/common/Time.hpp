#pragma once
// Wire times: RFC 3339 with any offset, or epoch milliseconds. Out: RFC 3339 UTC with milliseconds.
#include "common/Result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace cityops {

/// Parses "2025-10-29T18:00:00+07:00", "2025-10-29T11:00:00.250Z", "2025-10-29 11:00:00Z" or digits (epoch ms).
Result<int64_t> parseTime(std::string_view text);
/// 1761735600000 -> "2025-10-29T11:00:00.000Z".
std::string formatTime(int64_t epochMs);
/// Days since 1970-01-01 for a civil date (proleptic Gregorian).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d);

}  // namespace cityops
