#include "config/TimeZone.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>
#include <utility>

namespace cityops::config {

namespace {

constexpr std::string_view kAreas[] = {"Africa", "America", "Antarctica", "Arctic", "Asia",   "Atlantic",
                                       "Australia", "Europe", "Indian",   "Pacific", "Etc"};

// Zones that have no daylight saving time (as of 2025), with their offset in minutes east of UTC.
constexpr std::pair<std::string_view, int> kFixed[] = {
    {"UTC", 0},
    {"Etc/UTC", 0},
    {"Etc/GMT", 0},
    {"Asia/Ho_Chi_Minh", 7 * 60},
    {"Asia/Saigon", 7 * 60},
    {"Asia/Bangkok", 7 * 60},
    {"Asia/Phnom_Penh", 7 * 60},
    {"Asia/Vientiane", 7 * 60},
    {"Asia/Jakarta", 7 * 60},
    {"Asia/Yangon", 6 * 60 + 30},
    {"Asia/Dhaka", 6 * 60},
    {"Asia/Kolkata", 5 * 60 + 30},
    {"Asia/Singapore", 8 * 60},
    {"Asia/Kuala_Lumpur", 8 * 60},
    {"Asia/Manila", 8 * 60},
    {"Asia/Shanghai", 8 * 60},
    {"Asia/Hong_Kong", 8 * 60},
    {"Asia/Taipei", 8 * 60},
    {"Asia/Tokyo", 9 * 60},
    {"Asia/Seoul", 9 * 60},
};

bool isPartChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '+';
}

}  // namespace

bool isTimeZoneName(std::string_view tz) {
  if (tz == "UTC") return true;
  if (tz.size() > 64) return false;
  const auto slash = tz.find('/');
  if (slash == std::string_view::npos) return false;
  if (std::find(std::begin(kAreas), std::end(kAreas), tz.substr(0, slash)) == std::end(kAreas)) return false;
  std::string_view rest = tz.substr(slash + 1);
  while (true) {  // one or more non-empty parts separated by '/'
    const auto next = rest.find('/');
    const auto part = rest.substr(0, next);
    if (part.empty() || !std::all_of(part.begin(), part.end(), isPartChar)) return false;
    if (next == std::string_view::npos) return true;
    rest = rest.substr(next + 1);
  }
}

std::optional<int> fixedUtcOffsetMinutes(std::string_view tz) {
  for (const auto& [name, minutes] : kFixed)
    if (name == tz) return minutes;
  // Etc/GMT+N is N hours WEST of UTC (POSIX sign); IANA defines Etc/GMT-14 .. Etc/GMT+12.
  constexpr std::string_view kEtcGmt = "Etc/GMT";
  if (tz.size() > kEtcGmt.size() + 1 && tz.substr(0, kEtcGmt.size()) == kEtcGmt) {
    const char sign = tz[kEtcGmt.size()];
    const auto digits = tz.substr(kEtcGmt.size() + 1);
    int hours = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), hours);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.size() > 2 ||
        (digits.size() > 1 && digits[0] == '0')) return {};
    if (sign == '+' && hours <= 12) return -hours * 60;
    if (sign == '-' && hours <= 14) return hours * 60;
  }
  return std::nullopt;
}

}  // namespace cityops::config
