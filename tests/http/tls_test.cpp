// HttpServer over TLS (HTTPS and wss) on loopback, with Beast clients that verify the server's certificate.
// The self-signed certificate for 127.0.0.1/localhost is made at test time with the OpenSSL C API.
#include "http/HttpServer.hpp"
#include "http/PubSubHandler.hpp"
#include "http/TestClient.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <mutex>
#include <random>
#include <set>
#include <vector>

using namespace cityops;
using namespace cityops::http;
using namespace cityops::http::test;

namespace {

namespace fs = std::filesystem;
namespace ssl = boost::asio::ssl;

// ---------------------------------------------------------------------------------------------------------------
// Certificate material

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

KeyPtr makeKey() { return KeyPtr(EVP_EC_gen("P-256"), &EVP_PKEY_free); }

bool addExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

/// Self-signed, valid from an hour ago for a day, for IP 127.0.0.1 and DNS localhost.
CertPtr makeCert(EVP_PKEY* key) {
  CertPtr cert(X509_new(), &X509_free);
  if (!cert) return cert;
  X509* x = cert.get();
  const bool ok = X509_set_version(x, 2) == 1 && ASN1_INTEGER_set(X509_get_serialNumber(x), 1) == 1 &&
                  X509_gmtime_adj(X509_getm_notBefore(x), -3600) && X509_gmtime_adj(X509_getm_notAfter(x), 86400) &&
                  X509_set_pubkey(x, key) == 1 &&
                  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0) == 1 &&
                  X509_set_issuer_name(x, X509_get_subject_name(x)) == 1 &&
                  addExtension(x, NID_basic_constraints, "critical,CA:TRUE") &&
                  addExtension(x, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost") &&
                  X509_sign(x, key, EVP_sha256()) > 0;
  if (!ok) cert.reset();
  return cert;
}

bool writeFile(const fs::path& path, const std::function<int(FILE*)>& write) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  const bool ok = write(f) == 1;
  return std::fclose(f) == 0 && ok;
}

/// PEM, encrypted with AES when a passphrase is given.
bool writeKey(const fs::path& path, EVP_PKEY* key, const std::string& passphrase = {}) {
  return writeFile(path, [&](FILE* f) {
    if (passphrase.empty()) return PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    return PEM_write_PrivateKey(f, key, EVP_aes_128_cbc(), reinterpret_cast<const unsigned char*>(passphrase.data()),
                                static_cast<int>(passphrase.size()), nullptr, nullptr);
  });
}

/// The files every test uses, made once per test binary run in a fresh temporary directory.
struct Material {
  fs::path dir;
  std::string cert, key;   // the server's pair
  std::string otherKey;    // a key of the same type that does not match `cert`
  std::string rsaKey;      // a key of another type than `cert`'s
  std::string encryptedKey;
  std::string garbage;     // a file that is not PEM
  bool ok = false;
};

Material makeMaterial() {
  Material m;
  std::random_device rd;
  m.dir = fs::temp_directory_path() / ("cityops-tls-" + std::to_string(rd()) + std::to_string(rd()));
  std::error_code ec;
  if (!fs::create_directories(m.dir, ec)) return m;
  m.cert = (m.dir / "cert.pem").string();
  m.key = (m.dir / "key.pem").string();
  m.otherKey = (m.dir / "other-key.pem").string();
  m.rsaKey = (m.dir / "rsa-key.pem").string();
  m.encryptedKey = (m.dir / "encrypted-key.pem").string();
  m.garbage = (m.dir / "garbage.pem").string();
  KeyPtr key = makeKey();
  KeyPtr other = makeKey();
  KeyPtr rsa(EVP_RSA_gen(2048), &EVP_PKEY_free);
  if (!key || !other || !rsa) return m;
  CertPtr cert = makeCert(key.get());
  if (!cert) return m;
  m.ok = writeFile(m.cert, [&](FILE* f) { return PEM_write_X509(f, cert.get()); }) && writeKey(m.key, key.get()) &&
         writeKey(m.otherKey, other.get()) && writeKey(m.rsaKey, rsa.get()) &&
         writeKey(m.encryptedKey, key.get(), "secret") &&
         writeFile(m.garbage, [](FILE* f) { return std::fputs("not a certificate\n", f) >= 0 ? 1 : 0; });
  return m;
}

// ---------------------------------------------------------------------------------------------------------------
// Clients

using TlsSocket = beast::ssl_stream<tcp::socket>;

/// A client context that trusts exactly the test certificate.
std::unique_ptr<ssl::context> clientContext(const std::string& certFile) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  ctx->load_verify_file(certFile);
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

beast::error_code clientHandshake(asio::io_context& ioc, TlsSocket& s, uint16_t port) {
  auto& sock = beast::get_lowest_layer(s);
  if (auto ec = await(ioc, sock, [&](auto h) { sock.async_connect(loopback(port), h); })) return ec;
  s.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
  return await(ioc, sock, [&](auto h) { s.async_handshake(ssl::stream_base::client, h); });
}

/// HttpConn over TLS.
class HttpsConn {
 public:
  HttpsConn(uint16_t port, ssl::context& ctx) : stream_(ioc_, ctx) { ec_ = clientHandshake(ioc_, stream_, port); }
  beast::error_code error() const { return ec_; }
  bool connected() const { return !ec_; }

  beast::error_code write(const bhttp::request<bhttp::string_body>& req) {
    return await(ioc_, sock(), [&](auto h) { bhttp::async_write(stream_, req, h); });
  }
  beast::error_code writeRaw(const std::string& bytes) {
    return await(ioc_, sock(), [&](auto h) { asio::async_write(stream_, asio::buffer(bytes), h); });
  }
  beast::error_code read(bhttp::response<bhttp::string_body>& res) {
    bhttp::response_parser<bhttp::string_body> parser;
    auto ec = await(ioc_, sock(), [&](auto h) { bhttp::async_read(stream_, buffer_, parser, h); });
    if (!ec) res = parser.release();
    return ec;
  }
  bhttp::response<bhttp::string_body> roundTrip(const bhttp::request<bhttp::string_body>& req) {
    bhttp::response<bhttp::string_body> res;
    res.result(0u);
    if (auto ec = write(req)) {
      res.body() = "write: " + ec.message();
    } else if (auto rec = read(res)) {
      res.result(0u);
      res.body() = "read: " + rec.message();
    }
    return res;
  }
  bhttp::response<bhttp::string_body> get(std::string target) {
    return roundTrip(HttpConn::make(bhttp::verb::get, std::move(target)));
  }
  /// What the next read ends with when no more data comes: eof after the server's close_notify.
  beast::error_code readEnd() {
    char c;
    return await(ioc_, sock(), [&](auto h) { stream_.async_read_some(asio::buffer(&c, 1), h); });
  }

 private:
  tcp::socket& sock() { return beast::get_lowest_layer(stream_); }

  asio::io_context ioc_;
  TlsSocket stream_;
  beast::flat_buffer buffer_;
  beast::error_code ec_;
};

/// WsConn over TLS (wss).
class WssConn {
 public:
  explicit WssConn(ssl::context& ctx) : ws_(ioc_, ctx) {}

  beast::error_code connect(uint16_t port, const std::string& target) {
    if (auto ec = clientHandshake(ioc_, ws_.next_layer(), port)) return ec;
    return await(ioc_, sock(), [&](auto h) { ws_.async_handshake("127.0.0.1", target, h); });
  }
  beast::error_code write(const std::string& text) {
    ws_.text(true);
    return await(ioc_, sock(), [&](auto h) { ws_.async_write(asio::buffer(text), h); });
  }
  beast::error_code read(std::string& out) {
    beast::flat_buffer buf;
    auto ec = await(ioc_, sock(), [&](auto h) { ws_.async_read(buf, h); });
    out = beast::buffers_to_string(buf.data());
    return ec;
  }
  beast::error_code close() {
    return await(ioc_, sock(), [&](auto h) { ws_.async_close(bws::close_code::normal, h); });
  }
  const bws::close_reason& reason() const { return ws_.reason(); }

 private:
  tcp::socket& sock() { return beast::get_lowest_layer(ws_); }

  asio::io_context ioc_;
  bws::stream<TlsSocket> ws_;
};

// ---------------------------------------------------------------------------------------------------------------
// Server side

/// Refuses /api/secret, marks every response: the Gate hook works the same over TLS.
class MarkingGate : public Gate {
 public:
  std::optional<Response> preflight(const Request&) override { return std::nullopt; }
  std::optional<Response> admit(Request&, std::string_view route) override {
    if (route == "/api/secret") return Response::error(401, "unauthorized", "no");
    return std::nullopt;
  }
  void decorate(std::string_view, Response& res) override { res.headers.emplace_back("X-Gate", "seen"); }
};

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { material_ = new Material(makeMaterial()); }
  static void TearDownTestSuite() {
    std::error_code ec;
    if (!material_->dir.empty()) fs::remove_all(material_->dir, ec);
    delete material_;
    material_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(material_->ok) << "could not create the test certificate in " << material_->dir;
    client_ = clientContext(material_->cert);
    router_.add("GET", "/api/hello", [](Request&& req, Reply reply) {
      reply(Response::text(200, "hello " + req.remote));
    });
    router_.add("GET", "/api/secret", [](Request&&, Reply reply) { reply(Response::text(200, "secret")); });
    router_.add("POST", "/api/echo", [](Request&& req, Reply reply) { reply(Response::text(200, req.body)); });
    router_.addWebSocket("/ws", handler_);
  }
  void TearDown() override { server_.reset(); }

  HttpServer::Options options() const {
    HttpServer::Options o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.bodyLimit = 1024;
    o.tlsCert = material_->cert;
    o.tlsKey = material_->key;
    return o;
  }
  void start(HttpServer::Options o) {
    server_ = std::make_unique<HttpServer>(o, router_, registry_);
    Status s = server_->start();
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_NE(server_->port(), 0);
  }
  void start() { start(options()); }
  /// start() with these files: the error (code, message), or empty when it started.
  Error startWith(std::string cert, std::string key) {
    HttpServer::Options o = options();
    o.tlsCert = std::move(cert);
    o.tlsKey = std::move(key);
    HttpServer server(o, router_, registry_);
    Status s = server.start();
    return s.ok() ? Error{} : s.error();
  }
  uint16_t port() const { return server_->port(); }

  static Material* material_;
  std::unique_ptr<ssl::context> client_;
  std::shared_ptr<PubSub> handler_ = std::make_shared<PubSub>();
  Router router_;
  metrics::Registry registry_;
  std::unique_ptr<HttpServer> server_;
};

Material* TlsTest::material_ = nullptr;

// ---------------------------------------------------------------------------------------------------------------

TEST_F(TlsTest, GetRoundTrip) {
  start();
  HttpsConn c(port(), *client_);
  ASSERT_TRUE(c.connected()) << c.error().message();
  auto res = c.get("/api/hello");
  EXPECT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(res.body(), "hello 127.0.0.1");  // the client address comes from below TLS
  EXPECT_EQ(res[bhttp::field::server], "cityops");
  EXPECT_TRUE(res.keep_alive());
  EXPECT_NE(registry_.render().find(
                "cityops_http_requests_total{route=\"/api/hello\",method=\"GET\",status=\"200\"} 1"),
            std::string::npos);
}

TEST_F(TlsTest, KeepAliveServesTwoRequestsOnOneConnection) {
  start();
  HttpsConn c(port(), *client_);
  ASSERT_TRUE(c.connected()) << c.error().message();
  auto first = c.get("/api/hello");
  auto second = c.get("/api/hello");
  EXPECT_EQ(first.result_int(), 200) << first.body();
  EXPECT_EQ(second.result_int(), 200) << second.body();
  EXPECT_TRUE(second.keep_alive());
}

TEST_F(TlsTest, PostWithBodyAndExpectContinue) {
  start();
  HttpsConn c(port(), *client_);
  ASSERT_TRUE(c.connected()) << c.error().message();
  const std::string body(1000, 'p');
  auto res = c.roundTrip(HttpConn::make(bhttp::verb::post, "/api/echo", body, "text/plain"));
  EXPECT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(res.body(), body);

  // 100-continue: the interim response comes before the body is sent.
  ASSERT_FALSE(c.writeRaw("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  bhttp::response<bhttp::string_body> interim;
  ASSERT_FALSE(c.read(interim));
  EXPECT_EQ(interim.result_int(), 100);
  ASSERT_FALSE(c.writeRaw("hello"));
  bhttp::response<bhttp::string_body> last;
  ASSERT_FALSE(c.read(last));
  EXPECT_EQ(last.result_int(), 200);
  EXPECT_EQ(last.body(), "hello");
}

TEST_F(TlsTest, BodyOverLimitGets413AndCloseNotify) {
  start();
  {
    HttpsConn c(port(), *client_);
    ASSERT_TRUE(c.connected()) << c.error().message();
    auto res = c.roundTrip(HttpConn::make(bhttp::verb::post, "/api/echo", std::string(64 * 1024, 'a')));
    EXPECT_EQ(res.result_int(), 413) << res.body();
    EXPECT_FALSE(res.keep_alive());
    EXPECT_EQ(c.readEnd(), asio::error::eof);  // a TLS close (close_notify), not a cut connection
  }
  {
    // Chunked: the limit is found while reading the body.
    HttpsConn c(port(), *client_);
    ASSERT_TRUE(c.connected()) << c.error().message();
    std::string raw = "POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 4; ++i) raw += "200\r\n" + std::string(0x200, 'b') + "\r\n";
    raw += "0\r\n\r\n";
    ASSERT_FALSE(c.writeRaw(raw));
    bhttp::response<bhttp::string_body> res;
    ASSERT_FALSE(c.read(res));
    EXPECT_EQ(res.result_int(), 413);
  }
  HttpsConn after(port(), *client_);
  EXPECT_EQ(after.get("/api/hello").result_int(), 200);
}

TEST_F(TlsTest, ConnectionCloseEndsWithCloseNotify) {
  start();
  HttpsConn c(port(), *client_);
  ASSERT_TRUE(c.connected()) << c.error().message();
  auto req = HttpConn::make(bhttp::verb::get, "/api/hello");
  req.keep_alive(false);
  auto res = c.roundTrip(req);
  EXPECT_EQ(res.result_int(), 200) << res.body();
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(c.readEnd(), asio::error::eof);
}

TEST_F(TlsTest, GateHookRunsOverTls) {
  MarkingGate gate;
  HttpServer::Options o = options();
  o.gate = &gate;
  start(o);
  HttpsConn c(port(), *client_);
  ASSERT_TRUE(c.connected()) << c.error().message();
  auto refused = c.get("/api/secret");
  EXPECT_EQ(refused.result_int(), 401);
  EXPECT_EQ(refused["X-Gate"], "seen");
  auto ok = c.get("/api/hello");
  EXPECT_EQ(ok.result_int(), 200);
  EXPECT_EQ(ok["X-Gate"], "seen");
}

TEST_F(TlsTest, WssEchoRoundTripAndCleanClose) {
  start();
  WssConn ws(*client_);
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
  EXPECT_EQ(handler_->remote(), "127.0.0.1");
  EXPECT_NE(registry_.render().find("cityops_http_requests_total{route=\"/ws\",method=\"GET\",status=\"101\"} 1"),
            std::string::npos);
}

TEST_F(TlsTest, WssServerSideCloseSendsReason) {
  start();
  WssConn ws(*client_);
  ASSERT_FALSE(ws.connect(port(), "/ws"));
  ASSERT_FALSE(ws.write("close:bye now"));
  std::string got;
  EXPECT_EQ(ws.read(got), bws::error::closed);
  EXPECT_EQ(ws.reason().code, bws::close_code::normal);
  EXPECT_EQ(ws.reason().reason, "bye now");
  EXPECT_TRUE(handler_->waitCloses(1));
}

TEST_F(TlsTest, WssSlowConsumerIsClosedWith1008) {
  HttpServer::Options o = options();
  o.wsQueueLimit = 8;
  start(o);
  WssConn ws(*client_);
  ASSERT_FALSE(ws.connect(port(), "/ws"));
  ASSERT_FALSE(ws.write("subscribe"));
  std::string got;
  ASSERT_FALSE(ws.read(got));
  ASSERT_EQ(got, "subscribed");
  auto peer = handler_->waitSubscriber();
  ASSERT_TRUE(peer);
  const std::string frame(512 * 1024, 'z');
  bool rejected = false;
  for (int i = 0; i < 100000 && !rejected; ++i) rejected = !peer->send(frame);
  ASSERT_TRUE(rejected) << "send() never reported the overflow";
  EXPECT_FALSE(peer->isOpen());
  beast::error_code ec;
  while (!(ec = ws.read(got))) EXPECT_EQ(got.size(), frame.size());
  EXPECT_EQ(ec, bws::error::closed) << ec.message();
  EXPECT_EQ(ws.reason().code, bws::close_code::policy_error);
  EXPECT_TRUE(handler_->waitCloses(1));
}

TEST_F(TlsTest, PlainHttpToTheTlsPortGetsNoAnswerAndTlsKeepsWorking) {
  start();
  {
    HttpConn plain(port());
    ASSERT_TRUE(plain.connected());
    auto res = plain.get("/api/hello");
    EXPECT_EQ(res.result_int(), 0) << "a plain-HTTP client got an HTTP answer from the TLS port";
  }
  {
    // A client that does not trust the certificate: the handshake fails on its side, the server shrugs.
    auto untrusting = std::make_unique<ssl::context>(ssl::context::tls_client);
    untrusting->set_verify_mode(ssl::verify_peer);
    HttpsConn c(port(), *untrusting);
    EXPECT_FALSE(c.connected());
  }
  HttpsConn c(port(), *client_);
  ASSERT_TRUE(c.connected()) << c.error().message();
  EXPECT_EQ(c.get("/api/hello").result_int(), 200);
  WssConn ws(*client_);
  ASSERT_FALSE(ws.connect(port(), "/ws"));
}

TEST_F(TlsTest, ProtocolsBelowTls12AreRefused) {
  start();
  // A client willing to speak only TLS 1.0/1.1 (its own security level lowered so that the refusal is the server's).
  auto old = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_security_level(old->native_handle(), 0);
  SSL_CTX_set_min_proto_version(old->native_handle(), TLS1_VERSION);
  SSL_CTX_set_max_proto_version(old->native_handle(), TLS1_1_VERSION);
  old->load_verify_file(material_->cert);
  old->set_verify_mode(ssl::verify_peer);
  HttpsConn c(port(), *old);
  EXPECT_FALSE(c.connected());
  EXPECT_NE(c.error().message().find("protocol version"), std::string::npos) << c.error().message();
  HttpsConn modern(port(), *client_);
  EXPECT_TRUE(modern.connected()) << modern.error().message();
}

TEST_F(TlsTest, StopClosesTlsConnections) {
  start();
  HttpsConn idle(port(), *client_);
  ASSERT_TRUE(idle.connected());
  ASSERT_EQ(idle.get("/api/hello").result_int(), 200);
  WssConn ws(*client_);
  ASSERT_FALSE(ws.connect(port(), "/ws"));
  const auto before = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 4s);  // well inside the drain timeout
  EXPECT_TRUE(handler_->waitCloses(1));
  EXPECT_NE(idle.readEnd(), beast::error_code{});
}

TEST_F(TlsTest, StartFailsCleanlyOnBadTlsFiles) {
  const auto& m = *material_;
  Error e;
  EXPECT_NO_THROW(e = startWith(m.dir.string() + "/missing.pem", m.key));
  EXPECT_EQ(e.code, "unavailable");
  EXPECT_NE(e.message.find("missing.pem"), std::string::npos) << e.message;

  EXPECT_NO_THROW(e = startWith(m.cert, m.dir.string() + "/missing-key.pem"));
  EXPECT_EQ(e.code, "unavailable");
  EXPECT_NE(e.message.find("missing-key.pem"), std::string::npos) << e.message;

  EXPECT_NO_THROW(e = startWith(m.cert, m.otherKey));
  EXPECT_EQ(e.code, "bad_request");
  EXPECT_NE(e.message.find("does not match"), std::string::npos) << e.message;

  EXPECT_NO_THROW(e = startWith(m.cert, m.rsaKey));
  EXPECT_EQ(e.code, "bad_request");
  EXPECT_NE(e.message.find("does not match"), std::string::npos) << e.message;

  EXPECT_NO_THROW(e = startWith(m.garbage, m.key));
  EXPECT_EQ(e.code, "bad_request");
  EXPECT_NE(e.message.find("garbage.pem"), std::string::npos) << e.message;

  EXPECT_NO_THROW(e = startWith(m.cert, m.garbage));
  EXPECT_EQ(e.code, "bad_request");
  EXPECT_NE(e.message.find("garbage.pem"), std::string::npos) << e.message;

  EXPECT_NO_THROW(e = startWith(m.cert, m.encryptedKey));  // must not prompt for a passphrase
  EXPECT_EQ(e.code, "bad_request");
  EXPECT_NE(e.message.find("encrypted"), std::string::npos) << e.message;

  EXPECT_NO_THROW(e = startWith(m.dir.string(), m.key));
  EXPECT_EQ(e.code, "bad_request");
  EXPECT_NE(e.message.find("directory"), std::string::npos) << e.message;

  EXPECT_NO_THROW(e = startWith(m.cert, ""));
  EXPECT_EQ(e.code, "bad_request");
  EXPECT_NO_THROW(e = startWith("", m.key));
  EXPECT_EQ(e.code, "bad_request");

  EXPECT_NO_THROW(e = startWith(m.cert, m.key));
  EXPECT_EQ(e.code, "") << e.message;
}

}  // namespace
