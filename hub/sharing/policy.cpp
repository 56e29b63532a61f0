#include "hub/sharing/policy.hpp"

namespace hub::sharing {

bool allows(const Actor& actor, Action action, const Target& target) {
  if (!actor.signed_in()) return false;
  switch (action) {
    case Action::create_engagement:
    case Action::list_engagements:
    case Action::read_engagement:
    case Action::update_engagement:
    case Action::delete_engagement:
    case Action::record_renewal:
      return target.owner_id == actor.user_id;
    case Action::read_rates:
    case Action::read_position:
      return true;
    case Action::close_wave:
      return actor.role == Role::admin;
    case Action::read_success:
      return actor.role == Role::admin || actor.in_cohort(target.cohort_id);
  }
  return false;
}

}  // namespace hub::sharing
