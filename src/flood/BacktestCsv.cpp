#include "flood/BacktestCsv.hpp"

#include "common/Csv.hpp"

#include "common/Time.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string_view>
#include <vector>

namespace cityops::flood {

namespace {

using csv::trim;
using Columns = csv::ObservationColumns;

Error lineError(size_t line, const std::string& what) {
  return BadRequest("line " + std::to_string(line) + ": " + what);
}

}  // namespace

Result<BacktestData> readBacktestCsv(std::istream& in) {
  BacktestData data;
  std::string text;
  std::vector<std::string> f;
  Columns c;
  bool haveHeader = false;
  size_t lineNo = 0;
  bool first = true;
  while (std::getline(in, text)) {
    ++lineNo;
    if (lineNo == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
    if (!text.empty() && text.back() == '\r') text.pop_back();
    const auto t = trim(text);
    if (t.empty() || t.front() == '#') continue;
    if (auto problem = csv::splitLine(text, f); !problem.empty()) return lineError(lineNo, problem);
    if (!haveHeader) {
      if (auto problem = csv::parseObservationHeader(f, c); !problem.empty()) return lineError(lineNo, problem);
      haveHeader = true;
      continue;
    }
    if (f.size() != c.count)
      return lineError(lineNo, "expected " + std::to_string(c.count) + " fields, found " + std::to_string(f.size()));
    auto at = [&f](int col) -> const std::string& { return f[static_cast<size_t>(col)]; };
    auto time = parseTime(at(c.time));
    if (!time) return lineError(lineNo, time.error().message);
    if (at(c.entity).empty()) return lineError(lineNo, "the entity is empty");
    if (at(c.metric).empty()) return lineError(lineNo, "the metric is empty");
    const std::string& v = at(c.value);
    double value = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size() || !std::isfinite(value))
      return lineError(lineNo, "value '" + v.substr(0, 64) + "' is not a finite number");
    if (c.quality >= 0) {
      const std::string& q = at(c.quality);
      if (q == "bad") {
        ++data.skipped;
        continue;
      }
      if (!q.empty() && q != "good" && q != "suspect")
        return lineError(lineNo, "quality '" + q.substr(0, 64) + "' is not good, suspect or bad");
    }
    data.series[{at(c.entity), at(c.metric)}].push_back({*time, value});
    ++data.readings;
    data.firstMs = first ? *time : std::min(data.firstMs, *time);
    data.lastMs = first ? *time : std::max(data.lastMs, *time);
    first = false;
  }
  if (!haveHeader) return BadRequest("no header line (expected time,entity,metric,value[,quality])");
  for (auto& [key, s] : data.series) {
    std::stable_sort(s.begin(), s.end(), [](const auto& a, const auto& b) { return a.tMs < b.tMs; });
    // One reading per time: the last in the file wins.
    TimeSeries unique;
    for (const auto& p : s) {
      if (!unique.empty() && unique.back().tMs == p.tMs) unique.back() = p;
      else unique.push_back(p);
    }
    s = std::move(unique);
  }
  return data;
}

}  // namespace cityops::flood
