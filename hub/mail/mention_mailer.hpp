// Immediate mail for a mention: members who asked for it get one message per new message that
// mentions them, in a channel they can read (discussion's policy decides). It follows the
// discussion tables with a durable cursor: the messages queued and the cursor move in one write
// transaction, so a mention is mailed once, even across a restart.
#pragma once

#include <cstdint>

#include "hub/auth/membership.hpp"
#include "hub/store/executor.hpp"

namespace hub::mail {

class MailModule;

class MentionMailer {
 public:
  // All references must outlive this object.
  MentionMailer(store::Executor& db, const MailModule& mail, auth::Membership& membership);

  // Queues mail for the mentions in messages posted since the last call (at most a batch of
  // them); returns how many messages were queued. Blocking: the mail thread's work, never the
  // network thread's. The first call only starts the cursor at the newest message.
  int run_once();

 private:
  store::Executor& db_;
  const MailModule& mail_;
  auth::Membership& membership_;
};

}  // namespace hub::mail
