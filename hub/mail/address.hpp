// What may go into a mail header: addresses, display names and subjects, checked before anything
// is queued, so that bad input is a 4xx and never a header injection.
#pragma once

#include <string>
#include <string_view>

#include "hub/http/error.hpp"

namespace hub::mail {

using http::ApiError;
using http::Result;
using http::Status;

inline constexpr std::size_t kMaxAddressLength = 254;  // RFC 5321's path limit less the brackets

// `local@domain`: a dot-atom local part of at most 64 characters and a domain of at least two
// labels of letters, digits and hyphens. Quoted local parts and address literals are refused.
// Errors are invalid_field naming `field`.
Status check_address(std::string_view address, const char* field);

// A display name or subject: at most `max` bytes of valid UTF-8 with no control characters
// (CR and LF included, so no header can be injected).
Status check_header_text(std::string_view text, const char* field, std::size_t max);

// `text` as a header value: itself when printable ASCII, else RFC 2047 encoded words (UTF-8, base64).
// REQUIRES: check_header_text(text) passed.
std::string encode_header_text(std::string_view text);

// `"Name" <address>` with the name encoded as needed; just the address when the name is empty.
std::string format_mailbox(std::string_view name, std::string_view address);

// Base64 of `bytes`, in lines of at most 76 characters ending in CRLF when `wrap`.
std::string base64(std::string_view bytes, bool wrap);

}  // namespace hub::mail
