#include "http/Message.hpp"
#include "http/Router.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

using namespace cityops::http;

namespace {

Request makeRequest(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = path;
  r.target = path;
  return r;
}

Handler tagged(std::string* out, std::string tag) {
  return [out, tag](Request&&, Reply) { *out = tag; };
}

struct NullWs : WebSocketHandler {
  void onOpen(const std::shared_ptr<WebSocketPeer>&, const Request&) override {}
  void onMessage(const std::shared_ptr<WebSocketPeer>&, std::string_view) override {}
  void onClose(const std::shared_ptr<WebSocketPeer>&) override {}
};

}  // namespace

TEST(Message, HeaderLookupIsCaseInsensitive) {
  Request r;
  r.headers = {{"Content-Type", "Application/JSON; charset=utf-8"}, {"X-Thing", "1"}};
  EXPECT_EQ(r.header("content-type"), "Application/JSON; charset=utf-8");
  EXPECT_EQ(r.header("X-THING"), "1");
  EXPECT_TRUE(r.header("missing").empty());
  EXPECT_EQ(r.contentType(), "application/json");
  Request none;
  EXPECT_EQ(none.contentType(), "");
}

TEST(Message, ResponseFactories) {
  auto j = Response::json(201, boost::json::object{{"a", 1}});
  EXPECT_EQ(j.status, 201);
  EXPECT_EQ(j.contentType, "application/json");
  EXPECT_EQ(j.body, R"({"a":1})");

  auto t = Response::text(200, "hi");
  EXPECT_EQ(t.contentType, "text/plain; charset=utf-8");
  EXPECT_EQ(t.body, "hi");

  auto e = Response::error(404, "not_found", "no \"such\" thing");
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(e.contentType, "application/json");
  EXPECT_EQ(e.body, R"({"error":"not_found","message":"no \"such\" thing"})");
}

TEST(Router, MatchesLiteralAndParamSegments) {
  Router router;
  std::string hit;
  router.add("GET", "/api/v1/entities", tagged(&hit, "list"));
  router.add("GET", "/api/v1/entities/{id}", tagged(&hit, "one"));
  router.add("GET", "/api/v1/entities/{id}/observations/{metric}", tagged(&hit, "obs"));

  auto r1 = makeRequest("GET", "/api/v1/entities");
  auto m1 = router.match(r1);
  ASSERT_NE(m1.handler, nullptr);
  (*m1.handler)(std::move(r1), nullptr);
  EXPECT_EQ(hit, "list");
  EXPECT_EQ(m1.route, "/api/v1/entities");
  EXPECT_EQ(m1.status, 200);

  auto r2 = makeRequest("GET", "/api/v1/entities/sensor-7/observations/pm25");
  auto m2 = router.match(r2);
  ASSERT_NE(m2.handler, nullptr);
  EXPECT_EQ(m2.route, "/api/v1/entities/{id}/observations/{metric}");
  EXPECT_EQ(r2.params.at("id"), "sensor-7");
  EXPECT_EQ(r2.params.at("metric"), "pm25");
}

TEST(Router, LiteralBeatsParam) {
  Router router;
  std::string hit;
  router.add("GET", "/items/{id}", tagged(&hit, "param"));
  router.add("GET", "/items/search", tagged(&hit, "literal"));
  auto r = makeRequest("GET", "/items/search");
  auto m = router.match(r);
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.route, "/items/search");
  EXPECT_TRUE(r.params.empty());
  auto r2 = makeRequest("GET", "/items/42");
  EXPECT_EQ(router.match(r2).route, "/items/{id}");
}

TEST(Router, NotFoundVersusMethodNotAllowed) {
  Router router;
  std::string hit;
  router.add("GET", "/things/{id}", tagged(&hit, "get"));
  router.add("PUT", "/things/{id}", tagged(&hit, "put"));
  router.add("GET", "/other", tagged(&hit, "other"));

  auto r404 = makeRequest("GET", "/nothing/here");
  auto m404 = router.match(r404);
  EXPECT_EQ(m404.handler, nullptr);
  EXPECT_EQ(m404.status, 404);
  EXPECT_TRUE(m404.allowed.empty());

  auto r405 = makeRequest("DELETE", "/things/3");
  auto m405 = router.match(r405);
  EXPECT_EQ(m405.handler, nullptr);
  EXPECT_EQ(m405.status, 405);
  EXPECT_EQ(m405.allowed, (std::vector<std::string>{"GET", "PUT"}));

  auto trailing = makeRequest("GET", "/things/3/");
  EXPECT_EQ(router.match(trailing).status, 404);
  auto empty = makeRequest("GET", "/things/");
  EXPECT_EQ(router.match(empty).status, 404);  // a {param} needs a non-empty segment
}

TEST(Router, EncodedSlashStaysInOneSegment) {
  Router router;
  std::string hit;
  router.add("GET", "/e/{id}", tagged(&hit, "e"));
  Request r;
  r.method = "GET";
  r.target = "/e/a%2Fb%20c?x=1";
  r.path = "/e/a/b c";  // as the server decodes it
  auto m = router.match(r);
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(r.params.at("id"), "a/b c");
}

TEST(Router, UsesPathWhenTargetIsAbsent) {
  Router router;
  router.add("GET", "/e/{id}", [](Request&&, Reply) {});
  Request r;
  r.method = "GET";
  r.path = "/e/x y";
  auto m = router.match(r);
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(r.params.at("id"), "x y");
}

TEST(Router, HeadFallsBackToGet) {
  Router router;
  std::string hit;
  router.add("GET", "/x", tagged(&hit, "get"));
  auto r = makeRequest("HEAD", "/x");
  auto m = router.match(r);
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.route, "/x");
}

TEST(Router, WebSocketRoutes) {
  Router router;
  auto ws = std::make_shared<NullWs>();
  router.addWebSocket("/ws/{topic}", ws);
  router.add("GET", "/both", [](Request&&, Reply) {});
  router.addWebSocket("/both", ws);

  auto up = makeRequest("GET", "/ws/alerts");
  auto m = router.match(up, true);
  EXPECT_EQ(m.websocket, ws);
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_EQ(m.route, "/ws/{topic}");
  EXPECT_EQ(up.params.at("topic"), "alerts");

  auto plain = makeRequest("GET", "/ws/alerts");
  auto mp = router.match(plain, false);
  EXPECT_EQ(mp.handler, nullptr);
  EXPECT_EQ(mp.status, 426);

  auto b1 = makeRequest("GET", "/both");
  EXPECT_NE(router.match(b1, false).handler, nullptr);
  auto b2 = makeRequest("GET", "/both");
  EXPECT_EQ(router.match(b2, true).websocket, ws);

  auto post = makeRequest("POST", "/ws/alerts");
  EXPECT_EQ(router.match(post).status, 405);
}

TEST(Router, RoutesListsEverythingInOrder) {
  Router router;
  router.add("GET", "/a", [](Request&&, Reply) {});
  router.add("POST", "/a", [](Request&&, Reply) {});
  router.addWebSocket("/ws", std::make_shared<NullWs>());
  EXPECT_EQ(router.routes(), (std::vector<std::pair<std::string, std::string>>{
                                 {"GET", "/a"}, {"POST", "/a"}, {"GET", "/ws"}}));
}

TEST(Router, RestSegmentCapturesTheRestOfThePath) {
  Router router;
  std::string hit;
  router.add("GET", "/assets/{*path}", tagged(&hit, "rest"));
  router.add("GET", "/assets/special.js", tagged(&hit, "literal"));
  router.add("GET", "/files/{dir}/{*path}", tagged(&hit, "dir-rest"));

  auto one = makeRequest("GET", "/assets/app-1a2b3c4d.js");
  auto m = router.match(one);
  ASSERT_NE(m.handler, nullptr);
  (*m.handler)(std::move(one), [](Response) {});
  EXPECT_EQ(hit, "rest");
  EXPECT_EQ(m.route, "/assets/{*path}");

  auto deep = makeRequest("GET", "/assets/img/layers.png");
  m = router.match(deep);
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(deep.params.at("path"), "img/layers.png");

  auto literal = makeRequest("GET", "/assets/special.js");
  m = router.match(literal);
  ASSERT_NE(m.handler, nullptr);
  (*m.handler)(std::move(literal), [](Response) {});
  EXPECT_EQ(hit, "literal") << "an exact route beats the wildcard";

  auto both = makeRequest("GET", "/files/docs/a/b.txt");
  m = router.match(both);
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(both.params.at("dir"), "docs");
  EXPECT_EQ(both.params.at("path"), "a/b.txt");

  // The rest is one or more non-empty segments.
  for (const char* path : {"/assets", "/assets/", "/assets//x.js", "/assets/x/", "/other/x.js", "/files/docs"}) {
    auto r = makeRequest("GET", path);
    EXPECT_EQ(router.match(r).status, 404) << path;
  }
  // HEAD falls back to GET; other methods are 405.
  auto head = makeRequest("HEAD", "/assets/app.js");
  EXPECT_NE(router.match(head).handler, nullptr);
  auto post = makeRequest("POST", "/assets/app.js");
  EXPECT_EQ(router.match(post).status, 405);
  // An encoded slash stays inside its segment; the captured rest is decoded.
  auto encoded = makeRequest("GET", "/assets/a%2Fb.js");
  encoded.path = "/assets/a/b.js";
  m = router.match(encoded);
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(encoded.params.at("path"), "a/b.js");
}
