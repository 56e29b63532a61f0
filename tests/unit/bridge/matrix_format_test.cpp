// The Matrix formats both ways, as tables, with hostile HTML and invalid UTF-8.
#include <catch2/catch.hpp>

#include "bridge/matrix/html_tokens.hpp"
#include "bridge/matrix/matrix_format.hpp"

using namespace hub::bridge::matrix;
using nlohmann::json;

namespace {

const UserNamespace kNs{"cohorthub", "hs.test"};

struct Case {
  const char* input;
  const char* expected;
};

}  // namespace

TEST_CASE("matrix format: the hub's HTML is cut down to the spec's tags and attributes") {
  const Case cases[] = {
      {"<p>Hello <strong>world</strong></p>", "<p>Hello <strong>world</strong></p>"},
      {"<p>a<script>alert(1)</script>b</p>", "<p>ab</p>"},
      {"<style>p{}</style><p>x</p>", "<p>x</p>"},
      {"<p onclick=\"evil()\">x</p>", "<p>x</p>"},
      {"<a href=\"javascript:alert(1)\">x</a>", "<a>x</a>"},
      {"<a href=\"https://example.org/?a=1&amp;b=2\" rel=\"nofollow\">x</a>",
       "<a href=\"https://example.org/?a=1&amp;b=2\">x</a>"},
      {"<img src=\"https://example.org/cat.png\" alt=\"a cat\">", "a cat"},
      {"<marquee>moving</marquee>", "moving"},
      {"<ul><li><input type=\"checkbox\" disabled> task</li></ul>", "<ul><li> task</li></ul>"},
      {"<pre><code class=\"language-cpp\">int x;</code></pre>", "<pre><code class=\"language-cpp\">int x;</code></pre>"},
      {"<code class=\"x\" style=\"color:red\">y</code>", "<code>y</code>"},
      {"<b><i>unclosed", "<b><i>unclosed</i></b>"},
      {"stray</em> end", "stray end"},
      {"<ol start=\"3\" type=\"a\"><li>c</li></ol>", "<ol start=\"3\"><li>c</li></ol>"},
      {"a <!-- hidden --> b", "a  b"},
      {"<p>1 &lt; 2 &amp; 3 &gt; 2</p>", "<p>1 &lt; 2 &amp; 3 &gt; 2</p>"},
      {"bad \xC3\x28 byte", "bad \xEF\xBF\xBD( byte"},
      {"<br/>x<hr>", "<br />x<hr />"},
      {"<font color=\"#ff0000\" size=\"9\">red</font>", "<font color=\"#ff0000\">red</font>"},
      {"<span data-mx-color=\"red\">named</span>", "<span>named</span>"},
  };
  for (const auto& c : cases) {
    INFO(c.input);
    CHECK(matrix_html(c.input) == c.expected);
  }
}

TEST_CASE("matrix format: a hub message becomes an m.text with a plain body, HTML and m.mentions") {
  const json message = {{"body", "Hi **@sam**"}, {"html", "<p>Hi <strong>@sam</strong><script>x</script></p>"}};
  const json content = message_content(message, {"@cohorthub_sam:hs.test"});
  CHECK(content["msgtype"] == "m.text");
  CHECK(content["body"] == "Hi **@sam**");
  CHECK(content["format"] == "org.matrix.custom.html");
  CHECK(content["formatted_body"] == "<p>Hi <strong>@sam</strong></p>");
  CHECK(content["m.mentions"] == json{{"user_ids", {"@cohorthub_sam:hs.test"}}});
  // No mentions is said explicitly, so Matrix clients do not guess them from the text.
  CHECK(message_content(message, {})["m.mentions"] == json::object());
  CHECK_FALSE(message_content({{"body", "x"}, {"html", ""}}, {}).contains("format"));
  CHECK(message_content(json::array(), {})["body"] == "");  // never throws on a strange payload
}

TEST_CASE("matrix format: a Matrix user's HTML becomes Markdown, hostile parts dropped") {
  const Case cases[] = {
      {"<b>bold</b> and <em>it</em>", "**bold** and *it*"},
      {"<strong> spaced </strong>x", "**spaced** x"},
      {"say <b>hi </b>there", "say **hi** there"},
      {"<del>gone</del>", "~~gone~~"},
      {"use <code>a*b</code>", "use `a*b`"},
      {"<code>a`b</code>", "`` a`b ``"},
      {"<a href=\"https://example.org\">site</a>", "[site](https://example.org)"},
      {"<a href=\"javascript:alert(1)\">click</a>", "click"},
      {"<a href=\"https://matrix.to/#/@cohorthub_sam:hs.test\">Sam</a> hi", "@sam hi"},
      {"<a href=\"https://matrix.to/#/@bob:elsewhere.org\">Bob</a>", "[Bob](https://matrix.to/#/@bob:elsewhere.org)"},
      {"<mx-reply><blockquote>quoted <b>old</b></blockquote></mx-reply>the answer", "the answer"},
      {"a<script>alert('x')</script>b", "ab"},
      {"<p>one</p><p>two</p>", "one\n\ntwo"},
      {"line<br>break", "line\\\nbreak"},
      {"<ul><li>a</li><li>b</li></ul>", "- a\n- b"},
      {"<ol start=\"4\"><li>d</li><li>e</li></ol>", "4. d\n5. e"},
      {"<blockquote>wise<br>words</blockquote>", "> wise\\\n> words"},
      {"<h2>Title</h2>text", "## Title\n\ntext"},
      {"<pre><code>x = 1\n\ny = 2\n</code></pre>", "```\nx = 1\n\ny = 2\n```"},
      {"*not emphasis* [nor](link) #tag", "\\*not emphasis\\* \\[nor\\](link) #tag"},
      {"# not a heading", "\\# not a heading"},
      {"&gt; not a quote, 2 &gt; 1", "\\> not a quote, 2 > 1"},
      {"1 &lt; 2 &amp;&amp; R&amp;D &amp;amp; <unknown>kept</unknown>", "1 \\< 2 && R&D \\&amp; kept"},
      {"<img src=\"mxc://hs/abc\" alt=\"pic\">", "pic"},
      {"  lots   of\n\n  space  ", "lots of space"},
      {"broken \xFF\xFE utf8", "broken \xEF\xBF\xBD\xEF\xBF\xBD utf8"},
      {"<b>never closed", "**never closed**"},
      {"<", "\\<"},
      {"<a href=\"https://x.org/a b\">sp</a>", "sp"},
  };
  for (const auto& c : cases) {
    INFO(c.input);
    CHECK(markdown_from_html(c.input, kNs) == c.expected);
  }
}

TEST_CASE("matrix format: hostile input of any shape converts without crashing, to valid UTF-8") {
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "<blockquote><b>";
  deep += "x";
  const std::string inputs[] = {
      deep,
      std::string(100000, '<'),
      "<a href='" + std::string(5000, '\xC3') + "'>x</a>",
      "<script>never closed " + std::string(1000, 'a'),
      std::string("\0\0<b>\0</b>", 10),
      "<p <p <p>>>",
      "&#0; &#xD800; &#x110000; &#99999999999; &amp",
      "<ol start=\"99999999999\"><li>x</li></ol>",
  };
  for (const auto& input : inputs) {
    const std::string md = markdown_from_html(input, kNs);
    const std::string html = matrix_html(input);
    CHECK(valid_utf8(md) == md);
    CHECK(valid_utf8(html) == html);
    CHECK(html.find("<script") == std::string::npos);
  }
  CHECK(markdown_from_html("&#0;&#xD800;", kNs) == "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("matrix format: reply fallbacks are stripped, formatted bodies preferred, long bodies cut") {
  CHECK(strip_reply_fallback("> <@ana:hs> earlier\n> more\n\nmy answer") == "my answer");
  CHECK(strip_reply_fallback("> a quote of my own") == "> a quote of my own");
  const json reply = {{"msgtype", "m.text"},
                      {"body", "> <@ana:hs> earlier\n\nmy *answer*"},
                      {"m.relates_to", {{"m.in_reply_to", {{"event_id", "$e"}}}}}};
  CHECK(hub_markdown(reply, kNs, 10000) == "my \\*answer\\*");
  const json html = {{"msgtype", "m.text"},
                     {"body", "fallback"},
                     {"format", "org.matrix.custom.html"},
                     {"formatted_body", "<mx-reply>old</mx-reply><b>new</b>"}};
  CHECK(hub_markdown(html, kNs, 10000) == "**new**");
  // An HTML body with no text left falls back to the plain body.
  json only_script = html;
  only_script["formatted_body"] = "<script>x</script>";
  CHECK(hub_markdown(only_script, kNs, 10000) == "fallback");
  CHECK(hub_markdown({{"msgtype", "m.emote"}, {"body", "waves"}}, kNs, 10000) == "*waves*");
  CHECK_FALSE(hub_markdown({{"msgtype", "m.text"}, {"body", 42}}, kNs, 10000));
  CHECK_FALSE(hub_markdown({{"msgtype", "m.text"}, {"body", "   "}}, kNs, 10000));
  CHECK_FALSE(hub_markdown(json::array(), kNs, 10000));
  // Cut at the limit without splitting a character ("é" is two bytes).
  const json long_body = {{"msgtype", "m.text"}, {"body", std::string(9, 'a') + "\xC3\xA9"}};
  CHECK(hub_markdown(long_body, kNs, 10) == std::string(9, 'a'));
  CHECK(hub_markdown({{"msgtype", 7}, {"body", "typed oddly"}}, kNs, 100) == "typed oddly");
}

TEST_CASE("matrix format: the user namespace maps hub handles to ghosts and back") {
  CHECK(kNs.user_id("ana") == "@cohorthub_ana:hs.test");
  CHECK(kNs.handle_of("@cohorthub_ana:hs.test") == "ana");
  CHECK_FALSE(kNs.handle_of("@cohorthub_ana:other.test"));
  CHECK_FALSE(kNs.handle_of("@ana:hs.test"));
  CHECK_FALSE(kNs.handle_of("@cohorthub_:hs.test"));
  CHECK(kNs.ghost_prefix() == "@cohorthub_");
}
