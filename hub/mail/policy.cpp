#include "hub/mail/policy.hpp"

namespace hub::mail {

bool can_manage_own_mail(const auth::Actor& actor) { return actor.signed_in(); }

bool can_run_mail(const auth::Actor& actor) { return actor.signed_in() && actor.is_admin(); }

}  // namespace hub::mail
