// Who may see and change cohorts: pure functions over auth::Actor, tested as one table
// (tests/unit/cohorts/policy_test.cpp). A cohort the actor may not see does not exist for them.
#pragma once

#include <cstdint>

#include "hub/auth/policy.hpp"

namespace hub::cohorts {

bool can_create_cohort(const auth::Actor& actor);
// Admins see every cohort and its member list; a member sees the cohorts they belong to.
bool can_see_cohort(const auth::Actor& actor, std::int64_t cohort_id);
// Listing shows every cohort to admins, and to others only their own (can_see_cohort per item).
bool can_list_every_cohort(const auth::Actor& actor);
bool can_add_member(const auth::Actor& actor, std::int64_t cohort_id);
bool can_remove_member(const auth::Actor& actor, std::int64_t cohort_id, std::int64_t user_id);

}  // namespace hub::cohorts
