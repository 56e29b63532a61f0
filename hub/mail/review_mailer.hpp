// Immediate mail for a review request: when a proposal on a playbook that requires review is
// opened, or a new version of it is submitted, each member the playbooks policy lets review it
// (never its author) who asked for this mail gets one message. It is queued in the proposal's
// own write transaction (playbooks calls through ReviewRequestMailer) and sent by the outbox.
#pragma once

#include <cstdint>

#include "hub/auth/membership.hpp"
#include "playbooks/review_request_mailer.hpp"

namespace hub::mail {

class MailModule;

class ReviewMailer final : public playbooks::ReviewRequestMailer {
 public:
  // All references must outlive this object.
  ReviewMailer(const MailModule& mail, auth::Membership& membership) : mail_(mail), membership_(membership) {}

  // Nothing when mail is off, or when the proposal is no longer open at `version`. Skips those
  // who already reviewed that version. Runs on the DB writer: a message is a few small queries
  // and one Markdown rendering per opted-in member.
  http::Result<int> queue(store::Connection& db, std::int64_t proposal_id, int version,
                          std::int64_t now) const override;
  void wake() const override;

 private:
  const MailModule& mail_;
  auth::Membership& membership_;
};

}  // namespace hub::mail
