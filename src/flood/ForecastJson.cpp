#include "flood/ForecastJson.hpp"

#include "common/Time.hpp"

#include <boost/json.hpp>

#include <cmath>

namespace cityops::flood {

namespace {

boost::json::string_view sv(std::string_view s) { return {s.data(), s.size()}; }

double mm(double v) { return std::round(v * 1000.0) / 1000.0; }
double digits4(double v) { return std::round(v * 10000.0) / 10000.0; }

boost::json::value timeOrNull(const std::optional<int64_t>& t) {
  if (!t) return nullptr;
  return boost::json::string(formatTime(*t));
}

/// The two-sided coverage of ±z for a normal distribution: erf(z/√2).
double coverage(double z) { return std::round(std::erf(z / std::sqrt(2.0)) * 1000.0) / 1000.0; }

}  // namespace

boost::json::object forecastJson(const StationForecast& f) {
  boost::json::object o;
  o["station"] = sv(f.station);
  o["method"] = sv(f.method);
  o["detail"] = sv(f.detail);
  boost::json::array notes;
  for (const auto& n : f.notes) notes.emplace_back(sv(n));
  o["notes"] = std::move(notes);
  o["issued_at"] = formatTime(f.issuedMs);
  o["last_reading"] = boost::json::object{{"time", formatTime(f.lastReadingMs)}, {"value", mm(f.lastValue)}};
  o["band"] = boost::json::object{{"z", f.z}, {"coverage", coverage(f.z)}};
  boost::json::array points;
  points.reserve(f.points.size());
  for (const auto& p : f.points) {
    points.emplace_back(boost::json::object{{"time", formatTime(p.tMs)},
                                            {"lead_minutes", (p.tMs - f.issuedMs) / kMinuteMs},
                                            {"value", mm(p.value)},
                                            {"lower", mm(p.lower)},
                                            {"upper", mm(p.upper)}});
  }
  o["points"] = std::move(points);
  boost::json::array crossings;
  for (const auto& c : f.crossings) {
    crossings.emplace_back(boost::json::object{{"level", sv(c.level)},
                                               {"threshold", c.threshold},
                                               {"above", c.above},
                                               {"at", timeOrNull(c.centralMs)},
                                               {"upper_at", timeOrNull(c.upperMs)}});
  }
  o["crossings"] = std::move(crossings);
  if (f.upstreamFit) {
    const auto& u = *f.upstreamFit;
    o["upstream_fit"] = boost::json::object{{"lag_minutes", u.lagMs / kMinuteMs},
                                            {"gain", digits4(u.gain)},
                                            {"offset", mm(u.offset)},
                                            {"r2", digits4(u.r2)},
                                            {"residual_se", mm(u.residualSe)},
                                            {"residual_rho", digits4(u.residualRho)},
                                            {"pairs", u.pairs}};
  } else {
    o["upstream_fit"] = nullptr;
  }
  if (f.tide) {
    o["tide"] = boost::json::object{{"m2_amplitude", mm(f.tide->m2Amplitude)},
                                    {"k1_amplitude", mm(f.tide->k1Amplitude)},
                                    {"explained", std::round(f.tide->explained * 1000) / 1000}};
  } else {
    o["tide"] = nullptr;
  }
  return o;
}

}  // namespace cityops::flood
