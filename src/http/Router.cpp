#include "http/Router.hpp"

#include <algorithm>

namespace cityops::http {

namespace {

// "/a/b/" -> {"a", "b", ""}; "/" -> {""}.
std::vector<std::string_view> split(std::string_view path) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::vector<std::string_view> out;
  for (;;) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool percentDecode(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = hexValue(in[i + 1]);
    const int lo = hexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

bool isParam(std::string_view seg) { return seg.size() >= 2 && seg.front() == '{' && seg.back() == '}'; }
// {*name}: the rest of the path (only as the last segment).
bool isRest(std::string_view seg) { return seg.size() >= 3 && seg.front() == '{' && seg[1] == '*' && seg.back() == '}'; }

// Decoded path segments. Prefers decoding the raw target segment by segment, so an encoded "/" (%2F)
// stays inside one segment; falls back to splitting req.path when the target disagrees with it.
std::vector<std::string> requestSegments(const Request& req) {
  std::vector<std::string> segs;
  std::string_view target = req.target;
  if (!target.empty() && target.front() == '/') {
    target = target.substr(0, target.find_first_of("?#"));
    std::string joined;
    std::string decoded;
    bool ok = true;
    for (auto raw : split(target)) {
      if (!percentDecode(raw, decoded)) {
        ok = false;
        break;
      }
      joined += '/';
      joined += decoded;
      segs.push_back(decoded);
    }
    if (ok && joined == (req.path.empty() ? std::string("/") : req.path)) return segs;
    segs.clear();
  }
  for (auto s : split(req.path)) segs.emplace_back(s);
  return segs;
}

bool matchSegments(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
                   std::map<std::string, std::string>& params) {
  if (!pattern.empty() && isRest(pattern.back())) {
    const size_t fixed = pattern.size() - 1;
    if (path.size() <= fixed) return false;
    std::vector<std::string> head(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(fixed));
    std::vector<std::string> fixedPattern(pattern.begin(), pattern.end() - 1);
    if (!matchSegments(fixedPattern, head, params)) return false;
    std::string rest;
    for (size_t i = fixed; i < path.size(); ++i) {
      if (path[i].empty()) return false;  // "a//b" or a trailing '/'
      if (i > fixed) rest += '/';
      rest += path[i];
    }
    params[pattern.back().substr(2, pattern.back().size() - 3)] = std::move(rest);
    return true;
  }
  if (pattern.size() != path.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (isParam(pattern[i])) {
      if (path[i].empty()) return false;
      params[pattern[i].substr(1, pattern[i].size() - 2)] = path[i];
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

// Routes without a {*rest} segment beat routes with one; then literal segments beat {param} segments, compared left
// to right.
bool moreSpecific(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const bool ra = !a.empty() && isRest(a.back());
  const bool rb = !b.empty() && isRest(b.back());
  if (ra != rb) return rb;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const bool la = !isParam(a[i]);
    const bool lb = !isParam(b[i]);
    if (la != lb) return la;
  }
  return false;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  Route r;
  r.method = std::move(method);
  for (auto s : split(pattern)) r.segments.emplace_back(s);
  r.pattern = std::move(pattern);
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

void Router::addWebSocket(std::string pattern, std::shared_ptr<WebSocketHandler> handler) {
  Route r;
  r.method = "GET";
  for (auto s : split(pattern)) r.segments.emplace_back(s);
  r.pattern = std::move(pattern);
  r.websocket = std::move(handler);
  routes_.push_back(std::move(r));
}

Router::Match Router::match(Request& req, bool upgrade) const {
  const auto segs = requestSegments(req);
  Match result;
  const Route* best = nullptr;
  int bestRank = 0;
  std::map<std::string, std::string> bestParams;

  for (const Route& r : routes_) {
    std::map<std::string, std::string> params;
    if (!matchSegments(r.segments, segs, params)) continue;
    if (std::find(result.allowed.begin(), result.allowed.end(), r.method) == result.allowed.end()) {
      result.allowed.push_back(r.method);
    }
    // Rank: higher wins; 0 means the method does not fit this route.
    int rank = 0;
    if (r.websocket) {
      if (req.method == "GET") rank = upgrade ? 4 : 1;
    } else if (r.method == req.method) {
      rank = 3;
    } else if (req.method == "HEAD" && r.method == "GET") {
      rank = 2;
    }
    if (rank == 0) continue;
    if (!best || rank > bestRank || (rank == bestRank && moreSpecific(r.segments, best->segments))) {
      best = &r;
      bestRank = rank;
      bestParams = std::move(params);
    }
  }

  if (!best) {
    result.status = result.allowed.empty() ? 404 : 405;
    if (result.status == 404) result.allowed.clear();
    return result;
  }
  result.allowed.clear();
  result.route = best->pattern;
  req.params = std::move(bestParams);
  if (best->websocket) {
    result.websocket = best->websocket;
    result.status = upgrade ? 200 : 426;  // 426: a plain GET on a WebSocket-only route
  } else {
    result.handler = &best->handler;
    result.status = 200;
  }
  return result;
}

std::vector<std::pair<std::string, std::string>> Router::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(routes_.size());
  for (const Route& r : routes_) out.emplace_back(r.method, r.pattern);
  return out;
}

}  // namespace cityops::http
