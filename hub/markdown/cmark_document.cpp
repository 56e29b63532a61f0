#include "hub/markdown/cmark_document.hpp"

#include <cstdlib>
#include <mutex>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

namespace hub::markdown {
namespace {

// Registration sets a global without a lock; do it once.
void register_extensions() {
  static std::once_flag once;
  std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });
}

void attach(cmark_parser* parser, const char* name) {
  if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name))
    cmark_parser_attach_syntax_extension(parser, ext);
}

// Never CMARK_OPT_UNSAFE: raw HTML is omitted and javascript:/vbscript:/file:/data: URLs dropped.
constexpr int kOptions = CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8;

}  // namespace

CmarkDocument::CmarkDocument(std::string_view markdown, const MarkdownFeatures& features, LineBreaks breaks)
    : options_(kOptions | (breaks == LineBreaks::hard ? CMARK_OPT_HARDBREAKS : 0)) {
  register_extensions();
  parser_ = cmark_parser_new(options_);
  attach(parser_, "tasklist");
  attach(parser_, "tagfilter");
  if (features.tables) attach(parser_, "table");
  if (features.strikethrough) attach(parser_, "strikethrough");
  cmark_parser_feed(parser_, markdown.data(), markdown.size());
  root_ = cmark_parser_finish(parser_);
}

CmarkDocument::~CmarkDocument() {
  cmark_node_free(root_);
  cmark_parser_free(parser_);
}

std::string CmarkDocument::html() {
  char* raw = cmark_render_html(root_, options_, cmark_parser_get_syntax_extensions(parser_));
  std::string out(raw ? raw : "");
  std::free(raw);
  return out;
}

}  // namespace hub::markdown
