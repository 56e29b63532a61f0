// Mails an invitation link, for `POST /api/invites` with `email` (API.md). hub/auth may not use
// hub/mail (DESIGN.md's arrows), so hub/mail implements this and the Hub wires it in.
#pragma once

#include <cstdint>
#include <string>

#include "hub/http/error.hpp"
#include "hub/store/connection.hpp"

namespace hub::auth {

struct InviteLetter {
  std::string email;           // passed check()
  std::string name;            // the invitee's display name, may be empty; passed check()
  std::string code;            // the invite code the link carries
  std::string role;            // member, mentor or admin
  std::string inviter_handle;
  std::int64_t expires = 0;    // unix seconds
};

class InviteMailer {
 public:
  virtual ~InviteMailer() = default;
  // Before anything is written: 409 when mail is off, 400 naming `email` or `name` when either
  // is malformed or could inject a header.
  virtual http::Status check(const std::string& email, const std::string& name) const = 0;
  // Queues the mail inside the caller's write transaction (so the invite and its mail commit or
  // roll back together); returns the message's Message-ID.
  virtual http::Result<std::string> queue(store::Connection& db, const InviteLetter& letter,
                                          std::int64_t now) const = 0;
  // After the transaction has committed: start sending.
  virtual void wake() const = 0;
};

}  // namespace hub::auth
