// Who may do what with mail: pure functions over auth::Actor, tested as one table
// (tests/unit/mail/policy_test.cpp). Unsubscribing needs no actor at all: the signed token is the
// credential, and it names the one preference it may change.
#pragma once

#include <cstdint>
#include <optional>

#include "hub/auth/policy.hpp"

namespace hub::mail {

// GET/PUT /api/me/mail: anyone signed in, for themselves only.
bool can_manage_own_mail(const auth::Actor& actor);
// GET /api/admin/mail/outbox, retrying a parked message, queueing digests now: admins.
bool can_run_mail(const auth::Actor& actor);

}  // namespace hub::mail
