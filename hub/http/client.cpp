#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "hub/http/client.hpp"

#include <cctype>
#include <charconv>

namespace hub::http {

std::string_view client_error_name(ClientError e) {
  switch (e) {
    case ClientError::none: return "none";
    case ClientError::bad_url: return "bad_url";
    case ClientError::resolve: return "resolve";
    case ClientError::connect: return "connect";
    case ClientError::tls: return "tls";
    case ClientError::timeout: return "timeout";
    case ClientError::too_large: return "too_large";
    case ClientError::protocol: return "protocol";
    case ClientError::shutting_down: return "shutting_down";
  }
  return "unknown";
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<Url> parse_url(std::string_view url) {
  for (unsigned char c : url)
    if (c <= 0x20 || c >= 0x7f) return std::nullopt;
  Url out;
  if (url.substr(0, 8) == "https://") {
    out.tls = true;
    url.remove_prefix(8);
  } else if (url.substr(0, 7) == "http://") {
    url.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  if (auto hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);
  const auto path_at = url.find_first_of("/?");
  std::string_view authority = url.substr(0, path_at);
  out.target = path_at == std::string_view::npos ? "/" : std::string(url.substr(path_at));
  if (out.target.front() == '?') out.target.insert(0, "/");
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  std::string_view port;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return std::nullopt;
  out.port = out.tls ? 443 : 80;
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) return std::nullopt;
    out.port = static_cast<std::uint16_t>(value);
  }
  return out;
}

std::optional<std::string> resolve_location(const Url& base, std::string_view location) {
  if (location.substr(0, 7) == "http://" || location.substr(0, 8) == "https://") {
    if (!parse_url(location)) return std::nullopt;
    return std::string(location);
  }
  if (location.empty() || location.front() != '/' || location.substr(0, 2) == "//") return std::nullopt;
  const bool v6 = base.host.find(':') != std::string::npos;
  std::string out = base.tls ? "https://" : "http://";
  out += v6 ? "[" + base.host + "]" : base.host;
  out += ':';
  out += std::to_string(base.port);
  out += location;
  if (!parse_url(out)) return std::nullopt;
  return out;
}

boost::asio::awaitable<ClientResponse> FakeHttpClient::send(ClientRequest request) {
  ClientResponse response;
  if (answer) response = answer(request);
  else response.status = 200;
  std::lock_guard lock(mutex_);
  requests_.push_back(std::move(request));
  co_return response;
}

std::vector<ClientRequest> FakeHttpClient::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

}  // namespace hub::http
