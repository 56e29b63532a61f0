// What safe rendered HTML may contain, checked tag by tag: the XSS tests and the fuzz test share it.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "hub/markdown/renderer.hpp"

namespace hub::testing {

// Decodes the entities cmark writes (&amp; &lt; &gt; &quot; &#NN; &#xNN;).
inline std::string html_unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    auto semi = s.find(';', i);
    if (semi == std::string_view::npos) {
      out.push_back('&');
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp") out += '&';
    else if (ent == "lt") out += '<';
    else if (ent == "gt") out += '>';
    else if (ent == "quot") out += '"';
    else if (!ent.empty() && ent[0] == '#') {
      long code = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X') ? std::strtol(std::string(ent.substr(2)).c_str(), nullptr, 16)
                                                                  : std::strtol(std::string(ent.substr(1)).c_str(), nullptr, 10);
      out += code > 0 && code < 128 ? static_cast<char>(code) : '?';
    } else {
      out += std::string(s.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

// Empty when `html` is safe; else the first problem found. Every '<' must open an allowed tag
// (or cmark's "raw HTML omitted" comment), attributes must be allowed ones, and every href or src
// must pass the URL allowlist once its entities and percent-escapes of the scheme are decoded.
inline std::string unsafe_html(std::string_view html) {
  static const std::set<std::string> tags = {
      "p", "a", "img", "em", "strong", "code", "pre", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
      "blockquote", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "del", "input"};
  static const std::set<std::string> attributes = {"href", "src", "alt", "title", "class", "type",
                                                   "checked", "disabled", "align", "start"};
  for (std::size_t i = html.find('<'); i != std::string_view::npos; i = html.find('<', i + 1)) {
    constexpr std::string_view omitted = "<!-- raw HTML omitted -->";
    if (html.substr(i, omitted.size()) == omitted) continue;
    std::size_t end = html.find('>', i);
    if (end == std::string_view::npos) return "unclosed tag at " + std::to_string(i);
    std::string_view tag = html.substr(i + 1, end - i - 1);
    if (!tag.empty() && tag[0] == '/') tag.remove_prefix(1);
    if (!tag.empty() && tag.back() == '/') tag.remove_suffix(1);
    std::size_t name_end = tag.find_first_of(" \t\n");
    std::string name(tag.substr(0, name_end));
    if (!tags.count(name)) return "tag <" + name + ">";
    // Attributes: name="value" pairs; cmark always quotes with " and escapes " inside.
    std::string_view rest = name_end == std::string_view::npos ? "" : tag.substr(name_end);
    while (true) {
      std::size_t a = rest.find_first_not_of(" \t\n");
      if (a == std::string_view::npos) break;
      rest.remove_prefix(a);
      std::size_t eq = rest.find_first_of("= \t\n");
      std::string attr(rest.substr(0, eq));
      if (!attributes.count(attr)) return "attribute " + attr + " on <" + name + ">";
      if (eq == std::string_view::npos || rest[eq] != '=') {
        rest.remove_prefix(attr.size());
        continue;
      }
      if (eq + 1 >= rest.size() || rest[eq + 1] != '"') return "unquoted attribute " + attr;
      std::size_t close = rest.find('"', eq + 2);
      if (close == std::string_view::npos) return "unterminated attribute " + attr;
      std::string value = html_unescape(rest.substr(eq + 2, close - eq - 2));
      if ((attr == "href" || attr == "src") && !markdown::is_safe_url(value, attr == "src"))
        return attr + "=\"" + value + "\"";
      rest.remove_prefix(close + 1);
    }
  }
  return "";
}

}  // namespace hub::testing
