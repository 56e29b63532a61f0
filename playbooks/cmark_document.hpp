// A parsed cmark-gfm document and its parser, freed together. Internal to playbooks/.
#pragma once

#include <string>
#include <string_view>

#include "playbooks/markdown_budget.hpp"

struct cmark_node;
struct cmark_parser;

namespace hub::playbooks {

class CmarkDocument {
 public:
  // Parses `markdown` in safe mode with the tasklist and tagfilter extensions, plus the table and
  // strikethrough ones when `features` allows. Invalid UTF-8 is replaced.
  CmarkDocument(std::string_view markdown, const MarkdownFeatures& features);
  ~CmarkDocument();
  CmarkDocument(const CmarkDocument&) = delete;
  CmarkDocument& operator=(const CmarkDocument&) = delete;

  cmark_node* root() { return root_; }
  std::string html();

 private:
  cmark_parser* parser_;  // owned; holds the extension list the renderer needs
  cmark_node* root_;      // owned
};

}  // namespace hub::playbooks
