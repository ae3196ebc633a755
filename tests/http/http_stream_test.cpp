// Streamed response bodies (Response::stream, http::BodyStream) over loopback: the pieces arrive as chunks in
// order and the connection serves the next request after the last chunk; HTTP/1.0 gets the raw bytes until the
// server closes; a client that goes away ends the stream (the source is released); HEAD gets the header only;
// stopping the server ends a stream that never would.
#include "http/HttpServer.hpp"
#include "http/TestClient.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

using namespace cityops;
using namespace cityops::http;
using namespace cityops::http::test;

namespace {

/// "piece 0\n" ... "piece n-1\n" (n < 0: forever), one every `every`, with an empty answer (nothing this time)
/// in between; counts its instances alive.
class Pieces final : public BodyStream {
 public:
  Pieces(int n, std::chrono::milliseconds every, std::atomic<int>& alive) : n_(n), every_(every), alive_(alive) {
    ++alive_;
  }
  ~Pieces() override { --alive_; }
  std::optional<std::string> next() override {
    if (idle_) {  // every other call: nothing to write
      idle_ = false;
      return std::string();
    }
    idle_ = true;
    if (n_ >= 0 && i_ >= n_) return std::nullopt;
    return "piece " + std::to_string(i_++) + "\n" + std::string(static_cast<size_t>(bulk_), 'x');
  }
  std::chrono::milliseconds interval() const override { return every_; }
  int bulk_ = 0;

 private:
  int n_;
  int i_ = 0;
  bool idle_ = false;
  std::chrono::milliseconds every_;
  std::atomic<int>& alive_;
};

class HttpStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add("GET", "/three", [this](Request&&, Reply reply) {
      reply(Response::streaming("text/plain", std::make_shared<Pieces>(3, 5ms, alive_)));
    });
    router_.add("GET", "/forever", [this](Request&&, Reply reply) {
      auto p = std::make_shared<Pieces>(-1, 10ms, alive_);
      p->bulk_ = 64 * 1024;
      reply(Response::streaming("application/octet-stream", std::move(p)));
    });
    router_.add("GET", "/hello", [](Request&&, Reply reply) { reply(Response::text(200, "hello")); });
    HttpServer::Options o;
    o.host = "127.0.0.1";
    o.port = 0;
    server_ = std::make_unique<HttpServer>(o, router_, registry_);
    ASSERT_TRUE(server_->start().ok());
  }
  void TearDown() override { server_.reset(); }

  /// Waits up to 10 s for no Pieces to be alive.
  bool allReleased() {
    for (int i = 0; i < 1000 && alive_.load() != 0; ++i) std::this_thread::sleep_for(10ms);
    return alive_.load() == 0;
  }

  Router router_;
  metrics::Registry registry_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<int> alive_{0};
};

TEST_F(HttpStreamTest, PiecesArriveChunkedAndTheConnectionLivesOn) {
  HttpConn c(server_->port());
  ASSERT_TRUE(c.connected());
  auto res = c.get("/three");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_TRUE(res.chunked());
  EXPECT_EQ(res[bhttp::field::content_type], "text/plain");
  EXPECT_EQ(res.body(), "piece 0\npiece 1\npiece 2\n");
  EXPECT_TRUE(res.keep_alive());
  // The same connection serves the next request.
  auto next = c.get("/hello");
  EXPECT_EQ(next.result_int(), 200);
  EXPECT_EQ(next.body(), "hello");
  EXPECT_TRUE(allReleased());
}

TEST_F(HttpStreamTest, Http10GetsRawBytesUntilClose) {
  HttpConn c(server_->port());
  ASSERT_FALSE(c.writeRaw("GET /three HTTP/1.0\r\nHost: x\r\n\r\n"));
  bhttp::response<bhttp::string_body> res;
  ASSERT_FALSE(c.read(res));
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_FALSE(res.chunked());
  EXPECT_EQ(res.body(), "piece 0\npiece 1\npiece 2\n");
  char ch;
  beast::error_code ec;
  c.socket().read_some(asio::buffer(&ch, 1), ec);  // the body ended with the connection
  EXPECT_EQ(ec, asio::error::eof) << ec.message();
  EXPECT_TRUE(allReleased());
}

TEST_F(HttpStreamTest, HeadGetsTheHeaderOnly) {
  HttpConn c(server_->port());
  auto res = c.roundTrip(HttpConn::make(bhttp::verb::head, "/three"));
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_TRUE(res.body().empty());
  EXPECT_TRUE(allReleased());
}

/// A blocking client that sends `request` and reads at least `atLeast` bytes of the answer.
struct RawClient {
  explicit RawClient(uint16_t port) : socket(ioc) { socket.connect(loopback(port)); }
  void send(const std::string& request) { asio::write(socket, asio::buffer(request)); }
  size_t readAtLeast(size_t atLeast) {
    std::vector<char> buf(64 * 1024);
    size_t got = 0;
    while (got < atLeast) {
      beast::error_code ec;
      const size_t n = socket.read_some(asio::buffer(buf), ec);
      if (ec) break;
      got += n;
    }
    return got;
  }
  asio::io_context ioc;
  tcp::socket socket;
};

TEST_F(HttpStreamTest, ClientGoingAwayEndsTheStream) {
  {
    RawClient c(server_->port());
    c.send("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_GE(c.readAtLeast(200 * 1024), 200u * 1024);
    EXPECT_EQ(alive_.load(), 1);
    beast::error_code ignored;
    c.socket.close(ignored);  // gone without a word
  }
  EXPECT_TRUE(allReleased()) << "the stream outlived its client";
  HttpConn after(server_->port());
  EXPECT_EQ(after.get("/hello").result_int(), 200);
}

TEST_F(HttpStreamTest, StoppingTheServerEndsAStream) {
  RawClient c(server_->port());
  c.send("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_GT(c.readAtLeast(1), 0u);
  server_->stop();
  EXPECT_TRUE(allReleased());
  // The client reads what was in flight, then the end of the connection.
  std::vector<char> buf(64 * 1024);
  beast::error_code ec;
  for (int i = 0; i < 100000 && !ec; ++i) c.socket.read_some(asio::buffer(buf), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
}

}  // namespace
