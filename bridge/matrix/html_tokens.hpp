// A small, forgiving HTML tokenizer for the two format conversions: the hub's HTML filtered to
// Matrix's tag allowlist, and a Matrix user's HTML turned into Markdown. It never fails: broken
// markup becomes text or is dropped, invalid UTF-8 is replaced, and the content of raw-text
// elements (script, style, textarea, title) is kept apart so callers can drop it.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hub::bridge::matrix {

struct HtmlToken {
  enum class Kind { text, open, close };
  Kind kind = Kind::text;
  std::string name;  // lowercased tag name (open, close)
  std::vector<std::pair<std::string, std::string>> attributes;  // lowercased names, decoded values
  std::string text;  // decoded text (text tokens)
  bool raw = false;  // text inside script, style, textarea or title

  std::string_view attribute(std::string_view name) const;
};

// The tokens of `html` in order; comments, doctypes and processing instructions are dropped.
std::vector<HtmlToken> tokenize_html(std::string_view html);

// `text` with every invalid UTF-8 sequence (and NUL) replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

// `text` cut to at most `max_bytes` without splitting a UTF-8 character.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

// Elements whose content is never text for a reader, dropped with them.
bool is_raw_text_element(std::string_view name);
// Elements with no end tag.
bool is_void_element(std::string_view name);

}  // namespace hub::bridge::matrix
