// The mail policy as one table: role × relation × action → allowed or refused. Everyone but the
// anonymous actor and the stranger belongs to cohort 1; "same cohort" is cohort 1, "other cohort" 2.
#include <catch2/catch.hpp>

#include "hub/mail/policy.hpp"

using namespace hub::mail;
using hub::auth::Actor;
using hub::auth::Role;

namespace {

enum class Who { admin, mentor, member, stranger, anonymous };
enum class Rel { self, same_cohort, other_cohort };
enum class Act { own_preferences, run_mail };

constexpr std::int64_t kActorId = 10, kSameCohort = 1;

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

bool allowed(const Actor& a, Rel, Act act) {
  switch (act) {
    case Act::own_preferences: return can_manage_own_mail(a);
    case Act::run_mail: return can_run_mail(a);
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
  for (const Row& row : kTable) {
    INFO("who " << int(row.who) << ", relation " << int(row.rel) << ", action " << int(row.act));
    CHECK(allowed(actor(row.who), row.rel, row.act) == row.allowed);
  }
}

TEST_CASE("mail policy: an admin role without a user id is nobody") {
  Actor ghost{0, Role::admin, {}};
  CHECK_FALSE(can_run_mail(ghost));
  CHECK_FALSE(can_manage_own_mail(ghost));
}
