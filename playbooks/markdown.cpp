#include "playbooks/markdown.hpp"

#include <cmark-gfm.h>

#include "playbooks/cmark_document.hpp"
#include "playbooks/text.hpp"

namespace hub::playbooks {
namespace {

// Empties the URL of every link and image the allowlist refuses.
void sanitize_urls(cmark_node* root) {
  cmark_iter* it = cmark_iter_new(root);
  for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
    if (ev != CMARK_EVENT_ENTER) continue;
    cmark_node* node = cmark_iter_get_node(it);
    cmark_node_type type = cmark_node_get_type(node);
    if (type != CMARK_NODE_LINK && type != CMARK_NODE_IMAGE) continue;
    const char* url = cmark_node_get_url(node);
    if (url && !is_safe_url(url, type == CMARK_NODE_IMAGE)) cmark_node_set_url(node, "");
  }
  cmark_iter_free(it);
}

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

std::string render_markdown(std::string_view markdown) {
  if (markdown.size() > kMaxContentBytes) markdown = markdown.substr(0, kMaxContentBytes);
  const MarkdownFeatures features = affordable_features(markdown);
  if (!features.inline_markup) return "<pre class=\"markdown-plain\">" + escape_html(markdown) + "</pre>\n";
  CmarkDocument doc(markdown, features);
  sanitize_urls(doc.root());
  return doc.html();
}

}  // namespace hub::playbooks
