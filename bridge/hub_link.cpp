#include "bridge/hub_link.hpp"

#include <atomic>
#include <cstdio>

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

void warn_no_links_back_once() {
  static std::atomic<bool> warned{false};  // once per process: test suites start many hubs
  if (warned.exchange(true)) return;
  std::fprintf(stderr, "{\"level\":\"warn\",\"what\":\"server.public_origin is not set: messages the bridges cut "
                       "for length carry no link back to the hub; %s\"}\n",
               std::string(kLinksBackWarning).c_str());
}

}  // namespace hub::bridge
