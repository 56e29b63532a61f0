// Who may do what with the Slack connector: pure functions over auth::Actor, tested as one table
// (the slack_credentials rows of tests/unit/bridge/policy_test.cpp). The Events API route has no actor: Slack's signature
// over the raw body is its credential (signature.hpp), checked before any handler runs.
#pragma once

#include "hub/auth/policy.hpp"

namespace hub::bridge::slack {

// PUT /api/bridge/slack/credentials: admins, write-only (nobody reads a stored secret back).
bool can_set_slack_credentials(const auth::Actor& actor);

}  // namespace hub::bridge::slack
