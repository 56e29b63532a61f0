#include "hub/mail/address.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace hub::mail {
namespace {

bool is_atext(unsigned char ch) {
  if (std::isalnum(ch)) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(ch)) != std::string_view::npos;
}

bool is_label(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(),
                     [](unsigned char ch) { return std::isalnum(ch) || ch == '-'; });
}

// The length of the UTF-8 sequence starting at `s[i]`, or 0 when it is not valid UTF-8.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return 0;
  return n;
}

}  // namespace

Status check_address(std::string_view address, const char* field) {
  auto bad = [field](const std::string& why) { return ApiError::invalid_field(field, std::string(field) + " " + why); };
  if (address.size() > kMaxAddressLength)
    return bad("is longer than " + std::to_string(kMaxAddressLength) + " characters.");
  const auto at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size())
    return bad("must be an email address such as ada@example.org.");
  const std::string_view local = address.substr(0, at), domain = address.substr(at + 1);
  if (local.size() > 64) return bad("has a local part longer than 64 characters.");
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos ||
      !std::all_of(local.begin(), local.end(), [](unsigned char ch) { return ch == '.' || is_atext(ch); }))
    return bad("must be an email address such as ada@example.org (no spaces, quotes or control characters).");
  std::size_t labels = 0, start = 0;
  for (;;) {
    const auto dot = domain.find('.', start);
    if (!is_label(domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start)))
      return bad("has an invalid domain.");
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels < 2) return bad("needs a domain such as example.org.");
  return http::Ok{};
}

Status check_header_text(std::string_view text, const char* field, std::size_t max) {
  if (text.size() > max)
    return ApiError::invalid_field(field, std::string(field) + " is longer than " + std::to_string(max) + " bytes.");
  for (std::size_t i = 0; i < text.size();) {
    const auto n = utf8_length(text, i);
    if (n == 0) return ApiError::invalid_field(field, std::string(field) + " is not valid UTF-8.");
    const auto b = static_cast<unsigned char>(text[i]);
    if (n == 1 && (b < 0x20 || b == 0x7F))
      return ApiError::invalid_field(field, std::string(field) + " must not contain line breaks or control characters.");
    i += n;
  }
  return http::Ok{};
}

std::string base64(std::string_view bytes, bool wrap) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve(bytes.size() * 4 / 3 + bytes.size() / 38 + 8);
  std::size_t line = 0;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[v & 63] : '=';
    if (wrap && (line += 4) == 76) {
      out += "\r\n";
      line = 0;
    }
  }
  if (wrap && line) out += "\r\n";
  return out;
}

std::string encode_header_text(std::string_view text) {
  const bool plain = std::all_of(text.begin(), text.end(), [](unsigned char ch) { return ch >= 0x20 && ch < 0x7F; });
  if (plain && text.find("=?") == std::string_view::npos) return std::string(text);
  // Encoded words of at most 75 characters: 45 bytes of UTF-8 each, never splitting a character.
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t end = i;
    while (end < text.size()) {
      const auto n = utf8_length(text, end);
      if (n == 0 || end + n - i > 45) break;
      end += n;
    }
    if (end == i) end = i + 1;  // unreachable after check_header_text; keeps the loop finite
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(text.substr(i, end - i), false) + "?=";
    i = end;
  }
  return out;
}

std::string format_mailbox(std::string_view name, std::string_view address) {
  if (name.empty()) return std::string(address);
  const bool needs_quotes = std::any_of(name.begin(), name.end(), [](unsigned char ch) {
    return std::string_view("()<>[]:;@\\,.\"").find(static_cast<char>(ch)) != std::string_view::npos;
  });
  std::string encoded = encode_header_text(name);
  if (encoded == name && needs_quotes) {
    std::string quoted = "\"";
    for (char ch : name) {
      if (ch == '"' || ch == '\\') quoted += '\\';
      quoted += ch;
    }
    encoded = quoted + "\"";
  }
  return encoded + " <" + std::string(address) + ">";
}

}  // namespace hub::mail
