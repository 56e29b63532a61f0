// A parsed cmark-gfm document and its parser, freed together. For code that walks the tree (the
// playbooks task list); to get HTML, call render_html() in renderer.hpp instead.
#pragma once

#include <string>
#include <string_view>

#include "hub/markdown/budget.hpp"

struct cmark_node;
struct cmark_parser;

namespace hub::markdown {

enum class LineBreaks { soft, hard };  // hard: a single newline is <br />

class CmarkDocument {
 public:
  // Parses `markdown` in safe mode with the tasklist and tagfilter extensions, plus the table and
  // strikethrough ones when `features` allows. Invalid UTF-8 is replaced. REQUIRES: `features`
  // comes from affordable_features(markdown), and markdown is at most kMaxInputBytes.
  CmarkDocument(std::string_view markdown, const MarkdownFeatures& features, LineBreaks breaks = LineBreaks::soft);
  ~CmarkDocument();
  CmarkDocument(const CmarkDocument&) = delete;
  CmarkDocument& operator=(const CmarkDocument&) = delete;

  cmark_node* root() { return root_; }
  std::string html();

 private:
  int options_;           // cmark options, for parsing and rendering alike
  cmark_parser* parser_;  // owned; holds the extension list the renderer needs
  cmark_node* root_;      // owned
};

}  // namespace hub::markdown
