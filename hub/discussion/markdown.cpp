#include "hub/discussion/markdown.hpp"

#include <cstdlib>

#include <cmark-gfm.h>

namespace hub::discussion {

std::string render_markdown_safe(std::string_view markdown) {
  // CMARK_OPT_SAFE is the default in this version; say it anyway, and never pass CMARK_OPT_UNSAFE.
  const int options = CMARK_OPT_SAFE | CMARK_OPT_HARDBREAKS;
  char* html = cmark_markdown_to_html(markdown.data(), markdown.size(), options);
  if (!html) return {};
  std::string out(html);
  std::free(html);
  return out;
}

}  // namespace hub::discussion
