// Playbook text as the hub stores it: LF line endings, no NUL bytes, at most kMaxContentBytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "hub/http/error.hpp"

namespace hub::playbooks {

using http::ApiError;
using http::Result;
using http::Status;

// The input size cap: for the renderer, the merge and every stored revision.
inline constexpr std::size_t kMaxContentBytes = 128 * 1024;
// A request body carrying content: 128 KiB of text may double when escaped as JSON, plus the other fields.
inline constexpr std::size_t kContentBodyLimit = 2 * kMaxContentBytes + 16 * 1024;

// CRLF and lone CR become LF, so that one edit from Windows does not rewrite every line.
std::string normalize_newlines(std::string_view text);

// payload_too_large above the cap; invalid_field `field` for a control character other than tab
// and newline. The caller has checked UTF-8 (the JSON parser does).
Status check_content(std::string_view text, const char* field = "content");

// The lines of `text`, each with its '\n'; the last may lack one. "" has no lines.
std::vector<std::string_view> split_lines(std::string_view text);

// Lowercase hex SHA-256: the address of stored content.
std::string content_address(std::string_view text);

// HTML-escapes & < > " '.
std::string escape_html(std::string_view text);

}  // namespace hub::playbooks
