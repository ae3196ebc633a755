#pragma once
// The CSV of observation files (`cityops replay`, `cityops flood backtest`): comma-separated fields, a field may be
// double-quoted (a doubled quote inside is one quote, commas inside are kept), blanks around fields are dropped;
// a header naming the columns time, entity, metric, value (required) and quality (optional), in any order.
#include <string>
#include <string_view>
#include <vector>

namespace cityops::csv {

/// Without leading and trailing blanks (spaces, tabs).
std::string_view trim(std::string_view s);

/// Splits one line into fields. Returns a problem ("a quoted field is not closed", ...), or "" when fine.
std::string splitLine(std::string_view line, std::vector<std::string>& out);

struct ObservationColumns {
  int time = -1, entity = -1, metric = -1, value = -1, quality = -1;  // field index, -1 when absent
  size_t count = 0;                                                    // fields in the header
};

/// The header line's fields (case-insensitive names). Returns a problem, or "" when fine.
std::string parseObservationHeader(const std::vector<std::string>& fields, ObservationColumns& c);

}  // namespace cityops::csv
