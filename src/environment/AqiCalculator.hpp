#pragma once
// One entry point for both standards and periods: VnAqi::hourly/daily or UsAqi::hourly/daily.
#include "common/Result.hpp"
#include "environment/AqiReport.hpp"
#include "environment/AqiRequest.hpp"

namespace cityops::environment {

class AqiCalculator {
 public:
  /// The report for `request`; bad_request when a series is malformed (see checkSeries) or no index can be formed
  /// (VN: no PM2.5/PM10 sub-index; US: no sub-index at all).
  static Result<AqiReport> compute(const AqiRequest& request);
};

}  // namespace cityops::environment
