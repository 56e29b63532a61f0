#include "bridge/hub_link.hpp"

namespace hub::bridge {

std::optional<std::string> hub_link(std::string_view public_origin, std::string_view path) {
  while (!public_origin.empty() && public_origin.back() == '/') public_origin.remove_suffix(1);
  if (public_origin.empty()) return std::nullopt;
  std::string link(public_origin);
  link += path;
  return link;
}

std::string message_path(std::int64_t channel_id, std::int64_t message_id) {
  return "/channels/" + std::to_string(channel_id) + "#message-" + std::to_string(message_id);
}

}  // namespace hub::bridge
