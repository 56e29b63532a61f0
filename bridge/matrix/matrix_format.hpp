// Formats both ways between a hub message and a Matrix m.room.message. Pure functions.
//
// Hub -> Matrix: the Markdown source is the plain `body`; the hub's own (already sanitised) HTML,
// cut down to the tags and attributes the Matrix spec recommends, is the `formatted_body`
// (org.matrix.custom.html); mentioned hub users become `m.mentions`.
// Matrix -> hub: Markdown from `formatted_body` through a small allowlist converter (scripts and
// unknown tags dropped, reply fallbacks stripped), or from `body`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace hub::bridge::matrix {

// The appservice's user namespace: hub user "ana" is "@<prefix>_ana:<server>" in Matrix.
struct UserNamespace {
  std::string prefix = "cohorthub";
  std::string server;  // the homeserver's server_name, e.g. "hs.example"

  std::string user_id(std::string_view handle) const;
  // "ana" for "@<prefix>_ana:<server>", nullopt for anyone else.
  std::optional<std::string> handle_of(std::string_view user_id) const;
  // "@<prefix>_": what every ghost's id starts with (for echo detection).
  std::string ghost_prefix() const { return "@" + prefix + "_"; }
};

// `html` restricted to the Matrix spec's recommended tags and attributes; the text of other
// elements is kept, scripts and styles are dropped with their content.
std::string matrix_html(std::string_view html);

// The content of an m.room.message for hub message `message` (message_json's shape): msgtype,
// body, format, formatted_body and m.mentions (`mentioned`: Matrix user ids).
nlohmann::json message_content(const nlohmann::json& message, const std::vector<std::string>& mentioned);

// Bot mode: `content` (message_content's) as one account sends it for everyone, its text led by
// the author's name: body "Name: text", formatted_body "<strong>Name</strong>: html".
nlohmann::json with_author(nlohmann::json content, std::string_view display_name);

// Markdown for a Matrix user's HTML: emphasis, code, links with safe URLs, lists, quotes and
// headings kept; pills of our own ghosts become @handles; reply fallbacks (<mx-reply>), scripts,
// styles and unknown tags dropped (their text kept, except for scripts and styles).
std::string markdown_from_html(std::string_view html, const UserNamespace& ns);

// `body` without the "> <@user> quoted" reply fallback lines at its start.
std::string strip_reply_fallback(std::string_view body);

// The hub Markdown for an m.room.message's content (or its m.new_content), at most `max_bytes`;
// nullopt when it holds no text.
std::optional<std::string> hub_markdown(const nlohmann::json& content, const UserNamespace& ns, std::size_t max_bytes);

// The string member `key` of `object`, or empty when absent or not a string (never throws, unlike
// json::value on a member of another type).
std::string_view string_field(const nlohmann::json& object, std::string_view key);

// `text` with the Markdown punctuation escaped that would change how it reads (`at_line_start`:
// the text begins a line, where '#' and '>' count too).
std::string escape_markdown(std::string_view text, bool at_line_start = true);

}  // namespace hub::bridge::matrix
