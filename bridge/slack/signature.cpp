#include "bridge/slack/signature.hpp"

#include <charconv>

namespace hub::bridge::slack {

std::optional<std::string> signed_text(std::string_view timestamp, std::string_view body, std::int64_t now) {
  std::int64_t at = 0;
  const char* end = timestamp.data() + timestamp.size();
  if (timestamp.empty() || timestamp.size() > 12) return std::nullopt;
  auto [ptr, ec] = std::from_chars(timestamp.data(), end, at);
  if (ec != std::errc() || ptr != end || at < 0) return std::nullopt;
  if (at > now + kMaxClockSkewS || at < now - kMaxClockSkewS) return std::nullopt;
  std::string text;
  text.reserve(4 + timestamp.size() + body.size());
  text.append("v0:").append(timestamp).append(":").append(body);
  return text;
}

std::string request_signature(std::string_view secret, std::string_view timestamp, std::string_view body) {
  std::string text;
  text.append("v0:").append(timestamp).append(":").append(body);
  return "v0=" + http::hmac_sha256_hex(secret, text);
}

std::shared_ptr<const http::RouteCredential> events_credential(std::function<std::string()> secret,
                                                               const Clock& clock) {
  http::BodySignatureOptions o;
  o.header = "X-Slack-Signature";
  o.prefix = "v0=";
  o.secret = std::move(secret);
  o.signed_text = [&clock](const http::Request& r) {
    return signed_text(r.headers.get("X-Slack-Request-Timestamp"), r.body, clock.now());
  };
  return http::body_signature(std::move(o));
}

}  // namespace hub::bridge::slack
