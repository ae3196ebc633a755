#pragma once
// HTTP/1.1 + WebSocket server on Boost.Beast: a fixed pool of I/O threads sharing one io_context. Plain TCP, or
// TLS (HTTPS and wss) when given a certificate and key.
#include "common/Result.hpp"
#include "http/Gate.hpp"
#include "http/Router.hpp"
#include "metrics/Registry.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace cityops::http {

class HttpServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 8080;                         // 0: an ephemeral port, read it back with port()
    int threads = 2;                              // I/O threads
    std::size_t bodyLimit = 64u * 1024 * 1024;    // larger bodies get 413
    std::size_t wsQueueLimit = 1024;              // queued frames per WebSocket client before it is dropped
    std::size_t headerLimit = 64 * 1024;          // larger request headers get 431
    std::size_t wsMessageLimit = 64 * 1024;       // larger incoming WebSocket messages close the connection (1009)
    Gate* gate = nullptr;                         // not owned; outlives the server. null: every request passes
    // TLS: PEM files of the certificate (chain) and its unencrypted private key. Both set: every connection is
    // TLS 1.2+; both empty: plain TCP. Read once by start().
    std::string tlsCert;
    std::string tlsKey;
  };

  HttpServer(Options options, const Router& router, metrics::Registry& registry);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Loads the TLS certificate and key (when set), binds and starts the I/O threads. Returns an error (address in
  /// use; only one of tlsCert/tlsKey; a TLS file missing, invalid or not matching) instead of throwing.
  Status start();
  /// The bound port (after start()).
  uint16_t port() const;
  /// Stops accepting, closes connections, joins the threads. Idempotent.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cityops::http
