// WebSocket routes of HttpServer over loopback with a real Beast client.
#include "http/HttpServer.hpp"
#include "http/PubSubHandler.hpp"
#include "http/TestClient.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace cityops;
using namespace cityops::http;
using namespace cityops::http::test;

namespace {

class WebSocketTest : public ::testing::Test {
 protected:
  void start(std::size_t queueLimit = 1024) {
    router_.addWebSocket("/ws", handler_);
    router_.add("GET", "/api/hello", [](Request&&, Reply reply) { reply(Response::text(200, "hi")); });
    HttpServer::Options o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.wsQueueLimit = queueLimit;
    server_ = std::make_unique<HttpServer>(o, router_, registry_);
    Status s = server_->start();
    ASSERT_TRUE(s.ok()) << s.error().message;
  }
  uint16_t port() const { return server_->port(); }

  std::shared_ptr<PubSub> handler_ = std::make_shared<PubSub>();
  Router router_;
  metrics::Registry registry_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(WebSocketTest, EchoRoundTripAndCleanClose) {
  start();
  WsConn ws;
  ASSERT_FALSE(ws.connect(port(), "/ws"));
  for (const std::string& msg : std::vector<std::string>{"hello", "", std::string(60 * 1024, 'x')}) {
    ASSERT_FALSE(ws.write(msg));
    std::string got;
    ASSERT_FALSE(ws.read(got));
    EXPECT_EQ(got, msg);
  }
  EXPECT_FALSE(ws.close());
  EXPECT_TRUE(handler_->waitCloses(1));
  EXPECT_EQ(handler_->opens(), 1);
  EXPECT_NE(registry_.render().find("cityops_http_requests_total{route=\"/ws\",method=\"GET\",status=\"101\"} 1"),
            std::string::npos);
}

TEST_F(WebSocketTest, SubscribeAndPublishFromAnotherThread) {
  start();
  WsConn ws;
  ASSERT_FALSE(ws.connect(port(), "/ws"));
  ASSERT_FALSE(ws.write("subscribe"));
  std::string got;
  ASSERT_FALSE(ws.read(got));
  EXPECT_EQ(got, "subscribed");
  auto peer = handler_->waitSubscriber();
  ASSERT_TRUE(peer);
  std::thread publisher([peer] {
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(peer->send("event-" + std::to_string(i)));
  });
  publisher.join();
  for (int i = 0; i < 100; ++i) {
    ASSERT_FALSE(ws.read(got));
    EXPECT_EQ(got, "event-" + std::to_string(i));
  }
}

TEST_F(WebSocketTest, ServerSideCloseSendsReason) {
  start();
  WsConn ws;
  ASSERT_FALSE(ws.connect(port(), "/ws"));
  ASSERT_FALSE(ws.write("close:bye now"));
  std::string got;
  EXPECT_EQ(ws.read(got), bws::error::closed);
  EXPECT_EQ(ws.reason().code, bws::close_code::normal);
  EXPECT_EQ(ws.reason().reason, "bye now");
  EXPECT_TRUE(handler_->waitCloses(1));
}

TEST_F(WebSocketTest, OversizedMessageClosesWith1009) {
  start();
  WsConn ws;
  ASSERT_FALSE(ws.connect(port(), "/ws"));
  ASSERT_FALSE(ws.write(std::string(64 * 1024 + 1, 'y')));
  std::string got;
  EXPECT_EQ(ws.read(got), bws::error::closed);
  EXPECT_EQ(ws.reason().code, bws::close_code::too_big);
  EXPECT_TRUE(handler_->waitCloses(1));
}

TEST_F(WebSocketTest, PlainGetOnWebSocketRouteAndUnknownUpgrade) {
  start();
  HttpConn c(port());
  auto res = c.get("/ws");
  EXPECT_EQ(res.result_int(), 426);
  WsConn ws;
  auto ec = ws.connect(port(), "/nope");
  EXPECT_EQ(ec, bws::error::upgrade_declined);
  EXPECT_EQ(handler_->opens(), 0);
}

TEST_F(WebSocketTest, SlowConsumerIsClosedWith1008AndSenderNeverBlocks) {
  start(8);
  WsConn ws;
  ASSERT_FALSE(ws.connect(port(), "/ws"));
  ASSERT_FALSE(ws.write("subscribe"));
  std::string got;
  ASSERT_FALSE(ws.read(got));
  ASSERT_EQ(got, "subscribed");
  auto peer = handler_->waitSubscriber();
  ASSERT_TRUE(peer);

  // The client reads nothing now. A publisher pushing large frames must see send() fail, not block.
  const std::string frame(512 * 1024, 'z');
  int accepted = 0;
  bool rejected = false;
  for (int i = 0; i < 100000 && !rejected; ++i) {
    if (peer->send(frame)) {
      ++accepted;
    } else {
      rejected = true;
    }
  }
  ASSERT_TRUE(rejected) << "send() never reported the overflow";
  EXPECT_GE(accepted, 7);  // the queue holds 8 frames; "subscribed" may still occupy one until its write completes
  EXPECT_FALSE(peer->isOpen());
  EXPECT_FALSE(peer->send("more"));  // closed: further sends are refused

  // Now read: at most the frames already accepted, then the 1008 close.
  int frames = 0;
  beast::error_code ec;
  while (!(ec = ws.read(got))) {
    EXPECT_EQ(got.size(), frame.size());
    ++frames;
  }
  EXPECT_EQ(ec, bws::error::closed) << ec.message();
  EXPECT_EQ(ws.reason().code, bws::close_code::policy_error);
  EXPECT_EQ(ws.reason().reason, "slow consumer: queue overflow");
  EXPECT_LE(frames, accepted);
  EXPECT_TRUE(handler_->waitCloses(1));
}

TEST_F(WebSocketTest, SlowConsumerWithFullSocketBuffers) {
  start(4);
  WsConn ws;
  ASSERT_FALSE(ws.connect(port(), "/ws"));
  ASSERT_FALSE(ws.write("subscribe"));
  std::string got;
  ASSERT_FALSE(ws.read(got));
  auto peer = handler_->waitSubscriber();
  ASSERT_TRUE(peer);
  // Pace the sender so the kernel buffers fill before the queue does; the sender still never blocks.
  const std::string frame(256 * 1024, 'q');
  bool rejected = false;
  for (int i = 0; i < 20000 && !rejected; ++i) {
    rejected = !peer->send(frame);
    if (i % 4 == 3) std::this_thread::sleep_for(1ms);
  }
  ASSERT_TRUE(rejected);
  beast::error_code ec;
  while (!(ec = ws.read(got))) {
  }
  EXPECT_EQ(ec, bws::error::closed) << ec.message();
  EXPECT_EQ(ws.reason().code, bws::close_code::policy_error);
  EXPECT_TRUE(handler_->waitCloses(1));
}

TEST_F(WebSocketTest, ClientThatNeverReadsIsDroppedAfterTheCloseDeadline) {
  start(2);
  WsConn ws;
  ASSERT_FALSE(ws.connect(port(), "/ws"));
  ASSERT_FALSE(ws.write("subscribe"));
  auto peer = handler_->waitSubscriber();
  ASSERT_TRUE(peer);
  const std::string frame(1024 * 1024, 'n');
  bool rejected = false;
  for (int i = 0; i < 20000 && !rejected; ++i) {
    rejected = !peer->send(frame);
    if (i % 2 == 1) std::this_thread::sleep_for(2ms);
  }
  ASSERT_TRUE(rejected);
  // The close frame is stuck behind unread data: the server cuts the TCP connection after its deadline.
  EXPECT_TRUE(handler_->waitCloses(1));
  EXPECT_FALSE(peer->isOpen());
}

TEST_F(WebSocketTest, StopClosesPeersAndCallsOnClose) {
  start();
  WsConn a;
  WsConn b;
  ASSERT_FALSE(a.connect(port(), "/ws"));
  ASSERT_FALSE(b.connect(port(), "/ws"));
  ASSERT_FALSE(a.write("subscribe"));
  std::string got;
  ASSERT_FALSE(a.read(got));
  auto peer = handler_->waitSubscriber();
  server_->stop();
  EXPECT_EQ(handler_->closes(), 2);
  EXPECT_FALSE(peer->isOpen());
  EXPECT_FALSE(peer->send("after stop"));
  server_.reset();
  EXPECT_FALSE(peer->send("after destruction"));  // the peer outlives the server safely
  peer->close("late");
  EXPECT_TRUE(a.read(got));
}

TEST_F(WebSocketTest, ManyPeersConcurrently) {
  start();
  constexpr int kPeers = 16;
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < kPeers; ++i) {
    clients.emplace_back([&, i] {
      WsConn ws;
      if (ws.connect(port(), "/ws")) return;
      for (int j = 0; j < 20; ++j) {
        const std::string msg = std::to_string(i) + ":" + std::to_string(j);
        std::string got;
        if (ws.write(msg) || ws.read(got) || got != msg) return;
      }
      if (!ws.close()) ++ok;
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), kPeers);
  EXPECT_TRUE(handler_->waitCloses(kPeers));
}

}  // namespace
