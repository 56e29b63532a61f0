// The HTTP/1.1 + WebSocket server: sockets in, hub::http::Service calls out.
// Beast stays behind this header (see server.cpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "hub/http/service.hpp"

namespace hub::net {

// A WebSocketHandler's admit() names the user of an upgrade it accepts by adding this parameter,
// the user id, to upgrade.params (hub/discussion's /api/live does). hub/net then holds that user to
// ServerOptions::max_live_per_user open sockets and answers 429 rate_limited beyond it; an upgrade
// without it counts only towards the per-address cap.
inline constexpr std::string_view kLiveUserParam = "user_id";

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port; see Server::port()
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_ip = 64;  // from one client address; 0: no cap
  std::size_t max_live_per_user = 8;        // WebSockets per user (kLiveUserParam); 0: no cap
  std::size_t max_outbound_bytes = std::size_t{256} << 20;  // queued for all clients together
  std::size_t header_limit = 8 * 1024;
  std::chrono::seconds read_timeout{30};   // to receive a whole request once it starts
  std::chrono::seconds idle_timeout{75};   // keep-alive idle
  std::string tls_cert_file, tls_key_file;  // both set => HTTPS only
  std::size_t ws_read_message_max = 64 * 1024;
  std::size_t ws_queue_max_messages = 1024;
  std::size_t ws_queue_max_bytes = 4 << 20;
  std::chrono::seconds ws_ping_interval{30};
};

class Server {
 public:
  // Binds and listens; throws std::runtime_error with a clear message on failure (start-up only).
  // REQUIRES: `service` (and its WebSocket handlers) outlive `ioc`; a WebSocketHandler drops its
  // peers by on_close at the latest, since a peer owns a socket of `ioc`.
  Server(boost::asio::io_context& ioc, http::Service& service, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const;  // the bound port (for port 0)
  bool tls() const;
  void start();
  // Graceful: stop accepting; let in-flight requests finish and write their responses (then close
  // those connections); close idle keep-alive connections; close every WebSocket with a close
  // frame (1001 going away); call `done` once (on the io thread) when all sessions are gone or
  // `deadline` passed.
  void shutdown(std::chrono::milliseconds deadline, std::function<void()> done);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;  // everything Beast and Asio-SSL
};

}  // namespace hub::net
