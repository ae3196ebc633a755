#include "common/Csv.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace cityops::csv {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string splitLine(std::string_view line, std::vector<std::string>& out) {
  out.clear();
  size_t i = 0;
  for (;;) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        field.push_back(line[i++]);
      }
      if (!closed) return "a quoted field is not closed";
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i < line.size() && line[i] != ',') return "unexpected text after a quoted field";
    } else {
      const size_t start = i;
      while (i < line.size() && line[i] != ',') ++i;
      const auto raw = trim(line.substr(start, i - start));
      if (raw.find('"') != std::string_view::npos) return "a quote inside an unquoted field";
      field.assign(raw);
    }
    out.push_back(std::move(field));
    if (i >= line.size()) return {};
    ++i;  // the comma
  }
}

std::string parseObservationHeader(const std::vector<std::string>& fields, ObservationColumns& c) {
  c = ObservationColumns{};
  c.count = fields.size();
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string name = fields[i];
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
    int* slot = name == "time"      ? &c.time
                : name == "entity"  ? &c.entity
                : name == "metric"  ? &c.metric
                : name == "value"   ? &c.value
                : name == "quality" ? &c.quality
                                    : nullptr;
    if (!slot) return "unknown column '" + fields[i] + "' (the columns are time, entity, metric, value[, quality])";
    if (*slot >= 0) return "column '" + fields[i] + "' appears twice";
    *slot = static_cast<int>(i);
  }
  for (auto [col, name] : {std::pair{c.time, "time"}, {c.entity, "entity"}, {c.metric, "metric"}, {c.value, "value"}})
    if (col < 0)
      return std::string("the header has no column '") + name + "' (expected time,entity,metric,value[,quality])";
  return {};
}

}  // namespace cityops::csv
