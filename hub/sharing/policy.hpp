// Who may do what with engagements, rates, waves and cohort success: every access decision of the
// sharing routes is made here, over plain facts, and stated as one table in
// tests/unit/sharing/policy_test.cpp. Handlers gather the facts and ask.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "hub/auth/policy.hpp"

namespace hub::sharing {

using auth::Actor;
using auth::Role;
using auth::role_from;

enum class Action {
  create_engagement,  // in the target owner's pipeline
  list_engagements,   // the target owner's pipeline
  read_engagement,
  update_engagement,
  delete_engagement,
  record_renewal,
  read_rates,
  read_position,
  close_wave,
  read_success,  // the target cohort's success
};

// What an action is about: an engagement's owner, or a cohort.
struct Target {
  std::int64_t owner_id = 0;
  std::int64_t cohort_id = 0;
};

// A member's pipeline is theirs alone (admins included: no one reads another member's row); the
// published rates are for anyone signed in; a cohort's success for its members and admins; only
// admins close a wave. Anonymous callers may do nothing.
bool allows(const Actor& actor, Action action, const Target& target = {});

}  // namespace hub::sharing
