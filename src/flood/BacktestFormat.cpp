#include "flood/BacktestFormat.hpp"

#include "common/Time.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace cityops::flood {

namespace {

/// "2025-10-29T18:00+07:00" (minutes are enough for a report); UTC ends in Z.
std::string when(int64_t ms, int offsetMinutes) {
  std::string s = formatTime(ms + static_cast<int64_t>(offsetMinutes) * kMinuteMs);  // ...T11:00:00.000Z
  s = s.substr(0, 16);
  if (offsetMinutes == 0) return s + "Z";
  char buf[24];
  const int a = std::abs(offsetMinutes);
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", offsetMinutes < 0 ? '-' : '+', a / 60, a % 60);
  return s + buf;
}

/// "+4h15m", "-0h05m".
std::string duration(int64_t ms) {
  const int64_t m = std::llabs(ms) / kMinuteMs;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%c%lldh%02lldm", ms < 0 ? '-' : '+', static_cast<long long>(m / 60),
                static_cast<long long>(m % 60));
  return buf;
}

std::string num(double v, int digits = 2) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

double mm(double v) { return std::round(v * 1000.0) / 1000.0; }

/// A table with columns padded to their widest cell; `right` marks right-aligned columns.
std::string table(const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right) {
  std::vector<size_t> width;
  for (const auto& r : rows) {
    if (width.size() < r.size()) width.resize(r.size(), 0);
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      const std::string pad(width[i] - r[i].size(), ' ');
      const bool alignRight = i < right.size() && right[i];
      line += alignRight ? pad + r[i] : r[i] + (i + 1 < r.size() ? pad : "");
      if (i + 1 < r.size()) line += "  ";
    }
    out += line + "\n";
  }
  return out;
}

std::string methodsText(const std::map<std::string, size_t>& methods) {
  std::string s;
  for (const auto& [m, n] : methods) s += (s.empty() ? "" : " ") + m + " " + std::to_string(n);
  return s.empty() ? "-" : s;
}

boost::json::value timeOrNull(const std::optional<int64_t>& t, int offset) {
  if (!t) return nullptr;
  return boost::json::string(when(*t, offset));
}

boost::json::value minutesOrNull(const std::optional<int64_t>& ms) {
  if (!ms) return nullptr;
  return *ms / kMinuteMs;
}

}  // namespace

std::string formatReport(const BacktestReport& r, int off) {
  std::string out;
  out += "Backtest " + when(r.fromMs, off) + " .. " + when(r.toMs, off) + ": " + std::to_string(r.readings) +
         " readings, " + std::to_string(r.issues) + " issue times every " + std::to_string(r.issueEveryMs / kMinuteMs) +
         " min (" + when(r.firstIssueMs, off) + " .. " + when(r.lastIssueMs, off) + "), horizon " +
         std::to_string(r.horizonMs / kHourMs) + " h in " + std::to_string(r.stepMs / kMinuteMs) + "-min steps\n";
  for (const auto& w : r.warnings) out += "note: " + w + "\n";
  out += "\nForecast errors (m): MAE of the model and of persistence (the last reading held), bias, band coverage\n";
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head = {"station", "methods", "forecasts"};
  std::vector<bool> right = {false, false, true};
  if (!r.stations.empty()) {
    for (const auto& l : r.stations.front().leads) {
      const std::string h = "+" + std::to_string(l.leadMs / kHourMs) + "h";
      for (const char* col : {" MAE", " persist", " bias", " cover"}) {
        head.push_back(h + col);
        right.push_back(true);
      }
    }
  }
  rows.push_back(head);
  for (const auto& s : r.stations) {
    std::string methods = methodsText(s.methods);
    if (s.failures > 0) methods += " none " + std::to_string(s.failures);
    std::vector<std::string> row = {s.station, methods, std::to_string(s.forecasts)};
    for (const auto& l : s.leads) {
      if (l.n == 0) {
        row.insert(row.end(), {"-", "-", "-", "-"});
        continue;
      }
      row.push_back(num(l.mae));
      row.push_back(num(l.persistenceMae));
      row.push_back((l.bias >= 0 ? "+" : "") + num(l.bias));
      row.push_back(num(l.coverage * 100, 0) + "%");
    }
    rows.push_back(std::move(row));
  }
  out += table(rows, right);

  out += "\nAlarm levels: observed crossing, first warning (central value), the crossing it predicted, its lead, the "
         "upper band's lead, false warnings among the forecasts that warned\n";
  rows.clear();
  rows.push_back({"station", "level", "m", "peak", "observed", "warned at", "predicted", "lead", "upper lead",
                  "false/warnings", "upper false/warnings"});
  for (const auto& s : r.stations) {
    for (const auto& l : s.levels) {
      std::vector<std::string> row = {s.station, l.level, num(l.threshold), s.peak ? num(*s.peak) : "-"};
      if (l.aboveAtStart) {
        row.insert(row.end(), {"above at start", "-", "-", "-", "-"});
      } else {
        row.push_back(l.observedMs ? when(*l.observedMs, off) : "not reached");
        row.push_back(l.warningMs ? when(*l.warningMs, off) : (l.observedMs ? "missed" : "-"));
        row.push_back(l.predictedMs ? when(*l.predictedMs, off) : "-");
        row.push_back(l.leadMs ? duration(*l.leadMs) : "none");
        row.push_back(l.upperLeadMs ? duration(*l.upperLeadMs) : "none");
      }
      row.push_back(std::to_string(l.falseWarnings) + "/" + std::to_string(l.warnings));
      row.push_back(std::to_string(l.upperFalseWarnings) + "/" + std::to_string(l.upperWarnings));
      rows.push_back(std::move(row));
    }
  }
  out += table(rows, {false, false, true, true, false, false, false, true, true, true, true});
  return out;
}

boost::json::object backtestJson(const BacktestReport& r, int off) {
  boost::json::object o;
  o["from"] = when(r.fromMs, off);
  o["to"] = when(r.toMs, off);
  o["first_issue"] = when(r.firstIssueMs, off);
  o["last_issue"] = when(r.lastIssueMs, off);
  o["issue_every_minutes"] = r.issueEveryMs / kMinuteMs;
  o["horizon_minutes"] = r.horizonMs / kMinuteMs;
  o["step_minutes"] = r.stepMs / kMinuteMs;
  o["readings"] = r.readings;
  o["skipped"] = r.skipped;
  o["issues"] = r.issues;
  boost::json::array warnings;
  for (const auto& w : r.warnings) warnings.emplace_back(boost::json::string(w));
  o["warnings"] = std::move(warnings);
  boost::json::array stations;
  for (const auto& s : r.stations) {
    boost::json::object so;
    so["station"] = boost::json::string(s.station);
    if (s.upstream.empty()) so["upstream"] = nullptr;
    else so["upstream"] = boost::json::string(s.upstream);
    so["readings"] = s.readings;
    so["forecasts"] = s.forecasts;
    so["failures"] = s.failures;
    boost::json::object methods;
    for (const auto& [m, n] : s.methods) methods[m] = n;
    so["methods"] = std::move(methods);
    if (s.peak) so["peak"] = boost::json::object{{"value", *s.peak}, {"time", when(s.peakMs, off)}};
    else so["peak"] = nullptr;
    boost::json::array leads;
    for (const auto& l : s.leads) {
      leads.emplace_back(boost::json::object{{"lead_minutes", l.leadMs / kMinuteMs},
                                             {"n", l.n},
                                             {"mae", mm(l.mae)},
                                             {"bias", mm(l.bias)},
                                             {"persistence_mae", mm(l.persistenceMae)},
                                             {"coverage", std::round(l.coverage * 1000) / 1000}});
    }
    so["leads"] = std::move(leads);
    boost::json::array levels;
    for (const auto& l : s.levels) {
      levels.emplace_back(boost::json::object{{"level", boost::json::string(l.level)},
                                              {"threshold", l.threshold},
                                              {"above_at_start", l.aboveAtStart},
                                              {"observed", timeOrNull(l.observedMs, off)},
                                              {"warning", timeOrNull(l.warningMs, off)},
                                              {"predicted", timeOrNull(l.predictedMs, off)},
                                              {"lead_minutes", minutesOrNull(l.leadMs)},
                                              {"upper_warning", timeOrNull(l.upperWarningMs, off)},
                                              {"upper_lead_minutes", minutesOrNull(l.upperLeadMs)},
                                              {"warnings", l.warnings},
                                              {"false_warnings", l.falseWarnings},
                                              {"upper_warnings", l.upperWarnings},
                                              {"upper_false_warnings", l.upperFalseWarnings}});
    }
    so["levels"] = std::move(levels);
    stations.emplace_back(std::move(so));
  }
  o["stations"] = std::move(stations);
  return o;
}

}  // namespace cityops::flood
