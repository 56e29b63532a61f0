// The Slack app manifest `cohorthub bridge slack-manifest` prints: exactly the scopes and events
// the connector uses, and the Events API request URL on the hub (or Socket Mode).
#pragma once

#include <string>

namespace hub::bridge::slack {

// YAML, as Slack's "Create an app from a manifest" accepts it. `hub_origin` is where Slack reaches
// the hub (server.public_origin), e.g. "https://hub.example.org".
// With `socket_mode`, Socket Mode is on and there is no request URL (the hub connects out).
std::string app_manifest(const std::string& hub_origin, bool socket_mode = false);

}  // namespace hub::bridge::slack
