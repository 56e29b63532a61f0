// What the registry can ask of a live connection.
#pragma once

namespace hub::net {

// A connection the server can wind down: http_session and websocket_session.
class session {
 public:
  virtual ~session() = default;
  // Graceful: finish the request in flight, then close (a WebSocket sends close 1001). Any thread.
  virtual void stop() = 0;
  // Drops the connection now. Any thread.
  virtual void force_close() = 0;
};

}  // namespace hub::net
