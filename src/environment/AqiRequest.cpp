#include "environment/AqiRequest.hpp"

#include <cmath>
#include <cstdio>
#include <string>

namespace cityops::environment {

namespace {

std::string shown(std::string_view text) {
  std::string s = "'";
  s += text.substr(0, 64);
  s += text.size() > 64 ? "...'" : "'";
  return s;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

Status checkSeriesLength(Pollutant p, size_t length, Period period) {
  const std::string name = "hourly." + std::string(pollutantName(p));
  if (length == 0) return BadRequest(name + " is empty; give at least the hour being rated");
  if (period == Period::Day && length != kDayHours)
    return BadRequest(name + " has " + std::to_string(length) +
                      " elements; period \"day\" needs exactly 24, the day's hourly means");
  if (period == Period::Hour && length > kMaxHourlyElements)
    return BadRequest(name + " has " + std::to_string(length) + " elements; period \"hour\" takes at most " +
                      std::to_string(kMaxHourlyElements));
  return {};
}

Status checkSeriesValue(Pollutant p, size_t index, double value) {
  const auto at = [&] { return "hourly." + std::string(pollutantName(p)) + "[" + std::to_string(index) + "]"; };
  if (!std::isfinite(value)) return BadRequest(at() + " must be a finite number");
  if (value < 0) return BadRequest(at() + " is negative (" + number(value) + "); concentrations are >= 0 µg/m³");
  return {};
}

Status checkSeries(const PollutantSeries& hourly, Period period) {
  for (const auto& [p, s] : hourly) {
    if (auto st = checkSeriesLength(p, s.size(), period); !st) return st;
    for (size_t i = 0; i < s.size(); ++i)
      if (s[i])
        if (auto st = checkSeriesValue(p, i, *s[i]); !st) return st;
  }
  return {};
}

std::string_view standardName(Standard s) { return s == Standard::Us ? "us" : "vn"; }

Result<Standard> parseStandard(std::string_view text) {
  if (text == "vn") return Standard::Vn;
  if (text == "us") return Standard::Us;
  return BadRequest("unknown standard " + shown(text) + " (expected \"vn\" or \"us\")");
}

std::string_view periodName(Period p) { return p == Period::Day ? "day" : "hour"; }

Result<Period> parsePeriod(std::string_view text) {
  if (text == "hour") return Period::Hour;
  if (text == "day") return Period::Day;
  return BadRequest("unknown period " + shown(text) + " (expected \"hour\" or \"day\")");
}

}  // namespace cityops::environment
