// A connection's place in the registry and in the service's open-connection count.
#pragma once

#include <cstdint>
#include <memory>

#include "hub/net/key_counter.hpp"
#include "hub/net/session.hpp"

namespace hub::net {

class shared_state;

// Moves from an http_session to the websocket_session it upgrades to, so the connection is
// registered, and counted, exactly once for its whole life.
class connection_slot {
 public:
  connection_slot() = default;
  // Registers `s`. A `counted` slot calls service.connection_opened() now and
  // connection_closed() when released, and counts towards max_connections. The slot holds
  // `address` (the client address's place) until it is released.
  connection_slot(std::shared_ptr<shared_state> state, std::weak_ptr<session> s, bool counted,
                  key_counter::claim address = {});
  connection_slot(connection_slot&& other) noexcept;
  connection_slot& operator=(connection_slot&& other) noexcept;
  ~connection_slot();

  // REQUIRES: registered (not default-constructed or moved from).
  void rebind(std::weak_ptr<session> s);
  // Holds the user's live-socket place (after a WebSocket upgrade) until released.
  void hold_user(key_counter::claim user) { user_ = std::move(user); }
  std::uint64_t id() const { return id_; }

 private:
  void release();

  std::shared_ptr<shared_state> state_;  // null when empty or moved from
  std::uint64_t id_ = 0;                 // the registry key, also the WebSocket peer id
  bool counted_ = false;                 // see the constructor
  key_counter::claim address_;           // the client address's place
  key_counter::claim user_;              // the user's live-socket place, once upgraded
};

}  // namespace hub::net
