#include "hub/auth/policy.hpp"

#include <algorithm>

namespace hub::auth {

Role role_from(std::string_view name) {
  if (name == "admin") return Role::admin;
  if (name == "mentor") return Role::mentor;
  if (name == "member") return Role::member;
  return Role::anonymous;
}

std::string_view role_name(Role role) {
  switch (role) {
    case Role::admin: return "admin";
    case Role::mentor: return "mentor";
    case Role::member: return "member";
    case Role::anonymous: break;
  }
  return "anonymous";
}

Actor Actor::of(const http::Principal& who, std::vector<std::int64_t> cohort_ids) {
  return Actor{who.user_id, role_from(who.role), std::move(cohort_ids)};
}

bool Actor::in_cohort(std::int64_t cohort_id) const {
  return std::find(cohort_ids.begin(), cohort_ids.end(), cohort_id) != cohort_ids.end();
}

InviteRefusal invite_refusal(const Actor& actor, Role invited, std::optional<std::int64_t> cohort_id) {
  if (actor.role == Role::admin) return InviteRefusal::none;
  if (actor.role != Role::mentor) return InviteRefusal::not_an_inviter;
  if (invited != Role::member) return InviteRefusal::role_too_high;
  if (!cohort_id) return InviteRefusal::cohort_required;
  if (!actor.in_cohort(*cohort_id)) return InviteRefusal::not_their_cohort;
  return InviteRefusal::none;
}

InviteScope invite_scope(const Actor& actor) {
  if (actor.role == Role::admin) return InviteScope::all;
  if (actor.role == Role::mentor) return InviteScope::own;
  return InviteScope::none;
}

bool can_revoke_invite(const Actor& actor, std::int64_t invite_creator_id) {
  const InviteScope scope = invite_scope(actor);
  return actor.signed_in() && (scope == InviteScope::all || (scope == InviteScope::own && invite_creator_id == actor.user_id));
}

bool can_change_role(const Actor& actor, std::int64_t user_id) {
  return actor.signed_in() && actor.is_admin() && user_id != actor.user_id;
}

bool can_use_own_account(const Actor& actor) { return actor.signed_in(); }

bool can_revoke_token(const Actor& actor, std::int64_t token_owner_id) {
  return actor.signed_in() && actor.user_id == token_owner_id;
}

}  // namespace hub::auth
