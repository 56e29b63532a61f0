// is_safe_url(): the schemes a rendered link or image may use.
#include <cctype>
#include <string>

#include "hub/markdown/renderer.hpp"

namespace hub::markdown {
namespace {

bool is_url_space(unsigned char c) { return c <= 0x20; }

}  // namespace

bool is_safe_url(std::string_view url, bool image) {
  // Browsers strip leading and trailing C0 controls and spaces, and drop tabs and newlines anywhere,
  // before they look for a scheme; read the URL the same way.
  std::string u;
  u.reserve(url.size());
  for (char c : url) {
    if (c == '\t' || c == '\n' || c == '\r') continue;
    u.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  std::size_t start = 0, end = u.size();
  while (start < end && is_url_space(static_cast<unsigned char>(u[start]))) ++start;
  while (end > start && is_url_space(static_cast<unsigned char>(u[end - 1]))) --end;
  std::string_view s = std::string_view(u).substr(start, end - start);
  auto colon = s.find(':');
  auto path_start = s.find_first_of("/?#");
  if (colon == std::string_view::npos || (path_start != std::string_view::npos && path_start < colon))
    return true;  // relative: no scheme
  std::string_view scheme = s.substr(0, colon);
  if (scheme == "http" || scheme == "https") return true;
  return !image && scheme == "mailto";
}

}  // namespace hub::markdown
