#include "rules/Duration.hpp"

#include <array>

namespace cityops::rules {

namespace {

struct Unit {
  std::string_view name;
  int64_t ms;
};

// From the largest to the smallest: the order the parts of a duration must follow.
constexpr std::array<Unit, 5> kUnits{{{"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}}};

std::string quoted(std::string_view text) {
  std::string out = "\"";
  out += text.substr(0, 32);
  if (text.size() > 32) out += "...";
  out += '"';
  return out;
}

Error bad(std::string_view text, std::string_view why) {
  return BadRequest("duration " + quoted(text) + ": " + std::string(why) +
                    " (write e.g. \"90s\", \"15m\", \"3h\", \"1d\" or \"1h30m\")");
}

}  // namespace

Result<int64_t> Duration::parse(std::string_view text) {
  if (text.empty()) return bad(text, "is empty");
  int64_t total = 0;
  size_t pos = 0;
  size_t nextUnit = 0;  // index into kUnits of the largest unit still allowed
  while (pos < text.size()) {
    const size_t start = pos;
    int64_t amount = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      amount = amount * 10 + (text[pos] - '0');
      if (amount > kMaxMs) return bad(text, "is longer than 30 days");
      ++pos;
    }
    if (pos == start) {
      if (text[pos] == '-' || text[pos] == '+') return bad(text, "must not have a sign");
      return bad(text, "expected a whole number at position " + std::to_string(pos + 1));
    }
    if (pos == text.size()) return bad(text, "the number " + std::string(text.substr(start)) + " has no unit");
    if (text[pos] == '.' || text[pos] == ',') return bad(text, "amounts must be whole numbers");
    // The unit: "ms" is read before "m".
    size_t unit = kUnits.size();
    for (size_t u = 0; u < kUnits.size(); ++u) {
      const auto name = kUnits[u].name;
      if (text.substr(pos, name.size()) == name && (name != "m" || text.substr(pos, 2) != "ms")) {
        unit = u;
        break;
      }
    }
    if (unit == kUnits.size())
      return bad(text, "unknown unit '" + std::string(1, text[pos]) + "' at position " + std::to_string(pos + 1) +
                           " (units: d, h, m, s, ms)");
    if (unit < nextUnit)
      return bad(text, "units must appear once each, from the largest to the smallest (d, h, m, s, ms)");
    nextUnit = unit + 1;
    pos += kUnits[unit].name.size();
    if (amount > kMaxMs / kUnits[unit].ms) return bad(text, "is longer than 30 days");
    total += amount * kUnits[unit].ms;
    if (total > kMaxMs) return bad(text, "is longer than 30 days");
  }
  return total;
}

std::string Duration::format(int64_t ms) {
  if (ms < 0) return "-" + format(-ms);  // not expected from parse(); kept readable for logs
  if (ms == 0) return "0s";
  std::string best;
  // Candidate k: everything from unit k down written as the largest parts possible, starting at unit k
  // (k = "m": 5400000 -> "90m"; k = "h": "1h30m"). The shortest wins; on ties the earlier (larger) start.
  for (size_t k = 0; k < kUnits.size(); ++k) {
    if (ms < kUnits[k].ms) continue;
    std::string candidate;
    int64_t rest = ms;
    for (size_t u = k; u < kUnits.size(); ++u) {
      const int64_t amount = rest / kUnits[u].ms;
      rest -= amount * kUnits[u].ms;
      if (amount > 0) {
        candidate += std::to_string(amount);
        candidate += kUnits[u].name;
      }
    }
    if (best.empty() || candidate.size() < best.size()) best = std::move(candidate);
  }
  return best;
}

}  // namespace cityops::rules
