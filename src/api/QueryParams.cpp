#include "api/QueryParams.hpp"

#include "common/Time.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace cityops::api {

Status QueryParams::onlyAllow(std::initializer_list<std::string_view> allowed) const {
  for (const auto& [k, v] : q_) {
    bool ok = false;
    for (auto a : allowed) ok = ok || a == k;
    if (!ok) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return BadRequest("unknown query parameter '" + k.substr(0, 64) + "' (allowed: " + list + ")");
    }
  }
  return {};
}

std::optional<std::string> QueryParams::text(const std::string& name) const {
  auto it = q_.find(name);
  if (it == q_.end()) return std::nullopt;
  return it->second;
}

Result<int64_t> QueryParams::integer(const std::string& name, int64_t fallback, int64_t min, int64_t max) const {
  auto it = q_.find(name);
  if (it == q_.end()) return fallback;
  int64_t v = 0;
  const auto& s = it->second;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < min || v > max)
    return BadRequest(name + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  return v;
}

Result<int64_t> QueryParams::time(const std::string& name, int64_t fallback) const {
  auto it = q_.find(name);
  if (it == q_.end()) return fallback;
  // An unencoded '+' in a query string arrives as a space ("...T18:00:00 07:00"): read it back as the offset sign.
  std::string text = it->second;
  if (text.size() > 19 && text.find(' ', 19) != std::string::npos) text[text.find(' ', 19)] = '+';
  auto t = parseTime(text);
  if (!t) return BadRequest(name + ": " + t.error().message);
  return *t;
}

Result<std::optional<std::vector<double>>> QueryParams::numbers(const std::string& name, size_t count) const {
  auto it = q_.find(name);
  if (it == q_.end()) return std::optional<std::vector<double>>{};
  std::vector<double> out;
  std::string_view s = it->second;
  while (true) {
    const size_t comma = s.find(',');
    std::string part(s.substr(0, comma));
    char* end = nullptr;
    const double v = std::strtod(part.c_str(), &end);
    if (part.empty() || end != part.c_str() + part.size() || !std::isfinite(v))
      return BadRequest(name + " must be " + std::to_string(count) + " comma-separated numbers");
    out.push_back(v);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  if (out.size() != count) return BadRequest(name + " must be " + std::to_string(count) + " comma-separated numbers");
  return std::optional<std::vector<double>>(std::move(out));
}

Result<int64_t> QueryParams::interval(std::string_view s) {
  if (s == "raw") return int64_t{0};
  auto bad = [] {
    return BadRequest("interval must be raw or a number of minutes, hours or days such as 1m, 5m, 15m, 1h, 1d");
  };
  if (s.size() < 2) return bad();
  int64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size() - 1, n);
  if (ec != std::errc() || p != s.data() + s.size() - 1 || n <= 0 || n > 100000) return bad();
  switch (s.back()) {
    case 'm': return n * 60000;
    case 'h': return n * 3600000;
    case 'd': return n * 86400000;
    default: return bad();
  }
}

std::optional<int64_t> QueryParams::positiveId(std::string_view text) {
  int64_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

Result<int64_t> QueryParams::pathId(const std::map<std::string, std::string>& params, std::string_view what) {
  const auto it = params.find("id");
  if (it != params.end())
    if (auto id = positiveId(it->second)) return *id;
  return NotFound("no " + std::string(what) + " " + (it != params.end() ? it->second.substr(0, 64) : std::string()));
}

}  // namespace cityops::api
