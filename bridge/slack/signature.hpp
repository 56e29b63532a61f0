// Slack's request signing ("Verifying requests from Slack"): X-Slack-Signature is "v0=" + hex
// HMAC-SHA256(signing secret, "v0:{X-Slack-Request-Timestamp}:{raw body}"), and a timestamp more
// than five minutes from the hub's clock, either way, is refused (a replayed capture).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hub/http/clock.hpp"
#include "hub/http/route_credential.hpp"

namespace hub::bridge::slack {

inline constexpr std::int64_t kMaxClockSkewS = 300;

// "v0:{timestamp}:{body}" when `timestamp` is a decimal Unix time within kMaxClockSkewS of `now`;
// nullopt otherwise.
std::optional<std::string> signed_text(std::string_view timestamp, std::string_view body, std::int64_t now);
// "v0=" + the lowercase hex signature Slack sends for `body` at `timestamp`.
std::string request_signature(std::string_view secret, std::string_view timestamp, std::string_view body);

// The Events API route's credential: the signature above, keyed by the current `secret()` (empty
// refuses everything), timed by `clock`. Refusals are 401 with the hub's error body.
std::shared_ptr<const http::RouteCredential> events_credential(std::function<std::string()> secret,
                                                               const Clock& clock);

}  // namespace hub::bridge::slack
