#pragma once
// WebSocket /api/v1/stream: {"subscribe": [topics]} in, committed events out (see stream::Hub).
#include "http/WebSocketHandler.hpp"
#include "stream/Hub.hpp"

#include <map>
#include <memory>
#include <mutex>

namespace cityops::api {

class StreamEndpoint final : public http::WebSocketHandler {
 public:
  explicit StreamEndpoint(stream::Hub& hub) : hub_(hub) {}
  void onOpen(const std::shared_ptr<http::WebSocketPeer>& peer, const http::Request& upgrade) override;
  void onMessage(const std::shared_ptr<http::WebSocketPeer>& peer, std::string_view text) override;
  void onClose(const std::shared_ptr<http::WebSocketPeer>& peer) override;

 private:
  class PeerSubscriber;
  stream::Hub& hub_;
  std::mutex mu_;
  std::map<const http::WebSocketPeer*, std::shared_ptr<PeerSubscriber>> peers_;
};

}  // namespace cityops::api
