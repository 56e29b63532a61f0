#include "playbooks/text.hpp"

#include "hub/auth/secrets.hpp"
#include "hub/markdown/html_escape.hpp"

namespace hub::playbooks {

std::string normalize_newlines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') {
      out.push_back(text[i]);
    } else {
      out.push_back('\n');
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    }
  }
  return out;
}

Status check_content(std::string_view text, const char* field) {
  if (text.size() > kMaxContentBytes)
    return ApiError::payload_too_large("A playbook holds at most " + std::to_string(kMaxContentBytes / 1024) +
                                       " KiB of Markdown.");
  for (char c : text) {
    // NUL would make the merge treat the text as binary; search snippets use \x01 and \x02.
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r')
      return ApiError::invalid_field(field, std::string(field) + " must not contain control characters.");
  }
  return http::Ok{};
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

std::string content_address(std::string_view text) { return auth::sha256_hex(text); }

std::string escape_html(std::string_view text) { return markdown::escape_html(text); }

}  // namespace hub::playbooks
