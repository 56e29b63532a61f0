// Markdown to HTML for messages: cmark-gfm in safe mode (raw HTML and javascript: links dropped),
// without the autolink extension (quadratic in this version, PLATFORM.md).
// TODO(lead): share one renderer with playbooks/ once theirs lands.
#pragma once

#include <string>
#include <string_view>

namespace hub::discussion {

// REQUIRES: `markdown` is valid UTF-8.
std::string render_markdown_safe(std::string_view markdown);

}  // namespace hub::discussion
