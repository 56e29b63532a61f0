#include "hub/auth/client_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace hub::auth {
namespace {

using Bytes = std::array<std::uint8_t, 16>;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An address as 16 bytes, IPv4 mapped into IPv6 (::ffff:a.b.c.d), so both compare alike.
std::optional<Bytes> parse_ip(std::string_view text) {
  std::string s(trim(text));
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  Bytes out{};
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

bool is_v4_mapped(const Bytes& b) {
  for (int i = 0; i < 10; ++i)
    if (b[i]) return false;
  return b[10] == 0xff && b[11] == 0xff;
}

bool same_prefix(const Bytes& a, const Bytes& b, int bits) {
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((a[i] & mask) != (b[i] & mask)) return false;
  }
  return true;
}

}  // namespace

TrustedProxies TrustedProxies::parse(std::string_view list) {
  TrustedProxies out;
  std::size_t pos = 0;
  while (pos < list.size()) {
    std::size_t end = list.find_first_of(", ", pos);
    if (end == std::string_view::npos) end = list.size();
    std::string_view entry = list.substr(pos, end - pos);
    pos = end + 1;
    if (entry.empty()) continue;
    std::string_view addr = entry.substr(0, entry.find('/'));
    auto bytes = parse_ip(addr);
    if (!bytes) throw std::runtime_error("server.trusted_proxies: `" + std::string(entry) + "` is not an address");
    int prefix = 128;
    if (addr.size() < entry.size()) {
      std::string_view bits = entry.substr(addr.size() + 1);
      const int max = is_v4_mapped(*bytes) ? 32 : 128;
      int n = -1;
      if (!bits.empty() && bits.size() <= 3 && bits.find_first_not_of("0123456789") == std::string_view::npos)
        n = std::stoi(std::string(bits));
      if (n < 0 || n > max)
        throw std::runtime_error("server.trusted_proxies: `" + std::string(entry) + "` has a bad prefix length");
      prefix = max == 32 ? 96 + n : n;
    }
    out.blocks_.push_back({*bytes, prefix});
  }
  return out;
}

bool TrustedProxies::contains(std::string_view ip) const {
  auto bytes = parse_ip(ip);
  if (!bytes) return false;
  for (const Block& b : blocks_)
    if (same_prefix(*bytes, b.bytes, b.prefix)) return true;
  return false;
}

std::string TrustedProxies::client_of(const http::Request& request) const {
  if (blocks_.empty() || !contains(request.remote_ip)) return request.remote_ip;
  std::string_view forwarded = request.headers.get("X-Forwarded-For");
  // Right to left: each trusted hop vouches for the one before it.
  while (!forwarded.empty()) {
    const std::size_t comma = forwarded.rfind(',');
    std::string_view hop = trim(comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1));
    forwarded = comma == std::string_view::npos ? std::string_view() : forwarded.substr(0, comma);
    if (!parse_ip(hop)) break;  // garbage: stop at the last hop we could read
    if (!contains(hop)) return std::string(hop);
  }
  return request.remote_ip;
}

std::string throttle_key(std::string_view ip) {
  auto bytes = parse_ip(ip);
  if (!bytes) return std::string(ip);
  char text[INET6_ADDRSTRLEN] = {0};
  if (is_v4_mapped(*bytes)) {
    inet_ntop(AF_INET, bytes->data() + 12, text, sizeof text);
    return text;
  }
  std::fill(bytes->begin() + 8, bytes->end(), 0);
  inet_ntop(AF_INET6, bytes->data(), text, sizeof text);
  return std::string(text) + "/64";
}

}  // namespace hub::auth
