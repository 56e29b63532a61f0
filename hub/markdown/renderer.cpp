#include "hub/markdown/renderer.hpp"

#include <cmark-gfm.h>

#include "hub/markdown/budget.hpp"
#include "hub/markdown/cmark_document.hpp"
#include "hub/markdown/html_escape.hpp"

namespace hub::markdown {
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

}  // namespace

std::string render_html(std::string_view markdown, Flavor flavor) {
  if (markdown.size() > kMaxInputBytes) markdown = markdown.substr(0, kMaxInputBytes);
  const MarkdownFeatures features = affordable_features(markdown);
  if (!features.inline_markup) return "<pre class=\"markdown-plain\">" + escape_html(markdown) + "</pre>\n";
  CmarkDocument doc(markdown, features, flavor == Flavor::chat ? LineBreaks::hard : LineBreaks::soft);
  sanitize_urls(doc.root());
  return doc.html();
}

}  // namespace hub::markdown
