// Who may do what with accounts: pure functions over plain facts about the actor, so every
// access decision of the Accounts routes is here and tested as one table
// (tests/unit/auth/policy_test.cpp). Other modules' policies reuse Actor.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "hub/http/router.hpp"

namespace hub::auth {

enum class Role { anonymous, member, mentor, admin };

// "admin" | "mentor" | "member"; anything else is anonymous (it can do nothing).
Role role_from(std::string_view name);
std::string_view role_name(Role role);

// The facts a policy needs about whoever asks. Handlers gather them (cohort_ids from the DB).
struct Actor {
  std::int64_t user_id = 0;        // 0 for anonymous
  Role role = Role::anonymous;
  std::vector<std::int64_t> cohort_ids;  // the cohorts the actor is a member of

  static Actor anonymous() { return {}; }
  static Actor of(const http::Principal& who, std::vector<std::int64_t> cohort_ids = {});
  // A role without a user is nobody: both facts must be there.
  bool signed_in() const { return role != Role::anonymous && user_id != 0; }
  bool is_admin() const { return role == Role::admin; }
  bool in_cohort(std::int64_t cohort_id) const;
};

// Why an invite is refused; `none` allows it.
enum class InviteRefusal { none, not_an_inviter, role_too_high, cohort_required, not_their_cohort };
// Admins invite any role into any cohort (or none); mentors invite members only, into a cohort
// they belong to; nobody else invites.
InviteRefusal invite_refusal(const Actor& actor, Role invited, std::optional<std::int64_t> cohort_id);

// Which invites the actor may list: all (admins), their own (mentors), none (everyone else).
enum class InviteScope { none, own, all };
InviteScope invite_scope(const Actor& actor);

// Revoking an unused invite: admins any, mentors the ones they made, nobody else.
bool can_revoke_invite(const Actor& actor, std::int64_t invite_creator_id);

// Changing someone's role: admins, and never their own (an admin cannot lock the hub out).
bool can_change_role(const Actor& actor, std::int64_t user_id);

// /api/me and creating or listing one's own API tokens: anyone signed in.
bool can_use_own_account(const Actor& actor);
// A token is revoked by its owner only, admins included.
bool can_revoke_token(const Actor& actor, std::int64_t token_owner_id);

}  // namespace hub::auth
