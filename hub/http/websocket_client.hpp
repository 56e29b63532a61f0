// Outbound WebSockets: the interface the bridge uses for Slack's Socket Mode, implemented with
// Beast in hub/net (WebSocketClient) and by FakeWebSocketClient in tests. Plain types only, so no
// caller includes Beast.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "hub/http/client.hpp"

namespace hub::http {

struct WebSocketRequest {
  std::string url;  // ws://host[:port]/path?query or wss://...
  std::chrono::milliseconds timeout{10'000};       // connect, TLS and the upgrade together
  std::chrono::milliseconds idle_timeout{30'000};  // silence this long (after a ping) ends the connection
  std::size_t max_message_bytes = 1 << 20;         // a larger message ends the connection
};

// One open client WebSocket. One read and one write at a time, on the client's executor.
class WebSocketConnection {
 public:
  virtual ~WebSocketConnection() = default;
  // The next message; nullopt once the connection has ended (closed by either side, dropped,
  // timed out, a message too large): `ended()` then says why, for the log.
  virtual boost::asio::awaitable<std::optional<std::string>> read() = 0;
  // Sends one text message; false when the connection is gone.
  virtual boost::asio::awaitable<bool> write(std::string text) = 0;
  // Ends the connection now (no closing handshake): a pending read() returns nullopt.
  virtual void abort() = 0;
  virtual std::string ended() const = 0;
};

struct WebSocketOpen {
  std::unique_ptr<WebSocketConnection> connection;  // null when `error` is set
  ClientError error = ClientError::none;
  std::string message;  // what went wrong, for the log; never holds the URL's query
};

class WebSocketClient {
 public:
  virtual ~WebSocketClient() = default;
  // Never throws; a failure is an open without a connection.
  virtual boost::asio::awaitable<WebSocketOpen> connect(WebSocketRequest request) = 0;
};

// A scripted client for unit tests. Each connect() takes the next script: a refusal, or the
// messages the server sends, in order, after which the connection drops (read() gives nullopt).
// Every write is recorded with the index of its connection. Not thread-safe: one io thread.
class FakeWebSocketClient final : public WebSocketClient {
 public:
  struct Script {
    ClientError refuse = ClientError::none;  // set: connect() fails with it
    std::vector<std::string> messages;
  };
  struct Written {
    std::size_t connection = 0;  // 0 for the first connect() that succeeded
    std::string text;
  };
  std::deque<Script> scripts;
  // Runs when connect() finds no script left (a test stops the caller there); then refuses.
  std::function<void()> on_exhausted;
  // Runs at each write, before it is recorded (a test checks what is true at that moment).
  std::function<void(const std::string& text)> on_write;

  boost::asio::awaitable<WebSocketOpen> connect(WebSocketRequest request) override;
  const std::vector<Written>& written() const { return written_; }
  const std::vector<std::string>& urls() const { return urls_; }
  std::size_t opened() const { return opened_; }

 private:
  std::vector<Written> written_;
  std::vector<std::string> urls_;  // each connect()'s URL
  std::size_t opened_ = 0;
};

}  // namespace hub::http
