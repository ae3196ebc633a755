#pragma once
// WebSocket /api/v1/stream: {"subscribe": [topics]} in, committed events out (see stream::Hub).
// Only users whose role may read operations data get events. The token comes with the upgrade (Authorization
// header or ?access_token=, checked by the server's Gate) or as the first message {"token": "..."}; until then any
// other message closes the connection.
#include "auth/Principal.hpp"
#include "common/Clock.hpp"
#include "common/Result.hpp"
#include "http/WebSocketHandler.hpp"
#include "stream/Hub.hpp"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace cityops::api {

class StreamEndpoint final : public http::WebSocketHandler {
 public:
  using Authenticate = std::function<Result<auth::Principal>(std::string_view token)>;
  /// `authenticate` null: no authentication (every peer may subscribe; for tests of the stream alone).
  /// `readers`: the roles whose users may subscribe. `clock` (with authenticate): a session's stream is closed
  /// at the first event after the session expired.
  StreamEndpoint(stream::Hub& hub, Authenticate authenticate = {}, std::vector<auth::Role> readers = {},
                 const Clock* clock = nullptr)
      : hub_(hub), authenticate_(std::move(authenticate)), readers_(std::move(readers)), clock_(clock) {}
  void onOpen(const std::shared_ptr<http::WebSocketPeer>& peer, const http::Request& upgrade) override;
  void onMessage(const std::shared_ptr<http::WebSocketPeer>& peer, std::string_view text) override;
  void onClose(const std::shared_ptr<http::WebSocketPeer>& peer) override;

  /// Authenticates every connected peer's token again and closes the peers whose token no longer works (logout,
  /// revocation, a disabled account, a role that may no longer read). Call after credentials changed.
  void revalidate();

 private:
  class PeerSubscriber;
  struct PeerState {
    std::shared_ptr<PeerSubscriber> subscriber;
    std::weak_ptr<http::WebSocketPeer> peer;
    bool authenticated = false;
    std::string token;  // the credential it authenticated with, for revalidate()
  };
  /// Marks the peer authenticated with `token` valid until `expiresMs` (0: no expiry).
  void admitted(const http::WebSocketPeer* peer, std::string token, int64_t expiresMs);
  bool mayRead(const auth::Principal& p) const;
  void authenticateWith(const std::shared_ptr<http::WebSocketPeer>& peer, std::string_view text);

  stream::Hub& hub_;
  Authenticate authenticate_;
  std::vector<auth::Role> readers_;
  const Clock* clock_;
  std::mutex mu_;
  std::map<const http::WebSocketPeer*, PeerState> peers_;
};

}  // namespace cityops::api
