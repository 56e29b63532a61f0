// The accounts policy as one table: role × relation × action → allowed or refused.
// Everyone but the anonymous actor and the stranger belongs to cohort 1; "same cohort" targets
// cohort 1 (or a user in it), "other cohort" cohort 2 (or a user in it), "self" the actor.
#include <catch2/catch.hpp>

#include "hub/auth/policy.hpp"
#include "tests/unit/support/policy_table.hpp"

using namespace hub::auth;

using namespace hub::testing::policy_table;

namespace {

enum class Relation { self, same_cohort, other_cohort, no_cohort };
enum class Act { invite_member, invite_mentor, invite_admin, list_all_invites, list_own_invites, use_own_account,
                 revoke_token, revoke_invite, change_role };

constexpr std::int64_t kUserInSameCohort = 11, kUserInOtherCohort = 12;

std::optional<std::int64_t> cohort(Relation rel) {
  if (rel == Relation::same_cohort) return kSameCohort;
  if (rel == Relation::other_cohort) return kOtherCohort;
  return std::nullopt;
}

std::int64_t user(Relation rel) {
  if (rel == Relation::self) return kActorId;
  return rel == Relation::same_cohort ? kUserInSameCohort : kUserInOtherCohort;
}

bool allowed(const Actor& a, Relation rel, Act act) {
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

using Row = hub::testing::policy_table::Row<Act, Relation>;

// clang-format off
const Row kTable[] = {
  // who              relation           action                   allowed
  {Who::admin,     Relation::same_cohort,  Act::invite_member,      yes},
  {Who::admin,     Relation::other_cohort, Act::invite_member,      yes},
  {Who::admin,     Relation::no_cohort,    Act::invite_member,      yes},
  {Who::admin,     Relation::same_cohort,  Act::invite_mentor,      yes},
  {Who::admin,     Relation::other_cohort, Act::invite_mentor,      yes},
  {Who::admin,     Relation::no_cohort,    Act::invite_admin,       yes},
  {Who::admin,     Relation::other_cohort, Act::invite_admin,       yes},
  {Who::admin,     Relation::self,         Act::list_all_invites,   yes},
  {Who::admin,     Relation::self,         Act::list_own_invites,   yes},
  {Who::admin,     Relation::self,         Act::use_own_account,    yes},
  {Who::admin,     Relation::self,         Act::revoke_token,       yes},
  {Who::admin,     Relation::same_cohort,  Act::revoke_token,       no },
  {Who::admin,     Relation::other_cohort, Act::revoke_token,       no },
  {Who::admin,     Relation::self,         Act::revoke_invite,      yes},
  {Who::admin,     Relation::same_cohort,  Act::revoke_invite,      yes},
  {Who::admin,     Relation::other_cohort, Act::revoke_invite,      yes},
  {Who::admin,     Relation::self,         Act::change_role,        no },
  {Who::admin,     Relation::same_cohort,  Act::change_role,        yes},
  {Who::admin,     Relation::other_cohort, Act::change_role,        yes},

  {Who::mentor,    Relation::same_cohort,  Act::invite_member,      yes},
  {Who::mentor,    Relation::other_cohort, Act::invite_member,      no },
  {Who::mentor,    Relation::no_cohort,    Act::invite_member,      no },
  {Who::mentor,    Relation::same_cohort,  Act::invite_mentor,      no },
  {Who::mentor,    Relation::other_cohort, Act::invite_mentor,      no },
  {Who::mentor,    Relation::same_cohort,  Act::invite_admin,       no },
  {Who::mentor,    Relation::no_cohort,    Act::invite_admin,       no },
  {Who::mentor,    Relation::self,         Act::list_all_invites,   no },
  {Who::mentor,    Relation::self,         Act::list_own_invites,   yes},
  {Who::mentor,    Relation::self,         Act::use_own_account,    yes},
  {Who::mentor,    Relation::self,         Act::revoke_token,       yes},
  {Who::mentor,    Relation::same_cohort,  Act::revoke_token,       no },
  {Who::mentor,    Relation::other_cohort, Act::revoke_token,       no },
  {Who::mentor,    Relation::self,         Act::revoke_invite,      yes},
  {Who::mentor,    Relation::same_cohort,  Act::revoke_invite,      no },
  {Who::mentor,    Relation::other_cohort, Act::revoke_invite,      no },
  {Who::mentor,    Relation::self,         Act::change_role,        no },
  {Who::mentor,    Relation::same_cohort,  Act::change_role,        no },
  {Who::mentor,    Relation::other_cohort, Act::change_role,        no },

  {Who::member,    Relation::same_cohort,  Act::invite_member,      no },
  {Who::member,    Relation::other_cohort, Act::invite_member,      no },
  {Who::member,    Relation::no_cohort,    Act::invite_member,      no },
  {Who::member,    Relation::same_cohort,  Act::invite_mentor,      no },
  {Who::member,    Relation::no_cohort,    Act::invite_admin,       no },
  {Who::member,    Relation::self,         Act::list_all_invites,   no },
  {Who::member,    Relation::self,         Act::list_own_invites,   no },
  {Who::member,    Relation::self,         Act::use_own_account,    yes},
  {Who::member,    Relation::self,         Act::revoke_token,       yes},
  {Who::member,    Relation::same_cohort,  Act::revoke_token,       no },
  {Who::member,    Relation::other_cohort, Act::revoke_token,       no },
  {Who::member,    Relation::self,         Act::revoke_invite,      no },
  {Who::member,    Relation::same_cohort,  Act::revoke_invite,      no },
  {Who::member,    Relation::other_cohort, Act::revoke_invite,      no },
  {Who::member,    Relation::self,         Act::change_role,        no },
  {Who::member,    Relation::same_cohort,  Act::change_role,        no },
  {Who::member,    Relation::other_cohort, Act::change_role,        no },

  {Who::stranger,  Relation::same_cohort,  Act::invite_member,      no },
  {Who::stranger,  Relation::other_cohort, Act::invite_member,      no },
  {Who::stranger,  Relation::no_cohort,    Act::invite_admin,       no },
  {Who::stranger,  Relation::self,         Act::list_own_invites,   no },
  {Who::stranger,  Relation::self,         Act::use_own_account,    yes},
  {Who::stranger,  Relation::self,         Act::revoke_token,       yes},
  {Who::stranger,  Relation::same_cohort,  Act::revoke_token,       no },
  {Who::stranger,  Relation::other_cohort, Act::revoke_token,       no },
  {Who::stranger,  Relation::self,         Act::revoke_invite,      no },
  {Who::stranger,  Relation::same_cohort,  Act::revoke_invite,      no },
  {Who::stranger,  Relation::other_cohort, Act::revoke_invite,      no },
  {Who::stranger,  Relation::self,         Act::change_role,        no },
  {Who::stranger,  Relation::same_cohort,  Act::change_role,        no },
  {Who::stranger,  Relation::other_cohort, Act::change_role,        no },

  {Who::anonymous, Relation::same_cohort,  Act::invite_member,      no },
  {Who::anonymous, Relation::no_cohort,    Act::invite_admin,       no },
  {Who::anonymous, Relation::self,         Act::list_own_invites,   no },
  {Who::anonymous, Relation::self,         Act::use_own_account,    no },
  {Who::anonymous, Relation::self,         Act::revoke_token,       no },
  {Who::anonymous, Relation::same_cohort,  Act::revoke_token,       no },
  {Who::anonymous, Relation::other_cohort, Act::revoke_token,       no },
  {Who::anonymous, Relation::self,         Act::revoke_invite,      no },
  {Who::anonymous, Relation::same_cohort,  Act::revoke_invite,      no },
  {Who::anonymous, Relation::other_cohort, Act::revoke_invite,      no },
  {Who::anonymous, Relation::self,         Act::change_role,        no },
  {Who::anonymous, Relation::same_cohort,  Act::change_role,        no },
  {Who::anonymous, Relation::other_cohort, Act::change_role,        no },
};
// clang-format on

}  // namespace

TEST_CASE("accounts policy: the role x relation x action table") {
  check_table(kTable, allowed);
}

TEST_CASE("accounts policy: a mentor's refusals say why") {
  Actor mentor = actor(Who::mentor);
  CHECK(invite_refusal(mentor, Role::mentor, kSameCohort) == InviteRefusal::role_too_high);
  CHECK(invite_refusal(mentor, Role::member, std::nullopt) == InviteRefusal::cohort_required);
  CHECK(invite_refusal(mentor, Role::member, kOtherCohort) == InviteRefusal::not_their_cohort);
  CHECK(invite_refusal(actor(Who::member), Role::member, kSameCohort) == InviteRefusal::not_an_inviter);
}

TEST_CASE("accounts policy: roles read from principals, unknown roles can do nothing") {
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
