// Markdown in playbooks: the hub's one renderer (hub/markdown/renderer.hpp), and the task lists
// an assignment is made of.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hub/markdown/cmark_document.hpp"
#include "hub/markdown/renderer.hpp"

namespace hub::playbooks {

using markdown::is_safe_url;
using markdown::kRendererVersion;
// For task_items(), which walks the parsed tree.
using markdown::affordable_features;
using markdown::CmarkDocument;
using markdown::MarkdownFeatures;

// A playbook's HTML, safe to insert into a page.
inline std::string render_markdown(std::string_view markdown) { return markdown::render_html(markdown); }

struct TaskItem {
  std::string text;  // plain text, whitespace collapsed, at most kMaxTaskText bytes
  bool checked = false;
};
inline constexpr std::size_t kMaxTaskText = 500;

// The task list items (`- [ ] ...`) of a document, in document order. Items inside code blocks
// are not tasks.
std::vector<TaskItem> task_items(std::string_view markdown);

}  // namespace hub::playbooks
