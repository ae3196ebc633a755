#include "environment/UsAqi.hpp"

#include "environment/NowCast.hpp"

#include <cmath>
#include <string>

namespace cityops::environment {

namespace {

using Scale = UsAqi::Scale;

/// Breakpoints are held in whole units of the truncation step (PM2.5: 0.1 µg/m³, O3: 0.001 ppm = 1 ppb, CO:
/// 0.1 ppm), so that the interpolation of a truncated value is exact and a true .5 rounds up.
struct ScaleInfo {
  double unitsPerEpa;  // steps per EPA unit: 10 for 0.1, 1000 for 0.001
  BreakpointTable table;
};

const ScaleInfo& info(Scale scale) {
  static const ScaleInfo kPm25{10, BreakpointTable({{0, 90, 0, 50},
                                                    {91, 354, 51, 100},
                                                    {355, 554, 101, 150},
                                                    {555, 1254, 151, 200},
                                                    {1255, 2254, 201, 300},
                                                    {2255, 3254, 301, 500}})};
  static const ScaleInfo kPm10{1, BreakpointTable({{0, 54, 0, 50},
                                                   {55, 154, 51, 100},
                                                   {155, 254, 101, 150},
                                                   {255, 354, 151, 200},
                                                   {355, 424, 201, 300},
                                                   {425, 604, 301, 500}})};
  static const ScaleInfo kO3_8h{1000, BreakpointTable({{0, 54, 0, 50},
                                                       {55, 70, 51, 100},
                                                       {71, 85, 101, 150},
                                                       {86, 105, 151, 200},
                                                       {106, 200, 201, 300}})};
  static const ScaleInfo kO3_1h{1000, BreakpointTable({{125, 164, 101, 150},
                                                       {165, 204, 151, 200},
                                                       {205, 404, 201, 300},
                                                       {405, 604, 301, 500}})};
  static const ScaleInfo kCo{10, BreakpointTable({{0, 44, 0, 50},
                                                  {45, 94, 51, 100},
                                                  {95, 124, 101, 150},
                                                  {125, 154, 151, 200},
                                                  {155, 304, 201, 300},
                                                  {305, 504, 301, 500}})};
  static const ScaleInfo kSo2_1h{1, BreakpointTable({{0, 35, 0, 50},
                                                     {36, 75, 51, 100},
                                                     {76, 185, 101, 150},
                                                     {186, 304, 151, 200}})};
  static const ScaleInfo kSo2_24h{1, BreakpointTable({{305, 604, 201, 300}, {605, 1004, 301, 500}})};
  static const ScaleInfo kNo2{1, BreakpointTable({{0, 53, 0, 50},
                                                  {54, 100, 51, 100},
                                                  {101, 360, 101, 150},
                                                  {361, 649, 151, 200},
                                                  {650, 1249, 201, 300},
                                                  {1250, 2049, 301, 500}})};
  switch (scale) {
    case Scale::Pm25: return kPm25;
    case Scale::Pm10: return kPm10;
    case Scale::O3_8h: return kO3_8h;
    case Scale::O3_1h: return kO3_1h;
    case Scale::Co_8h: return kCo;
    case Scale::So2_1h: return kSo2_1h;
    case Scale::So2_24h: return kSo2_24h;
    case Scale::No2_1h: return kNo2;
  }
  return kPm25;
}

/// Whole truncation steps; the 1e-9 margin keeps 35.4 (35.39999999999999 in binary) at 354 steps.
double steps(Scale scale, double c) { return std::floor(c * info(scale).unitsPerEpa + 1e-9); }

/// The sub-index of `ugm3` (a statistic named `basis`) on `scale`; nothing where the scale does not apply.
std::optional<SubIndex> rate(Pollutant p, Scale scale, Basis basis, double ugm3, int validHours) {
  const double epa = UsAqi::toEpaUnit(p, ugm3);
  const auto ip = UsAqi::subIndex(scale, epa);
  if (!ip) return std::nullopt;
  SubIndex s;
  s.pollutant = p;
  s.index = ip->index;
  s.aqi = static_cast<int>(ip->index);
  s.basis = basis;
  s.concentration = ugm3;
  s.stats.emplace_back(basis, ugm3);
  s.epaConcentration = UsAqi::truncate(scale, epa);
  s.epaUnit = UsAqi::epaUnit(p);
  s.capped = ip->capped;
  s.validHours = validHours;
  return s;
}

/// Ozone: the larger of the 8-h-scale and the 1-h-scale sub-index (the 8-h one on a tie), with both statistics.
std::optional<SubIndex> larger(std::optional<SubIndex> eight, std::optional<SubIndex> one,
                               const std::vector<std::pair<Basis, double>>& stats) {
  std::optional<SubIndex> out;
  if (eight && (!one || eight->index >= one->index)) out = std::move(eight);
  else out = std::move(one);
  if (out) out->stats = stats;
  return out;
}

/// SO2: the 1-h scale up to 304 ppb; above, the 24-hour mean on the 24-h rows (from 305 ppb), else 200 (capped).
SubIndex so2(double oneHour, Basis oneHourBasis, HourlySpan series, int valid) {
  if (auto s = rate(Pollutant::So2, Scale::So2_1h, oneHourBasis, oneHour, valid)) return *s;
  const auto mean = SeriesStats::mean(SeriesStats::tail(series, kDayHours), UsAqi::kMinDailyHours);
  if (mean)
    if (auto s = rate(Pollutant::So2, Scale::So2_24h, Basis::Mean24h, *mean, valid)) {
      s->stats.emplace_back(oneHourBasis, oneHour);
      return *s;
    }
  SubIndex s;
  s.pollutant = Pollutant::So2;
  s.index = 200;
  s.aqi = 200;
  s.basis = oneHourBasis;
  s.concentration = oneHour;
  s.stats.emplace_back(oneHourBasis, oneHour);
  if (mean) s.stats.emplace_back(Basis::Mean24h, *mean);
  s.epaConcentration = UsAqi::truncate(Scale::So2_1h, UsAqi::toEpaUnit(Pollutant::So2, oneHour));
  s.epaUnit = "ppb";
  s.capped = true;
  s.validHours = valid;
  return s;
}

std::string tooFewHours(int valid) {
  return "only " + std::to_string(valid) + " of 24 hours present; the daily index needs at least " +
         std::to_string(UsAqi::kMinDailyHours);
}

}  // namespace

double UsAqi::toEpaUnit(Pollutant p, double ugm3) {
  switch (p) {
    case Pollutant::Pm25:
    case Pollutant::Pm10: return ugm3;
    case Pollutant::O3:
    case Pollutant::Co: return ugm3 * kMolarVolume / molarMass(p) / 1000.0;
    case Pollutant::No2:
    case Pollutant::So2: return ugm3 * kMolarVolume / molarMass(p);
  }
  return ugm3;
}

std::string_view UsAqi::epaUnit(Pollutant p) {
  switch (p) {
    case Pollutant::Pm25:
    case Pollutant::Pm10: return "µg/m³";
    case Pollutant::O3:
    case Pollutant::Co: return "ppm";
    case Pollutant::No2:
    case Pollutant::So2: return "ppb";
  }
  return "µg/m³";
}

double UsAqi::truncate(Scale scale, double c) { return steps(scale, c) / info(scale).unitsPerEpa; }

std::optional<Interpolation> UsAqi::subIndex(Scale scale, double c) {
  if (std::isnan(c) || c < 0) return std::nullopt;  // +inf: above every scale
  const auto ip = info(scale).table.at(steps(scale, c));
  if (!ip) return std::nullopt;
  if (ip->capped) return ip;
  return Interpolation{static_cast<double>(roundHalfUp(ip->index)), false};
}

Result<AqiReport> UsAqi::hourly(const PollutantSeries& hourly) {
  if (auto st = checkSeries(hourly, Period::Hour); !st) return st.error();
  std::vector<SubIndex> subs;
  std::vector<Unavailable> missing;
  for (Pollutant p : kAllPollutants) {
    const auto it = hourly.find(p);
    if (it == hourly.end()) continue;
    const HourlySpan s = it->second;
    const auto latest = SeriesStats::latest(s);
    switch (p) {
      case Pollutant::Pm25:
      case Pollutant::Pm10: {
        auto nc = NowCast::compute(s, NowCast::kEpaParticulate);
        if (!nc) {
          missing.push_back({p, nc.error().message});
          break;
        }
        const Scale scale = p == Pollutant::Pm25 ? Scale::Pm25 : Scale::Pm10;
        subs.push_back(*rate(p, scale, Basis::NowCast, nc->value, nc->validHours));
        break;
      }
      case Pollutant::O3: {
        auto nc = NowCast::compute(s, NowCast::kEpaOzone);
        std::vector<std::pair<Basis, double>> stats;
        std::optional<SubIndex> eight, one;
        if (nc) {
          stats.emplace_back(Basis::NowCast8h, nc->value);
          eight = rate(p, Scale::O3_8h, Basis::NowCast8h, nc->value, nc->validHours);
        }
        if (latest) {
          stats.emplace_back(Basis::Hour, *latest);
          one = rate(p, Scale::O3_1h, Basis::Hour, *latest, 1);
        }
        if (auto o3 = larger(std::move(eight), std::move(one), stats)) {
          subs.push_back(std::move(*o3));
        } else {
          std::string why = nc ? "the ozone NowCast is above the 8-hour scale (0.200 ppm)"
                               : "ozone NowCast: " + nc.error().message;
          why += latest ? " and the rated hour is below the 1-hour scale (0.125 ppm)"
                        : " and the rated hour (the last element) has no value";
          missing.push_back({p, why});
        }
        break;
      }
      case Pollutant::Co: {
        const auto tail = SeriesStats::tail(s, 8);
        const auto mean = SeriesStats::mean(tail, kMinEightHourValid);
        if (!mean) {
          missing.push_back({p, "the 8-hour mean ending at the rated hour needs at least 6 of its 8 hours"});
          break;
        }
        subs.push_back(*rate(p, Scale::Co_8h, Basis::Mean8h, *mean, SeriesStats::validCount(tail)));
        break;
      }
      case Pollutant::No2:
      case Pollutant::So2: {
        if (!latest) {
          missing.push_back({p, "no value for the rated hour (the last element)"});
          break;
        }
        if (p == Pollutant::So2) subs.push_back(so2(*latest, Basis::Hour, s, 1));
        else subs.push_back(*rate(p, Scale::No2_1h, Basis::Hour, *latest, 1));
        break;
      }
    }
  }
  return AqiReport::assemble(Standard::Us, Period::Hour, std::move(subs), std::move(missing));
}

Result<AqiReport> UsAqi::daily(const PollutantSeries& hourly) {
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
    const double max1h = *SeriesStats::max(s);
    const auto max8h = SeriesStats::maxRunningMean(s, 8, kMinEightHourValid);
    switch (p) {
      case Pollutant::Pm25:
      case Pollutant::Pm10: {
        const double mean = *SeriesStats::mean(s, kMinDailyHours);
        subs.push_back(*rate(p, p == Pollutant::Pm25 ? Scale::Pm25 : Scale::Pm10, Basis::Mean24h, mean, valid));
        break;
      }
      case Pollutant::O3: {
        std::vector<std::pair<Basis, double>> stats;
        std::optional<SubIndex> eight;
        if (max8h) {
          stats.emplace_back(Basis::Max8h, *max8h);
          eight = rate(p, Scale::O3_8h, Basis::Max8h, *max8h, valid);
        }
        stats.emplace_back(Basis::Max1h, max1h);
        auto one = rate(p, Scale::O3_1h, Basis::Max1h, max1h, valid);
        if (auto o3 = larger(std::move(eight), std::move(one), stats)) subs.push_back(std::move(*o3));
        else missing.push_back({p, "the highest 8-hour mean is above the 8-hour scale (0.200 ppm) and the highest "
                                   "hour below the 1-hour scale (0.125 ppm)"});
        break;
      }
      case Pollutant::Co:
        if (max8h) subs.push_back(*rate(p, Scale::Co_8h, Basis::Max8h, *max8h, valid));
        else missing.push_back({p, "no 8-hour mean with at least 6 of its 8 hours"});
        break;
      case Pollutant::No2: subs.push_back(*rate(p, Scale::No2_1h, Basis::Max1h, max1h, valid)); break;
      case Pollutant::So2: subs.push_back(so2(max1h, Basis::Max1h, s, valid)); break;
    }
  }
  return AqiReport::assemble(Standard::Us, Period::Day, std::move(subs), std::move(missing));
}

}  // namespace cityops::environment
