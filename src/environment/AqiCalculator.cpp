#include "environment/AqiCalculator.hpp"

#include "environment/UsAqi.hpp"
#include "environment/VnAqi.hpp"

namespace cityops::environment {

Result<AqiReport> AqiCalculator::compute(const AqiRequest& request) {
  if (request.standard == Standard::Us)
    return request.period == Period::Day ? UsAqi::daily(request.hourly) : UsAqi::hourly(request.hourly);
  return request.period == Period::Day ? VnAqi::daily(request.hourly) : VnAqi::hourly(request.hourly);
}

}  // namespace cityops::environment
