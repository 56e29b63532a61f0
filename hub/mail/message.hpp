// A mail message: what a module asks to send (a Draft), checked and built into the exact bytes
// that will be sent (a Prepared message), multipart text and HTML through the shared safe renderer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "hub/mail/address.hpp"

namespace hub::mail {

// Who the hub's mail comes from. `from_address` has passed check_address.
struct Identity {
  std::string from_address;
  std::string from_name;
};

struct Draft {
  std::string kind;                      // "invitation", "digest", "mention", "review", "mentor_summary", "test"
  std::optional<std::int64_t> user_id;   // the recipient's account, when they have one
  std::string to_address;
  std::string to_name;                   // may be empty
  std::string subject;
  std::string markdown;                  // the body: the text part as written, the HTML part rendered
  std::string unsubscribe_url;           // RFC 8058 one-click target (POST); empty: none
  std::string unsubscribe_page_url;      // a page a person can open from the footer; empty: none
  std::string preferences_url;           // the Account page, named in the footer; empty: none
};

// A message ready for the outbox: its bytes are final, so a retry sends exactly the same message.
struct Prepared {
  std::string kind;
  std::optional<std::int64_t> user_id;
  std::string recipient;
  std::string message_id;  // without angle brackets; stable across retries
  std::string mime;        // CRLF line endings
};

inline constexpr std::size_t kMaxSubjectBytes = 200;
inline constexpr std::size_t kMaxNameBytes = 100;

// Checks the recipient, display name and subject (invalid_field naming "to", "name" or "subject")
// and builds the message dated `now`. Pure CPU work: call it off the network thread.
Result<Prepared> prepare_message(const Draft& draft, const Identity& from, std::int64_t now);

// The first line of a member's text (a title), at most `max_bytes` and cut at a character
// boundary, as plain words: the characters Markdown would interpret become spaces.
std::string plain_line(std::string_view text, std::size_t max_bytes = 80);
// `body` as a Markdown block quote, at most `max_bytes` of it, cut at a character boundary.
std::string markdown_quote(std::string_view body, std::size_t max_bytes);

// The renderer's HTML with every image replaced by its alt text: mail loads nothing remote.
std::string without_images(std::string_view html);

// RFC 5322 date, e.g. "Tue, 15 Jan 2030 08:00:00 +0000".
std::string format_mail_date(std::int64_t unix_seconds);

}  // namespace hub::mail
