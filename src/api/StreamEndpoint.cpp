#include "api/StreamEndpoint.hpp"

#include "common/JsonText.hpp"

#include <boost/json.hpp>

namespace cityops::api {

namespace json = boost::json;

class StreamEndpoint::PeerSubscriber final : public stream::Subscriber {
 public:
  explicit PeerSubscriber(std::weak_ptr<http::WebSocketPeer> peer) : peer_(std::move(peer)) {}
  bool deliver(std::string text) override {
    auto p = peer_.lock();
    return p && p->send(std::move(text));
  }

 private:
  std::weak_ptr<http::WebSocketPeer> peer_;
};

namespace {
std::string errorFrame(std::string_view code, std::string_view message) {
  return toJsonText(json::object{{"error", code}, {"message", message}});
}
}  // namespace

void StreamEndpoint::onOpen(const std::shared_ptr<http::WebSocketPeer>& peer, const http::Request& upgrade) {
  std::lock_guard lock(mu_);
  peers_[peer.get()] = std::make_shared<PeerSubscriber>(peer);
}

void StreamEndpoint::onMessage(const std::shared_ptr<http::WebSocketPeer>& peer, std::string_view text) {
  std::shared_ptr<PeerSubscriber> sub;
  {
    std::lock_guard lock(mu_);
    auto it = peers_.find(peer.get());
    if (it == peers_.end()) return;
    sub = it->second;
  }
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
    sub = std::move(it->second);
    peers_.erase(it);
  }
  hub_.unsubscribe(sub.get());
}

}  // namespace cityops::api
