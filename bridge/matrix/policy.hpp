// Who may use the Matrix appservice routes (PUT /_matrix/app/v1/transactions/{txnId} and the user
// and room queries): only the homeserver, by presenting the hs_token of the registration. No hub
// role grants them, and a session cookie is not a credential here (docs/access.md).
#pragma once

#include "hub/auth/policy.hpp"

namespace hub::bridge::matrix::policy {

bool may_call_appservice(const auth::Actor& actor, bool presents_hs_token);

}  // namespace hub::bridge::matrix::policy
