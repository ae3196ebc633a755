#pragma once
// Decodes an ingest body (a JSON array, or NDJSON lines) into observations, all or nothing.
#include "common/Result.hpp"
#include "model/Observation.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace cityops::model {

class ObservationDecoder {
 public:
  static constexpr size_t kMaxItems = 100000;
  static constexpr int64_t kMaxFutureMs = 86400000;  // one day

  /// nowMs bounds times: 0 <= time <= now + 1 day. Errors name the first bad item ("item 17: ...").
  /// Error code "too_large" when there are more than kMaxItems items.
  static Result<std::vector<Observation>> decode(std::string_view body, bool ndjson, int64_t nowMs);
};

}  // namespace cityops::model
