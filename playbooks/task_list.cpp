// task_items(): the checklist a playbook becomes when it is assigned.
#include <cstring>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include "hub/markdown/cmark_document.hpp"
#include "playbooks/markdown.hpp"
#include "playbooks/text.hpp"

namespace hub::playbooks {
namespace {

// Appends the plain text under `node`, skipping nested lists (they are items of their own).
void collect_text(cmark_node* node, std::string& out) {
  for (cmark_node* child = cmark_node_first_child(node); child; child = cmark_node_next(child)) {
    switch (cmark_node_get_type(child)) {
      case CMARK_NODE_TEXT:
      case CMARK_NODE_CODE:
        out += cmark_node_get_literal(child) ? cmark_node_get_literal(child) : "";
        break;
      case CMARK_NODE_SOFTBREAK:
      case CMARK_NODE_LINEBREAK:
        out += ' ';
        break;
      case CMARK_NODE_LIST:
        break;
      default:
        collect_text(child, out);
        if (cmark_node_get_type(child) == CMARK_NODE_PARAGRAPH) out += ' ';
    }
  }
}

// Collapses runs of whitespace, trims, and cuts at kMaxTaskText bytes on a UTF-8 boundary.
std::string tidy(const std::string& raw) {
  std::string out;
  bool space = false;
  for (char c : raw) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  if (out.size() > kMaxTaskText) {
    std::size_t cut = kMaxTaskText;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    while (!out.empty() && out.back() == ' ') out.pop_back();
  }
  return out;
}

// The fallback for documents too costly to parse: `- [ ] text` lines outside ``` fences.
std::vector<TaskItem> scan_task_lines(std::string_view markdown) {
  std::vector<TaskItem> items;
  bool in_fence = false;
  for (std::string_view line : split_lines(markdown)) {
    std::size_t i = line.find_first_not_of(" \t");
    if (i == std::string_view::npos) continue;
    std::string_view rest = line.substr(i);
    if (rest.substr(0, 3) == "```" || rest.substr(0, 3) == "~~~") in_fence = !in_fence;
    if (in_fence || rest.size() < 6) continue;
    bool bullet = rest[0] == '-' || rest[0] == '*' || rest[0] == '+';
    if (!bullet || rest[1] != ' ' || rest[2] != '[' || rest[4] != ']' || rest[5] != ' ') continue;
    if (rest[3] != ' ' && rest[3] != 'x' && rest[3] != 'X') continue;
    std::string text = tidy(std::string(rest.substr(6)));
    if (!text.empty()) items.push_back({text, rest[3] != ' '});
  }
  return items;
}

}  // namespace

std::vector<TaskItem> task_items(std::string_view markdown) {
  if (markdown.size() > kMaxContentBytes) markdown = markdown.substr(0, kMaxContentBytes);
  const MarkdownFeatures features = affordable_features(markdown);
  if (!features.inline_markup) return scan_task_lines(markdown);
  CmarkDocument doc(markdown, features);
  std::vector<TaskItem> items;
  cmark_iter* it = cmark_iter_new(doc.root());
  for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
    if (ev != CMARK_EVENT_ENTER) continue;
    cmark_node* node = cmark_iter_get_node(it);
    if (cmark_node_get_type(node) != CMARK_NODE_ITEM) continue;
    const char* type = cmark_node_get_type_string(node);
    if (!type || std::strcmp(type, "tasklist") != 0) continue;
    std::string raw;
    collect_text(node, raw);
    std::string text = tidy(raw);
    if (!text.empty()) items.push_back({text, cmark_gfm_extensions_get_tasklist_item_checked(node)});
  }
  cmark_iter_free(it);
  return items;
}

}  // namespace hub::playbooks
