#include "common/Time.hpp"

#include <charconv>
#include <cstdio>

namespace cityops {

int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's days_from_civil.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

bool isLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

Error bad(std::string_view text) {
  std::string shown(text.substr(0, 64));
  return BadRequest("time '" + shown + "' is neither RFC 3339 (e.g. 2025-10-29T18:00:00+07:00) nor epoch milliseconds");
}

}  // namespace

Result<int64_t> parseTime(std::string_view s) {
  if (s.empty()) return bad(s);
  bool allDigits = s.size() <= 18;
  for (char c : s) allDigits = allDigits && c >= '0' && c <= '9';
  if (allDigits) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return bad(s);
    return v;
  }
  int Y, M, D, h, m, sec;
  if (!digits(s, 0, 4, Y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, M) || s[7] != '-' ||
      !digits(s, 8, 2, D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, m) || s[16] != ':' || !digits(s, 17, 2, sec))
    return bad(s);
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (M < 1 || M > 12 || D < 1 || D > kDays[M - 1] + (M == 2 && isLeap(Y) ? 1 : 0) || h > 23 || m > 59 || sec > 60)
    return bad(s);
  if (sec == 60) sec = 59;  // leap second: clamp
  size_t pos = 19;
  int64_t ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start || pos - start > 9) return bad(s);
  }
  int64_t offsetMin = 0;
  if (pos >= s.size()) return bad(s);
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2, om) ||
        oh > 23 || om > 59)
      return bad(s);
    offsetMin = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad(s);
  }
  if (pos != s.size()) return bad(s);
  const int64_t days = daysFromCivil(Y, static_cast<unsigned>(M), static_cast<unsigned>(D));
  return ((days * 24 + h) * 60 + m - offsetMin) * 60000 + static_cast<int64_t>(sec) * 1000 + ms;
}

std::string formatTime(int64_t t) {
  int64_t days = t >= 0 ? t / 86400000 : -((-t + 86399999) / 86400000);
  int64_t rem = t - days * 86400000;
  // civil_from_days
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned mo = mp < 10 ? mp + 3 : mp - 9;
  y += mo <= 2;
  if (y < 0 || y > 9999) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y), mo, d,
                  static_cast<long long>(rem / 3600000), static_cast<long long>(rem / 60000 % 60),
                  static_cast<long long>(rem / 1000 % 60), static_cast<long long>(rem % 1000));
    return buf;
  }
  // Fixed-width digits by hand: this runs once per returned point.
  std::string out = "0000-00-00T00:00:00.000Z";
  auto put = [&out](size_t pos, int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i, v /= 10) out[pos + static_cast<size_t>(i)] = static_cast<char>('0' + v % 10);
  };
  put(0, y, 4);
  put(5, mo, 2);
  put(8, d, 2);
  put(11, rem / 3600000, 2);
  put(14, rem / 60000 % 60, 2);
  put(17, rem / 1000 % 60, 2);
  put(20, rem % 1000, 3);
  return out;
}

}  // namespace cityops
