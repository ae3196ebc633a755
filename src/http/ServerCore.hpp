#pragma once
// Private to src/http/: state shared by the server, its sessions, pending replies and WebSocket peers.
// Include only from src/http/*.cpp (pulls in Asio).
#include "http/HttpServer.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace cityops::http::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Strand = asio::strand<asio::io_context::executor_type>;

// The two kinds of connection. Sessions are templates on the stream type (Beast's "advanced server flex"
// pattern); everything above the stream is the same code for both.
using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

/// A live connection the server can close on stop().
class Session {
 public:
  virtual ~Session() = default;
  /// Closes the connection; callable from any thread.
  virtual void shutdown() = 0;
};

/// Owned by shared_ptr: pending Reply callbacks and WebSocket peers hold it so that posting to the
/// io_context stays valid after the HttpServer is gone (the handlers then never run).
/// Sessions refer to it by reference only; nothing queued in the io_context may own it (no cycles).
class ServerCore : public std::enable_shared_from_this<ServerCore> {
 public:
  ServerCore(HttpServer::Options options, const Router& router, metrics::Registry& registry, int threads);

  const HttpServer::Options options;
  const Router& router;                 // only used while the server runs
  metrics::Registry& registry;          // only used while the server runs

  /// Registers a session; returns 0 when the server is stopping (the caller closes itself).
  uint64_t add(const std::shared_ptr<Session>& s);
  void remove(uint64_t id);
  /// Marks stopping and returns the live sessions.
  std::vector<std::shared_ptr<Session>> beginStop();
  bool stopping() const;

  void recordRequest(const std::string& route, const std::string& method, int status, double seconds);

  /// Set by HttpServer::start() before the first accept when Options::tlsCert/tlsKey are set; null: plain TCP.
  /// Sessions only read it. Each SSL object holds its own reference to the SSL_CTX, so connections still
  /// unwinding after the core is gone stay valid.
  std::unique_ptr<asio::ssl::context> tls;
  /// Failed TLS handshakes since start (logged at debug level: clients probing with plain HTTP, scanners).
  std::atomic<uint64_t> tlsHandshakeFailures{0};

  // I/O thread accounting for stop(): threads decrement and notify when run() returns.
  std::mutex runMu;
  std::condition_variable runCv;
  int running = 0;

 private:
  mutable std::mutex mu_;
  std::shared_mutex metricsMu_;
  std::unordered_map<std::string, std::pair<metrics::Counter*, metrics::Histogram*>> metricsCache_;
  std::atomic<bool> stopping_{false};  // written under mu_
  uint64_t nextId_ = 1;
  std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions_;

 public:
  asio::io_context ioc;  // declared last: destroyed first, while the members above are alive
};

}  // namespace cityops::http::detail
