#include "bridge/matrix/html_tokens.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

namespace hub::bridge::matrix {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '.';
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    out += kReplacement;
  } else if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the character references a chat client writes; anything else stays as written.
std::string decode_entities(std::string_view s) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kNamed{{
      {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", "\xC2\xA0"}}};
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const auto semi = s.find(';', i + 1);
    if (semi == std::string_view::npos || semi - i > 12) {
      out += '&';
      continue;
    }
    const std::string_view ref = s.substr(i + 1, semi - i - 1);
    bool done = false;
    if (ref.size() > 1 && ref[0] == '#') {
      const bool hex = ref[1] == 'x' || ref[1] == 'X';
      const std::string_view digits = ref.substr(hex ? 2 : 1);
      std::uint32_t cp = 0;
      bool ok = !digits.empty() && digits.size() <= 8;
      for (char c : digits) {
        const auto u = static_cast<unsigned char>(c);
        if (hex && std::isxdigit(u)) cp = cp * 16 + static_cast<std::uint32_t>(std::isdigit(u) ? c - '0' : lower(c) - 'a' + 10);
        else if (!hex && std::isdigit(u)) cp = cp * 10 + static_cast<std::uint32_t>(c - '0');
        else ok = false;
      }
      if (ok) {
        append_utf8(out, cp);
        done = true;
      }
    } else {
      for (const auto& [name, value] : kNamed)
        if (ref == name) {
          out += value;
          done = true;
        }
    }
    if (done) i = semi;
    else out += '&';
  }
  return out;
}

}  // namespace

std::string_view HtmlToken::attribute(std::string_view wanted) const {
  for (const auto& [n, v] : attributes)
    if (n == wanted) return v;
  return {};
}

bool is_raw_text_element(std::string_view name) {
  return name == "script" || name == "style" || name == "textarea" || name == "title";
}

bool is_void_element(std::string_view name) {
  return name == "br" || name == "hr" || name == "img" || name == "input" || name == "meta" || name == "link" ||
         name == "wbr" || name == "area" || name == "base" || name == "col" || name == "embed" || name == "source";
}

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0, min = 0;
    if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07, min = 0x10000;
    bool ok = len != 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      else cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

std::vector<HtmlToken> tokenize_html(std::string_view input) {
  const std::string html = valid_utf8(input);
  const std::string_view s = html;
  std::vector<HtmlToken> out;
  std::string text;
  auto flush_text = [&](bool raw) {
    if (text.empty()) return;
    HtmlToken t;
    t.text = decode_entities(text);
    t.raw = raw;
    out.push_back(std::move(t));
    text.clear();
  };
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '<') {
      text += s[i++];
      continue;
    }
    // Comments, doctypes and processing instructions go, content and all.
    if (s.substr(i, 4) == "<!--") {
      flush_text(false);
      const auto end = s.find("-->", i + 4);
      i = end == std::string_view::npos ? s.size() : end + 3;
      continue;
    }
    if (i + 1 < s.size() && (s[i + 1] == '!' || s[i + 1] == '?')) {
      flush_text(false);
      const auto end = s.find('>', i);
      i = end == std::string_view::npos ? s.size() : end + 1;
      continue;
    }
    const bool closing = i + 1 < s.size() && s[i + 1] == '/';
    std::size_t j = i + (closing ? 2 : 1);
    if (j >= s.size() || !std::isalpha(static_cast<unsigned char>(s[j]))) {
      text += s[i++];  // a lone '<' is text
      continue;
    }
    flush_text(false);
    HtmlToken tag;
    tag.kind = closing ? HtmlToken::Kind::close : HtmlToken::Kind::open;
    while (j < s.size() && is_name_char(s[j])) tag.name += lower(s[j++]);
    // Attributes: name, name=value, name="value", name='value'.
    while (j < s.size() && s[j] != '>') {
      if (is_space(s[j]) || s[j] == '/') {  // "<br/>" and "<img ... />" close themselves
        ++j;
        continue;
      }
      std::string name;
      while (j < s.size() && !is_space(s[j]) && s[j] != '=' && s[j] != '>' && s[j] != '/') name += lower(s[j++]);
      if (name.empty()) {
        ++j;
        continue;
      }
      std::string value;
      if (j < s.size() && s[j] == '=') {
        ++j;
        if (j < s.size() && (s[j] == '"' || s[j] == '\'')) {
          const char quote = s[j++];
          const auto end = s.find(quote, j);
          const std::size_t stop = end == std::string_view::npos ? s.size() : end;
          value = decode_entities(s.substr(j, stop - j));
          j = stop == s.size() ? stop : stop + 1;
        } else {
          std::string raw;
          while (j < s.size() && !is_space(s[j]) && s[j] != '>') raw += s[j++];
          value = decode_entities(raw);
        }
      }
      tag.attributes.emplace_back(std::move(name), std::move(value));
    }
    i = j < s.size() ? j + 1 : s.size();
    const std::string name = tag.name;
    const bool opens_raw = tag.kind == HtmlToken::Kind::open && is_raw_text_element(name);
    out.push_back(std::move(tag));
    if (opens_raw) {
      // Everything up to the matching end tag is raw text, whatever it looks like.
      std::size_t end = i;
      for (;;) {
        end = s.find("</", end);
        if (end == std::string_view::npos) break;
        std::string candidate;
        for (std::size_t k = end + 2; k < s.size() && k < end + 2 + name.size(); ++k) candidate += lower(s[k]);
        if (candidate == name) break;
        end += 2;
      }
      text.assign(s.substr(i, (end == std::string_view::npos ? s.size() : end) - i));
      flush_text(true);
      i = end == std::string_view::npos ? s.size() : end;
    }
  }
  flush_text(false);
  return out;
}

}  // namespace hub::bridge::matrix
