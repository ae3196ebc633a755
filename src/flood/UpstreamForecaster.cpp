#include "flood/UpstreamForecaster.hpp"

#include "flood/ForecastSeries.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

namespace cityops::flood {

namespace {

struct Moments {
  size_t n = 0;
  double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;  // means and centred sums of squares / products
};

/// Pairs (x = U[i + shift], y = D[i]) where both are present, accumulated with Welford's update.
Moments moments(const std::vector<double>& d, const std::vector<double>& u, size_t shift) {
  Moments m;
  for (size_t i = 0; i < d.size(); ++i) {
    const double y = d[i];
    const double x = u[i + shift];
    if (std::isnan(x) || std::isnan(y)) continue;
    ++m.n;
    const double dx = x - m.mx;
    const double dy = y - m.my;
    m.mx += dx / static_cast<double>(m.n);
    m.my += dy / static_cast<double>(m.n);
    m.sxx += dx * (x - m.mx);
    m.syy += dy * (y - m.my);
    m.sxy += dx * (y - m.my);
  }
  return m;
}

std::string hoursText(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f h", static_cast<double>(ms) / kHourMs);
  return buf;
}

}  // namespace

UpstreamForecaster::UpstreamForecaster(UpstreamOptions options) : options_(options) {}

Result<UpstreamFit> UpstreamForecaster::fit(const TimeSeries& downstream, const TimeSeries& upstream,
                                            int64_t nowMs) const {
  const int64_t step = std::max<int64_t>(options_.stepMs, 1);
  const auto last = ForecastSeries::lastAtOrBefore(downstream, nowMs);
  if (!last) return Unavailable("upstream fit: no downstream reading at or before the issue time");
  const auto n = static_cast<size_t>(std::max<int64_t>(options_.fitWindowMs / step, 2));
  const auto lags = static_cast<size_t>(std::max<int64_t>(options_.maxLagMs / step, 0));
  const int64_t start = last->tMs - static_cast<int64_t>(n - 1) * step;
  const auto d = ForecastSeries::resample(ForecastSeries::upTo(downstream, nowMs), start, step, n, options_.maxGapMs);
  // u[j] is the upstream at start + (j − lags)·step: u[i + lags − k] pairs with d[i] at lag k steps.
  const auto u = ForecastSeries::resample(ForecastSeries::upTo(upstream, nowMs),
                                          start - static_cast<int64_t>(lags) * step, step, n + lags, options_.maxGapMs);
  const double minVar = options_.minStd * options_.minStd;
  std::optional<UpstreamFit> best;
  Moments bestM;
  size_t usable = 0;
  for (size_t k = 0; k <= lags; ++k) {
    const Moments m = moments(d, u, lags - k);
    if (m.n < std::max<size_t>(options_.minPairs, 3)) continue;
    const double nn = static_cast<double>(m.n);
    if (m.sxx / nn < minVar || m.syy / nn < minVar) continue;
    ++usable;
    const double r = m.sxy / std::sqrt(m.sxx * m.syy);
    if (!best || r > best->correlation) {
      best = UpstreamFit{};
      best->lagMs = static_cast<int64_t>(k) * step;
      best->correlation = r;
      bestM = m;
    }
  }
  if (!best) {
    return Unavailable(usable == 0 && !d.empty()
                           ? "upstream fit: not enough overlapping, varying history (at least " +
                                 std::to_string(options_.minPairs) + " pairs, standard deviation at least " +
                                 std::to_string(options_.minStd) + ")"
                           : "upstream fit: no usable lag");
  }
  UpstreamFit& f = *best;
  f.stepMs = step;
  f.pairs = bestM.n;
  f.gain = bestM.sxy / bestM.sxx;
  f.offset = bestM.my - f.gain * bestM.mx;
  f.r2 = f.correlation > 0 ? f.correlation * f.correlation : 0;
  // Residuals in grid order: their spread and their lag-one autocorrelation.
  const size_t shift = lags - static_cast<size_t>(f.lagMs / step);
  std::vector<double> e(n, std::nan(""));
  double sse = 0;
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(d[i]) || std::isnan(u[i + shift])) continue;
    e[i] = d[i] - (f.gain * u[i + shift] + f.offset);
    sse += e[i] * e[i];
  }
  f.residualSe = f.pairs > 2 ? std::sqrt(sse / static_cast<double>(f.pairs - 2)) : 0;
  double num = 0, den = 0;
  for (size_t i = 1; i < n; ++i) {
    if (std::isnan(e[i]) || std::isnan(e[i - 1])) continue;
    num += e[i] * e[i - 1];
    den += e[i - 1] * e[i - 1];
  }
  f.residualRho = den > 0 ? std::clamp(num / den, 0.0, 0.999) : 0;
  return f;
}

Result<std::vector<ForecastPoint>> UpstreamForecaster::forecast(
    const UpstreamFit& f, const TimeSeries& downstream, const TimeSeries& upstream, int64_t nowMs,
    const std::vector<int64_t>& leadsMs, const std::vector<ForecastPoint>& upstreamForecast) const {
  const auto last = ForecastSeries::lastAtOrBefore(downstream, nowMs);
  if (!last) return Unavailable("upstream: no downstream reading at or before the issue time");
  const auto upView = ForecastSeries::upTo(upstream, nowMs);
  const auto upLast = ForecastSeries::lastAtOrBefore(upstream, nowMs);
  if (!upLast) return Unavailable("upstream: no upstream reading at or before the issue time");
  const int64_t step = f.stepMs > 0 ? f.stepMs : options_.stepMs;

  // The current error of the level relation, decaying with ρ per step.
  double e0 = 0;
  if (auto u0 = ForecastSeries::at(upView, last->tMs - f.lagMs, options_.maxGapMs))
    e0 = last->v - (f.gain * *u0 + f.offset);

  const TrendForecaster upTrend(options_.upstreamTrend);
  std::optional<Result<TrendFit>> upFit;  // fitted on first need
  const double z = options_.z;

  // The upstream at time s: a reading, the upstream's forecast, or its trend.
  auto upstreamAt = [&](int64_t s) -> Result<Prediction> {
    if (s <= upLast->tMs) {
      if (auto v = ForecastSeries::at(upView, s, options_.maxGapMs)) return Prediction{*v, 0.0};
    }
    if (!upstreamForecast.empty() && s <= upstreamForecast.back().tMs) {
      // Between the last reading (σ 0) and the forecast points, linearly.
      SeriesPoint a{upLast->tMs, upLast->v};
      double sa = 0;
      for (const auto& p : upstreamForecast) {
        const double sp = z > 0 ? (p.upper - p.lower) / (2 * z) : 0;
        if (p.tMs >= s) {
          if (p.tMs == a.tMs || s <= a.tMs) return Prediction{p.value, sp};
          const double w = static_cast<double>(s - a.tMs) / static_cast<double>(p.tMs - a.tMs);
          return Prediction{a.v + w * (p.value - a.v), sa + w * (sp - sa)};
        }
        a = {p.tMs, p.value};
        sa = sp;
      }
    }
    if (!upFit) upFit = upTrend.fit(upstream, nowMs);
    if (!*upFit)
      return Unavailable("upstream: beyond the lag of " + hoursText(f.lagMs) + ": " + upFit->error().message);
    return upTrend.predict(**upFit, s);
  };

  std::vector<ForecastPoint> out;
  out.reserve(leadsMs.size());
  for (int64_t lead : leadsMs) {
    const int64_t t = nowMs + lead;
    auto up = upstreamAt(t - f.lagMs);
    if (!up) return up.error();
    const double k = std::max(0.0, static_cast<double>(t - last->tMs) / static_cast<double>(step));
    const double decay = std::pow(f.residualRho, k);
    const double value = f.gain * up->value + f.offset + e0 * decay;
    const double fitVar = f.residualSe * f.residualSe * (1.0 - decay * decay);
    const double sigma = std::max(std::sqrt(fitVar + f.gain * f.gain * up->sigma * up->sigma), options_.minSigma);
    out.push_back({t, value, value - z * sigma, value + z * sigma});
  }
  return out;
}

}  // namespace cityops::flood
