#include "environment/NowCast.hpp"

#include <algorithm>
#include <cmath>

namespace cityops::environment {

Result<NowCastValue> NowCast::compute(HourlySpan series, const Params& params) {
  const auto window = SeriesStats::tail(series, static_cast<size_t>(std::max(params.hours, 1)));
  const size_t n = window.size();
  // c_i = window[n - i]
  auto c = [&](size_t i) -> const std::optional<double>& { return window[n - i]; };

  int recent = 0;
  for (size_t i = 1; i <= 3 && i <= n; ++i)
    if (c(i)) ++recent;
  if (recent < 2) return BadRequest("the NowCast needs at least 2 of the 3 latest hours");

  NowCastValue out;
  out.validHours = SeriesStats::validCount(window);
  const double cmax = *SeriesStats::max(window);
  double cmin = cmax;
  for (const auto& v : window)
    if (v) cmin = std::min(cmin, *v);
  if (cmax <= 0) {  // every present hour is 0: w* is undefined, the mean is 0
    out.value = 0;
    out.weight = 1;
    return out;
  }
  const double wStar = cmin / cmax;
  const double w = std::max(wStar, params.minWeight);
  out.weight = w;

  if (params.form == Form::HalfPowerSum && w <= 0.5) {
    double sum = 0;
    for (size_t i = 1; i <= n; ++i)
      if (c(i)) sum += std::pow(0.5, static_cast<double>(i)) * *c(i);
    out.value = sum;
    return out;
  }

  double num = 0;
  double den = 0;
  for (size_t i = 1; i <= n; ++i) {
    if (!c(i)) continue;
    const double weight = std::pow(w, static_cast<double>(i - 1));  // pow(0, 0) = 1
    num += weight * *c(i);
    den += weight;
  }
  if (den <= 0) {  // w = 0 (ozone, some hour at 0) and c1 missing: the limit w -> 0 is the latest present hour
    for (size_t i = 1; i <= n; ++i)
      if (c(i)) {
        out.value = *c(i);
        return out;
      }
  }
  out.value = num / den;
  return out;
}

}  // namespace cityops::environment
