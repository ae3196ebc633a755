#include "flood/StationForecasts.hpp"

#include "flood/AlarmLevels.hpp"
#include "flood/ForecastStationConfig.hpp"

namespace cityops::flood {

namespace {
constexpr int kMaxChain = 8;  // upstream links followed (a cycle in the attributes stops here)
}

TimeSeries StationForecasts::series(const std::string& entity, const std::string& metric, int64_t from,
                                    int64_t to) const {
  TimeSeries out;
  store::SeriesQuery q;
  q.entity = entity;
  q.metric = metric;
  q.from = from;
  q.to = to;
  q.limit = 200000;
  auto points = store_.querySeries(q);
  if (!points) return out;
  out.reserve(points->size());
  for (const auto& p : *points) {
    if (p.quality == model::Quality::Bad) continue;  // quality control said so: not a water level
    if (p.quality == model::Quality::Suspect) continue;
    out.push_back({p.time, p.value});
  }
  return out;
}

Result<StationForecast> StationForecasts::forecastAt(const std::string& id, const Forecaster& f, int64_t nowMs,
                                                     int depth) const {
  auto e = store_.getEntity(id);
  if (!e) return e.error();
  if (e->type != kStationType) return NotFound("'" + id + "' is not a WaterLevelStation");
  auto station = forecastStationOf(*e);
  if (!station) return station.error();
  const int64_t from = nowMs - f.levelHistoryMs();
  const TimeSeries level = series(id, std::string(kLevelMetric), from, nowMs);
  TimeSeries upstream;
  std::optional<StationForecast> upstreamForecast;
  bool upstreamTidal = false;
  if (!station->upstream.empty() && depth < kMaxChain) {
    upstream = series(station->upstream, std::string(kLevelMetric), from, nowMs);
    if (auto up = store_.getEntity(station->upstream); up && up->type == kStationType) {
      if (auto s = forecastStationOf(*up)) upstreamTidal = s->tidal;
      if (auto uf = forecastAt(station->upstream, f, nowMs, depth + 1)) upstreamForecast = std::move(*uf);
    }
  }
  std::vector<TimeSeries> rain;
  if (const int64_t back = Forecaster::rainHistoryMs(*station); back > 0)
    for (const auto& g : station->rainGauges) rain.push_back(series(g, std::string(kRainMetric), nowMs - back, nowMs));
  ForecastInputs in;
  in.level = &level;
  in.upstream = upstream.empty() ? nullptr : &upstream;
  for (const auto& r : rain) in.rain.push_back(&r);
  in.upstreamForecast = upstreamForecast ? &*upstreamForecast : nullptr;
  in.upstreamTidal = upstreamTidal;
  return f.forecast(*station, in, nowMs);
}

Result<StationForecast> StationForecasts::forecast(const std::string& id, int64_t horizonMs, int64_t nowMs) const {
  ForecasterOptions o;
  o.horizonMs = horizonMs;
  Forecaster f(o);
  return forecastAt(id, f, nowMs, 0);
}

}  // namespace cityops::flood
