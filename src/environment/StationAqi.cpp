#include "environment/StationAqi.hpp"

#include "environment/AqiCalculator.hpp"

namespace cityops::environment {

namespace {
int64_t floorTo(int64_t t, int64_t step) { return (t >= 0 ? t : t - step + 1) / step * step; }
}  // namespace

StationAqiWindow aqiWindow(Period period, int64_t atMs, int utcOffsetMinutes) {
  if (period == Period::Hour) {
    const int64_t end = floorTo(atMs, kHourMs);  // the rated hour is [end - 1 h, end)
    return {end - static_cast<int64_t>(kMaxHourlyElements) * kHourMs, end};
  }
  const int64_t offset = static_cast<int64_t>(utcOffsetMinutes) * 60000;
  const int64_t dayStartLocal = floorTo(atMs - 1 + offset, 24 * kHourMs);
  const int64_t start = dayStartLocal - offset;
  return {start, start + 24 * kHourMs};
}

Result<PollutantSeries> hourlyMeans(const store::Store& store, const std::string& entity, const StationAqiWindow& w) {
  PollutantSeries out;
  const size_t hours = static_cast<size_t>((w.toMs - w.fromMs) / kHourMs);
  for (Pollutant p : kAllPollutants) {
    store::SeriesQuery q;
    q.entity = entity;
    q.metric = std::string(pollutantName(p));
    q.from = w.fromMs;
    q.to = w.toMs - 1;
    q.intervalMs = kHourMs;
    q.agg = store::Agg::Avg;
    q.limit = hours + 1;
    auto points = store.querySeries(q);
    if (!points) return points.error();
    if (points->empty()) continue;
    HourlySeries s(hours);
    for (const auto& pt : *points) {
      if (pt.count == 0 || pt.time < w.fromMs) continue;
      const auto i = static_cast<size_t>((pt.time - w.fromMs) / kHourMs);
      if (i < hours && pt.value >= 0) s[i] = pt.value;
    }
    // The rated hour is the last element: series end with it even when it is missing.
    out.emplace(p, std::move(s));
  }
  return out;
}

Result<AqiReport> stationAqi(const store::Store& store, const std::string& entity, Standard standard, Period period,
                             int64_t atMs, int utcOffsetMinutes) {
  auto e = store.getEntity(entity);
  if (!e) return e.error();
  auto series = hourlyMeans(store, entity, aqiWindow(period, atMs, utcOffsetMinutes));
  if (!series) return series.error();
  if (series->empty())
    return BadRequest("entity '" + entity + "' has no pollutant readings (pm25, pm10, o3, no2, so2, co) in the hours "
                                            "this index needs");
  AqiRequest r;
  r.standard = standard;
  r.period = period;
  r.hourly = std::move(*series);
  return AqiCalculator::compute(r);
}

}  // namespace cityops::environment
