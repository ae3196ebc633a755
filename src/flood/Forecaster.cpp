#include "flood/Forecaster.hpp"

#include "flood/ForecastSeries.hpp"
#include "flood/ForecastTide.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <unordered_map>

namespace cityops::flood {

namespace {

std::string fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

/// The first time a piecewise-linear path through (t, y) reaches `level` from below.
std::optional<int64_t> reach(const std::vector<std::pair<int64_t, double>>& path, double level) {
  for (size_t i = 1; i < path.size(); ++i) {
    const auto [t0, y0] = path[i - 1];
    const auto [t1, y1] = path[i];
    if (y1 < level) continue;
    if (y0 >= level || y1 == y0) return t0;
    const double f = (level - y0) / (y1 - y0);
    const int64_t t = t0 + static_cast<int64_t>(std::llround(f * static_cast<double>(t1 - t0)));
    return std::max(t0, (t + kMinuteMs / 2) / kMinuteMs * kMinuteMs);  // to the minute
  }
  return std::nullopt;
}

}  // namespace

Forecaster::Forecaster(ForecasterOptions options) : options_(std::move(options)) {
  options_.trend.z = options_.z;
  options_.upstream.z = options_.z;
  options_.upstream.upstreamTrend.z = options_.z;
}

std::vector<int64_t> Forecaster::leads() const {
  std::vector<int64_t> out;
  if (options_.stepMs <= 0) return out;
  for (int64_t l = options_.stepMs; l <= options_.horizonMs; l += options_.stepMs) out.push_back(l);
  return out;
}

int64_t Forecaster::levelHistoryMs() const {
  return std::max(options_.upstream.fitWindowMs + options_.upstream.maxLagMs + options_.trend.windowMs,
                  options_.tide.windowMs);
}

int64_t Forecaster::rainHistoryMs(const ForecastStation& station) {
  return station.runoff ? station.runoff->lookbackMs : 0;
}

std::vector<LevelCrossing> Forecaster::crossings(const AlarmLevels& levels, int64_t lastMs,
                                                 double lastValue, const std::vector<ForecastPoint>& points) {
  std::vector<std::pair<int64_t, double>> central{{lastMs, lastValue}}, upper{{lastMs, lastValue}};
  for (const auto& p : points) {
    central.emplace_back(p.tMs, p.value);
    upper.emplace_back(p.tMs, p.upper);
  }
  std::vector<LevelCrossing> out;
  for (size_t i = 0; i < levels.bd.size(); ++i) {
    if (!levels.bd[i]) continue;
    const double value = *levels.bd[i];
    LevelCrossing c;
    c.level = "bd" + std::to_string(i + 1);
    c.threshold = value;
    if (lastValue >= value) {
      c.above = true;
      c.centralMs = c.upperMs = lastMs;
    } else {
      c.centralMs = reach(central, value);
      c.upperMs = reach(upper, value);
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<size_t> Forecaster::chainOrder(const std::vector<ForecastStation>& stations) {
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < stations.size(); ++i) index.emplace(stations[i].id, i);
  std::vector<int> state(stations.size(), 0);  // 0 new, 1 visiting, 2 done
  std::vector<size_t> order;
  std::function<void(size_t)> visit = [&](size_t i) {
    if (state[i] != 0) return;  // done, or a cycle: broken here
    state[i] = 1;
    if (auto it = index.find(stations[i].upstream); !stations[i].upstream.empty() && it != index.end())
      visit(it->second);
    state[i] = 2;
    order.push_back(i);
  };
  for (size_t i = 0; i < stations.size(); ++i) visit(i);
  return order;
}

Result<StationForecast> Forecaster::forecast(const ForecastStation& station, const ForecastInputs& in,
                                             int64_t nowMs) const {
  if (options_.stepMs <= 0 || options_.horizonMs < options_.stepMs)
    return BadRequest("forecast: the step must be positive and the horizon at least one step");
  static const TimeSeries kEmpty;
  const TimeSeries& observed = in.level ? *in.level : kEmpty;
  const auto last = ForecastSeries::lastAtOrBefore(observed, nowMs);
  if (!last) return Unavailable("forecast: no reading of " + station.id + " at or before the issue time");

  StationForecast out;
  out.station = station.id;
  out.issuedMs = nowMs;
  out.lastReadingMs = last->tMs;
  out.lastValue = last->v;
  out.z = options_.z;
  const auto leadList = leads();

  // Tides: the models see tide-free series; the tide is added back to their points.
  const ForecastTide tides(options_.tide);
  const int64_t history = levelHistoryMs();
  TimeSeries levelFree, upstreamFree;
  StationForecast upstreamFcFree;
  const TimeSeries* levelUse = &observed;
  const TimeSeries* upstreamUse = in.upstream;
  const StationForecast* upstreamFcUse = in.upstreamForecast;
  if (station.tidal) {
    out.tide = tides.fit(observed, nowMs);
    if (out.tide) {
      levelFree = ForecastTide::detided(observed, *out.tide, nowMs - history, nowMs);
      levelUse = &levelFree;
    }
  }
  if (in.upstreamTidal && in.upstream) {
    if (auto upTide = tides.fit(*in.upstream, nowMs)) {
      upstreamFree = ForecastTide::detided(*in.upstream, *upTide, nowMs - history, nowMs);
      upstreamUse = &upstreamFree;
      if (in.upstreamForecast) {
        upstreamFcFree = *in.upstreamForecast;
        for (auto& p : upstreamFcFree.points) {
          const double t = upTide->at(p.tMs);
          p.value -= t, p.lower -= t, p.upper -= t;
        }
        upstreamFcUse = &upstreamFcFree;
      }
    }
  }
  const TimeSeries& level = *levelUse;

  auto finish = [&](std::string method, std::string detail, std::vector<ForecastPoint> points) -> StationForecast {
    if (out.tide) {
      for (auto& p : points) {
        const double t = out.tide->at(p.tMs);
        p.value += t, p.lower += t, p.upper += t;
      }
      detail += ", tide M2 " + fixed(out.tide->m2Amplitude, 2) + " m";
      if (out.tide->k1Amplitude > 0) detail += " K1 " + fixed(out.tide->k1Amplitude, 2) + " m";
    }
    out.method = std::move(method);
    out.detail = std::move(detail);
    out.points = std::move(points);
    out.crossings = crossings(station.levels, out.lastReadingMs, out.lastValue, out.points);
    return std::move(out);
  };

  // 1. Upstream.
  if (upstreamUse && !upstreamUse->empty()) {
    const UpstreamForecaster model(options_.upstream);
    auto fit = model.fit(level, *upstreamUse, nowMs);
    if (!fit) {
      out.notes.push_back(fit.error().message);
    } else {
      out.upstreamFit = *fit;
      if (fit->r2 < options_.minR2) {
        out.notes.push_back("upstream fit: R² " + fixed(fit->r2, 2) + " < " + fixed(options_.minR2, 2));
      } else {
        static const std::vector<ForecastPoint> kNone;
        const auto& upFc = upstreamFcUse ? upstreamFcUse->points : kNone;
        auto points = model.forecast(*fit, level, *upstreamUse, nowMs, leadList, upFc);
        if (points) {
          std::string detail = (station.upstream.empty() ? std::string("upstream") : station.upstream) +
                               " lagged " + fixed(static_cast<double>(fit->lagMs) / kHourMs, 2) + " h, gain " +
                               fixed(fit->gain, 3) + ", offset " + fixed(fit->offset, 3) + ", R² " +
                               fixed(fit->r2, 3);
          if (in.upstreamForecast && !in.upstreamForecast->points.empty())
            detail += ", beyond the lag: the upstream's " + in.upstreamForecast->method + " forecast";
          return finish("upstream", std::move(detail), std::move(*points));
        }
        out.notes.push_back(points.error().message);
      }
    }
  }

  // 2. Runoff.
  if (station.runoff) {
    bool anyRain = false;
    for (const TimeSeries* g : in.rain) anyRain = anyRain || (g && !g->empty());
    if (!anyRain) {
      out.notes.push_back("runoff: no rain gauge readings");
    } else {
      RunoffParams p = *station.runoff;
      p.z = options_.z;
      const RunoffModel model(p);
      auto points = model.forecast(level, in.rain, nowMs, leadList);
      if (points) {
        std::string detail = "CN " + fixed(p.curveNumber, 0) + ", A " + fixed(p.areaKm2, 1) + " km², Tc " +
                             fixed(p.tcHours, 2) + " h, " +
                             (p.rating ? "rating curve" : std::string("stage learned from discharge"));
        return finish("runoff", std::move(detail), std::move(*points));
      }
      out.notes.push_back(points.error().message);
    }
  }

  // 3. Trend.
  const TrendForecaster trend(options_.trend);
  auto fit = trend.fit(level, nowMs);
  if (!fit) return fit.error();
  std::vector<ForecastPoint> points;
  for (int64_t lead : leadList) {
    const auto p = trend.predict(*fit, nowMs + lead);
    points.push_back({nowMs + lead, p.value, p.value - options_.z * p.sigma, p.value + options_.z * p.sigma});
  }
  std::string detail = "slope " + fixed(fit->slopePerHour, 3) + " m/h over " + std::to_string(fit->points) +
                       " readings, σ " + fixed(fit->sigma, 3) + " m";
  if (options_.trend.dampingPerHour < 1) detail += ", damping " + fixed(options_.trend.dampingPerHour, 2) + "/h";
  return finish("trend", std::move(detail), std::move(points));
}

}  // namespace cityops::flood
