#include "bridge/slack/manifest.hpp"

namespace hub::bridge::slack {

std::string app_manifest(const std::string& hub_origin, bool socket_mode) {
  std::string origin = hub_origin;
  while (!origin.empty() && origin.back() == '/') origin.pop_back();
  std::string url;
  for (char c : origin + "/api/bridge/slack/events") {
    if (c == '"' || c == '\\') url += '\\';
    url += c;
  }
  // Each scope is used: history for message events in public (channels) and private (groups)
  // channels, chat:write(.customize) to post as the hub author, reactions both ways, users:read
  // for the display names of Slack authors.
  return "display_information:\n"
         "  name: cohorthub\n"
         "  description: Mirrors hub channels into Slack channels, both ways.\n"
         "features:\n"
         "  bot_user:\n"
         "    display_name: cohorthub\n"
         "    always_online: true\n"
         "oauth_config:\n"
         "  scopes:\n"
         "    bot:\n"
         "      - channels:history\n"
         "      - groups:history\n"
         "      - chat:write\n"
         "      - chat:write.customize\n"
         "      - reactions:read\n"
         "      - reactions:write\n"
         "      - users:read\n"
         "settings:\n"
         "  event_subscriptions:\n" +
         (socket_mode ? std::string() : "    request_url: \"" + url + "\"\n") +
         "    bot_events:\n"
         "      - message.channels\n"
         "      - message.groups\n"
         "      - reaction_added\n"
         "      - reaction_removed\n"
         "  org_deploy_enabled: false\n"
         "  socket_mode_enabled: " + (socket_mode ? "true" : "false") + "\n"
         "  token_rotation_enabled: false\n";
}

}  // namespace hub::bridge::slack
