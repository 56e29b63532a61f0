// Mails the reviewers of a proposal when a version of it starts awaiting review. playbooks may
// not use hub/mail (DESIGN.md's arrows), so hub/mail implements this and the Hub wires it in, as
// it does auth::InviteMailer.
#pragma once

#include <cstdint>

#include "hub/http/error.hpp"
#include "hub/store/connection.hpp"

namespace hub::playbooks {

class ReviewRequestMailer {
 public:
  virtual ~ReviewRequestMailer() = default;
  // Version `version` of proposal `proposal_id`, on a playbook that requires review, was just
  // opened or submitted. Queues the mail inside the caller's write transaction, so the proposal
  // and its mail commit or roll back together; returns how many messages were queued.
  virtual http::Result<int> queue(store::Connection& db, std::int64_t proposal_id, int version,
                                  std::int64_t now) const = 0;
  // After the transaction has committed: start sending.
  virtual void wake() const = 0;
};

}  // namespace hub::playbooks
