#pragma once
// Typed access to query parameters with the API's error messages; unknown parameters are rejected.
#include "common/Result.hpp"

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cityops::api {

class QueryParams {
 public:
  explicit QueryParams(const std::map<std::string, std::string>& q) : q_(q) {}

  /// Error naming the first parameter not in `allowed`.
  Status onlyAllow(std::initializer_list<std::string_view> allowed) const;
  std::optional<std::string> text(const std::string& name) const;
  /// Integer in [min, max], or `fallback` when absent.
  Result<int64_t> integer(const std::string& name, int64_t fallback, int64_t min, int64_t max) const;
  /// RFC 3339 or epoch ms, or `fallback` when absent.
  Result<int64_t> time(const std::string& name, int64_t fallback) const;
  /// Comma-separated finite numbers, exactly `count` of them.
  Result<std::optional<std::vector<double>>> numbers(const std::string& name, size_t count) const;
  /// "raw" -> 0, "1m" -> 60000, "15m", "1h", "1d", "7d" ...: whole minutes, hours or days.
  static Result<int64_t> interval(std::string_view text);
  /// A numeric path id ("42" of /api/v1/alerts/42): digits only, > 0; nullopt otherwise.
  static std::optional<int64_t> positiveId(std::string_view text);
  /// The route's {id} as a positive number; "not_found" ("no <what> <id>") when it is not one.
  static Result<int64_t> pathId(const std::map<std::string, std::string>& params, std::string_view what);

 private:
  const std::map<std::string, std::string>& q_;
};

}  // namespace cityops::api
