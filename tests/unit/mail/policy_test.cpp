// The mail policy as one table: role × relation × action → allowed or refused. Everyone but the
// anonymous actor and the stranger belongs to cohort 1; "same cohort" is cohort 1, "other cohort" 2.
#include <catch2/catch.hpp>

#include "hub/mail/policy.hpp"
#include "tests/unit/support/policy_table.hpp"

using namespace hub::mail;
using hub::auth::Actor;
using hub::auth::Role;

using namespace hub::testing::policy_table;

namespace {

enum class Act { own_preferences, run_mail };


bool allowed(const Actor& a, Rel, Act act) {
  switch (act) {
    case Act::own_preferences: return can_manage_own_mail(a);
    case Act::run_mail: return can_run_mail(a);
  }
  return false;
}

using Row = hub::testing::policy_table::Row<Act>;

// own_preferences: GET/PUT /api/me/mail. run_mail: GET /api/admin/mail/outbox and
// POST /api/admin/mail/outbox/{id}/retry and POST /api/admin/mail/digests. Mailed invites (POST /api/invites with
// `email`) follow the invite rows of tests/unit/auth/policy_test.cpp.
// clang-format off
const Row kTable[] = {
  // who              relation           action                   allowed
  {Who::admin,     Rel::self,         Act::own_preferences,    yes},
  {Who::admin,     Rel::self,         Act::run_mail,           yes},
  {Who::mentor,    Rel::self,         Act::own_preferences,    yes},
  {Who::mentor,    Rel::self,         Act::run_mail,           no},
  {Who::member,    Rel::self,         Act::own_preferences,    yes},
  {Who::member,    Rel::self,         Act::run_mail,           no},
  {Who::stranger,  Rel::self,         Act::own_preferences,    yes},
  {Who::stranger,  Rel::self,         Act::run_mail,           no},
  {Who::anonymous, Rel::self,         Act::own_preferences,    no},
  {Who::anonymous, Rel::self,         Act::run_mail,           no},
};
// clang-format on

}  // namespace

TEST_CASE("mail policy: the whole role × relation × action table") {
  check_table(kTable, allowed);
}

TEST_CASE("mail policy: an admin role without a user id is nobody") {
  Actor ghost{0, Role::admin, {}};
  CHECK_FALSE(can_run_mail(ghost));
  CHECK_FALSE(can_manage_own_mail(ghost));
}
