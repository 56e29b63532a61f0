#include "bridge/matrix/matrix_format.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "bridge/matrix/html_tokens.hpp"
#include "hub/markdown/html_escape.hpp"
#include "hub/markdown/renderer.hpp"

namespace hub::bridge::matrix {
namespace {

using Kind = HtmlToken::Kind;
using nlohmann::json;

constexpr std::size_t kMaxDepth = 100;  // the spec's advice to clients for nested HTML

// The tags the Matrix spec recommends clients accept in org.matrix.custom.html.
constexpr std::array<std::string_view, 37> kAllowedTags{
    "font", "del", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "p", "a", "ul", "ol", "sup", "sub", "li", "b",
    "i", "u", "strong", "em", "s", "code", "hr", "br", "div", "table", "thead", "tbody", "tr", "th", "td", "caption",
    "pre", "span", "details", "summary"};

bool allowed_tag(std::string_view name) {
  return std::find(kAllowedTags.begin(), kAllowedTags.end(), name) != kAllowedTags.end();
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

bool allowed_link(std::string_view href) {
  for (std::string_view scheme : {"https://", "http://", "ftp://", "mailto:", "magnet:"})
    if (starts_with_nocase(href, scheme)) return true;
  return false;
}

bool is_colour(std::string_view v) {
  return v.size() == 7 && v[0] == '#' &&
         std::all_of(v.begin() + 1, v.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

bool allowed_attribute(std::string_view tag, std::string_view name, std::string_view value) {
  if (tag == "a") return (name == "href" && allowed_link(value)) || (name == "target" && value == "_blank");
  if (tag == "ol") return name == "start" && !value.empty() && value.size() < 10 &&
                          std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (tag == "code")
    return name == "class" && value.rfind("language-", 0) == 0 && value.size() < 64 &&
           std::all_of(value.begin(), value.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '#'; });
  if (tag == "font" || tag == "span") {
    if (name == "data-mx-color" || name == "data-mx-bg-color" || (tag == "font" && name == "color")) return is_colour(value);
    if (tag == "span" && name == "data-mx-spoiler") return true;
  }
  return false;
}

}  // namespace

std::string_view string_field(const json& object, std::string_view key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

std::string UserNamespace::user_id(std::string_view handle) const {
  return "@" + prefix + "_" + std::string(handle) + ":" + server;
}

std::optional<std::string> UserNamespace::handle_of(std::string_view id) const {
  const std::string head = ghost_prefix(), tail = ":" + server;
  if (id.size() <= head.size() + tail.size() || id.substr(0, head.size()) != head ||
      id.substr(id.size() - tail.size()) != tail)
    return std::nullopt;
  return std::string(id.substr(head.size(), id.size() - head.size() - tail.size()));
}

std::string matrix_html(std::string_view html) {
  std::string out;
  std::vector<std::string> open;  // allowed elements opened and not yet closed
  for (const auto& t : tokenize_html(html)) {
    if (t.kind == Kind::text) {
      if (!t.raw) out += markdown::escape_html(t.text);
      continue;
    }
    if (t.kind == Kind::open) {
      if (t.name == "img") {  // only mxc:// images are allowed; show the others' alt text
        out += markdown::escape_html(t.attribute("alt"));
        continue;
      }
      if (!allowed_tag(t.name) || open.size() >= kMaxDepth) continue;
      out += "<" + t.name;
      for (const auto& [name, value] : t.attributes)
        if (allowed_attribute(t.name, name, value)) out += " " + name + "=\"" + markdown::escape_html(value) + "\"";
      out += is_void_element(t.name) ? " />" : ">";
      if (!is_void_element(t.name)) open.push_back(t.name);
      continue;
    }
    auto it = std::find(open.rbegin(), open.rend(), t.name);
    if (it == open.rend()) continue;  // a stray end tag
    const auto keep = static_cast<std::size_t>(open.rend() - it) - 1;
    while (open.size() > keep) {
      out += "</" + open.back() + ">";
      open.pop_back();
    }
  }
  while (!open.empty()) {
    out += "</" + open.back() + ">";
    open.pop_back();
  }
  return out;
}

json message_content(const json& message, const std::vector<std::string>& mentioned) {
  json content = json::object();
  content["msgtype"] = "m.text";
  content["body"] = std::string(string_field(message, "body"));
  const std::string html = matrix_html(string_field(message, "html"));
  if (!html.empty()) {
    content["format"] = "org.matrix.custom.html";
    content["formatted_body"] = html;
  }
  json mentions = json::object();
  if (!mentioned.empty()) mentions["user_ids"] = mentioned;
  content["m.mentions"] = std::move(mentions);
  return content;
}

json with_author(json content, std::string_view display_name) {
  const std::string body(string_field(content, "body"));
  const std::string name(display_name);
  std::string html(string_field(content, "formatted_body"));
  if (html.empty()) html = markdown::escape_html(body);
  content["body"] = name + ": " + body;
  content["format"] = "org.matrix.custom.html";
  content["formatted_body"] = "<strong>" + markdown::escape_html(name) + "</strong>: " + html;
  return content;
}

std::string escape_markdown(std::string_view text, bool at_line_start) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool line_start = i == 0 ? at_line_start : text[i - 1] == '\n';
    // "&amp;" would be read as a character reference; "R&D" and "a & b" would not.
    std::size_t ref_end = i + 1;
    while (ref_end < text.size() && ref_end - i < 32 &&
           (std::isalnum(static_cast<unsigned char>(text[ref_end])) || text[ref_end] == '#'))
      ++ref_end;
    const bool reference = c == '&' && ref_end > i + 1 && ref_end < text.size() && text[ref_end] == ';';
    // Everywhere: what makes emphasis, code, links, raw HTML and strikethrough. At a line's start:
    // headings and quotes.
    const bool special = std::string_view("\\`*_[]<~").find(c) != std::string_view::npos ||
                         (line_start && (c == '#' || c == '>')) || reference;
    if (special) out += '\\';
    out += c;
  }
  return out;
}

namespace {

// One element being converted to Markdown: its tag and the Markdown of its content so far.
struct Frame {
  std::string tag;
  std::string out;
  std::string href;  // <a>
  int items = 0;     // <ol>, <ul>: list items seen
  int start = 1;     // <ol start>
  bool dropped = false;  // <mx-reply> and other content that is not the message
};

void trim_newlines(std::string& s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == '\n' || s[i] == ' ')) ++i;
  s.erase(0, i);
}

// Appends a block (paragraph, list, quote) with a blank line either side.
void append_block(std::string& out, std::string block) {
  trim_newlines(block);
  if (block.empty()) return;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  if (!out.empty()) out += "\n\n";
  out += block;
  out += "\n\n";
}

// Each line of `text` after the first prefixed with `indent`; the first with `first`.
std::string prefix_lines(const std::string& text, std::string_view first, std::string_view indent) {
  std::string out(first);
  for (char c : text) {
    out += c;
    if (c == '\n') out += indent;
  }
  return out;
}

std::string code_span(const std::string& text) {
  if (text.empty()) return {};
  const std::string fence = text.find('`') == std::string::npos ? "`" : "``";
  return fence + (fence.size() > 1 ? " " : "") + text + (fence.size() > 1 ? " " : "") + fence;
}

std::string wrap(std::string_view mark, std::string inner) {
  // "** x **" is not emphasis: the marks hug the text, and the spaces stay outside.
  std::size_t a = 0, b = inner.size();
  while (a < b && inner[a] == ' ') ++a;
  while (b > a && inner[b - 1] == ' ') --b;
  if (a == b) return inner;
  return inner.substr(0, a) + std::string(mark) + inner.substr(a, b - a) + std::string(mark) + inner.substr(b);
}

bool inside(const std::vector<Frame>& stack, std::string_view tag) {
  return std::any_of(stack.begin(), stack.end(), [&](const Frame& f) { return f.tag == tag; });
}

// The Markdown of a finished element, appended to its parent.
void finish(Frame& f, Frame& parent, const UserNamespace& ns) {
  const std::string& t = f.tag;
  std::string& out = parent.out;
  if (f.dropped) return;
  if (t == "b" || t == "strong") out += wrap("**", f.out);
  else if (t == "i" || t == "em") out += wrap("*", f.out);
  else if (t == "del" || t == "s" || t == "strike") out += wrap("~~", f.out);
  else if (t == "code" && parent.tag != "pre") out += code_span(f.out);
  else if (t == "a") {
    const std::string prefix = "https://matrix.to/#/";
    std::optional<std::string> handle;
    if (f.href.rfind(prefix, 0) == 0) handle = ns.handle_of(f.href.substr(prefix.size()));
    if (handle) out += "@" + *handle;
    else if (!f.href.empty() && markdown::is_safe_url(f.href, false) &&
             f.href.find_first_of(" ()<>\n") == std::string::npos)
      out += "[" + (f.out.empty() ? escape_markdown(f.href) : f.out) + "](" + f.href + ")";
    else out += f.out;
  } else if (t == "p" || t == "div" || t == "table" || t == "tr" || t == "details")
    append_block(out, f.out);
  else if (t.size() == 2 && t[0] == 'h' && t[1] >= '1' && t[1] <= '6')
    append_block(out, std::string(static_cast<std::size_t>(t[1] - '0'), '#') + " " + f.out);
  else if (t == "blockquote") {
    std::string inner = f.out;
    trim_newlines(inner);
    append_block(out, prefix_lines(inner, "> ", "> "));
  } else if (t == "ul" || t == "ol") append_block(out, f.out);
  else if (t == "li") {
    std::string inner = f.out;
    trim_newlines(inner);
    const bool ordered = parent.tag == "ol";
    const std::string marker = ordered ? std::to_string(parent.start + parent.items) + ". " : "- ";
    ++parent.items;
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (!out.empty() && out.back() != '\n') out += "\n";
    out += prefix_lines(inner, marker, std::string(marker.size(), ' ')) + "\n";
  } else if (t == "pre") {
    std::string code = f.out;
    while (!code.empty() && code.back() == '\n') code.pop_back();
    const std::string fence = code.find("```") == std::string::npos ? "```" : "~~~~";
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    if (!out.empty()) out += "\n\n";
    out += fence + "\n" + code + "\n" + fence + "\n\n";
  } else if (t == "td" || t == "th") out += f.out + " ";
  else out += f.out;  // span, font, u, sup, sub and unknown elements: their text only
}

}  // namespace

std::string markdown_from_html(std::string_view html, const UserNamespace& ns) {
  std::vector<Frame> stack(1);  // the root
  for (const auto& t : tokenize_html(html)) {
    Frame& top = stack.back();
    if (t.kind == Kind::text) {
      if (t.raw) continue;  // script, style, title, textarea
      if (inside(stack, "pre")) {
        top.out += t.text;
      } else if (top.tag == "code") {
        top.out += t.text;
      } else {
        // HTML collapses white space; a line's leading space is not content.
        std::string collapsed;
        char last = top.out.empty() ? '\n' : top.out.back();
        for (char c : t.text) {
          const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
          if (space && last != ' ' && last != '\n') collapsed += ' ';
          if (!space) collapsed += c;
          last = space ? (last == '\n' ? '\n' : ' ') : c;
        }
        top.out += escape_markdown(collapsed, top.out.empty() || top.out.back() == '\n');
      }
      continue;
    }
    if (t.kind == Kind::open) {
      if (t.name == "br") {
        while (!top.out.empty() && top.out.back() == ' ') top.out.pop_back();
        top.out += inside(stack, "pre") ? "\n" : "\\\n";
        continue;
      }
      if (t.name == "hr") {
        append_block(top.out, "---");
        continue;
      }
      if (t.name == "img") {
        top.out += escape_markdown(t.attribute("alt"));
        continue;
      }
      if (is_void_element(t.name) || is_raw_text_element(t.name) || stack.size() > kMaxDepth) continue;
      Frame f;
      f.tag = t.name;
      f.dropped = t.name == "mx-reply" || t.name == "head" || top.dropped;
      if (t.name == "a") f.href = std::string(t.attribute("href"));
      if (t.name == "ol") {
        const auto start = t.attribute("start");
        if (!start.empty() && start.size() < 7 &&
            std::all_of(start.begin(), start.end(), [](char c) { return c >= '0' && c <= '9'; }))
          f.start = std::stoi(std::string(start));
      }
      stack.push_back(std::move(f));
      continue;
    }
    // An end tag closes its element and every element opened inside it; a stray one is ignored.
    std::size_t at = stack.size();
    while (at > 1 && stack[at - 1].tag != t.name) --at;
    if (at <= 1) continue;
    while (stack.size() >= at) {
      Frame done = std::move(stack.back());
      stack.pop_back();
      finish(done, stack.back(), ns);
    }
  }
  while (stack.size() > 1) {
    Frame done = std::move(stack.back());
    stack.pop_back();
    finish(done, stack.back(), ns);
  }
  std::string out = std::move(stack.front().out);
  trim_newlines(out);
  while (!out.empty() && out.back() == '\\') out.pop_back();  // a trailing <br>
  return out;
}

std::string strip_reply_fallback(std::string_view body) {
  if (body.rfind("> <", 0) != 0) return std::string(body);
  std::size_t i = 0;
  while (i < body.size() && body[i] == '>') {
    const auto nl = body.find('\n', i);
    i = nl == std::string_view::npos ? body.size() : nl + 1;
  }
  if (i < body.size() && body[i] == '\n') ++i;
  return std::string(body.substr(i));
}

std::optional<std::string> hub_markdown(const json& content, const UserNamespace& ns, std::size_t max_bytes) {
  if (!content.is_object()) return std::nullopt;
  const auto body = content.find("body");
  if (body == content.end() || !body->is_string()) return std::nullopt;
  std::string text;
  const auto format = content.find("format");
  const auto formatted = content.find("formatted_body");
  if (format != content.end() && *format == "org.matrix.custom.html" && formatted != content.end() &&
      formatted->is_string())
    text = markdown_from_html(formatted->get_ref<const std::string&>(), ns);
  if (text.empty()) {
    std::string plain = valid_utf8(body->get_ref<const std::string&>());
    const auto relates = content.find("m.relates_to");
    if (relates != content.end() && relates->is_object() && relates->contains("m.in_reply_to"))
      plain = strip_reply_fallback(plain);
    text = escape_markdown(plain);
    trim_newlines(text);
  }
  if (text.empty()) return std::nullopt;
  if (string_field(content, "msgtype") == "m.emote") text = "*" + text + "*";
  return std::string(utf8_prefix(text, max_bytes));
}

}  // namespace hub::bridge::matrix
