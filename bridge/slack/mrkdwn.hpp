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

}  // namespace hub::bridge::slack
