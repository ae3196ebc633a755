#include "environment/VnAqi.hpp"

#include "environment/NowCast.hpp"

#include <string>

namespace cityops::environment {

namespace {

using Scale = VnAqi::Scale;

/// One column of Table 2: the breakpoints at I = 0, 50, 100, 150, 200, 300, 400, 500 (fewer for O3 8-h).
BreakpointTable column(std::initializer_list<double> bp) {
  static constexpr int kIndex[] = {0, 50, 100, 150, 200, 300, 400, 500};
  std::vector<Segment> segs;
  const double* b = bp.begin();
  for (size_t i = 0; i + 1 < bp.size(); ++i) segs.push_back({b[i], b[i + 1], kIndex[i], kIndex[i + 1]});
  return BreakpointTable(std::move(segs));
}

Scale scaleOf(Pollutant p) {
  switch (p) {
    case Pollutant::Pm25: return Scale::Pm25;
    case Pollutant::Pm10: return Scale::Pm10;
    case Pollutant::O3: return Scale::O3_1h;
    case Pollutant::No2: return Scale::No2;
    case Pollutant::So2: return Scale::So2;
    case Pollutant::Co: return Scale::Co;
  }
  return Scale::Pm25;
}

SubIndex make(Pollutant p, const Interpolation& ip, Basis basis, double concentration, int validHours) {
  SubIndex s;
  s.pollutant = p;
  s.index = ip.index;
  s.aqi = roundHalfUp(ip.index);
  s.basis = basis;
  s.concentration = concentration;
  s.stats.emplace_back(basis, concentration);
  s.capped = ip.capped;
  s.validHours = validHours;
  return s;
}

std::string tooFewHours(int valid) {
  return "only " + std::to_string(valid) + " of 24 hours present; the daily index needs at least " +
         std::to_string(VnAqi::kMinDailyHours);
}

/// Daily O3: the larger of the 1-h index of the highest hour and the 8-h index of the highest 8-hour mean.
std::optional<SubIndex> dailyOzone(HourlySpan s, int valid) {
  const double max1h = *SeriesStats::max(s);
  const auto max8h = SeriesStats::maxRunningMean(s, VnAqi::kEightHours, VnAqi::kMinEightHourValid);
  const auto i1 = VnAqi::subIndex(Scale::O3_1h, max1h);
  const auto i8 = max8h ? VnAqi::subIndex(Scale::O3_8h, *max8h) : std::nullopt;
  if (!i1) return std::nullopt;  // max1h >= 0 always has a 1-h index
  SubIndex out = i8 && i8->index >= i1->index ? make(Pollutant::O3, *i8, Basis::Max8h, *max8h, valid)
                                              : make(Pollutant::O3, *i1, Basis::Max1h, max1h, valid);
  out.stats.clear();
  out.stats.emplace_back(Basis::Max1h, max1h);
  if (max8h) out.stats.emplace_back(Basis::Max8h, *max8h);
  return out;
}

}  // namespace

const BreakpointTable& VnAqi::table(Scale scale) {
  static const BreakpointTable kO3_1h = column({0, 160, 200, 300, 400, 800, 1000, 1200});
  static const BreakpointTable kO3_8h = column({0, 100, 120, 170, 210, 400});
  static const BreakpointTable kCo = column({0, 10000, 30000, 45000, 60000, 90000, 120000, 150000});
  static const BreakpointTable kSo2 = column({0, 125, 350, 550, 800, 1600, 2100, 2630});
  static const BreakpointTable kNo2 = column({0, 100, 200, 700, 1200, 2350, 3100, 3850});
  static const BreakpointTable kPm10 = column({0, 50, 150, 250, 350, 420, 500, 600});
  static const BreakpointTable kPm25 = column({0, 25, 50, 80, 150, 250, 350, 500});
  switch (scale) {
    case Scale::O3_1h: return kO3_1h;
    case Scale::O3_8h: return kO3_8h;
    case Scale::Co: return kCo;
    case Scale::So2: return kSo2;
    case Scale::No2: return kNo2;
    case Scale::Pm10: return kPm10;
    case Scale::Pm25: return kPm25;
  }
  return kPm25;
}

std::optional<Interpolation> VnAqi::subIndex(Scale scale, double ugm3) { return table(scale).at(ugm3); }

Result<AqiReport> VnAqi::hourly(const PollutantSeries& hourly) {
  if (auto st = checkSeries(hourly, Period::Hour); !st) return st.error();
  std::vector<SubIndex> subs;
  std::vector<Unavailable> missing;
  for (Pollutant p : kAllPollutants) {
    const auto it = hourly.find(p);
    if (it == hourly.end()) continue;
    const HourlySpan s = it->second;
    if (isParticulate(p)) {
      auto nc = NowCast::compute(s, NowCast::kVnParticulate);
      if (!nc) {
        missing.push_back({p, nc.error().message});
        continue;
      }
      subs.push_back(make(p, *subIndex(scaleOf(p), nc->value), Basis::NowCast, nc->value, nc->validHours));
      continue;
    }
    const auto v = SeriesStats::latest(s);
    if (!v) {
      missing.push_back({p, "no value for the rated hour (the last element)"});
      continue;
    }
    subs.push_back(make(p, *subIndex(scaleOf(p), *v), Basis::Hour, *v, 1));
  }
  return AqiReport::assemble(Standard::Vn, Period::Hour, std::move(subs), std::move(missing));
}

Result<AqiReport> VnAqi::daily(const PollutantSeries& hourly) {
  if (auto st = checkSeries(hourly, Period::Day); !st) return st.error();
  std::vector<SubIndex> subs;
  std::vector<Unavailable> missing;
  for (Pollutant p : kAllPollutants) {
    const auto it = hourly.find(p);
    if (it == hourly.end()) continue;
    const HourlySpan s = it->second;
    const int valid = SeriesStats::validCount(s);
    if (valid < kMinDailyHours) {
      missing.push_back({p, tooFewHours(valid)});
      continue;
    }
    if (isParticulate(p)) {
      const double mean = *SeriesStats::mean(s, kMinDailyHours);
      subs.push_back(make(p, *subIndex(scaleOf(p), mean), Basis::Mean24h, mean, valid));
    } else if (p == Pollutant::O3) {
      if (auto o3 = dailyOzone(s, valid)) subs.push_back(std::move(*o3));
    } else {
      const double max = *SeriesStats::max(s);
      subs.push_back(make(p, *subIndex(scaleOf(p), max), Basis::Max1h, max, valid));
    }
  }
  return AqiReport::assemble(Standard::Vn, Period::Day, std::move(subs), std::move(missing));
}

}  // namespace cityops::environment
