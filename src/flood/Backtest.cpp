#include "flood/Backtest.hpp"

#include "flood/ForecastSeries.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

namespace cityops::flood {

namespace {

struct LeadSums {
  size_t n = 0;
  double abs = 0, signed_ = 0, persistence = 0;
  size_t covered = 0;
};

/// The forecast (value, lower, upper) at t, linear between the last reading and the points.
std::optional<ForecastPoint> pointAt(const StationForecast& f, int64_t t) {
  ForecastPoint prev{f.lastReadingMs, f.lastValue, f.lastValue, f.lastValue};
  for (const auto& p : f.points) {
    if (p.tMs == t) return p;
    if (p.tMs > t) {
      if (t < prev.tMs || p.tMs == prev.tMs) return std::nullopt;
      const double w = static_cast<double>(t - prev.tMs) / static_cast<double>(p.tMs - prev.tMs);
      return ForecastPoint{t, prev.value + w * (p.value - prev.value), prev.lower + w * (p.lower - prev.lower),
                           prev.upper + w * (p.upper - prev.upper)};
    }
    prev = p;
  }
  return std::nullopt;
}

int64_t ceilTo(int64_t t, int64_t step) {
  const int64_t r = ((t % step) + step) % step;
  return r == 0 ? t : t + (step - r);
}

}  // namespace

Result<BacktestReport> runBacktest(std::istream& csv, const BacktestOptions& options) {
  auto data = readBacktestCsv(csv);
  if (!data) return data.error();
  return runBacktest(*data, options);
}

Result<BacktestReport> runBacktest(const BacktestData& data, const BacktestOptions& o) {
  if (o.stations.empty()) return BadRequest("backtest: no station configured");
  if (o.issueEveryMs <= 0) return BadRequest("backtest: the issue interval must be positive");
  if (o.forecaster.stepMs <= 0 || o.forecaster.horizonMs < o.forecaster.stepMs)
    return BadRequest("backtest: the forecast step must be positive and the horizon at least one step");
  if (data.readings == 0) return BadRequest("backtest: the file holds no readings");

  const Forecaster forecaster(o.forecaster);
  const int64_t horizon = o.forecaster.horizonMs;
  const auto& stations = o.stations;
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < stations.size(); ++i) index.emplace(stations[i].id, i);
  std::vector<size_t> order(stations.size());
  std::iota(order.begin(), order.end(), size_t{0});
  if (o.chain) order = Forecaster::chainOrder(stations);

  BacktestReport report;
  report.fromMs = data.firstMs;
  report.toMs = data.lastMs;
  report.issueEveryMs = o.issueEveryMs;
  report.horizonMs = horizon;
  report.stepMs = o.forecaster.stepMs;
  report.readings = data.readings;
  report.skipped = data.skipped;

  // Per station: its series, its report, its sums.
  struct Station {
    const TimeSeries* level = nullptr;
    const TimeSeries* upstream = nullptr;
    std::vector<const TimeSeries*> rain;
    std::vector<LeadSums> sums;
  };
  std::vector<Station> st(stations.size());
  report.stations.resize(stations.size());
  for (size_t i = 0; i < stations.size(); ++i) {
    const auto& cfg = stations[i];
    auto& r = report.stations[i];
    r.station = cfg.id;
    r.upstream = cfg.upstream;
    st[i].level = data.find(cfg.id, o.levelMetric);
    if (!st[i].level || st[i].level->empty()) {
      report.warnings.push_back(cfg.id + ": no " + o.levelMetric + " readings in the file");
      st[i].level = nullptr;
    }
    if (!cfg.upstream.empty()) {
      st[i].upstream = data.find(cfg.upstream, o.levelMetric);
      if (!st[i].upstream) report.warnings.push_back(cfg.id + ": no readings of its upstream " + cfg.upstream);
    }
    for (const auto& g : cfg.rainGauges) {
      if (const auto* s = data.find(g, o.rainMetric)) st[i].rain.push_back(s);
      else if (cfg.runoff) report.warnings.push_back(cfg.id + ": no " + o.rainMetric + " readings of " + g);
    }
    st[i].sums.resize(o.scoreLeadsMs.size());
    for (int64_t lead : o.scoreLeadsMs) r.leads.push_back(BacktestLeadScore{lead});
    if (!st[i].level) continue;
    r.readings = st[i].level->size();
    for (const auto& p : *st[i].level) {
      if (!r.peak || p.v > *r.peak) {
        r.peak = p.v;
        r.peakMs = p.tMs;
      }
    }
    const auto& full = *st[i].level;
    for (size_t k = 0; k < cfg.levels.bd.size(); ++k) {
      if (!cfg.levels.bd[k]) continue;
      BacktestLevelScore ls;
      ls.level = "bd" + std::to_string(k + 1);
      ls.threshold = *cfg.levels.bd[k];
      if (full.front().v >= ls.threshold) ls.aboveAtStart = true;
      else ls.observedMs = ForecastSeries::firstCrossing(full, ls.threshold, full.front().tMs, o.maxGapMs);
      r.levels.push_back(std::move(ls));
    }
  }

  report.firstIssueMs = ceilTo(data.firstMs + o.warmupMs, o.issueEveryMs);
  report.lastIssueMs = report.firstIssueMs;
  std::vector<std::optional<StationForecast>> current(stations.size());
  for (int64_t T = report.firstIssueMs; T <= data.lastMs; T += o.issueEveryMs) {
    ++report.issues;
    report.lastIssueMs = T;
    for (auto& c : current) c.reset();
    for (size_t i : order) {
      if (!st[i].level) continue;
      auto& r = report.stations[i];
      ForecastInputs in;
      in.level = st[i].level;
      in.upstream = st[i].upstream;
      in.rain = st[i].rain;
      if (!stations[i].upstream.empty()) {
        if (auto it = index.find(stations[i].upstream); it != index.end()) {
          in.upstreamTidal = stations[it->second].tidal;
          if (o.chain && current[it->second]) in.upstreamForecast = &*current[it->second];
        }
      }
      auto f = forecaster.forecast(stations[i], in, T);
      if (!f) {
        ++r.failures;
        continue;
      }
      ++r.forecasts;
      ++r.methods[f->method];
      const auto& full = *st[i].level;
      for (size_t k = 0; k < o.scoreLeadsMs.size(); ++k) {
        const int64_t t = T + o.scoreLeadsMs[k];
        const auto obs = ForecastSeries::at(full, t, o.maxGapMs);
        const auto p = pointAt(*f, t);
        if (!obs || !p) continue;
        auto& s = st[i].sums[k];
        ++s.n;
        s.abs += std::abs(p->value - *obs);
        s.signed_ += p->value - *obs;
        s.persistence += std::abs(f->lastValue - *obs);
        if (*obs >= p->lower && *obs <= p->upper) ++s.covered;
      }
      for (const auto& c : f->crossings) {
        auto ls = std::find_if(r.levels.begin(), r.levels.end(), [&](const auto& l) { return l.level == c.level; });
        if (ls == r.levels.end() || c.above) continue;
        const bool inWindow = ls->observedMs && T >= *ls->observedMs - horizon;
        std::optional<bool> reachedInHorizon;  // computed once, when a warning needs it
        auto falseAlarm = [&] {
          if (!reachedInHorizon) {
            const auto reached = ForecastSeries::firstCrossing(full, c.threshold, T, o.maxGapMs);
            reachedInHorizon = reached && *reached <= T + horizon;
          }
          return !*reachedInHorizon;
        };
        if (c.upperMs) {
          ++ls->upperWarnings;
          if (falseAlarm()) ++ls->upperFalseWarnings;
        }
        if (c.centralMs) {
          ++ls->warnings;
          if (falseAlarm()) ++ls->falseWarnings;
          if (inWindow && !ls->warningMs) {
            ls->warningMs = T;
            ls->predictedMs = c.centralMs;
          }
        }
        if (c.upperMs && inWindow && !ls->upperWarningMs) ls->upperWarningMs = T;
      }
      current[i] = std::move(*f);
    }
  }

  for (size_t i = 0; i < stations.size(); ++i) {
    auto& r = report.stations[i];
    for (size_t k = 0; k < r.leads.size(); ++k) {
      const auto& s = st[i].sums[k];
      auto& l = r.leads[k];
      l.n = s.n;
      if (s.n == 0) continue;
      const double n = static_cast<double>(s.n);
      l.mae = s.abs / n;
      l.bias = s.signed_ / n;
      l.persistenceMae = s.persistence / n;
      l.coverage = static_cast<double>(s.covered) / n;
    }
    for (auto& ls : r.levels) {
      if (ls.observedMs && ls.warningMs) ls.leadMs = *ls.observedMs - *ls.warningMs;
      if (ls.observedMs && ls.upperWarningMs) ls.upperLeadMs = *ls.observedMs - *ls.upperWarningMs;
    }
  }
  return report;
}

}  // namespace cityops::flood
