// The cohorts policy as one table: role × relation × action → allowed or refused.
// Everyone but the anonymous actor and the stranger belongs to cohort 1; "same cohort" is cohort 1
// (or a user in it), "other cohort" cohort 2 (or a user in it), "self" the actor in cohort 1.
#include <catch2/catch.hpp>

#include "hub/cohorts/policy.hpp"
#include "tests/unit/support/policy_table.hpp"

using namespace hub::cohorts;
using hub::auth::Actor;
using hub::auth::Role;

using namespace hub::testing::policy_table;

namespace {

enum class Act { create, see, list_every, add_member, remove_member };


std::int64_t cohort(Rel rel) { return rel == Rel::other_cohort ? kOtherCohort : kSameCohort; }
std::int64_t user(Rel rel) { return rel == Rel::self ? kActorId : 20 + cohort(rel); }

bool allowed(const Actor& a, Rel rel, Act act) {
  switch (act) {
    case Act::create: return can_create_cohort(a);
    case Act::see: return can_see_cohort(a, cohort(rel));
    case Act::list_every: return can_list_every_cohort(a);
    case Act::add_member: return can_add_member(a, cohort(rel));
    case Act::remove_member: return can_remove_member(a, cohort(rel), user(rel));
  }
  return false;
}

using Row = hub::testing::policy_table::Row<Act>;

// "see" covers GET /api/cohorts/{id}, its member list, and the items of GET /api/cohorts.
// clang-format off
const Row kTable[] = {
  // who              relation           action              allowed
  {Who::admin,     Rel::self,         Act::create,        yes},
  {Who::admin,     Rel::same_cohort,  Act::see,           yes},
  {Who::admin,     Rel::other_cohort, Act::see,           yes},
  {Who::admin,     Rel::self,         Act::list_every,    yes},
  {Who::admin,     Rel::same_cohort,  Act::add_member,    yes},
  {Who::admin,     Rel::other_cohort, Act::add_member,    yes},
  {Who::admin,     Rel::self,         Act::remove_member, yes},
  {Who::admin,     Rel::same_cohort,  Act::remove_member, yes},
  {Who::admin,     Rel::other_cohort, Act::remove_member, yes},

  {Who::mentor,    Rel::self,         Act::create,        no },
  {Who::mentor,    Rel::same_cohort,  Act::see,           yes},
  {Who::mentor,    Rel::other_cohort, Act::see,           no },
  {Who::mentor,    Rel::self,         Act::list_every,    no },
  {Who::mentor,    Rel::same_cohort,  Act::add_member,    no },
  {Who::mentor,    Rel::other_cohort, Act::add_member,    no },
  {Who::mentor,    Rel::self,         Act::remove_member, no },
  {Who::mentor,    Rel::same_cohort,  Act::remove_member, no },
  {Who::mentor,    Rel::other_cohort, Act::remove_member, no },

  {Who::member,    Rel::self,         Act::create,        no },
  {Who::member,    Rel::same_cohort,  Act::see,           yes},
  {Who::member,    Rel::other_cohort, Act::see,           no },
  {Who::member,    Rel::self,         Act::list_every,    no },
  {Who::member,    Rel::same_cohort,  Act::add_member,    no },
  {Who::member,    Rel::self,         Act::remove_member, no },
  {Who::member,    Rel::same_cohort,  Act::remove_member, no },
  {Who::member,    Rel::other_cohort, Act::remove_member, no },

  {Who::stranger,  Rel::self,         Act::create,        no },
  {Who::stranger,  Rel::same_cohort,  Act::see,           no },
  {Who::stranger,  Rel::other_cohort, Act::see,           no },
  {Who::stranger,  Rel::self,         Act::list_every,    no },
  {Who::stranger,  Rel::same_cohort,  Act::add_member,    no },
  {Who::stranger,  Rel::same_cohort,  Act::remove_member, no },

  {Who::anonymous, Rel::self,         Act::create,        no },
  {Who::anonymous, Rel::same_cohort,  Act::see,           no },
  {Who::anonymous, Rel::other_cohort, Act::see,           no },
  {Who::anonymous, Rel::self,         Act::list_every,    no },
  {Who::anonymous, Rel::same_cohort,  Act::add_member,    no },
  {Who::anonymous, Rel::same_cohort,  Act::remove_member, no },
};
// clang-format on

}  // namespace

TEST_CASE("cohorts policy: the role x relation x action table") {
  check_table(kTable, allowed);
}
