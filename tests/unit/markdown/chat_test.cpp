// The chat flavour, as discussion messages use it.
#include <catch2/catch.hpp>

#include "hub/markdown/renderer.hpp"

namespace {

std::string render_markdown_safe(std::string_view md) {
  return hub::markdown::render_html(md, hub::markdown::Flavor::chat);
}

}  // namespace

TEST_CASE("markdown: emphasis, code and links render") {
  CHECK(render_markdown_safe("**bold** and `code`") == "<p><strong>bold</strong> and <code>code</code></p>\n");
  CHECK(render_markdown_safe("[site](https://example.org)").find("<a href=\"https://example.org\">") !=
        std::string::npos);
}

TEST_CASE("markdown: raw HTML and javascript: links are dropped (safe mode)") {
  auto html = render_markdown_safe("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>");
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  auto link = render_markdown_safe("[x](javascript:alert(1))");
  CHECK(link.find("javascript:") == std::string::npos);
}

TEST_CASE("markdown: bare URLs are not autolinked (the extension is off on purpose)") {
  CHECK(render_markdown_safe("see https://example.org").find("<a") == std::string::npos);
}

TEST_CASE("markdown: a single newline is a line break, as in chat") {
  CHECK(render_markdown_safe("one\ntwo").find("<br") != std::string::npos);
  CHECK(hub::markdown::render_html("one\ntwo").find("<br") == std::string::npos);  // documents keep soft breaks
}
