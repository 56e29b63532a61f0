#include "hub/mail/message.hpp"

#include <algorithm>
#include <ctime>

#include "hub/http/random_hex.hpp"
#include "hub/markdown/html_escape.hpp"
#include "hub/markdown/renderer.hpp"

namespace hub::mail {
namespace {

// LF (or CRLF) line endings to CRLF, as SMTP wants them.
std::string crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 40);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') continue;
    if (text[i] == '\n') out += '\r';
    out += text[i];
  }
  return out;
}

std::string footer_markdown(const Draft& d) {
  std::string out;
  if (!d.preferences_url.empty()) out += "Choose which mail you get on your [Account page](<" + d.preferences_url + ">).";
  if (!d.unsubscribe_page_url.empty())
    out += std::string(out.empty() ? "" : " ") + "[Unsubscribe from this kind of mail](<" + d.unsubscribe_page_url + ">).";
  return out;
}

}  // namespace

namespace {

// The length of text[0, max_bytes) cut back to a character boundary.
std::size_t utf8_cut(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text.size();
  std::size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return n;
}

}  // namespace

std::string plain_line(std::string_view text, std::size_t max_bytes) {
  text = text.substr(0, std::min(text.find_first_of("\r\n"), text.size()));
  std::string line(text.substr(0, utf8_cut(text, max_bytes)));
  for (char& ch : line)
    if (std::string_view("*_`[]<>#!|\\").find(ch) != std::string_view::npos) ch = ' ';
  return line;
}

std::string markdown_quote(std::string_view body, std::size_t max_bytes) {
  const std::size_t cut = utf8_cut(body, max_bytes);
  std::string out = "> ";
  for (char ch : body.substr(0, cut)) {
    out += ch;
    if (ch == '\n') out += "> ";
  }
  if (cut < body.size()) out += " …";
  return out;
}

std::string without_images(std::string_view html) {
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    const auto start = html.find("<img", pos);
    if (start == std::string_view::npos) break;
    const auto end = html.find('>', start);
    if (end == std::string_view::npos) break;
    out.append(html.substr(pos, start - pos));
    const std::string_view tag = html.substr(start, end - start);
    if (auto alt = tag.find(" alt=\""); alt != std::string_view::npos) {
      const auto value = alt + 6, close = tag.find('"', value);
      if (close != std::string_view::npos) out.append(tag.substr(value, close - value));
    }
    pos = end + 1;
  }
  out.append(html.substr(pos));
  return out;
}

std::string format_mail_date(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

Result<Prepared> prepare_message(const Draft& d, const Identity& from, std::int64_t now) {
  if (auto s = check_address(d.to_address, "to"); !s) return s.error();
  if (auto s = check_header_text(d.to_name, "name", kMaxNameBytes); !s) return s.error();
  if (auto s = check_header_text(d.subject, "subject", kMaxSubjectBytes); !s) return s.error();
  if (d.subject.empty()) return ApiError::invalid_field("subject", "subject must not be empty.");
  for (const std::string* url : {&d.unsubscribe_url, &d.unsubscribe_page_url, &d.preferences_url})
    if (auto s = check_header_text(*url, "url", 2048); !s) return s.error();

  Prepared p;
  p.kind = d.kind;
  p.user_id = d.user_id;
  p.recipient = d.to_address;
  p.message_id = http::random_hex(16) + "@" + from.from_address.substr(from.from_address.rfind('@') + 1);

  const std::string footer = footer_markdown(d);
  const std::string text = d.markdown + (footer.empty() ? "" : "\n\n-- \n" + footer + "\n");
  std::string html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + markdown::escape_html(d.subject) +
                     "</title></head>\n<body>\n" + without_images(markdown::render_html(d.markdown));
  if (!footer.empty()) html += "<hr>\n<footer>" + without_images(markdown::render_html(footer)) + "</footer>\n";
  html += "</body></html>\n";

  const std::string boundary = "=_cohorthub_" + http::random_hex(12);
  std::string& m = p.mime;
  m += "From: " + format_mailbox(from.from_name, from.from_address) + "\r\n";
  m += "To: " + format_mailbox(d.to_name, d.to_address) + "\r\n";
  m += "Subject: " + encode_header_text(d.subject) + "\r\n";
  m += "Date: " + format_mail_date(now) + "\r\n";
  m += "Message-ID: <" + p.message_id + ">\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Auto-Submitted: auto-generated\r\n";
  if (!d.unsubscribe_url.empty()) {
    m += "List-Unsubscribe: <" + d.unsubscribe_url + ">\r\n";
    m += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
  }
  m += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  m += "--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  m += base64(crlf(text), true);
  m += "--" + boundary + "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  m += base64(crlf(html), true);
  m += "--" + boundary + "--\r\n";
  return p;
}

}  // namespace hub::mail
