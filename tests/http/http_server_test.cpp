// HttpServer over loopback with a real Beast client.
#include "http/HttpServer.hpp"
#include "http/TestClient.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace cityops;
using namespace cityops::http;
using namespace cityops::http::test;

namespace {

boost::json::value parseJson(const std::string& s) {
  boost::system::error_code ec;
  auto v = boost::json::parse(s, ec);
  return ec ? boost::json::value() : v;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add("GET", "/api/hello", [](Request&&, Reply reply) {
      reply(Response::json(200, boost::json::object{{"hello", "world"}}));
    });
    router_.add("GET", "/api/items/{id}", [](Request&& req, Reply reply) {
      boost::json::object q;
      for (const auto& [k, v] : req.query) q[k] = v;
      reply(Response::json(200, boost::json::object{{"id", req.params["id"]}, {"path", req.path}, {"query", q}}));
    });
    router_.add("POST", "/api/items/{id}", [](Request&&, Reply reply) { reply(Response::json(201, {})); });
    router_.add("POST", "/api/echo", [](Request&& req, Reply reply) {
      reply(Response::text(200, req.body, req.contentType().empty() ? "text/plain" : req.contentType()));
    });
    router_.add("GET", "/api/throw", [](Request&&, Reply) -> void { throw std::runtime_error("boom"); });
    router_.add("GET", "/api/drop", [](Request&&, Reply) {});  // never replies
    router_.add("GET", "/api/twice", [](Request&&, Reply reply) {
      reply(Response::text(200, "first"));
      reply(Response::text(200, "second"));  // ignored
    });
    router_.add("GET", "/api/headers", [](Request&& req, Reply reply) {
      Response res = Response::text(200, std::string(req.header("x-probe")));
      res.headers.emplace_back("X-Answer", "42");
      res.headers.emplace_back("X-Bad", "a\r\nInjected: yes");  // dropped
      reply(std::move(res));
    });
    router_.add("GET", "/api/delayed", [this](Request&& req, Reply reply) {
      std::lock_guard lock(mu_);
      helpers_.emplace_back([reply = std::move(reply), tag = req.query["tag"]] {
        std::this_thread::sleep_for(20ms);
        reply(Response::json(200, boost::json::object{{"delayed", tag}}));
      });
    });
    router_.add("GET", "/api/park", [this](Request&&, Reply reply) {
      std::lock_guard lock(mu_);
      parked_ = std::move(reply);
      cv_.notify_all();
    });
  }

  void TearDown() override {
    std::vector<std::thread> helpers;
    {
      std::lock_guard lock(mu_);
      helpers.swap(helpers_);
    }
    for (auto& t : helpers) t.join();
    server_.reset();
  }

  void start(HttpServer::Options o = {}) {
    o.host = "127.0.0.1";
    o.port = 0;
    if (o.bodyLimit == HttpServer::Options{}.bodyLimit) o.bodyLimit = 1024;
    server_ = std::make_unique<HttpServer>(o, router_, registry_);
    Status s = server_->start();
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_NE(server_->port(), 0);
  }

  Reply waitParked() {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 10s, [&] { return static_cast<bool>(parked_); });
    Reply r = std::move(parked_);
    parked_ = nullptr;
    return r;
  }

  uint16_t port() const { return server_->port(); }

  Router router_;
  metrics::Registry registry_;
  std::unique_ptr<HttpServer> server_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::thread> helpers_;
  Reply parked_;
};

TEST_F(HttpServerTest, JsonRoute) {
  start();
  HttpConn c(port());
  ASSERT_TRUE(c.connected());
  auto res = c.get("/api/hello");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[bhttp::field::content_type], "application/json");
  EXPECT_EQ(res[bhttp::field::server], "cityops");
  EXPECT_EQ(res[bhttp::field::content_length], std::to_string(res.body().size()));
  EXPECT_EQ(res.body(), R"({"hello":"world"})");
  EXPECT_TRUE(res.keep_alive());
}

TEST_F(HttpServerTest, PathParamsAndQueryAreDecoded) {
  start();
  HttpConn c(port());
  auto res = c.get("/api/items/a%20b%2Fc?q=x%26y&name=caf%C3%A9&plus=a+b&flag&q2=1&q2=2");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  auto v = parseJson(res.body());
  EXPECT_EQ(v.at("id"), "a b/c");
  EXPECT_EQ(v.at("path"), "/api/items/a b/c");
  const auto& q = v.at("query").as_object();
  EXPECT_EQ(q.at("q"), "x&y");
  EXPECT_EQ(q.at("name"), "caf\xC3\xA9");
  EXPECT_EQ(q.at("plus"), "a b");
  EXPECT_EQ(q.at("flag"), "");
  EXPECT_EQ(q.at("q2"), "2");  // last one wins
}

TEST_F(HttpServerTest, NotFoundAndMethodNotAllowed) {
  start();
  HttpConn c(port());
  auto nf = c.get("/nope");
  EXPECT_EQ(nf.result_int(), 404);
  auto v = parseJson(nf.body());
  EXPECT_EQ(v.at("error"), "not_found");
  EXPECT_TRUE(v.at("message").is_string());

  auto na = c.roundTrip(HttpConn::make(bhttp::verb::delete_, "/api/items/7"));
  EXPECT_EQ(na.result_int(), 405);
  EXPECT_EQ(na[bhttp::field::allow], "GET, POST");
  EXPECT_EQ(parseJson(na.body()).at("error"), "method_not_allowed");

  // Unknown methods are fine too; the connection is still usable after the errors.
  auto req = HttpConn::make(bhttp::verb::get, "/api/hello");
  req.method_string("BREW");
  EXPECT_EQ(c.roundTrip(req).result_int(), 405);
  EXPECT_EQ(c.get("/api/hello").result_int(), 200);
}

TEST_F(HttpServerTest, BodyOverLimitGets413) {
  start();
  {
    HttpConn c(port());
    auto ok = c.roundTrip(HttpConn::make(bhttp::verb::post, "/api/echo", std::string(1024, 'a')));
    EXPECT_EQ(ok.result_int(), 200);
    EXPECT_EQ(ok.body().size(), 1024u);
  }
  {
    HttpConn c(port());
    auto res = c.roundTrip(HttpConn::make(bhttp::verb::post, "/api/echo", std::string(64 * 1024, 'a')));
    EXPECT_EQ(res.result_int(), 413) << res.body();
    EXPECT_EQ(parseJson(res.body()).at("error"), "too_large");
    EXPECT_FALSE(res.keep_alive());
  }
  {
    // Chunked: the limit is found while reading the body.
    HttpConn c(port());
    std::string raw = "POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 4; ++i) raw += "200\r\n" + std::string(0x200, 'b') + "\r\n";
    raw += "0\r\n\r\n";
    ASSERT_FALSE(c.writeRaw(raw));
    bhttp::response<bhttp::string_body> res;
    ASSERT_FALSE(c.read(res));
    EXPECT_EQ(res.result_int(), 413);
  }
}

TEST_F(HttpServerTest, MalformedRequestGets400) {
  start();
  {
    HttpConn c(port());
    ASSERT_FALSE(c.writeRaw("THIS IS NOT HTTP\r\n\r\n"));
    bhttp::response<bhttp::string_body> res;
    ASSERT_FALSE(c.read(res));
    EXPECT_EQ(res.result_int(), 400);
    EXPECT_EQ(parseJson(res.body()).at("error"), "bad_request");
    EXPECT_TRUE(c.peerClosed());
  }
  {
    HttpConn c(port());
    ASSERT_FALSE(c.writeRaw("GET /api/hello HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"));
    bhttp::response<bhttp::string_body> res;
    ASSERT_FALSE(c.read(res));
    EXPECT_EQ(res.result_int(), 400);
  }
  {
    // Bad percent-encoding in the target: a JSON 400, the connection stays usable.
    HttpConn c(port());
    ASSERT_FALSE(c.writeRaw("GET /api/items/%zz HTTP/1.1\r\nHost: x\r\n\r\n"));
    bhttp::response<bhttp::string_body> res;
    ASSERT_FALSE(c.read(res));
    EXPECT_EQ(res.result_int(), 400);
    EXPECT_EQ(parseJson(res.body()).at("error"), "bad_request");
    EXPECT_EQ(c.get("/api/hello").result_int(), 200);
  }
}

TEST_F(HttpServerTest, HeaderOverTheLimitGets431) {
  start();  // default header limit: 64 KiB
  HttpConn c(port());
  const std::string raw =
      "GET /api/hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(80 * 1024, 'h') + "\r\n\r\n";
  (void)c.writeRaw(raw);  // the server may stop reading (and drain) before all of it is written
  bhttp::response<bhttp::string_body> res;
  ASSERT_FALSE(c.read(res));
  EXPECT_EQ(res.result_int(), 431);
  EXPECT_EQ(parseJson(res.body()).at("error"), "too_large");
}

TEST_F(HttpServerTest, HandlerThrowsGets500AndServerKeepsServing) {
  start();
  HttpConn c(port());
  auto res = c.get("/api/throw");
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_EQ(parseJson(res.body()).at("error"), "internal");
  EXPECT_EQ(c.get("/api/hello").result_int(), 200);
  HttpConn c2(port());
  EXPECT_EQ(c2.get("/api/hello").result_int(), 200);
}

TEST_F(HttpServerTest, DroppedReplyGets500AndDoubleReplyIsIgnored) {
  start();
  HttpConn c(port());
  EXPECT_EQ(c.get("/api/drop").result_int(), 500);
  auto twice = c.get("/api/twice");
  EXPECT_EQ(twice.body(), "first");
  EXPECT_EQ(c.get("/api/hello").result_int(), 200);  // no stray second response on the wire
}

TEST_F(HttpServerTest, ReplyFromAnotherThread) {
  start();
  HttpConn c(port());
  auto res = c.get("/api/delayed?tag=t1");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(parseJson(res.body()).at("delayed"), "t1");
}

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  start();
  HttpConn c(port());
  for (int i = 0; i < 10; ++i) {
    auto res = c.get(i % 2 ? "/api/hello" : "/api/delayed?tag=" + std::to_string(i));
    ASSERT_EQ(res.result_int(), 200) << i << " " << res.body();
    EXPECT_TRUE(res.keep_alive());
  }
}

TEST_F(HttpServerTest, PipelinedRequestsAnswerInOrder) {
  start();
  HttpConn c(port());
  ASSERT_FALSE(c.writeRaw("GET /api/delayed?tag=first HTTP/1.1\r\nHost: x\r\n\r\n"
                          "GET /api/items/second HTTP/1.1\r\nHost: x\r\n\r\n"));
  bhttp::response<bhttp::string_body> a, b;
  ASSERT_FALSE(c.read(a));
  ASSERT_FALSE(c.read(b));
  EXPECT_EQ(parseJson(a.body()).at("delayed"), "first");
  EXPECT_EQ(parseJson(b.body()).at("id"), "second");
}

TEST_F(HttpServerTest, ConnectionCloseAndHttp10) {
  start();
  {
    HttpConn c(port());
    auto req = HttpConn::make(bhttp::verb::get, "/api/hello");
    req.keep_alive(false);
    auto res = c.roundTrip(req);
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_FALSE(res.keep_alive());
    EXPECT_TRUE(c.peerClosed());
  }
  {
    HttpConn c(port());
    ASSERT_FALSE(c.writeRaw("GET /api/hello HTTP/1.0\r\n\r\n"));
    bhttp::response<bhttp::string_body> res;
    ASSERT_FALSE(c.read(res));
    EXPECT_EQ(res.version(), 10u);
    EXPECT_EQ(res.body(), R"({"hello":"world"})");
    EXPECT_TRUE(c.peerClosed());
  }
}

TEST_F(HttpServerTest, HeadAndCustomHeaders) {
  start();
  HttpConn c(port());
  auto head = c.roundTrip(HttpConn::make(bhttp::verb::head, "/api/hello"));
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_EQ(head[bhttp::field::content_length], "17");
  EXPECT_TRUE(head.body().empty());

  auto req = HttpConn::make(bhttp::verb::get, "/api/headers");
  req.set("X-Probe", "hello");
  auto res = c.roundTrip(req);
  EXPECT_EQ(res.body(), "hello");
  EXPECT_EQ(res["X-Answer"], "42");
  EXPECT_EQ(res.count("X-Bad"), 0u);
  EXPECT_EQ(res.count("Injected"), 0u);
}

TEST_F(HttpServerTest, ExpectContinue) {
  start();
  HttpConn c(port());
  ASSERT_FALSE(c.writeRaw("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  bhttp::response<bhttp::string_body> interim;
  ASSERT_FALSE(c.read(interim));
  EXPECT_EQ(interim.result_int(), 100);
  ASSERT_FALSE(c.writeRaw("hello"));
  bhttp::response<bhttp::string_body> res;
  ASSERT_FALSE(c.read(res));
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "hello");
}

TEST_F(HttpServerTest, ManyConcurrentClients) {
  HttpServer::Options o;
  o.threads = 4;
  start(o);
  constexpr int kClients = 24;
  constexpr int kRequests = 15;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      HttpConn c(port());
      if (!c.connected()) return;
      for (int j = 0; j < kRequests; ++j) {
        const std::string tag = std::to_string(i) + "-" + std::to_string(j);
        auto res = c.get(j % 3 == 0 ? "/api/delayed?tag=" + tag : "/api/items/" + tag);
        if (res.result_int() != 200) continue;
        auto v = parseJson(res.body());
        const auto* got = j % 3 == 0 ? v.as_object().if_contains("delayed") : v.as_object().if_contains("id");
        if (got && got->is_string() && got->as_string() == tag) ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
}

TEST_F(HttpServerTest, ClientDisconnectsBeforeReply) {
  start();
  {
    HttpConn c(port());
    ASSERT_FALSE(c.write(HttpConn::make(bhttp::verb::get, "/api/park")));
    Reply parked = waitParked();
    ASSERT_TRUE(parked);
    c.close();
    std::thread late([parked] {
      std::this_thread::sleep_for(50ms);
      parked(Response::json(200, boost::json::object{{"late", true}}));
    });
    late.join();
  }
  HttpConn c2(port());
  EXPECT_EQ(c2.get("/api/hello").result_int(), 200);
  std::this_thread::sleep_for(20ms);  // let the late reply land on its strand before teardown
}

TEST_F(HttpServerTest, ReplyAfterServerIsGone) {
  start();
  HttpConn c(port());
  ASSERT_FALSE(c.write(HttpConn::make(bhttp::verb::get, "/api/park")));
  Reply parked = waitParked();
  ASSERT_TRUE(parked);
  server_->stop();
  server_->stop();  // idempotent
  server_.reset();
  parked(Response::text(200, "nobody listens"));  // must not touch freed memory
  parked = nullptr;
  EXPECT_TRUE(c.peerClosed());
}

TEST_F(HttpServerTest, StopClosesIdleKeepAliveConnections) {
  start();
  HttpConn c(port());
  EXPECT_EQ(c.get("/api/hello").result_int(), 200);
  server_->stop();
  EXPECT_TRUE(c.peerClosed());
  HttpConn refused(port());
  EXPECT_FALSE(refused.connected());
}

TEST_F(HttpServerTest, StartFailsWhenAddressInUse) {
  start();
  HttpServer::Options o;
  o.host = "127.0.0.1";
  o.port = port();
  HttpServer second(o, router_, registry_);
  Status s = second.start();
  ASSERT_FALSE(s.ok());
  EXPECT_FALSE(s.error().message.empty());

  HttpServer::Options bad;
  bad.host = "definitely-not-a-host.invalid";
  bad.port = 0;
  HttpServer third(bad, router_, registry_);
  EXPECT_FALSE(third.start().ok());
}

TEST_F(HttpServerTest, RequestsAreCountedInTheRegistry) {
  start();
  HttpConn c(port());
  EXPECT_EQ(c.get("/api/hello").result_int(), 200);
  EXPECT_EQ(c.get("/api/hello").result_int(), 200);
  EXPECT_EQ(c.get("/api/items/9").result_int(), 200);
  EXPECT_EQ(c.get("/missing").result_int(), 404);
  EXPECT_EQ(c.get("/api/throw").result_int(), 500);
  const std::string out = registry_.render();
  EXPECT_NE(out.find("# TYPE cityops_http_requests_total counter\n"), std::string::npos) << out;
  EXPECT_NE(out.find("cityops_http_requests_total{route=\"/api/hello\",method=\"GET\",status=\"200\"} 2\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("cityops_http_requests_total{route=\"/api/items/{id}\",method=\"GET\",status=\"200\"} 1\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("cityops_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("cityops_http_requests_total{route=\"/api/throw\",method=\"GET\",status=\"500\"} 1\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("# TYPE cityops_http_request_duration_seconds histogram\n"), std::string::npos) << out;
  EXPECT_NE(out.find("cityops_http_request_duration_seconds_count{route=\"/api/hello\",method=\"GET\"} 2\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("cityops_http_request_duration_seconds_bucket{route=\"/api/hello\",method=\"GET\",le=\"+Inf\"} 2\n"),
            std::string::npos)
      << out;
}

}  // namespace
