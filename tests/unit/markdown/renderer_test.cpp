#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "hub/markdown/renderer.hpp"
#include "hub/markdown/budget.hpp"
#include "tests/unit/markdown/html_check.hpp"

using hub::markdown::affordable_features;
using hub::markdown::is_safe_url;
using hub::markdown::render_html;
using hub::testing::unsafe_html;

namespace {

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string repeat(const std::string& unit, std::size_t bytes) {
  std::string s;
  while (s.size() < bytes) s += unit;
  return s;
}

}  // namespace

TEST_CASE("markdown: renders headings, emphasis, lists, code, tables, strikethrough and task lists") {
  std::string html = render_html(
      "# Title\n\nSome *emphasis* and **strong** and `code`.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
      "~~gone~~\n\n- [ ] open task\n- [x] done task\n\n```cpp\nint main() {}\n```\n");
  CHECK(contains(html, "<h1>Title</h1>"));
  CHECK(contains(html, "<em>emphasis</em>"));
  CHECK(contains(html, "<strong>strong</strong>"));
  CHECK(contains(html, "<code>code</code>"));
  CHECK(contains(html, "<table>"));
  CHECK(contains(html, "<del>gone</del>"));
  CHECK(contains(html, "<input type=\"checkbox\" disabled=\"\" /> open task"));
  CHECK(contains(html, "<input type=\"checkbox\" checked=\"\" disabled=\"\" /> done task"));
  CHECK(contains(html, "<pre><code class=\"language-cpp\">int main() {}"));
  CHECK(unsafe_html(html).empty());
}

TEST_CASE("markdown: keeps ordinary links and images, and does not autolink bare URLs") {
  std::string html = render_html(
      "[site](https://example.org/a?b=c#d) [mail](mailto:a@example.org) [rel](/playbooks/x) [frag](#top) "
      "![pic](https://example.org/p.png) and www.example.org or https://example.org/bare");
  CHECK(contains(html, "href=\"https://example.org/a?b=c#d\""));
  CHECK(contains(html, "href=\"mailto:a@example.org\""));
  CHECK(contains(html, "href=\"/playbooks/x\""));
  CHECK(contains(html, "href=\"#top\""));
  CHECK(contains(html, "src=\"https://example.org/p.png\""));
  // The autolink extension stays off (quadratic in this cmark-gfm): bare URLs remain text.
  CHECK_FALSE(contains(html, "href=\"http://www.example.org\""));
  CHECK_FALSE(contains(html, "href=\"https://example.org/bare\""));
}

TEST_CASE("markdown: the URL allowlist reads URLs the way browsers do") {
  CHECK(is_safe_url("https://example.org", false));
  CHECK(is_safe_url("HTTP://EXAMPLE.ORG", true));
  CHECK(is_safe_url("/relative/path", true));
  CHECK(is_safe_url("relative", true));
  CHECK(is_safe_url("?q=1", false));
  CHECK(is_safe_url("./a:b", false));  // the colon is after the path starts: relative
  CHECK(is_safe_url("mailto:x@example.org", false));
  CHECK_FALSE(is_safe_url("mailto:x@example.org", true));
  CHECK_FALSE(is_safe_url("javascript:alert(1)", false));
  CHECK_FALSE(is_safe_url("JaVaScRiPt:alert(1)", false));
  CHECK_FALSE(is_safe_url(" \x01javascript:alert(1)", false));
  CHECK_FALSE(is_safe_url("java\tscript:alert(1)", false));
  CHECK_FALSE(is_safe_url("java\nscript:alert(1)", false));
  CHECK_FALSE(is_safe_url("vbscript:msgbox(1)", false));
  CHECK_FALSE(is_safe_url("data:text/html;base64,PHNjcmlwdD4=", false));
  CHECK_FALSE(is_safe_url("data:image/png;base64,AAAA", true));
  CHECK_FALSE(is_safe_url("file:///etc/passwd", false));
}

// Payloads in the spirit of OWASP's XSS Filter Evasion Cheat Sheet, plus Markdown's own ways of
// writing links. None may leave a script, an event handler or a dangerous URL in the output.
TEST_CASE("markdown: XSS payloads leave no script, handler or javascript: URL") {
  const std::vector<std::string> payloads = {
      "<script>alert('XSS')</script>",
      "<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>",
      "<IMG SRC=\"javascript:alert('XSS');\">",
      "<IMG SRC=javascript:alert('XSS')>",
      "<IMG SRC=JaVaScRiPt:alert('XSS')>",
      "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
      "<a onmouseover=\"alert(document.cookie)\">xxs link</a>",
      "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
      "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
      "<IMG SRC=# onmouseover=\"alert('xxs')\">",
      "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
      "<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116"
      "&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039"
      "&#0000041\">",
      "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;"
      "&#39;&#88;&#83;&#83;&#39;&#41;>",
      "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58"
      "&#x53&#x53&#x27&#x29>",
      "<IMG SRC=\"jav\tascript:alert('XSS');\">",
      "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
      "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
      "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
      "<SCRIPT/XSS SRC=\"http://xss.rocks/xss.js\"></SCRIPT>",
      "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
      "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>",
      "<iframe src=http://xss.rocks/scriptlet.html <",
      "<svg/onload=alert('XSS')>",
      "<BGSOUND SRC=\"javascript:alert('XSS');\">",
      "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
      "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
      "<STYLE>@import'http://xss.rocks/xss.css';</STYLE>",
      "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
      "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
      "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"http://xss.rocks/scriptlet.html\"></OBJECT>",
      "<EMBED SRC=\"data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIj48L3N2Zz4=\">",
      "<details open ontoggle=alert(1)>",
      "[click](javascript:alert(1))",
      "[click](JAVASCRIPT:alert(1))",
      "[click](<javascript:alert(1)>)",
      "[click](< javascript:alert(1)>)",
      "[click](java&#115;cript:alert(1))",
      "[click](&#x6A;avascript:alert(1))",
      "[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
      "[click](javascript&colon;alert(1))",
      "[click](java&#09;script:alert(1))",
      "[click](java&#10;script:alert(1))",
      "[click](vbscript:msgbox(1))",
      "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
      "[click](file:///etc/passwd)",
      "![pic](javascript:alert(1))",
      "![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
      "[ref]\n\n[ref]: javascript:alert(1)",
      "[ref][r]\n\n[r]: <javascript:alert(1)> \"title\"",
      "<javascript:alert(1)>",
      "<vbscript:msgbox(1)>",
      "[a](https://example.org \"title\\\" onmouseover=alert(1)\")",
      "[a](https://example.org 'x\" onmouseover=\"alert(1)')",
      "```js\" onclick=\"alert(1)\nx\n```",
      "`<script>alert(1)</script>`",
      "    <script>alert(1)</script>",
      "| <script>alert(1)</script> | [x](javascript:alert(1)) |\n|---|---|\n| <img src=x onerror=alert(1)> | b |",
      "- [ ] <img src=x onerror=alert(1)>",
      "~~<script>alert(1)</script>~~",
      "<textarea><script>alert(1)</script></textarea>",
      "<!-- --><script>alert(1)</script>",
      "<![CDATA[<script>alert(1)</script>]]>",
      "<?php echo 1 ?><script>alert(1)</script>",
      "&lt;script&gt;alert(1)&lt;/script&gt;",
      "\xEF\xBC\x9C" "script\xEF\xBC\x9E" "alert(1)\xEF\xBC\x9C" "/script\xEF\xBC\x9E",
  };
  for (const auto& md : payloads) {
    INFO(md);
    const std::string html = render_html(md);
    INFO(html);
    CHECK(unsafe_html(html).empty());
    CHECK_FALSE(contains(lower(html), "<script"));
    CHECK_FALSE(contains(lower(html), "href=\"javascript:"));
    CHECK_FALSE(contains(lower(html), "src=\"javascript:"));
    CHECK_FALSE(contains(lower(html), "<iframe"));
    CHECK_FALSE(contains(lower(html), "<svg"));
  }
}

TEST_CASE("markdown: input beyond the size cap is cut off") {
  const std::string big = repeat("word ", hub::markdown::kMaxInputBytes + 5000);
  const std::string html = render_html(big);
  CHECK(html.size() < hub::markdown::kMaxInputBytes + 100);
}

TEST_CASE("markdown budget: ordinary documents keep every feature") {
  auto f = affordable_features(
      "# A\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~x~~ ![img](a.png) [link](b)\n\n- [ ] task\n");
  CHECK(f.tables);
  CHECK(f.strikethrough);
  CHECK(f.inline_markup);
}

TEST_CASE("markdown budget: the superlinear shapes of cmark-gfm 0.29 are switched off") {
  // Hundreds of header cells (quadratic in the table extension).
  auto wide = affordable_features("|" + repeat("a|", 400) + "\n|" + repeat("-|", 400) + "\n");
  CHECK_FALSE(wide.tables);
  // A modest header over very many short rows: every row is padded to the full width.
  auto tall = affordable_features("|" + repeat("a|", 100) + "\n|" + repeat("-|", 100) + "\n" + repeat("|x\n", 30000));
  CHECK_FALSE(tall.tables);
  // Many tildes (quadratic in the strikethrough extension).
  auto tildes = affordable_features(repeat("[a]:\n~]", 20000));
  CHECK_FALSE(tildes.strikethrough);
  CHECK(tildes.tables);
  // Unclosed image openers before many links, in one paragraph.
  auto images = affordable_features(repeat("![[a](b)", 40000));
  CHECK_FALSE(images.inline_markup);
  const std::string html = render_html(repeat("![[a](b)<script>", 20000));
  CHECK(html.rfind("<pre class=\"markdown-plain\">", 0) == 0);
  CHECK(unsafe_html(html).empty());
  CHECK_FALSE(contains(html, "<script"));
}

TEST_CASE("markdown budget: containers nested deeper than the budget make the document plain text") {
  using hub::markdown::kMaxNesting;
  CHECK(affordable_features(repeat(">", kMaxNesting) + " deep enough\n").inline_markup);
  CHECK(affordable_features(repeat("- ", 2 * kMaxNesting) + "item\n").inline_markup);
  for (const std::string& md : {repeat(">", kMaxNesting + 1), repeat("> - ", 4 * kMaxNesting),
                                repeat("1. ", 3 * kMaxNesting + 3), repeat(" * ", 3 * kMaxNesting + 3)}) {
    INFO(md);
    CHECK_FALSE(affordable_features(md).inline_markup);
    const std::string html = render_html(repeat(md + "\n", hub::markdown::kMaxInputBytes));
    CHECK(html.rfind("<pre class=\"markdown-plain\">", 0) == 0);
    CHECK(html.size() < 5 * hub::markdown::kMaxInputBytes);
  }
  // Nesting built up over many lines stays Markdown.
  CHECK(affordable_features("> a\n> > b\n> > > c\n\n- a\n  - b\n    - c\n").inline_markup);
}
