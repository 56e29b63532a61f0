#include "hub/cohorts/policy.hpp"

namespace hub::cohorts {

bool can_create_cohort(const auth::Actor& actor) { return actor.is_admin(); }

bool can_see_cohort(const auth::Actor& actor, std::int64_t cohort_id) {
  return actor.is_admin() || (actor.signed_in() && actor.in_cohort(cohort_id));
}

bool can_list_every_cohort(const auth::Actor& actor) { return actor.is_admin(); }

// Membership is the admins' to manage: invites decide who joins, and a mentor who could remove
// members could take a cohort away from its own members' live streams.
bool can_add_member(const auth::Actor& actor, std::int64_t) { return actor.is_admin(); }

bool can_remove_member(const auth::Actor& actor, std::int64_t, std::int64_t) { return actor.is_admin(); }

}  // namespace hub::cohorts
