#pragma once
// A WebSocket handler for the server tests (plain and TLS).
#include "http/WebSocketHandler.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace cityops::http::test {

using namespace std::chrono_literals;

/// Echoes text; "subscribe" makes the peer a subscriber; "close:<reason>" closes from the server side.
class PubSub : public WebSocketHandler {
 public:
  void onOpen(const std::shared_ptr<WebSocketPeer>& peer, const Request& upgrade) override {
    std::lock_guard lock(mu_);
    ++opens_;
    remote_ = upgrade.remote;
    EXPECT_TRUE(peer->isOpen());
    cv_.notify_all();
  }
  void onMessage(const std::shared_ptr<WebSocketPeer>& peer, std::string_view text) override {
    if (text == "subscribe") {
      {
        std::lock_guard lock(mu_);
        subscribers_.push_back(peer);
        cv_.notify_all();
      }
      peer->send("subscribed");
    } else if (text.substr(0, 6) == "close:") {
      peer->close(std::string(text.substr(6)));
    } else {
      peer->send(std::string(text));
    }
  }
  void onClose(const std::shared_ptr<WebSocketPeer>& peer) override {
    std::lock_guard lock(mu_);
    EXPECT_FALSE(peer->isOpen());
    EXPECT_EQ(closed_.count(peer.get()), 0u) << "onClose twice";
    closed_.insert(peer.get());
    ++closes_;
    cv_.notify_all();
  }

  std::shared_ptr<WebSocketPeer> waitSubscriber() {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 10s, [&] { return !subscribers_.empty(); });
    return subscribers_.empty() ? nullptr : subscribers_.back();
  }
  bool waitCloses(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return closes_ >= n; });
  }
  int opens() {
    std::lock_guard lock(mu_);
    return opens_;
  }
  std::string remote() {
    std::lock_guard lock(mu_);
    return remote_;
  }
  int closes() {
    std::lock_guard lock(mu_);
    return closes_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<WebSocketPeer>> subscribers_;
  std::set<const WebSocketPeer*> closed_;
  int opens_ = 0;
  int closes_ = 0;
  std::string remote_;
};

}  // namespace cityops::http::test
