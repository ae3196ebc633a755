// web::StaticSite: the dashboard's pages and assets from a directory, through the router as the server routes them.
#include "http/Router.hpp"
#include "web/StaticSite.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>

using namespace cityops;
namespace fs = std::filesystem;

namespace {

std::string headerOf(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

class StaticSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cityops-web-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    root_ = base_ / "dist";
    write(root_ / "index.html", "<!doctype html><title>ops</title>");
    write(root_ / "public.html", "<!doctype html><title>public</title>");
    write(root_ / "assets" / "index-BxW3k9aZ.js", "console.log(1)");
    write(root_ / "assets" / "index-BxW3k9aZ.css", "body{}");
    write(root_ / "assets" / "img" / "layers-Ab_cD-12.png", "PNG");
    write(root_ / "assets" / "notes.txt", "plain");
    write(root_ / "assets" / ".hidden", "secret");
    write(base_ / "secret.txt", "outside the root");
    fs::create_symlink(base_ / "secret.txt", root_ / "assets" / "link.txt");
    site_.emplace(root_.string());
    site_->registerRoutes(router_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(base_, ec);
  }

  /// Routes and runs the handler as the server does (HEAD reaches the GET route).
  http::Response get(const std::string& path, const std::string& ifNoneMatch = {}, const std::string& method = "GET") {
    http::Request req;
    req.method = method;
    req.path = path;
    req.target = path;
    if (!ifNoneMatch.empty()) req.headers.emplace_back("If-None-Match", ifNoneMatch);
    auto m = router_.match(req);
    if (!m.handler) return http::Response::error(m.status, "routing", "no route");
    std::optional<http::Response> out;
    (*m.handler)(std::move(req), [&](http::Response r) { out = std::move(r); });
    return out ? std::move(*out) : http::Response::error(599, "none", "no reply");
  }

  fs::path base_, root_;
  http::Router router_;
  std::optional<web::StaticSite> site_;
};

}  // namespace

TEST_F(StaticSiteTest, PagesAndAssets) {
  auto index = get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<!doctype html><title>ops</title>");
  EXPECT_EQ(index.contentType, "text/html; charset=utf-8");
  EXPECT_EQ(headerOf(index, "Cache-Control"), "no-cache");
  auto pub = get("/public");
  EXPECT_EQ(pub.status, 200);
  EXPECT_EQ(pub.body, "<!doctype html><title>public</title>");

  auto js = get("/assets/index-BxW3k9aZ.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.contentType, "text/javascript; charset=utf-8");
  EXPECT_EQ(headerOf(js, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(get("/assets/index-BxW3k9aZ.css").contentType, "text/css; charset=utf-8");
  auto png = get("/assets/img/layers-Ab_cD-12.png");
  EXPECT_EQ(png.status, 200);
  EXPECT_EQ(png.contentType, "image/png");
  auto txt = get("/assets/notes.txt");
  EXPECT_EQ(txt.status, 200);
  EXPECT_EQ(headerOf(txt, "Cache-Control"), "no-cache") << "not content-hashed: revalidated";
}

TEST_F(StaticSiteTest, ETagAndIfNoneMatch) {
  auto first = get("/assets/index-BxW3k9aZ.js");
  const std::string etag = headerOf(first, "ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"');
  auto again = get("/assets/index-BxW3k9aZ.js", etag);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(headerOf(again, "ETag"), etag);
  EXPECT_EQ(get("/assets/index-BxW3k9aZ.js", "\"other\", W/" + etag).status, 304);
  EXPECT_EQ(get("/assets/index-BxW3k9aZ.js", "*").status, 304);
  EXPECT_EQ(get("/assets/index-BxW3k9aZ.js", "\"other\"").status, 200);
  // A rebuilt page gets another tag: it is served again, without a restart.
  const std::string pageTag = headerOf(get("/"), "ETag");
  EXPECT_EQ(get("/", pageTag).status, 304);
  write(root_ / "index.html", "<!doctype html><title>ops, rebuilt</title>");
  fs::last_write_time(root_ / "index.html", fs::last_write_time(root_ / "index.html") + std::chrono::seconds(5));
  auto rebuilt = get("/", pageTag);
  EXPECT_EQ(rebuilt.status, 200);
  EXPECT_EQ(rebuilt.body, "<!doctype html><title>ops, rebuilt</title>");
  EXPECT_NE(headerOf(rebuilt, "ETag"), pageTag);
}

TEST_F(StaticSiteTest, MissingFilesAre404Json) {
  for (const char* path : {"/assets/nope.js", "/assets/img", "/assets/img/nope.png"}) {
    auto r = get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.contentType, "application/json") << path;
    EXPECT_NE(r.body.find("\"error\":\"not_found\""), std::string::npos) << r.body;
  }
  // No catch-all: only "/" and "/public" are pages.
  EXPECT_EQ(get("/index.html").status, 404);
  EXPECT_EQ(get("/public/x").status, 404);
  EXPECT_EQ(get("/dashboard").status, 404);
}

TEST_F(StaticSiteTest, NoWayOutOfTheRoot) {
  for (const char* path : {"/assets/../index.html", "/assets/../../secret.txt", "/assets/./index-BxW3k9aZ.js",
                           "/assets/.hidden", "/assets/link.txt", "/assets/img/..", "/assets/a\\..\\b"}) {
    auto r = get(path);
    EXPECT_EQ(r.status, 404) << path << ": " << r.body;
    EXPECT_EQ(r.body.find("outside the root"), std::string::npos) << path;  // secret.txt's content
  }
  // Straight at serve(): absolute paths, NUL and control characters.
  http::Request req;
  req.path = "/x";
  for (std::string path : {std::string("/etc/passwd"), std::string("assets/a\0b.js", 14), std::string("assets/a\nb"),
                           std::string(""), std::string("assets//x.js"), std::string("assets/x.js/")}) {
    EXPECT_EQ(site_->serve(path, req).status, 404) << path;
  }
  EXPECT_FALSE(web::isSafeRelativePath("../x"));
  EXPECT_FALSE(web::isSafeRelativePath("assets/.."));
  EXPECT_FALSE(web::isSafeRelativePath("c:/x"));
  EXPECT_TRUE(web::isSafeRelativePath("assets/index-BxW3k9aZ.js"));
}

TEST_F(StaticSiteTest, NotBuilt) {
  web::StaticSite none("");
  http::Request req;
  req.path = "/";
  auto r = none.serve("index.html", req);
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("make build"), std::string::npos) << r.body;
  EXPECT_FALSE(none.built());
  EXPECT_TRUE(site_->built());
  web::StaticSite missing((base_ / "nowhere").string());
  EXPECT_EQ(missing.serve("index.html", req).status, 404);
  EXPECT_EQ(web::StaticSite::findRoot("/opt/x"), "/opt/x") << "a configured root is taken as it is";
}

TEST(StaticSiteHelpers, ContentTypes) {
  EXPECT_EQ(web::contentTypeFor("a/b.SVG"), "image/svg+xml");
  EXPECT_EQ(web::contentTypeFor("x.geojson"), "application/geo+json");
  EXPECT_EQ(web::contentTypeFor("x.woff2"), "font/woff2");
  EXPECT_EQ(web::contentTypeFor("x"), "application/octet-stream");
  EXPECT_EQ(web::contentTypeFor("dir.v2/x"), "application/octet-stream");
}

TEST(StaticSiteHelpers, HashedNames) {
  EXPECT_TRUE(web::isHashedAssetName("assets/index-BxW3k9aZ.js"));
  EXPECT_TRUE(web::isHashedAssetName("assets/marker-icon-2b3e1faf.png"));
  EXPECT_TRUE(web::isHashedAssetName("assets/index-D_-x1z9Q.js.map"));
  EXPECT_FALSE(web::isHashedAssetName("assets/notes.txt"));
  EXPECT_FALSE(web::isHashedAssetName("assets/index-short.js"));
}

TEST(StaticSiteHelpers, CspOrigins) {
  EXPECT_EQ(web::cspOriginOf("https://tile.openstreetmap.org/{z}/{x}/{y}.png"), "https://tile.openstreetmap.org");
  EXPECT_EQ(web::cspOriginOf("https://{s}.tile.example.org/{z}/{x}/{y}.png"), "https://*.tile.example.org");
  EXPECT_EQ(web::cspOriginOf("http://10.0.0.5:8081/tiles/{z}/{x}/{y}.png"), "http://10.0.0.5:8081");
  EXPECT_EQ(web::cspOriginOf("ftp://x/{z}"), std::nullopt);
  EXPECT_EQ(web::cspOriginOf("https://tiles-{s}.example.org/{z}/{x}/{y}.png"), std::nullopt);
  EXPECT_EQ(web::cspOriginOf("https://a;b/{z}"), std::nullopt);
  EXPECT_EQ(web::cspOriginOf("https:///{z}"), std::nullopt);
}
