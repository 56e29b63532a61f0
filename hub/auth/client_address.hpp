// Which client a request comes from, for throttling: the peer, or behind a trusted proxy the
// address that proxy saw (X-Forwarded-For); and the key its attempts are counted under.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hub/http/message.hpp"

namespace hub::auth {

class TrustedProxies {
 public:
  // `list`: addresses and CIDR blocks separated by commas or spaces, e.g. "127.0.0.1, 10.0.0.0/8, ::1".
  // Throws std::runtime_error naming the bad entry (start-up only).
  static TrustedProxies parse(std::string_view list);

  bool contains(std::string_view ip) const;
  // The peer, unless it is a trusted proxy: then the right-most X-Forwarded-For address that is
  // not itself a trusted proxy (what the client wrote further left is not believed).
  std::string client_of(const http::Request& request) const;

 private:
  struct Block {
    std::array<std::uint8_t, 16> bytes;  // IPv4 as IPv4-mapped IPv6
    int prefix;                          // in bits, of the 128
  };
  std::vector<Block> blocks_;
};

// The key a client's attempts are counted under: an IPv4 address as it is, an IPv6 address by its
// /64 (one subscriber usually holds a whole /64). Unparsable input is returned as it is.
std::string throttle_key(std::string_view ip);

}  // namespace hub::auth
