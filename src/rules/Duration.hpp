#pragma once
// Durations in rules ("for", "window", "after"): "90s", "15m", "3h", "1d", "0s", "1h30m", "500ms" <-> milliseconds.
#include "common/Result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace cityops::rules {

class Duration {
 public:
  static constexpr int64_t kMaxMs = 30LL * 24 * 3600 * 1000;  // 30 days

  /// One or more <integer><unit> parts, units d, h, m, s, ms, each at most once and from the largest to the smallest
  /// ("1h30m", "90m", "1d12h"); no signs, spaces or fractions; total at most 30 days. "bad_request" otherwise.
  static Result<int64_t> parse(std::string_view text);

  /// The shortest of the natural spellings of `ms` — for each starting unit, the whole amount in that unit followed
  /// by the rest in the largest units ("1h30m", "90m", "5400s") — ties going to the larger starting unit:
  /// 5400000 -> "90m", 3600000 -> "1h", 3601000 -> "1h1s", 93784000 -> "93784s", 0 -> "0s", 1500 -> "1500ms".
  /// Always parses back to `ms`. Negative values get a leading '-' (which parse() rejects).
  static std::string format(int64_t ms);
};

}  // namespace cityops::rules
