// Safe Markdown: cmark-gfm in safe mode (raw HTML omitted), with the table, strikethrough,
// tasklist and tagfilter extensions and never autolink (quadratic in this version), footnotes off
// (quadratic too), every link and image URL checked against an allowlist, input capped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hub::playbooks {

// Bumped whenever the HTML for the same Markdown changes, so cached renderings are redone.
inline constexpr int kRendererVersion = 1;

// HTML for `markdown`, safe to insert into a page. Input beyond kMaxContentBytes is cut off.
// A document whose structure would make the parser superlinear is shown as preformatted text.
std::string render_markdown(std::string_view markdown);

// True when a link (or, with `image`, an image source) may point at `url`: relative URLs, and
// the http, https and (links only) mailto schemes, read the way a browser reads them.
bool is_safe_url(std::string_view url, bool image);

struct TaskItem {
  std::string text;  // plain text, whitespace collapsed, at most kMaxTaskText bytes
  bool checked = false;
};
inline constexpr std::size_t kMaxTaskText = 500;

// The task list items (`- [ ] ...`) of a document, in document order. Items inside code blocks
// are not tasks.
std::vector<TaskItem> task_items(std::string_view markdown);

}  // namespace hub::playbooks
