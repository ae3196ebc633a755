#pragma once
#include "http/Message.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace cityops::http {

/// One connected WebSocket client as the application sees it. Thread-safe.
class WebSocketPeer {
 public:
  virtual ~WebSocketPeer() = default;
  /// Queue a text frame. Never blocks. Returns false when the peer is closed or its bounded queue overflowed;
  /// on overflow the peer is closed with code 1008 (policy violation) and reason "slow consumer: queue overflow".
  virtual bool send(std::string text) = 0;
  /// Close with code 1000 and the given reason.
  virtual void close(std::string reason) = 0;
  virtual bool isOpen() const = 0;
};

/// Application side of a WebSocket route. Callbacks run on I/O threads; keep them short.
class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;
  /// `upgrade` is the HTTP request that opened the connection (query, remote address, principal), without body.
  virtual void onOpen(const std::shared_ptr<WebSocketPeer>& peer, const Request& upgrade) = 0;
  virtual void onMessage(const std::shared_ptr<WebSocketPeer>& peer, std::string_view text) = 0;
  virtual void onClose(const std::shared_ptr<WebSocketPeer>& peer) = 0;
};

}  // namespace cityops::http
