// The scaffolding every module's policy table test shares: the five kinds of actor, the
// relations to the target, a row type, and the loop that checks a whole table. Everyone but the
// anonymous actor and the stranger belongs to cohort kSameCohort; "other cohort" is kOtherCohort.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>

#include "hub/auth/policy.hpp"

namespace hub::testing::policy_table {

enum class Who { admin, mentor, member, stranger, anonymous };
enum class Rel { self, same_cohort, other_cohort };

inline constexpr std::int64_t kActorId = 10, kSameCohort = 1, kOtherCohort = 2;
inline constexpr bool yes = true, no = false;

inline auth::Actor actor(Who who) {
  switch (who) {
    case Who::admin: return {kActorId, auth::Role::admin, {kSameCohort}};
    case Who::mentor: return {kActorId, auth::Role::mentor, {kSameCohort}};
    case Who::member: return {kActorId, auth::Role::member, {kSameCohort}};
    case Who::stranger: return {kActorId, auth::Role::member, {}};
    case Who::anonymous: break;
  }
  return auth::Actor::anonymous();
}

inline const char* who_name(Who who) {
  switch (who) {
    case Who::admin: return "admin";
    case Who::mentor: return "mentor";
    case Who::member: return "member";
    case Who::stranger: return "stranger";
    case Who::anonymous: return "anonymous";
  }
  return "?";
}

// One row of a table: `who`, related to the target by `rel`, doing `act`, is allowed or not. A
// module with relations of its own (e.g. "no cohort") passes its own `Relation` enum.
template <class Act, class Relation = Rel>
struct Row {
  Who who;
  Relation rel;
  Act act;
  bool allowed;
};

// Checks every row: `allowed(actor, rel, act)` must give the row's answer.
template <class Act, class Relation, std::size_t N, class Allowed>
void check_table(const Row<Act, Relation> (&table)[N], Allowed allowed) {
  int n = 0;
  for (const auto& row : table) {
    INFO("row " << n++ << ": who " << who_name(row.who) << ", relation " << int(row.rel) << ", action "
                << int(row.act));
    CHECK(allowed(actor(row.who), row.rel, row.act) == row.allowed);
  }
}

}  // namespace hub::testing::policy_table
