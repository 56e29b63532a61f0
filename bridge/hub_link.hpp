// Links from Matrix or Slack back to a hub page (a message cut for length points at the whole
// one). Every such link comes from hub_link(), with one rule: it is built on [server]
// public_origin, the origin browsers use. The listen address is not where browsers reach a hub
// behind a proxy, so without public_origin there is no link at all: the text still says where the
// message is, and the admin bridges page and each mapping's status carry kLinksBackWarning.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hub::bridge {

inline constexpr std::string_view kLinksBackWarning = "set server.public_origin so that links back work";

// `public_origin` (trailing '/' dropped) followed by `path` ("/channels/3#message-7"); nullopt when
// `public_origin` is empty. REQUIRES: `path` starts with '/'.
std::optional<std::string> hub_link(std::string_view public_origin, std::string_view path);

// The channel page scrolled to one message: "/channels/{channel_id}#message-{message_id}".
std::string message_path(std::int64_t channel_id, std::int64_t message_id);

// Logs, once per process, that links back are off: called when a bridge is in use (a mapping
// exists at start, or one is made) and public_origin is empty. A hub that bridges nothing says nothing.
void warn_no_links_back_once();

}  // namespace hub::bridge
