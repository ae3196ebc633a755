#pragma once
// The web dashboard's files (web/dist, built by Vite), served by cityops itself: the operators' page at "/", the
// public page at "/public" and the built assets under "/assets/...". Read from disk on each request (a rebuild is
// served without a restart), GET and HEAD, Content-Type from the extension, ETag / If-None-Match (304), and
// Cache-Control: hashed assets are immutable for a year, everything else is revalidated (no-cache).
//
// Paths never leave the root: segments ".", ".." and empty ones, names starting with '.', backslashes, NUL and
// control characters are refused (404), and the resolved file must lie inside the root (symbolic links included).
// A missing file is a 404 with the JSON error shape; only "/" and "/public" map to a page (no catch-all fallback).
#include "http/Message.hpp"
#include "http/Router.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cityops::web {

class StaticSite {
 public:
  /// The routes registered by registerRoutes(), in order: the two pages and the assets.
  static constexpr std::string_view kOperatorsPage = "/";
  static constexpr std::string_view kPublicPage = "/public";
  static constexpr std::string_view kAssets = "/assets/{*path}";
  /// Files larger than this are not served (the built dashboard is far smaller).
  static constexpr uintmax_t kMaxFileBytes = 32u * 1024 * 1024;

  /// `root`: the directory holding index.html, public.html and assets/ ("" or missing: every route answers 404
  /// saying that the dashboard is not built).
  explicit StaticSite(std::string root);

  /// GET (and so HEAD) "/", "/public" and "/assets/{*path}". Always registered, built or not, so that the access
  /// table and the router agree.
  void registerRoutes(http::Router& router) const;

  /// The answer for one file of the root ("index.html", "assets/app-1a2b3c4d.js"), honouring If-None-Match.
  http::Response serve(std::string_view relativePath, const http::Request& req) const;

  const std::string& root() const { return root_; }
  /// The root holds index.html.
  bool built() const;

  /// The directory to serve: `configured` when not empty (whether or not it exists), else the first of
  /// ./web/dist, <directory of the executable>/../../web/dist (build/<preset>/cityops) and the source tree's
  /// web/dist that holds an index.html; "" when none does.
  static std::string findRoot(const std::string& configured);

 private:
  std::string root_;
};

/// "Content-Type" for a file name, by extension ("application/octet-stream" when unknown).
std::string contentTypeFor(std::string_view path);
/// A relative path that stays inside the root (see the header comment).
bool isSafeRelativePath(std::string_view path);
/// A Vite build's content-hashed file name ("index-BxW3k9aZ.js"): cached as immutable.
bool isHashedAssetName(std::string_view path);
/// The origin of an http(s) URL template, for the Content-Security-Policy: "https://tile.openstreetmap.org" for
/// "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.example.org" when the host starts with a
/// "{s}." placeholder; nullopt when it is not an http(s) URL with a plain host.
std::optional<std::string> cspOriginOf(std::string_view urlTemplate);

}  // namespace cityops::web
