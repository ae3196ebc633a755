#include "web/StaticSite.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace cityops::web {

namespace fs = std::filesystem;

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string extensionOf(std::string_view path) {
  const auto slash = path.rfind('/');
  const auto dot = path.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return {};
  std::string ext(path.substr(dot + 1));
  for (char& c : ext) c = lower(c);
  return ext;
}

std::string hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// If-None-Match: "*" or a list of entity tags, weak ones compared weakly (RFC 9110 13.1.2).
bool etagMatches(std::string_view header, std::string_view etag) {
  header = trim(header);
  if (header == "*") return true;
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view tag = trim(header.substr(0, comma));
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

http::Response notFound(std::string message) { return http::Response::error(404, "not_found", message); }

bool isWithin(const fs::path& root, const fs::path& p) {
  auto r = root.begin();
  auto i = p.begin();
  for (; r != root.end(); ++r, ++i) {
    if (i == p.end() || *r != *i) return false;
  }
  return true;
}

std::string executableDir() {
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

}  // namespace

std::string contentTypeFor(std::string_view path) {
  static const std::array<std::pair<std::string_view, std::string_view>, 20> kTypes = {{
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"geojson", "application/geo+json"},
      {"webmanifest", "application/manifest+json"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"ico", "image/x-icon"},
      {"woff2", "font/woff2"},
      {"woff", "font/woff"},
      {"txt", "text/plain; charset=utf-8"},
      {"wav", "audio/wav"},
      {"mp3", "audio/mpeg"},
  }};
  const std::string ext = extensionOf(path);
  for (const auto& [e, type] : kTypes)
    if (e == ext) return std::string(type);
  return "application/octet-stream";
}

bool isSafeRelativePath(std::string_view path) {
  if (path.empty() || path.size() > 1024 || path.front() == '/') return false;
  for (char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\\' || c == ':') return false;
  }
  size_t start = 0;
  for (;;) {
    const size_t slash = path.find('/', start);
    const std::string_view seg = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty() || seg.front() == '.') return false;  // "", ".", "..", hidden files
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

bool isHashedAssetName(std::string_view path) {
  // Vite: [name]-[hash].[ext], the hash 8 characters of [A-Za-z0-9_-] ("index-BxW3k9aZ.js", "x-D_-x1z9Q.js.map").
  const auto slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const auto hashedStem = [](std::string_view stem) {
    if (stem.size() < 10 || stem[stem.size() - 9] != '-') return false;
    for (char c : stem.substr(stem.size() - 8)) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      if (!ok) return false;
    }
    return true;
  };
  const auto first = name.find('.');
  const auto last = name.rfind('.');
  if (first == std::string_view::npos) return false;
  return hashedStem(name.substr(0, first)) || hashedStem(name.substr(0, last));
}

std::optional<std::string> cspOriginOf(std::string_view url) {
  std::string_view scheme;
  if (url.starts_with("https://")) scheme = "https://";
  else if (url.starts_with("http://")) scheme = "http://";
  else return std::nullopt;
  std::string_view rest = url.substr(scheme.size());
  const auto end = rest.find_first_of("/?#");
  std::string_view host = rest.substr(0, end);
  std::string out(scheme);
  if (host.starts_with("{s}.")) {
    out += "*.";
    host.remove_prefix(4);
  }
  if (host.empty()) return std::nullopt;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == ':' || c == '[' || c == ']';
    if (!ok) return std::nullopt;  // a placeholder elsewhere in the host, a user name, a separator
  }
  out += host;
  return out;
}

StaticSite::StaticSite(std::string root) : root_(std::move(root)) {}

bool StaticSite::built() const {
  std::error_code ec;
  return !root_.empty() && fs::is_regular_file(fs::path(root_) / "index.html", ec);
}

std::string StaticSite::findRoot(const std::string& configured) {
  if (!configured.empty()) return configured;
  std::vector<fs::path> candidates = {fs::path("web") / "dist"};
  if (const auto dir = executableDir(); !dir.empty()) candidates.push_back(fs::path(dir) / ".." / ".." / "web" / "dist");
#ifdef CITYOPS_SOURCE_DIR
  candidates.push_back(fs::path(CITYOPS_SOURCE_DIR) / "web" / "dist");
#endif
  for (const auto& c : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(c / "index.html", ec)) {
      const auto canonical = fs::weakly_canonical(c, ec);
      return (ec ? c : canonical).string();
    }
  }
  return {};
}

void StaticSite::registerRoutes(http::Router& router) const {
  router.add("GET", std::string(kOperatorsPage), [this](http::Request&& req, http::Reply reply) {
    reply(serve("index.html", req));
  });
  router.add("GET", std::string(kPublicPage), [this](http::Request&& req, http::Reply reply) {
    reply(serve("public.html", req));
  });
  router.add("GET", std::string(kAssets), [this](http::Request&& req, http::Reply reply) {
    const auto it = req.params.find("path");
    reply(serve(it == req.params.end() ? std::string() : "assets/" + it->second, req));
  });
}

http::Response StaticSite::serve(std::string_view relativePath, const http::Request& req) const {
  if (!isSafeRelativePath(relativePath)) return notFound("no file " + std::string(req.path));
  if (root_.empty())
    return notFound("the web dashboard is not built: run `make build` (or `cd web && npm ci && npm run build`), "
                    "or point [server] web_root / --web at a built web/dist");
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(fs::path(root_), ec);
  if (ec || !fs::is_directory(root, ec))
    return notFound("the web dashboard is not built: no directory " + root_ + " (run `make build`)");
  const fs::path file = fs::weakly_canonical(root / fs::path(std::string(relativePath)), ec);
  if (ec || !isWithin(root, file)) return notFound("no file " + std::string(req.path));
  const auto status = fs::status(file, ec);
  if (ec || !fs::is_regular_file(status)) {
    if (relativePath == "index.html" || relativePath == "public.html")
      return notFound("the web dashboard is not built: no " + std::string(relativePath) + " in " + root_ +
                      " (run `make build`)");
    return notFound("no file " + std::string(req.path));
  }
  const auto size = fs::file_size(file, ec);
  if (ec || size > kMaxFileBytes) return notFound("no file " + std::string(req.path));
  const auto mtime = fs::last_write_time(file, ec);
  const auto ticks = ec ? 0 : static_cast<uint64_t>(mtime.time_since_epoch().count());
  const std::string etag = "\"" + hex(size) + "-" + hex(ticks) + "\"";

  http::Response res;
  res.contentType = contentTypeFor(relativePath);
  const bool immutable = relativePath.starts_with("assets/") && isHashedAssetName(relativePath);
  const std::string cacheControl = immutable ? "public, max-age=31536000, immutable" : "no-cache";
  res.headers.emplace_back("ETag", etag);
  res.headers.emplace_back("Cache-Control", cacheControl);
  if (const auto inm = req.header("If-None-Match"); !inm.empty() && etagMatches(inm, etag)) {
    res.status = 304;
    return res;
  }
  std::ifstream in(file, std::ios::binary);
  std::string body(static_cast<size_t>(size), '\0');
  if (!in || !in.read(body.data(), static_cast<std::streamsize>(size))) {
    spdlog::warn("web: cannot read {}", file.string());
    return http::Response::error(500, "internal", "cannot read " + std::string(req.path));
  }
  res.status = 200;
  res.body = std::move(body);
  return res;
}

}  // namespace cityops::web
