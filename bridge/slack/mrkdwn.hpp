// Slack's mrkdwn <-> the hub's Markdown, as pure functions.
//
// Slack -> hub: <@U…> becomes the ghost's @handle (when the user has one), <#C…|name> "#name",
// <url|text> a Markdown link (http, https and mailto only), *bold* **bold**, ~strike~ ~~strike~~,
// code and code blocks stay code, "&gt; " at a line start a quote, and &amp; &lt; &gt; decoded.
// Everything else is escaped, so text typed in Slack reads the same in the hub: markup without a
// partner stays literal, and nothing becomes a heading, link or HTML by accident.
//
// Hub -> Slack: the reverse, with &, < and > escaped as Slack requires, @handle of a Slack ghost
// as <@U…>, headings as bold lines and list bullets as "•".
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hub::bridge::slack {

// Slack's limit on a message's text.
inline constexpr std::size_t kSlackTextLimit = 40'000;

// The hub handle of Slack user `user_id`, or nullopt when no ghost stands for it.
using HandleOf = std::function<std::optional<std::string>(std::string_view user_id)>;
// The Slack user id behind hub handle `handle`, or nullopt when it is not a Slack ghost.
using SlackUserOf = std::function<std::optional<std::string>(std::string_view handle)>;

std::string to_markdown(std::string_view mrkdwn, const HandleOf& handle_of);
std::string to_mrkdwn(std::string_view markdown, const SlackUserOf& slack_user_of);

// The user ids of the <@U…> mentions in `mrkdwn`, each once, in order.
std::vector<std::string> mentioned_users(std::string_view mrkdwn);

// `text` when it fits in `limit` bytes; otherwise its longest prefix that ends on a UTF-8 character
// boundary and leaves room for `tail`, then `tail` (e.g. a link to the whole message).
// REQUIRES: tail.size() < limit.
std::string fit_text(std::string text, std::size_t limit, std::string_view tail);
// fit_text() for mrkdwn: never cut inside an entity (&amp;) or a <…> link or mention, whose half
// Slack would show as it is.
std::string fit_mrkdwn(std::string text, std::size_t limit, std::string_view tail);

// Whether `url` can stand in a Markdown or mrkdwn link as it is: https, and no space, control
// character, quote, '<', '>' or '|'.
bool linkable_url(std::string_view url);
// The link to message `ts` of `channel` in the workspace at `team_url` (auth.test's "url", e.g.
// "https://team.slack.com/"), as Slack builds it: …/archives/C…/p{ts without its dot}. Empty when
// a part is not what Slack sends.
std::string message_permalink(std::string_view team_url, std::string_view channel, std::string_view ts);

}  // namespace hub::bridge::slack
