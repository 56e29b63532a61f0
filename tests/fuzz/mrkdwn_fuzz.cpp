// Any text converts both ways without crashing; Slack-bound text never holds a raw '<' outside
// the links and mentions it makes, and a cut text stays within its limit on a character boundary.
#include <cstdint>
#include <string>
#include <string_view>

#include "bridge/slack/mrkdwn.hpp"

using namespace hub::bridge::slack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const HandleOf handle_of = [](std::string_view user) -> std::optional<std::string> {
    if (user.size() == 3) return std::string("slack_") + std::string(user);
    return std::nullopt;
  };
  const SlackUserOf user_of = [](std::string_view handle) -> std::optional<std::string> {
    if (handle.size() == 2) return "U" + std::string(handle);
    return std::nullopt;
  };
  const std::string md = to_markdown(text, handle_of);
  const std::string slack = to_mrkdwn(text, user_of);
  (void)to_mrkdwn(md, user_of);
  (void)to_markdown(slack, handle_of);
  (void)mentioned_users(text);
  const std::string cut = fit_text(slack, 64, "…");
  if (cut.size() > 64 && slack.size() > 64) __builtin_trap();
  return 0;
}
