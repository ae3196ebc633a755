#include "sim/Scenario.hpp"

#include "common/Csv.hpp"
#include "common/Time.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>

namespace cityops::sim {

Result<Scenario> Scenario::load(const std::string& path, int64_t fromMs, int64_t lengthMs,
                                std::set<std::string> totals) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read the scenario " + path);
  if (lengthMs <= 0) return BadRequest("the scenario window must be longer than zero");
  Scenario s;
  s.fromMs_ = fromMs;
  s.lengthMs_ = lengthMs;
  s.totals_ = std::move(totals);
  std::string line;
  std::vector<std::string> f;
  csv::ObservationColumns c;
  bool header = false;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (csv::trim(line).empty()) continue;
    const auto bad = [&](const std::string& what) { return BadRequest(path + " line " + std::to_string(n) + ": " + what); };
    if (auto p = csv::splitLine(line, f); !p.empty()) return bad(p);
    if (!header) {
      if (auto p = csv::parseObservationHeader(f, c); !p.empty()) return bad(p);
      header = true;
      continue;
    }
    if (f.size() != c.count) return bad("expected " + std::to_string(c.count) + " fields");
    auto t = parseTime(f[static_cast<size_t>(c.time)]);
    if (!t) return bad("time: " + t.error().message);
    double v = 0;
    const auto& text = f[static_cast<size_t>(c.value)];
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) return bad("value is not a number");
    s.series_[{f[static_cast<size_t>(c.entity)], f[static_cast<size_t>(c.metric)]}].emplace_back(*t, v);
  }
  if (s.series_.empty()) return BadRequest(path + ": no readings");
  for (auto& [k, v] : s.series_) std::sort(v.begin(), v.end());
  return s;
}

bool Scenario::plays(const std::string& entity, const std::string& metric) const {
  return series_.count({entity, metric}) > 0;
}

double Scenario::at(const std::vector<std::pair<int64_t, double>>& s, int64_t e) const {
  auto it = std::lower_bound(s.begin(), s.end(), std::pair<int64_t, double>(e, -INFINITY));
  if (it == s.begin()) return s.front().second;
  if (it == s.end()) return s.back().second;
  const auto& [t1, v1] = *it;
  const auto& [t0, v0] = *(it - 1);
  return t1 == t0 ? v1 : v0 + (v1 - v0) * static_cast<double>(e - t0) / static_cast<double>(t1 - t0);
}

std::optional<double> Scenario::valueAt(const std::string& entity, const std::string& metric, int64_t ms,
                                        int64_t previousMs) const {
  auto it = series_.find({entity, metric});
  if (it == series_.end() || ms < startMs_ || ms >= startMs_ + lengthMs_) return std::nullopt;
  const int64_t e = fromMs_ + (ms - startMs_);
  if (!totals_.count(metric)) return std::round(at(it->second, e) * 1000.0) / 1000.0;
  // A total per hour (the reading at t covers (t - 1 h, t]): the amount in (previous, now] at that rate.
  const int64_t span = std::clamp<int64_t>(ms - std::max(previousMs, startMs_), 0, 3600000);
  const double perHour = at(it->second, e + 1800000);  // the hour this instant belongs to
  return std::round(perHour * static_cast<double>(span) / 3600000.0 * 10.0) / 10.0;
}

std::optional<double> Scenario::faultIn(const std::string& entity, const std::string& metric, int64_t previousMs,
                                        int64_t ms) const {
  for (const auto& f : faults_) {
    const int64_t at = startMs_ + f.atMs;
    if (f.entity == entity && f.metric == metric && at > previousMs && at <= ms) return f.value;
  }
  return std::nullopt;
}

}  // namespace cityops::sim
