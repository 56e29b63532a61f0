// The hub's one Markdown renderer. Every module that turns user text into HTML calls it: discussion,
// playbooks, and next the template exchange and the bridge.
//
// What it guarantees, whatever the input:
// - safe HTML: cmark-gfm in safe mode (raw HTML is omitted, never passed through), the tagfilter
//   extension, and every link and image URL checked against an allowlist (is_safe_url);
// - bounded work: input beyond kMaxInputBytes is cut off, and a document whose shape would make
//   cmark-gfm superlinear, or nest containers deeper than the budget allows, is shown as
//   preformatted text (budget.hpp). The autolink extension stays off (quadratic in this version).
//
// It is CPU work of up to a few milliseconds: call it on the CPU pool (hub/http/cpu_pool.hpp),
// never on the network thread. Thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hub::markdown {

// Bumped whenever the HTML for the same Markdown changes, so that stored renderings are redone.
inline constexpr int kRendererVersion = 2;

// The input size cap.
inline constexpr std::size_t kMaxInputBytes = 128 * 1024;

enum class Flavor {
  document,  // playbooks, templates: a single newline is a soft break
  chat,      // messages: a single newline is a line break
};

// HTML for `markdown`, safe to insert into a page. REQUIRES: nothing; invalid UTF-8 is replaced.
std::string render_html(std::string_view markdown, Flavor flavor = Flavor::document);

// True when a link (or, with `image`, an image source) may point at `url`: relative URLs, and
// the http, https and (links only) mailto schemes, read the way a browser reads them.
bool is_safe_url(std::string_view url, bool image);

}  // namespace hub::markdown
