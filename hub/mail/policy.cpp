#include "hub/mail/policy.hpp"

namespace hub::mail {

bool can_manage_own_mail(const auth::Actor& actor) { return actor.signed_in(); }

bool can_run_mail(const auth::Actor& actor) { return actor.signed_in() && actor.is_admin(); }

auth::InviteRefusal mail_invite_refusal(const auth::Actor& actor, auth::Role invited,
                                        std::optional<std::int64_t> cohort_id) {
  return auth::invite_refusal(actor, invited, cohort_id);
}

}  // namespace hub::mail
