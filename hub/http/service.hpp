// The seams between hub/net (sockets) and everything above it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "hub/http/message.hpp"

namespace hub::http {

// One open WebSocket, implemented by hub/net. Safe to call from any thread.
class WebSocketPeer {
 public:
  virtual ~WebSocketPeer() = default;
  // Queues a text frame. Returns false, and closes the peer with code 1008
  // ("policy": too slow), when its bounded outbound queue is full.
  virtual bool send(std::shared_ptr<const std::string> text) = 0;
  // Sends a close frame with `code` and `reason`, then drops the connection.
  virtual void close(std::uint16_t code, std::string reason) = 0;
  virtual std::uint64_t id() const = 0;
};

// Serves the WebSocket endpoint at one path (hub/discussion implements /api/live).
class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;
  // Checks the upgrade request (authentication, Origin). A response refuses it.
  virtual boost::asio::awaitable<std::optional<Response>> admit(Request& upgrade) = 0;
  // REQUIRES: admit() accepted `upgrade`.
  virtual void on_open(const std::shared_ptr<WebSocketPeer>& peer, const Request& upgrade) = 0;
  virtual void on_message(const std::shared_ptr<WebSocketPeer>& peer, std::string text) = 0;
  virtual void on_close(const std::shared_ptr<WebSocketPeer>& peer) = 0;
};

// What hub/net serves: the composition root hands it one of these.
class Service {
 public:
  virtual ~Service() = default;
  // The largest body accepted for this method and path, in bytes; known before the body is read.
  virtual std::size_t body_limit(Method method, std::string_view path) const = 0;
  // Produces the response. Never throws; a bug becomes a 500 JSON error.
  virtual boost::asio::awaitable<Response> handle(Request request) = 0;
  // The WebSocket handler for `path`, or nullptr when the path takes no upgrade.
  virtual WebSocketHandler* websocket(std::string_view path) = 0;
  // Called by hub/net as connections open and close (for /metrics).
  virtual void connection_opened() {}
  virtual void connection_closed() {}
};

}  // namespace hub::http
