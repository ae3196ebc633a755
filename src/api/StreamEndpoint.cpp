#include "api/StreamEndpoint.hpp"

#include "auth/Credentials.hpp"
#include "common/JsonText.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>

namespace cityops::api {

namespace json = boost::json;

namespace {
std::string errorFrame(std::string_view code, std::string_view message) {
  return toJsonText(json::object{{"error", code}, {"message", message}});
}
}  // namespace

class StreamEndpoint::PeerSubscriber final : public stream::Subscriber {
 public:
  PeerSubscriber(std::weak_ptr<http::WebSocketPeer> peer, const Clock* clock) : peer_(std::move(peer)), clock_(clock) {}
  bool deliver(std::string text) override {
    auto p = peer_.lock();
    if (!p) return false;
    const int64_t expires = expiresMs.load(std::memory_order_relaxed);
    if (expires > 0 && clock_ && clock_->nowMs() >= expires) {
      p->send(errorFrame("unauthenticated", "the session expired; log in again"));
      p->close("session expired");
      return false;
    }
    return p->send(std::move(text));
  }

  std::atomic<int64_t> expiresMs{0};

 private:
  std::weak_ptr<http::WebSocketPeer> peer_;
  const Clock* clock_;
};

bool StreamEndpoint::mayRead(const auth::Principal& p) const {
  if (p.kind != auth::Principal::Kind::User) return false;
  return std::find(readers_.begin(), readers_.end(), p.role) != readers_.end();
}

void StreamEndpoint::onOpen(const std::shared_ptr<http::WebSocketPeer>& peer, const http::Request& upgrade) {
  {
    std::lock_guard lock(mu_);
    peers_[peer.get()] = PeerState{std::make_shared<PeerSubscriber>(peer, clock_), peer, !authenticate_, {}};
  }
  if (authenticate_ && upgrade.principal) {
    if (!mayRead(*upgrade.principal)) {  // the Gate refuses these before the upgrade; kept as a second lock
      peer->send(errorFrame("forbidden", "your role may not read the stream"));
      peer->close("forbidden");
      return;
    }
    // The credential the Gate accepted: the Authorization header, else the access_token query parameter.
    std::string token;
    if (auto t = auth::bearerToken(upgrade.header("Authorization"))) token = std::string(*t);
    else if (auto q = upgrade.query.find("access_token"); q != upgrade.query.end()) token = q->second;
    admitted(peer.get(), std::move(token), upgrade.principal->expiresMs);
  }
}

void StreamEndpoint::admitted(const http::WebSocketPeer* peer, std::string token, int64_t expiresMs) {
  std::lock_guard lock(mu_);
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  it->second.authenticated = true;
  it->second.token = std::move(token);
  it->second.subscriber->expiresMs.store(expiresMs, std::memory_order_relaxed);
}

void StreamEndpoint::revalidate() {
  if (!authenticate_) return;
  std::vector<std::pair<std::weak_ptr<http::WebSocketPeer>, std::string>> live;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, state] : peers_)
      if (state.authenticated) live.emplace_back(state.peer, state.token);
  }
  for (const auto& [weak, token] : live) {
    auto peer = weak.lock();
    if (!peer) continue;
    auto who = token.empty() ? Result<auth::Principal>(Error{"unauthenticated", "no token"}) : authenticate_(token);
    if (who && mayRead(*who)) continue;
    peer->send(errorFrame(who ? "forbidden" : "unauthenticated",
                          who ? "your role may no longer read the stream" : "the session ended; log in again"));
    peer->close(who ? "forbidden" : "session ended");
  }
}

void StreamEndpoint::authenticateWith(const std::shared_ptr<http::WebSocketPeer>& peer, std::string_view text) {
  json::parse_options opt;
  opt.max_depth = 4;
  boost::system::error_code ec;
  auto v = json::parse(text, ec, {}, opt);
  const json::string* token = nullptr;
  if (!ec && v.is_object())
    if (const auto* t = v.get_object().if_contains("token")) token = t->if_string();
  if (!token) {
    peer->send(errorFrame("unauthenticated", "send {\"token\": \"<token>\"} first, or connect with ?access_token="));
    peer->close("unauthenticated");
    return;
  }
  auto who = authenticate_(std::string_view(token->data(), token->size()));
  if (!who) {
    peer->send(errorFrame("unauthenticated", "the token is invalid, expired or revoked"));
    peer->close("unauthenticated");
    return;
  }
  if (!mayRead(*who)) {
    peer->send(errorFrame("forbidden", "your role may not read the stream"));
    peer->close("forbidden");
    return;
  }
  admitted(peer.get(), std::string(token->data(), token->size()), who->expiresMs);
  peer->send(toJsonText(json::object{{"authenticated", true}, {"role", auth::roleName(who->role)}}));
}

void StreamEndpoint::onMessage(const std::shared_ptr<http::WebSocketPeer>& peer, std::string_view text) {
  std::shared_ptr<PeerSubscriber> sub;
  {
    std::lock_guard lock(mu_);
    auto it = peers_.find(peer.get());
    if (it == peers_.end()) return;
    if (it->second.authenticated) sub = it->second.subscriber;
  }
  if (!sub) return authenticateWith(peer, text);
  json::parse_options opt;
  opt.max_depth = 8;
  boost::system::error_code ec;
  auto v = json::parse(text, ec, {}, opt);
  const json::array* topics = nullptr;
  if (!ec && v.is_object())
    if (const auto* s = v.get_object().if_contains("subscribe")) topics = s->if_array();
  if (!topics) {
    peer->send(errorFrame("bad_request", "send {\"subscribe\": [\"observations:entity:<id>\", "
                                         "\"observations:type:<type>\", \"alerts\"]}"));
    return;
  }
  std::vector<std::string> list;
  for (const auto& t : *topics) {
    if (!t.is_string()) {
      peer->send(errorFrame("bad_request", "topics must be strings"));
      return;
    }
    list.emplace_back(t.get_string());
  }
  if (auto s = hub_.subscribe(sub, list); !s) {
    peer->send(errorFrame(s.error().code, s.error().message));
    return;
  }
  json::array echoed;
  for (const auto& t : list) echoed.emplace_back(t);
  peer->send(toJsonText(json::object{{"subscribed", std::move(echoed)}}));
}

void StreamEndpoint::onClose(const std::shared_ptr<http::WebSocketPeer>& peer) {
  std::shared_ptr<PeerSubscriber> sub;
  {
    std::lock_guard lock(mu_);
    auto it = peers_.find(peer.get());
    if (it == peers_.end()) return;
    sub = std::move(it->second.subscriber);
    peers_.erase(it);
  }
  hub_.unsubscribe(sub.get());
}

}  // namespace cityops::api
