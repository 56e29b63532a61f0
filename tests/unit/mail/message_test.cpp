// Messages: what may go into a header, and the exact bytes of a multipart message.
#include <catch2/catch.hpp>

#include "hub/auth/secrets.hpp"
#include "hub/mail/message.hpp"
#include "hub/mail/unsubscribe_token.hpp"

using namespace hub::mail;

namespace {

const Identity kFrom{"hub@example.org", "Cohort Hub"};

Draft sample() {
  Draft d;
  d.kind = "mentions";
  d.user_id = 7;
  d.to_address = "ada@example.org";
  d.to_name = "Ada Lovelace";
  d.subject = "You were mentioned in #general";
  d.markdown = "**sam** wrote: hello @ada ![tracker](https://evil.example/pixel.gif) see [the doc](https://example.org/doc)";
  d.unsubscribe_url = "https://hub.example.org/api/unsubscribe?token=abc";
  d.unsubscribe_page_url = "https://hub.example.org/unsubscribe?token=abc";
  d.preferences_url = "https://hub.example.org/account";
  return d;
}

// The decoded body of the part with `content_type`.
std::string part(const std::string& mime, const std::string& content_type) {
  auto at = mime.find("Content-Type: " + content_type);
  REQUIRE(at != std::string::npos);
  auto start = mime.find("\r\n\r\n", at) + 4, end = mime.find("--=_cohorthub_", start);
  std::string b64;
  for (char ch : mime.substr(start, end - start))
    if (ch != '\r' && ch != '\n') b64 += ch;
  // base64 to base64url, padding dropped, for the shared decoder
  for (auto& ch : b64) ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  std::string out;
  REQUIRE(hub::auth::base64url_decode(b64, out));
  return out;
}

std::string header(const std::string& mime, const std::string& name) {
  auto at = mime.find("\r\n" + name + ": ");
  if (mime.rfind(name + ": ", 0) == 0) at = 0;
  else if (at == std::string::npos) return "";
  else at += 2;
  auto start = at + name.size() + 2;
  return mime.substr(start, mime.find("\r\n", start) - start);
}

}  // namespace

TEST_CASE("mail addresses: malformed ones and those over 254 characters are refused, naming the field") {
  for (const char* ok : {"ada@example.org", "a.b+tag@mail.example.co.uk", "x_y-z@sub-domain.example"})
    CHECK(check_address(ok, "to").ok());
  for (const char* bad : {"", "ada", "ada@", "@example.org", "ada@example", "ada@@example.org", "a b@example.org",
                          "ada@exa mple.org", ".ada@example.org", "a..b@example.org", "ada@-example.org",
                          "\"ada\"@example.org", "ada@example.org\r\nBcc: x@evil.example", "ada@[127.0.0.1]"}) {
    INFO(bad);
    auto s = check_address(bad, "to");
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().status == 400);
    CHECK(s.error().field == "to");
  }
  const std::string long_local(64, 'a');
  std::string domain;
  while (domain.size() < 200) domain += std::string(40, 'd') + ".";
  domain += "org";
  const std::string too_long = long_local + "@" + domain;
  REQUIRE(too_long.size() > 254);
  CHECK(check_address(too_long, "to").error().message.find("254") != std::string::npos);
  CHECK_FALSE(check_address(std::string(65, 'a') + "@example.org", "to").ok());
}

TEST_CASE("mail headers: CR, LF and other control characters in a name or subject are refused, nothing is built") {
  for (const char* bad : {"Hi\r\nBcc: victim@example.org", "Hi\nX: y", "Hi\rthere", "tab\there", "nul\x01"}) {
    INFO(bad);
    Draft d = sample();
    d.subject = bad;
    auto m = prepare_message(d, kFrom, 1'800'000'000);
    REQUIRE_FALSE(m.ok());
    CHECK(m.error().field == "subject");
    d = sample();
    d.to_name = bad;
    m = prepare_message(d, kFrom, 1'800'000'000);
    REQUIRE_FALSE(m.ok());
    CHECK(m.error().field == "name");
  }
  Draft d = sample();
  d.subject = "bad utf-8 \xff";
  CHECK(prepare_message(d, kFrom, 1'800'000'000).error().field == "subject");
  d = sample();
  d.to_address = "not-an-address";
  CHECK(prepare_message(d, kFrom, 1'800'000'000).error().field == "to");
}

TEST_CASE("mail messages: multipart text and HTML, one-click unsubscribe headers, no remote images") {
  auto m = prepare_message(sample(), kFrom, 1'800'000'000);
  REQUIRE(m.ok());
  const std::string& mime = m->mime;
  CHECK(header(mime, "From") == "Cohort Hub <hub@example.org>");
  CHECK(header(mime, "To") == "Ada Lovelace <ada@example.org>");
  CHECK(header(mime, "Subject") == "You were mentioned in #general");
  CHECK(header(mime, "Date") == "Fri, 15 Jan 2027 08:00:00 +0000");
  CHECK(header(mime, "Message-ID") == "<" + m->message_id + ">");
  CHECK(m->message_id.size() > 32);
  CHECK(m->message_id.substr(m->message_id.size() - 12) == "@example.org");
  CHECK(header(mime, "List-Unsubscribe") == "<https://hub.example.org/api/unsubscribe?token=abc>");
  CHECK(header(mime, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click");
  CHECK(header(mime, "Content-Type").rfind("multipart/alternative; boundary=", 0) == 0);
  // Every line ends in CRLF and none is longer than SMTP allows.
  for (std::size_t i = 0, next; i < mime.size(); i = next + 1) {
    next = mime.find('\n', i);
    REQUIRE(next != std::string::npos);
    REQUIRE(next > i);
    CHECK(mime[next - 1] == '\r');
    CHECK(next - i <= 998);
  }
  const std::string text = part(mime, "text/plain"), html = part(mime, "text/html");
  CHECK(text.find("**sam** wrote: hello @ada") != std::string::npos);
  CHECK(text.find("https://hub.example.org/unsubscribe?token=abc") != std::string::npos);
  CHECK(html.find("<strong>sam</strong>") != std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("pixel.gif") == std::string::npos);
  CHECK(html.find("tracker") != std::string::npos);  // the alt text stays
  CHECK(html.find("href=\"https://example.org/doc\"") != std::string::npos);  // links are not rewritten
  CHECK(html.find("href=\"https://hub.example.org/account\"") != std::string::npos);

  // Markdown's raw HTML never reaches the HTML part.
  Draft d = sample();
  d.markdown = "<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1))";
  auto unsafe = prepare_message(d, kFrom, 1'800'000'000);
  REQUIRE(unsafe.ok());
  const std::string h = part(unsafe->mime, "text/html");
  CHECK(h.find("<script") == std::string::npos);
  CHECK(h.find("onerror") == std::string::npos);
  CHECK(h.find("javascript:") == std::string::npos);
}

TEST_CASE("mail headers: non-ASCII names and subjects are RFC 2047 encoded words") {
  Draft d = sample();
  d.to_name = "Zoë Ågren";
  d.subject = "Résumé of the week — 5 threads";
  auto m = prepare_message(d, kFrom, 1'800'000'000);
  REQUIRE(m.ok());
  CHECK(header(m->mime, "Subject").rfind("=?UTF-8?B?", 0) == 0);
  CHECK(header(m->mime, "To").find("<ada@example.org>") != std::string::npos);
  CHECK(encode_header_text("plain") == "plain");
  CHECK(format_mailbox("Doe, John", "j@example.org") == "\"Doe, John\" <j@example.org>");
  CHECK(format_mailbox("", "j@example.org") == "j@example.org");
}

TEST_CASE("unsubscribe tokens: signed per user and kind, forged, altered and expired ones are refused") {
  UnsubscribeSigner signer(std::string(43, 'k'));
  const std::int64_t now = 1'800'000'000;
  auto token = signer.sign(7, "digest", now + 100);
  auto claim = signer.verify(token, now);
  REQUIRE(claim.ok());
  CHECK(claim->user_id == 7);
  CHECK(claim->kind == "digest");
  CHECK(signer.sign(7, "digest", now + 100) != token);  // each has its own nonce

  // Another kind or user with the same signature: refused.
  auto swap = [&](const std::string& from, const std::string& to) {
    std::string t = token;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  CHECK_FALSE(signer.verify(swap(".digest.", ".mentions."), now).ok());
  CHECK_FALSE(signer.verify(swap("v1.7.", "v1.8."), now).ok());
  CHECK_FALSE(signer.verify(token.substr(0, token.size() - 2) + "AA", now).ok());
  CHECK_FALSE(UnsubscribeSigner(std::string(43, 'x')).verify(token, now).ok());
  CHECK_FALSE(signer.verify("", now).ok());
  CHECK_FALSE(signer.verify("v1.7.digest", now).ok());
  CHECK_FALSE(signer.verify(signer.sign(7, "nonsense", now + 100), now).ok());
  auto expired = signer.verify(token, now + 100);
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.error().status == 400);
  CHECK(expired.error().message.find("expired") != std::string::npos);
}

TEST_CASE("plain_line and markdown_quote: members' text cut at a character boundary, never mid-character") {
  const std::string title = std::string(79, 'a') + "\xE2\x82\xAC more";  // the euro sign spans bytes 79 to 81
  CHECK(plain_line(title) == std::string(79, 'a'));
  CHECK(plain_line("*Bold* [link]\nsecond line") == " Bold   link ");
  CHECK(plain_line("one\r\ntwo") == "one");
  CHECK(markdown_quote("first\nsecond", 100) == "> first\n> second");
  CHECK(markdown_quote("ab\xE2\x82\xAC", 3) == "> ab …");
  CHECK(markdown_quote("ab\xE2\x82\xAC", 5) == "> ab\xE2\x82\xAC");
}
