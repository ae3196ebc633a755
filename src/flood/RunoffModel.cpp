#include "flood/RunoffModel.hpp"

#include "flood/ForecastSeries.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>

namespace cityops::flood {

namespace {

// NEH 630 ch. 16, table 16-1: the dimensionless unit hydrograph (t/Tp, q/qp).
constexpr std::array<std::pair<double, double>, 33> kCurvilinear = {{
    {0.0, 0.000}, {0.1, 0.030}, {0.2, 0.100}, {0.3, 0.190}, {0.4, 0.310}, {0.5, 0.470}, {0.6, 0.660},
    {0.7, 0.820}, {0.8, 0.930}, {0.9, 0.990}, {1.0, 1.000}, {1.1, 0.990}, {1.2, 0.930}, {1.3, 0.860},
    {1.4, 0.780}, {1.5, 0.680}, {1.6, 0.560}, {1.7, 0.460}, {1.8, 0.390}, {1.9, 0.330}, {2.0, 0.280},
    {2.2, 0.207}, {2.4, 0.147}, {2.6, 0.107}, {2.8, 0.077}, {3.0, 0.055}, {3.2, 0.040}, {3.4, 0.029},
    {3.6, 0.021}, {3.8, 0.015}, {4.0, 0.011}, {4.5, 0.005}, {5.0, 0.000},
}};

/// q/qp at x = t/Tp.
double shapeAt(UnitHydrographShape shape, double x) {
  if (x <= 0) return 0;
  if (shape == UnitHydrographShape::Triangular) {
    if (x <= 1) return x;
    constexpr double kBase = 2.67;  // Tb = 2.67 Tp: 3/8 of the volume before the peak, as the curvilinear table
    return x < kBase ? (kBase - x) / (kBase - 1) : 0;
  }
  if (x >= kCurvilinear.back().first) return 0;
  for (size_t i = 1; i < kCurvilinear.size(); ++i) {
    if (x <= kCurvilinear[i].first) {
      const auto [x0, y0] = kCurvilinear[i - 1];
      const auto [x1, y1] = kCurvilinear[i];
      return y0 + (x - x0) / (x1 - x0) * (y1 - y0);
    }
  }
  return 0;
}

constexpr double kDryMmPerHour = 0.1;

int64_t floorTo(int64_t t, int64_t step) {
  const int64_t q = t / step;
  return (t % step != 0 && t < 0 ? q - 1 : q) * step;
}

}  // namespace

RunoffModel::RunoffModel(RunoffParams params) : params_(std::move(params)) {}

Status RunoffModel::validate(const RunoffParams& p) {
  if (!(p.curveNumber > 0 && p.curveNumber <= 100)) return BadRequest("runoff: the curve number must be in (0, 100]");
  if (!(p.areaKm2 > 0)) return BadRequest("runoff: the catchment area (km²) must be positive");
  if (!(p.tcHours > 0)) return BadRequest("runoff: the time of concentration (hours) must be positive");
  if (p.stepMs <= 0) return BadRequest("runoff: the step must be positive");
  if (!(p.iaRatio >= 0 && p.iaRatio < 1)) return BadRequest("runoff: the initial abstraction ratio must be in [0, 1)");
  if (p.rating && !(p.rating->a > 0 && p.rating->b > 0))
    return BadRequest("runoff: the rating curve needs a > 0 and b > 0 (stage = a·Q^b + h0)");
  return Status::Ok();
}

double RunoffModel::retention(double curveNumber) { return 25400.0 / curveNumber - 254.0; }

double RunoffModel::excess(double rainMm, double curveNumber, double iaRatio) {
  if (curveNumber >= 100) return std::max(rainMm, 0.0);
  const double s = retention(curveNumber);
  const double ia = iaRatio * s;
  if (rainMm <= ia) return 0;
  return (rainMm - ia) * (rainMm - ia) / (rainMm - ia + s);
}

std::vector<double> RunoffModel::excessSteps(const std::vector<double>& rain, double cn) const {
  std::vector<double> out(rain.size(), 0.0);
  const double stepHours = static_cast<double>(params_.stepMs) / kHourMs;
  const double dryLimit = kDryMmPerHour * stepHours;
  double cumulative = 0, cumulativeExcess = 0, dryHours = 0;
  for (size_t i = 0; i < rain.size(); ++i) {
    const double r = std::max(rain[i], 0.0);
    if (r < dryLimit) {
      dryHours += stepHours;
      if (dryHours >= params_.dryResetHours) cumulative = cumulativeExcess = 0;  // the event is over
    } else {
      dryHours = 0;
    }
    cumulative += r;
    const double q = excess(cumulative, cn, params_.iaRatio);
    out[i] = std::max(q - cumulativeExcess, 0.0);
    cumulativeExcess = q;
  }
  return out;
}

std::vector<double> RunoffModel::unitHydrograph() const {
  const double dtHours = static_cast<double>(params_.stepMs) / kHourMs;
  const double tp = dtHours / 2 + 0.6 * params_.tcHours;
  const double end = params_.shape == UnitHydrographShape::Triangular ? 2.67 : kCurvilinear.back().first;
  const auto m = static_cast<size_t>(std::ceil(end * tp / dtHours)) + 1;
  std::vector<double> u(m + 1, 0.0);
  double sum = 0;
  for (size_t j = 1; j <= m; ++j) {
    u[j] = shapeAt(params_.shape, static_cast<double>(j) * dtHours / tp);
    sum += u[j];
  }
  if (sum <= 0) {  // Tp shorter than the step: all of it in the first step
    u.assign(2, 0.0);
    u[1] = 1;
    sum = 1;
  }
  // Σ u·Δt (s) = 1000·A m³: 1 mm over A km².
  const double scale = 1000.0 * params_.areaKm2 / (sum * dtHours * 3600.0);
  for (double& x : u) x *= scale;
  return u;
}

std::vector<double> RunoffModel::convolve(const std::vector<double>& excessMm, size_t length) const {
  if (length == 0) length = excessMm.size();
  const auto u = unitHydrograph();
  std::vector<double> q(length, 0.0);
  for (size_t i = 0; i < excessMm.size() && i < length; ++i) {
    if (excessMm[i] <= 0) continue;
    for (size_t m = 1; m < u.size() && i + m < length; ++m) q[i + m] += excessMm[i] * u[m];
  }
  return q;
}

std::vector<double> RunoffModel::rainOnGrid(const std::vector<const TimeSeries*>& gauges, int64_t startMs, size_t n,
                                            int64_t nowMs) const {
  const int64_t dt = params_.stepMs;
  const int64_t endMs = startMs + static_cast<int64_t>(n) * dt;
  std::vector<double> total(n, 0.0);
  std::vector<int> covering(n, 0);
  for (const TimeSeries* g : gauges) {
    if (!g) continue;
    const TimeSeries s = ForecastSeries::cleaned(*g, startMs - params_.maxRainIntervalMs,
                                                 std::min(nowMs, endMs + params_.maxRainIntervalMs));
    if (s.empty()) continue;
    std::vector<double> mine(n, 0.0);
    int64_t coverFrom = endMs, coverTo = startMs;
    for (size_t k = 0; k < s.size(); ++k) {
      const int64_t t = s[k].tMs;
      int64_t interval = k > 0 ? t - s[k - 1].tMs : (s.size() > 1 ? s[1].tMs - t : params_.maxRainIntervalMs);
      interval = std::clamp<int64_t>(interval, 0, params_.maxRainIntervalMs);
      const int64_t from = t - interval;
      coverFrom = std::min(coverFrom, from);
      coverTo = std::max(coverTo, t);
      const double amount = std::max(s[k].v, 0.0);
      if (interval == 0) {
        if (t > startMs && t <= endMs) mine[static_cast<size_t>((t - 1 - startMs) / dt)] += amount;
        continue;
      }
      // Spread over (from, t] in proportion to the overlap with each grid step.
      for (int64_t c = std::max(floorTo(from - startMs, dt), int64_t{0}); c < static_cast<int64_t>(n) * dt; c += dt) {
        const int64_t c0 = startMs + c, c1 = c0 + dt;
        if (c0 >= t) break;
        const int64_t overlap = std::min(c1, t) - std::max(c0, from);
        if (overlap > 0)
          mine[static_cast<size_t>(c / dt)] += amount * static_cast<double>(overlap) / static_cast<double>(interval);
      }
    }
    for (size_t i = 0; i < n; ++i) {
      const int64_t c0 = startMs + static_cast<int64_t>(i) * dt;
      if (c0 + dt <= coverFrom || c0 >= coverTo) continue;  // this gauge says nothing about that step
      total[i] += mine[i];
      ++covering[i];
    }
  }
  for (size_t i = 0; i < n; ++i)
    if (covering[i] > 0) total[i] /= covering[i];
  return total;
}

std::optional<double> RunoffModel::ratingStage(double q) const {
  if (!params_.rating) return std::nullopt;
  return params_.rating->a * std::pow(std::max(q, 0.0), params_.rating->b) + params_.rating->h0;
}

Result<std::vector<ForecastPoint>> RunoffModel::forecast(const TimeSeries& level,
                                                         const std::vector<const TimeSeries*>& rain, int64_t nowMs,
                                                         const std::vector<int64_t>& leadsMs) const {
  if (auto ok = validate(params_); !ok) return ok.error();
  const auto last = ForecastSeries::lastAtOrBefore(level, nowMs);
  if (!last) return Unavailable("runoff: no level reading at or before the issue time");
  if (nowMs - last->tMs > params_.maxAgeMs) return Unavailable("runoff: the last level reading is too old");
  bool anyRain = false;
  for (const TimeSeries* g : rain) {
    if (!g) continue;
    const auto r = ForecastSeries::lastAtOrBefore(*g, nowMs);
    anyRain = anyRain || (r && r->tMs >= nowMs - params_.lookbackMs);
  }
  if (!anyRain) return Unavailable("runoff: no rain reading in the lookback window");

  const int64_t dt = params_.stepMs;
  int64_t maxLead = 0;
  for (int64_t l : leadsMs) maxLead = std::max(maxLead, l);
  const int64_t start = floorTo(nowMs - params_.lookbackMs, dt);
  const auto n = static_cast<size_t>((nowMs + maxLead - start) / dt + 2);
  const auto grid = rainOnGrid(rain, start, n, nowMs);

  // Discharge at time t from a run on the grid (linear between grid times).
  auto dischargeAt = [&](const std::vector<double>& q, int64_t t) {
    const double x = static_cast<double>(t - start) / static_cast<double>(dt);
    const auto i = static_cast<size_t>(std::clamp(std::floor(x), 0.0, static_cast<double>(n - 2)));
    const double w = std::clamp(x - static_cast<double>(i), 0.0, 1.0);
    return params_.baseflowM3s + q[i] + w * (q[i + 1] - q[i]);
  };
  const double cn = params_.curveNumber;
  const std::vector<double> runs[3] = {
      convolve(excessSteps(grid, std::max(cn - params_.cnSpread, 1.0)), n),
      convolve(excessSteps(grid, cn), n),
      convolve(excessSteps(grid, std::min(cn + params_.cnSpread, 100.0)), n),
  };

  // Stage from discharge: the rating curve, or α + β·Q learned on the history.
  double alpha = 0, beta = 0;
  const bool rated = params_.rating.has_value();
  if (!rated) {
    const auto view = ForecastSeries::upTo(level, nowMs);
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, qMin = 1e300, qMax = -1e300;
    size_t m = 0;
    for (int64_t t = std::max(start, nowMs - params_.learnWindowMs); t <= last->tMs; t += dt) {
      const auto obs = ForecastSeries::at(view, t, 2 * kHourMs);
      if (!obs) continue;
      const double q = dischargeAt(runs[1], t);
      sx += q, sy += *obs, sxx += q * q, syy += *obs * *obs, sxy += q * *obs;
      qMin = std::min(qMin, q), qMax = std::max(qMax, q);
      ++m;
    }
    if (m < 8 || qMax - qMin < params_.learnMinRangeM3s)
      return Unavailable("runoff: no rating curve, and the history holds no flood to learn stage from discharge");
    const double nn = static_cast<double>(m);
    const double cxx = sxx - sx * sx / nn, cyy = syy - sy * sy / nn, cxy = sxy - sx * sy / nn;
    if (cxx <= 0 || cyy <= 0) return Unavailable("runoff: stage or discharge does not vary in the history");
    const double r2 = cxy * cxy / (cxx * cyy);
    beta = cxy / cxx;
    alpha = (sy - beta * sx) / nn;
    if (beta <= 0 || r2 < params_.learnMinR2)
      return Unavailable("runoff: no rating curve, and stage follows the modelled discharge poorly in the history");
  }
  auto stage = [&](double q) { return rated ? *ratingStage(q) : alpha + beta * q; };

  std::vector<ForecastPoint> out;
  out.reserve(leadsMs.size());
  for (int64_t lead : leadsMs) {
    const int64_t t = nowMs + lead;
    double d[3];
    for (int k = 0; k < 3; ++k) d[k] = stage(dischargeAt(runs[k], t)) - stage(dischargeAt(runs[k], last->tMs));
    const double value = last->v + d[1];
    const double hours = std::max(0.0, static_cast<double>(t - last->tMs) / kHourMs);
    const double noise = params_.z * params_.noiseSigma * std::sqrt(hours);
    const double lo = last->v + std::min({d[0], d[1], d[2]}) - noise;
    const double hi = last->v + std::max({d[0], d[1], d[2]}) + noise;
    out.push_back({t, value, lo, hi});
  }
  return out;
}

}  // namespace cityops::flood
