// The accounts policy as one table: role × relation × action → allowed or refused.
// Everyone but the anonymous actor and the stranger belongs to cohort 1; "same cohort" targets
// cohort 1 (or a user in it), "other cohort" cohort 2 (or a user in it), "self" the actor.
#include <catch2/catch.hpp>

#include "hub/auth/policy.hpp"

using namespace hub::auth;

namespace {

enum class Who { admin, mentor, member, stranger, anonymous };
enum class Rel { self, same_cohort, other_cohort, no_cohort };
enum class Act { invite_member, invite_mentor, invite_admin, list_all_invites, list_own_invites, use_own_account,
                 revoke_token, revoke_invite, change_role };

constexpr std::int64_t kActorId = 10, kSameCohort = 1, kOtherCohort = 2;
constexpr std::int64_t kUserInSameCohort = 11, kUserInOtherCohort = 12;

Actor actor(Who who) {
  switch (who) {
    case Who::admin: return {kActorId, Role::admin, {kSameCohort}};
    case Who::mentor: return {kActorId, Role::mentor, {kSameCohort}};
    case Who::member: return {kActorId, Role::member, {kSameCohort}};
    case Who::stranger: return {kActorId, Role::member, {}};
    case Who::anonymous: break;
  }
  return Actor::anonymous();
}

std::optional<std::int64_t> cohort(Rel rel) {
  if (rel == Rel::same_cohort) return kSameCohort;
  if (rel == Rel::other_cohort) return kOtherCohort;
  return std::nullopt;
}

std::int64_t user(Rel rel) {
  if (rel == Rel::self) return kActorId;
  return rel == Rel::same_cohort ? kUserInSameCohort : kUserInOtherCohort;
}

bool allowed(const Actor& a, Rel rel, Act act) {
  switch (act) {
    case Act::invite_member: return invite_refusal(a, Role::member, cohort(rel)) == InviteRefusal::none;
    case Act::invite_mentor: return invite_refusal(a, Role::mentor, cohort(rel)) == InviteRefusal::none;
    case Act::invite_admin: return invite_refusal(a, Role::admin, cohort(rel)) == InviteRefusal::none;
    case Act::list_all_invites: return invite_scope(a) == InviteScope::all;
    case Act::list_own_invites: return invite_scope(a) != InviteScope::none;
    case Act::use_own_account: return can_use_own_account(a);
    case Act::revoke_token: return can_revoke_token(a, user(rel));
    case Act::revoke_invite: return can_revoke_invite(a, user(rel));  // an invite made by `rel`
    case Act::change_role: return can_change_role(a, user(rel));
  }
  return false;
}

struct Row {
  Who who;
  Rel rel;
  Act act;
  bool allowed;
};

constexpr bool yes = true, no = false;

// clang-format off
const Row kTable[] = {
  // who              relation           action                   allowed
  {Who::admin,     Rel::same_cohort,  Act::invite_member,      yes},
  {Who::admin,     Rel::other_cohort, Act::invite_member,      yes},
  {Who::admin,     Rel::no_cohort,    Act::invite_member,      yes},
  {Who::admin,     Rel::same_cohort,  Act::invite_mentor,      yes},
  {Who::admin,     Rel::other_cohort, Act::invite_mentor,      yes},
  {Who::admin,     Rel::no_cohort,    Act::invite_admin,       yes},
  {Who::admin,     Rel::other_cohort, Act::invite_admin,       yes},
  {Who::admin,     Rel::self,         Act::list_all_invites,   yes},
  {Who::admin,     Rel::self,         Act::list_own_invites,   yes},
  {Who::admin,     Rel::self,         Act::use_own_account,    yes},
  {Who::admin,     Rel::self,         Act::revoke_token,       yes},
  {Who::admin,     Rel::same_cohort,  Act::revoke_token,       no },
  {Who::admin,     Rel::other_cohort, Act::revoke_token,       no },
  {Who::admin,     Rel::self,         Act::revoke_invite,      yes},
  {Who::admin,     Rel::same_cohort,  Act::revoke_invite,      yes},
  {Who::admin,     Rel::other_cohort, Act::revoke_invite,      yes},
  {Who::admin,     Rel::self,         Act::change_role,        no },
  {Who::admin,     Rel::same_cohort,  Act::change_role,        yes},
  {Who::admin,     Rel::other_cohort, Act::change_role,        yes},

  {Who::mentor,    Rel::same_cohort,  Act::invite_member,      yes},
  {Who::mentor,    Rel::other_cohort, Act::invite_member,      no },
  {Who::mentor,    Rel::no_cohort,    Act::invite_member,      no },
  {Who::mentor,    Rel::same_cohort,  Act::invite_mentor,      no },
  {Who::mentor,    Rel::other_cohort, Act::invite_mentor,      no },
  {Who::mentor,    Rel::same_cohort,  Act::invite_admin,       no },
  {Who::mentor,    Rel::no_cohort,    Act::invite_admin,       no },
  {Who::mentor,    Rel::self,         Act::list_all_invites,   no },
  {Who::mentor,    Rel::self,         Act::list_own_invites,   yes},
  {Who::mentor,    Rel::self,         Act::use_own_account,    yes},
  {Who::mentor,    Rel::self,         Act::revoke_token,       yes},
  {Who::mentor,    Rel::same_cohort,  Act::revoke_token,       no },
  {Who::mentor,    Rel::other_cohort, Act::revoke_token,       no },
  {Who::mentor,    Rel::self,         Act::revoke_invite,      yes},
  {Who::mentor,    Rel::same_cohort,  Act::revoke_invite,      no },
  {Who::mentor,    Rel::other_cohort, Act::revoke_invite,      no },
  {Who::mentor,    Rel::self,         Act::change_role,        no },
  {Who::mentor,    Rel::same_cohort,  Act::change_role,        no },
  {Who::mentor,    Rel::other_cohort, Act::change_role,        no },

  {Who::member,    Rel::same_cohort,  Act::invite_member,      no },
  {Who::member,    Rel::other_cohort, Act::invite_member,      no },
  {Who::member,    Rel::no_cohort,    Act::invite_member,      no },
  {Who::member,    Rel::same_cohort,  Act::invite_mentor,      no },
  {Who::member,    Rel::no_cohort,    Act::invite_admin,       no },
  {Who::member,    Rel::self,         Act::list_all_invites,   no },
  {Who::member,    Rel::self,         Act::list_own_invites,   no },
  {Who::member,    Rel::self,         Act::use_own_account,    yes},
  {Who::member,    Rel::self,         Act::revoke_token,       yes},
  {Who::member,    Rel::same_cohort,  Act::revoke_token,       no },
  {Who::member,    Rel::other_cohort, Act::revoke_token,       no },
  {Who::member,    Rel::self,         Act::revoke_invite,      no },
  {Who::member,    Rel::same_cohort,  Act::revoke_invite,      no },
  {Who::member,    Rel::other_cohort, Act::revoke_invite,      no },
  {Who::member,    Rel::self,         Act::change_role,        no },
  {Who::member,    Rel::same_cohort,  Act::change_role,        no },
  {Who::member,    Rel::other_cohort, Act::change_role,        no },

  {Who::stranger,  Rel::same_cohort,  Act::invite_member,      no },
  {Who::stranger,  Rel::other_cohort, Act::invite_member,      no },
  {Who::stranger,  Rel::no_cohort,    Act::invite_admin,       no },
  {Who::stranger,  Rel::self,         Act::list_own_invites,   no },
  {Who::stranger,  Rel::self,         Act::use_own_account,    yes},
  {Who::stranger,  Rel::self,         Act::revoke_token,       yes},
  {Who::stranger,  Rel::same_cohort,  Act::revoke_token,       no },
  {Who::stranger,  Rel::other_cohort, Act::revoke_token,       no },
  {Who::stranger,  Rel::self,         Act::revoke_invite,      no },
  {Who::stranger,  Rel::same_cohort,  Act::revoke_invite,      no },
  {Who::stranger,  Rel::other_cohort, Act::revoke_invite,      no },
  {Who::stranger,  Rel::self,         Act::change_role,        no },
  {Who::stranger,  Rel::same_cohort,  Act::change_role,        no },
  {Who::stranger,  Rel::other_cohort, Act::change_role,        no },

  {Who::anonymous, Rel::same_cohort,  Act::invite_member,      no },
  {Who::anonymous, Rel::no_cohort,    Act::invite_admin,       no },
  {Who::anonymous, Rel::self,         Act::list_own_invites,   no },
  {Who::anonymous, Rel::self,         Act::use_own_account,    no },
  {Who::anonymous, Rel::self,         Act::revoke_token,       no },
  {Who::anonymous, Rel::same_cohort,  Act::revoke_token,       no },
  {Who::anonymous, Rel::other_cohort, Act::revoke_token,       no },
  {Who::anonymous, Rel::self,         Act::revoke_invite,      no },
  {Who::anonymous, Rel::same_cohort,  Act::revoke_invite,      no },
  {Who::anonymous, Rel::other_cohort, Act::revoke_invite,      no },
  {Who::anonymous, Rel::self,         Act::change_role,        no },
  {Who::anonymous, Rel::same_cohort,  Act::change_role,        no },
  {Who::anonymous, Rel::other_cohort, Act::change_role,        no },
};
// clang-format on

}  // namespace

TEST_CASE("accounts policy: the role x relation x action table") {
  int n = 0;
  for (const Row& row : kTable) {
    INFO("row " << n++ << ": who " << int(row.who) << ", relation " << int(row.rel) << ", action " << int(row.act));
    CHECK(allowed(actor(row.who), row.rel, row.act) == row.allowed);
  }
}

TEST_CASE("accounts policy: a mentor's refusals say why") {
  Actor mentor = actor(Who::mentor);
  CHECK(invite_refusal(mentor, Role::mentor, kSameCohort) == InviteRefusal::role_too_high);
  CHECK(invite_refusal(mentor, Role::member, std::nullopt) == InviteRefusal::cohort_required);
  CHECK(invite_refusal(mentor, Role::member, kOtherCohort) == InviteRefusal::not_their_cohort);
  CHECK(invite_refusal(actor(Who::member), Role::member, kSameCohort) == InviteRefusal::not_an_inviter);
}

TEST_CASE("accounts policy: roles read from principals; unknown roles can do nothing") {
  hub::http::Principal p;
  p.user_id = 5;
  p.role = "mentor";
  CHECK(Actor::of(p, {3}).role == Role::mentor);
  CHECK(Actor::of(p, {3}).in_cohort(3));
  p.role = "root";
  CHECK_FALSE(Actor::of(p).signed_in());
  CHECK(role_name(Role::admin) == "admin");
  CHECK(role_from("member") == Role::member);
}
