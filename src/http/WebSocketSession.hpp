#pragma once
// Private to src/http/: one upgraded WebSocket connection (ws:// or wss://) plus its bounded outgoing queue.
#include "http/ServerCore.hpp"
#include "http/WebSocketHandler.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <atomic>
#include <deque>
#include <mutex>
#include <optional>

namespace cityops::http::detail {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ws = boost::beast::websocket;

/// `Stream` is PlainStream or TlsStream (both instantiated in WebSocketSession.cpp): the upgraded HTTP session's
/// stream, moved in with its TLS state. Closing over TLS also sends close_notify (Beast's teardown for ssl_stream).
template <class Stream>
class WebSocketSession : public Session, public std::enable_shared_from_this<WebSocketSession<Stream>> {
 public:
  WebSocketSession(Stream stream, ServerCore& core, std::shared_ptr<WebSocketHandler> handler);

  /// Registers with the core and answers the upgrade request; call once, on the socket's strand.
  /// `request` is the upgrade request as the application sees it (handed to WebSocketHandler::onOpen).
  void start(bhttp::request<bhttp::string_body> req, Request request);
  void shutdown() override;

  // Called through the peer, from any thread.
  bool enqueue(std::string text);
  void requestClose(std::string reason);
  bool isOpen() const { return open_.load(std::memory_order_acquire); }

 private:
  using std::enable_shared_from_this<WebSocketSession<Stream>>::shared_from_this;
  using std::enable_shared_from_this<WebSocketSession<Stream>>::weak_from_this;

  void onAccept(beast::error_code ec);
  void doRead();
  void onRead(beast::error_code ec);
  void doWrite();
  void onWrite(beast::error_code ec);
  void beginClose();
  void armCloseDeadline();  // cut the connection kCloseTimeout from the first call
  void closeSocket();
  void finish();

  ServerCore& core_;
  const asio::any_io_executor executor_;  // the connection's strand
  ws::stream<Stream> ws_;
  beast::flat_buffer buffer_;
  bhttp::request<bhttp::string_body> req_;  // alive during async_accept
  Request request_;                         // for onOpen, then released
  asio::steady_timer closeTimer_;           // hard deadline for the close handshake
  std::shared_ptr<WebSocketHandler> handler_;
  std::shared_ptr<WebSocketPeer> peer_;     // reset in finish() (the peer owns the core: no cycles)
  uint64_t id_ = 0;

  // Strand only.
  bool opened_ = false;
  bool closeStarted_ = false;
  bool deadlineArmed_ = false;
  bool finished_ = false;

  // Shared with senders on other threads.
  mutable std::mutex mu_;
  std::deque<std::string> queue_;  // front is being written while writing_
  bool writing_ = false;
  bool closing_ = false;           // no more sends accepted
  std::optional<ws::close_reason> pendingClose_;
  std::atomic<bool> open_{false};
};

extern template class WebSocketSession<PlainStream>;
extern template class WebSocketSession<TlsStream>;

}  // namespace cityops::http::detail
