// Slack's Socket Mode, for workspaces that cannot expose a public URL: apps.connections.open with
// the app-level token (xapp-…) gives a one-use WebSocket URL; Slack says hello, then sends each
// event in an envelope that the hub acknowledges ({"envelope_id": …}) only after the event is
// written down through the same path as the Events API route, so an envelope Slack redelivers
// (it was not acknowledged before a drop) is deduplicated there and applied once. `disconnect`
// and dropped connections reconnect, each time with a new URL, after a backoff with jitter.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "bridge/slack/events.hpp"
#include "hub/http/client.hpp"
#include "hub/http/websocket_client.hpp"

namespace hub::bridge::slack {

// One message of a Socket Mode connection, read into plain facts.
struct SocketFrame {
  enum class Type { hello, disconnect, envelope, unreadable };
  Type type = Type::unreadable;
  std::string kind;         // Slack's "type" ("events_api", "slash_commands", …) for an envelope
  std::string envelope_id;  // an envelope's id; empty when Slack sent none
  std::string reason;       // disconnect: Slack's reason; unreadable: why
  std::int64_t retry_attempt = 0;
  nlohmann::json payload;   // an envelope's payload (for events_api, the event_callback)
};
SocketFrame parse_socket_frame(std::string_view text);

// The wait before the next connection after `failures` failed ones in a row: none after none,
// then base·2^(failures-1) up to `cap`, drawn uniformly from its upper half (jitter, so hubs that
// lost Slack together do not come back together).
std::chrono::milliseconds reconnect_delay(int failures, std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                          std::mt19937& random);

struct SocketModeOptions {
  std::string api_url = "https://slack.com/api";
  std::function<std::string()> app_token;  // "xapp-…"; empty: no connection, retried with backoff
  std::chrono::milliseconds base_delay{500};
  std::chrono::milliseconds max_delay{30'000};
  std::chrono::milliseconds idle_timeout{30'000};  // a connection silent this long (after a ping) is dropped
};

class SocketMode {
 public:
  // Writes an event_callback down (SlackBridge::accept): ok once it is written, now or before.
  using Accept = std::function<boost::asio::awaitable<http::Status>(Envelope)>;
  // The reconnect wait; the default is a timer that stop() and wake() cut short.
  using Wait = std::function<boost::asio::awaitable<void>(std::chrono::milliseconds)>;

  // REQUIRES: `http` and `sockets` outlive this.
  SocketMode(http::HttpClient& http, http::WebSocketClient& sockets, SocketModeOptions options, Accept accept,
             Wait wait = {});

  // How one connection ended.
  enum class End { refused, disconnected, dropped, stopped };
  // One connection: a new URL, the connection, hello, then each envelope until it ends.
  boost::asio::awaitable<End> session();
  // Sessions one after another, with reconnect_delay() between failures, until stop().
  boost::asio::awaitable<void> run();
  // Ends the connection and run() at once. REQUIRES: on the executor run() is on.
  void stop();
  // Cuts a reconnect wait short and forgets past failures (an admin stored a new app token).
  void wake();

  // Counters for /metrics (read from any thread).
  std::uint64_t connections() const { return connections_.load(); }  // WebSocket connections opened
  // Connections that ended and were opened again: Slack sent `disconnect` (its refresh) or the
  // link dropped (closed, silent past the idle timeout, or an ack that could not be written).
  std::uint64_t reconnects_after_disconnect() const { return reconnects_disconnect_.load(); }
  std::uint64_t reconnects_after_drop() const { return reconnects_drop_.load(); }
  std::uint64_t acked() const { return acked_.load(); }  // envelopes acknowledged
  // Messages not applied: not JSON or without a type, an envelope without an envelope_id, a
  // payload that is not an event_callback Slack could send, or a kind the hub does not bridge
  // (acknowledged all the same).
  std::uint64_t skipped() const { return skipped_.load(); }

 private:
  boost::asio::awaitable<std::optional<std::string>> open_url();
  // Handles one frame after hello; a set End ends the connection.
  boost::asio::awaitable<std::optional<End>> handle(http::WebSocketConnection& c, const SocketFrame& frame);
  boost::asio::awaitable<void> pause(std::chrono::milliseconds delay);

  http::HttpClient& http_;
  http::WebSocketClient& sockets_;
  const SocketModeOptions options_;
  const Accept accept_;
  const Wait wait_;
  std::mt19937 random_{std::random_device{}()};        // jitter
  http::WebSocketConnection* current_ = nullptr;        // the open connection, for stop(); network thread only
  boost::asio::steady_timer* timer_ = nullptr;          // the default wait's, while it waits: for stop() and wake()
  int failures_ = 0;                                    // failed sessions in a row
  bool stopping_ = false;
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<std::uint64_t> acked_{0};
  std::atomic<std::uint64_t> reconnects_disconnect_{0};
  std::atomic<std::uint64_t> reconnects_drop_{0};
  std::atomic<std::uint64_t> skipped_{0};
};

}  // namespace hub::bridge::slack
