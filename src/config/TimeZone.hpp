#pragma once
// Time-zone names in the city configuration: a shape check and a small table of fixed UTC offsets.
// There is no time-zone database here: zones with daylight saving time are deliberately not in the table.
#include <optional>
#include <string_view>

namespace cityops::config {

/// "UTC", or an IANA-style Area/Location[/Sub] name whose area is one of Africa, America, Antarctica, Arctic,
/// Asia, Atlantic, Australia, Europe, Indian, Pacific or Etc, and whose parts are letters, digits, '_', '-', '+'
/// (e.g. "Asia/Ho_Chi_Minh", "America/Argentina/Buenos_Aires", "Etc/GMT-7"). The name is not looked up.
bool isTimeZoneName(std::string_view tz);

/// The zone's offset from UTC in minutes (east positive; Asia/Ho_Chi_Minh gives 420), for UTC, Etc/UTC,
/// Etc/GMT±N (POSIX sign: Etc/GMT-7 is UTC+7) and a small built-in table of zones without daylight saving time.
/// std::nullopt for any other zone.
std::optional<int> fixedUtcOffsetMinutes(std::string_view tz);

}  // namespace cityops::config
