// A scripted hub::http::Service for driving hub/net over real sockets.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hub/http/service.hpp"

namespace hub::net::test {

// Records upgrades, messages and closes; "echo:X" is answered with X, "throw" throws, an
// "X-Refuse" header refuses admission, and "X-User: N" admits the upgrade as user N.
class FakeWsHandler : public http::WebSocketHandler {
 public:
  boost::asio::awaitable<std::optional<http::Response>> admit(http::Request& upgrade) override;
  void on_open(const std::shared_ptr<http::WebSocketPeer>& peer, const http::Request& upgrade) override;
  void on_message(const std::shared_ptr<http::WebSocketPeer>& peer, std::string text) override;
  void on_close(const std::shared_ptr<http::WebSocketPeer>& peer) override;

  std::vector<std::shared_ptr<http::WebSocketPeer>> peers() const;  // open ones, in order
  // Drops the peers still held. REQUIRES: before the io_context is destroyed, as a real handler
  // must (a peer owns its socket).
  void forget_peers();
  std::vector<std::string> messages() const;
  std::size_t opened() const;
  std::size_t closed() const;

 private:
  mutable std::mutex mutex_;  // guards everything below
  std::vector<std::shared_ptr<http::WebSocketPeer>> peers_;
  std::vector<std::string> messages_;
  std::size_t opened_ = 0;
  std::size_t closed_ = 0;
};

// Routes by path: /slow (answers after 300 ms), /hang (after 10 s), /fixed ("fixed body"),
// /big (4,096 bytes), /redirect (302 to /fixed), /throw (throws), /close-me (asks to close), /unsendable-headers; anything else echoes the request as JSON. Body limit 16 under /small,
// else 1024. WebSocket only at /live.
class FakeService : public http::Service {
 public:
  std::size_t body_limit(http::Method method, std::string_view path) const override;
  boost::asio::awaitable<http::Response> handle(http::Request request) override;
  http::WebSocketHandler* websocket(std::string_view path) override;
  void connection_opened() override { ++opened; }
  void connection_closed() override { ++closed; }

  FakeWsHandler live;
  std::atomic<int> opened{0};
  std::atomic<int> closed{0};
  std::atomic<int> handled{0};  // handle() calls that finished
};

}  // namespace hub::net::test
