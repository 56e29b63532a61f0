// The playbooks and mentoring access rules, as one table: role × relation × action → allowed.
//
// The people: every signed-in role is in cohort 10 except the stranger (signed in, in no cohort).
// The relation names the other person an action is about (the mentee, the proposal's author, the
// dashboard's mentor): `self` is the actor, `same` a member of cohort 10, `other` a member of
// cohort 20. "M" is a mentor of cohort 10 other than the actor.
#include <catch2/catch.hpp>

#include <string>

#include "playbooks/policy.hpp"

using namespace hub::playbooks;

namespace {

enum class Role { admin, mentor, member, stranger, anonymous };

enum class Act {
  read_playbooks,
  create_playbook,
  propose,
  save_unreviewed,           // a direct save or revert, no approvals required
  save_reviewed,             // the same on a playbook that requires one approval
  retitle_unreviewed,        // change title or tags
  retitle_reviewed,
  raise_approvals,           // 0 → 1
  lower_approvals,           // 2 → 0
  read_settings_log,
  update_proposal,           // the other person wrote the proposal
  review_proposal,
  merge_proposal,
  close_proposal,
  pair_me_with,              // the actor as mentor, the other person as mentee
  pair_m_with,               // M as mentor, the other person as mentee
  end_pairing_of,            // M mentors the other person
  end_my_pairing_with,       // the actor mentors the other person
  see_every_pairing,
  assign_to_my_mentee,       // the actor mentors the other person
  assign_to_unpaired,
  read_assignment_by_m,      // M set it for the other person and still mentors them
  read_assignment_i_set,     // the actor set it and still mentors the other person
  read_assignment_i_set_after_pairing_ended,
  tick_item,                 // on an assignment M set for the other person
  list_assignments_of_my_mentee,
  list_assignments_of_unpaired,
  list_every_mentors_assignments_of,
  read_dashboard_of,         // the other person's mentor dashboard
};

constexpr bool Y = true, N = false;

struct Row {
  Act act;
  Role role;
  bool self, same, other;
};

// clang-format off
const Row kTable[] = {
  //  action                                          role              self same other
  {Act::read_playbooks,                          Role::admin,     Y, Y, Y},
  {Act::read_playbooks,                          Role::mentor,    Y, Y, Y},
  {Act::read_playbooks,                          Role::member,    Y, Y, Y},
  {Act::read_playbooks,                          Role::stranger,  Y, Y, Y},
  {Act::read_playbooks,                          Role::anonymous, N, N, N},
  {Act::create_playbook,                         Role::admin,     Y, Y, Y},
  {Act::create_playbook,                         Role::mentor,    Y, Y, Y},
  {Act::create_playbook,                         Role::member,    Y, Y, Y},
  {Act::create_playbook,                         Role::stranger,  Y, Y, Y},
  {Act::create_playbook,                         Role::anonymous, N, N, N},
  {Act::propose,                                 Role::admin,     Y, Y, Y},
  {Act::propose,                                 Role::mentor,    Y, Y, Y},
  {Act::propose,                                 Role::member,    Y, Y, Y},
  {Act::propose,                                 Role::stranger,  Y, Y, Y},
  {Act::propose,                                 Role::anonymous, N, N, N},
  {Act::save_unreviewed,                         Role::admin,     Y, Y, Y},
  {Act::save_unreviewed,                         Role::mentor,    Y, Y, Y},
  {Act::save_unreviewed,                         Role::member,    Y, Y, Y},
  {Act::save_unreviewed,                         Role::stranger,  Y, Y, Y},
  {Act::save_unreviewed,                         Role::anonymous, N, N, N},
  {Act::save_reviewed,                           Role::admin,     N, N, N},
  {Act::save_reviewed,                           Role::mentor,    N, N, N},
  {Act::save_reviewed,                           Role::member,    N, N, N},
  {Act::save_reviewed,                           Role::stranger,  N, N, N},
  {Act::save_reviewed,                           Role::anonymous, N, N, N},
  {Act::retitle_unreviewed,                      Role::admin,     Y, Y, Y},
  {Act::retitle_unreviewed,                      Role::mentor,    Y, Y, Y},
  {Act::retitle_unreviewed,                      Role::member,    Y, Y, Y},
  {Act::retitle_unreviewed,                      Role::stranger,  Y, Y, Y},
  {Act::retitle_unreviewed,                      Role::anonymous, N, N, N},
  {Act::retitle_reviewed,                        Role::admin,     N, N, N},
  {Act::retitle_reviewed,                        Role::mentor,    N, N, N},
  {Act::retitle_reviewed,                        Role::member,    N, N, N},
  {Act::retitle_reviewed,                        Role::stranger,  N, N, N},
  {Act::retitle_reviewed,                        Role::anonymous, N, N, N},
  {Act::raise_approvals,                         Role::admin,     Y, Y, Y},
  {Act::raise_approvals,                         Role::mentor,    Y, Y, Y},
  {Act::raise_approvals,                         Role::member,    N, N, N},
  {Act::raise_approvals,                         Role::stranger,  N, N, N},
  {Act::raise_approvals,                         Role::anonymous, N, N, N},
  {Act::lower_approvals,                         Role::admin,     Y, Y, Y},
  {Act::lower_approvals,                         Role::mentor,    N, N, N},
  {Act::lower_approvals,                         Role::member,    N, N, N},
  {Act::lower_approvals,                         Role::stranger,  N, N, N},
  {Act::lower_approvals,                         Role::anonymous, N, N, N},
  {Act::read_settings_log,                       Role::admin,     Y, Y, Y},
  {Act::read_settings_log,                       Role::mentor,    N, N, N},
  {Act::read_settings_log,                       Role::member,    N, N, N},
  {Act::read_settings_log,                       Role::stranger,  N, N, N},
  {Act::read_settings_log,                       Role::anonymous, N, N, N},
  {Act::update_proposal,                         Role::admin,     Y, N, N},
  {Act::update_proposal,                         Role::mentor,    Y, N, N},
  {Act::update_proposal,                         Role::member,    Y, N, N},
  {Act::update_proposal,                         Role::stranger,  Y, N, N},
  {Act::update_proposal,                         Role::anonymous, N, N, N},
  {Act::review_proposal,                         Role::admin,     N, Y, Y},
  {Act::review_proposal,                         Role::mentor,    N, Y, Y},
  {Act::review_proposal,                         Role::member,    N, Y, Y},
  {Act::review_proposal,                         Role::stranger,  N, Y, Y},
  {Act::review_proposal,                         Role::anonymous, N, N, N},
  {Act::merge_proposal,                          Role::admin,     Y, Y, Y},
  {Act::merge_proposal,                          Role::mentor,    Y, Y, Y},
  {Act::merge_proposal,                          Role::member,    Y, Y, Y},
  {Act::merge_proposal,                          Role::stranger,  Y, Y, Y},
  {Act::merge_proposal,                          Role::anonymous, N, N, N},
  {Act::close_proposal,                          Role::admin,     Y, Y, Y},
  {Act::close_proposal,                          Role::mentor,    Y, Y, Y},
  {Act::close_proposal,                          Role::member,    Y, N, N},
  {Act::close_proposal,                          Role::stranger,  Y, N, N},
  {Act::close_proposal,                          Role::anonymous, N, N, N},
  {Act::pair_me_with,                            Role::admin,     N, Y, N},
  {Act::pair_me_with,                            Role::mentor,    N, Y, N},
  {Act::pair_me_with,                            Role::member,    N, N, N},
  {Act::pair_me_with,                            Role::stranger,  N, N, N},
  {Act::pair_me_with,                            Role::anonymous, N, N, N},
  {Act::pair_m_with,                             Role::admin,     N, Y, N},
  {Act::pair_m_with,                             Role::mentor,    N, N, N},
  {Act::pair_m_with,                             Role::member,    N, N, N},
  {Act::pair_m_with,                             Role::stranger,  N, N, N},
  {Act::pair_m_with,                             Role::anonymous, N, N, N},
  {Act::end_pairing_of,                          Role::admin,     Y, Y, Y},
  {Act::end_pairing_of,                          Role::mentor,    Y, N, N},
  {Act::end_pairing_of,                          Role::member,    Y, N, N},
  {Act::end_pairing_of,                          Role::stranger,  Y, N, N},
  {Act::end_pairing_of,                          Role::anonymous, N, N, N},
  {Act::end_my_pairing_with,                     Role::admin,     Y, Y, Y},
  {Act::end_my_pairing_with,                     Role::mentor,    Y, Y, Y},
  {Act::end_my_pairing_with,                     Role::member,    Y, Y, Y},
  {Act::end_my_pairing_with,                     Role::stranger,  Y, Y, Y},
  {Act::end_my_pairing_with,                     Role::anonymous, N, N, N},
  {Act::see_every_pairing,                       Role::admin,     Y, Y, Y},
  {Act::see_every_pairing,                       Role::mentor,    N, N, N},
  {Act::see_every_pairing,                       Role::member,    N, N, N},
  {Act::see_every_pairing,                       Role::stranger,  N, N, N},
  {Act::see_every_pairing,                       Role::anonymous, N, N, N},
  {Act::assign_to_my_mentee,                     Role::admin,     Y, Y, Y},
  {Act::assign_to_my_mentee,                     Role::mentor,    Y, Y, Y},
  {Act::assign_to_my_mentee,                     Role::member,    N, N, N},
  {Act::assign_to_my_mentee,                     Role::stranger,  N, N, N},
  {Act::assign_to_my_mentee,                     Role::anonymous, N, N, N},
  {Act::assign_to_unpaired,                      Role::admin,     N, N, N},
  {Act::assign_to_unpaired,                      Role::mentor,    N, N, N},
  {Act::assign_to_unpaired,                      Role::member,    N, N, N},
  {Act::assign_to_unpaired,                      Role::stranger,  N, N, N},
  {Act::assign_to_unpaired,                      Role::anonymous, N, N, N},
  {Act::read_assignment_by_m,                    Role::admin,     Y, Y, Y},
  {Act::read_assignment_by_m,                    Role::mentor,    Y, N, N},
  {Act::read_assignment_by_m,                    Role::member,    Y, N, N},
  {Act::read_assignment_by_m,                    Role::stranger,  Y, N, N},
  {Act::read_assignment_by_m,                    Role::anonymous, N, N, N},
  {Act::read_assignment_i_set,                   Role::admin,     Y, Y, Y},
  {Act::read_assignment_i_set,                   Role::mentor,    Y, Y, Y},
  {Act::read_assignment_i_set,                   Role::member,    Y, Y, Y},
  {Act::read_assignment_i_set,                   Role::stranger,  Y, Y, Y},
  {Act::read_assignment_i_set,                   Role::anonymous, N, N, N},
  {Act::read_assignment_i_set_after_pairing_ended, Role::admin,   Y, Y, Y},
  {Act::read_assignment_i_set_after_pairing_ended, Role::mentor,  Y, N, N},
  {Act::read_assignment_i_set_after_pairing_ended, Role::member,  Y, N, N},
  {Act::read_assignment_i_set_after_pairing_ended, Role::stranger, Y, N, N},
  {Act::read_assignment_i_set_after_pairing_ended, Role::anonymous, N, N, N},
  {Act::tick_item,                               Role::admin,     Y, N, N},
  {Act::tick_item,                               Role::mentor,    Y, N, N},
  {Act::tick_item,                               Role::member,    Y, N, N},
  {Act::tick_item,                               Role::stranger,  Y, N, N},
  {Act::tick_item,                               Role::anonymous, N, N, N},
  {Act::list_assignments_of_my_mentee,           Role::admin,     Y, Y, Y},
  {Act::list_assignments_of_my_mentee,           Role::mentor,    Y, Y, Y},
  {Act::list_assignments_of_my_mentee,           Role::member,    Y, N, N},
  {Act::list_assignments_of_my_mentee,           Role::stranger,  Y, N, N},
  {Act::list_assignments_of_my_mentee,           Role::anonymous, N, N, N},
  {Act::list_assignments_of_unpaired,            Role::admin,     Y, Y, Y},
  {Act::list_assignments_of_unpaired,            Role::mentor,    Y, N, N},
  {Act::list_assignments_of_unpaired,            Role::member,    Y, N, N},
  {Act::list_assignments_of_unpaired,            Role::stranger,  Y, N, N},
  {Act::list_assignments_of_unpaired,            Role::anonymous, N, N, N},
  {Act::list_every_mentors_assignments_of,       Role::admin,     Y, Y, Y},
  {Act::list_every_mentors_assignments_of,       Role::mentor,    Y, N, N},
  {Act::list_every_mentors_assignments_of,       Role::member,    Y, N, N},
  {Act::list_every_mentors_assignments_of,       Role::stranger,  Y, N, N},
  {Act::list_every_mentors_assignments_of,       Role::anonymous, N, N, N},
  {Act::read_dashboard_of,                       Role::admin,     Y, Y, Y},
  {Act::read_dashboard_of,                       Role::mentor,    Y, N, N},
  {Act::read_dashboard_of,                       Role::member,    Y, N, N},
  {Act::read_dashboard_of,                       Role::stranger,  Y, N, N},
  {Act::read_dashboard_of,                       Role::anonymous, N, N, N},
};
// clang-format on

Actor actor_for(Role r) {
  switch (r) {
    case Role::admin: return {1, "admin", {10}};
    case Role::mentor: return {2, "mentor", {10}};
    case Role::member: return {3, "member", {10}};
    case Role::stranger: return {4, "member", {}};
    case Role::anonymous: return {};
  }
  return {};
}

const Actor kM{7, "mentor", {10}};

bool allowed(Act act, const Actor& a, const Actor& other) {
  switch (act) {
    case Act::read_playbooks: return can_read_playbooks(a);
    case Act::create_playbook: return can_create_playbook(a);
    case Act::propose: return can_propose(a);
    case Act::save_unreviewed: return can_edit_directly(a, 0);
    case Act::save_reviewed: return can_edit_directly(a, 1);
    case Act::retitle_unreviewed: return can_change_title_or_tags(a, 0);
    case Act::retitle_reviewed: return can_change_title_or_tags(a, 1);
    case Act::raise_approvals: return can_set_required_approvals(a, 0, 1);
    case Act::lower_approvals: return can_set_required_approvals(a, 2, 0);
    case Act::read_settings_log: return can_read_settings_log(a);
    case Act::update_proposal: return can_update_proposal(a, other.user_id);
    case Act::review_proposal: return can_review_proposal(a, other.user_id);
    case Act::merge_proposal: return can_merge_proposal(a);
    case Act::close_proposal: return can_close_proposal(a, other.user_id);
    case Act::pair_me_with: return can_pair(a, a, other);
    case Act::pair_m_with: return can_pair(a, kM, other);
    case Act::end_pairing_of: return can_end_pairing(a, kM.user_id, other.user_id);
    case Act::end_my_pairing_with: return can_end_pairing(a, a.user_id, other.user_id);
    case Act::see_every_pairing: return sees_every_pairing(a);
    case Act::assign_to_my_mentee: return can_assign(a, true);
    case Act::assign_to_unpaired: return can_assign(a, false);
    case Act::read_assignment_by_m: return can_read_assignment(a, {kM.user_id, other.user_id, true});
    case Act::read_assignment_i_set: return can_read_assignment(a, {a.user_id, other.user_id, true});
    case Act::read_assignment_i_set_after_pairing_ended:
      return can_read_assignment(a, {a.user_id, other.user_id, false});
    case Act::tick_item: return can_tick_item(a, {kM.user_id, other.user_id, true});
    case Act::list_assignments_of_my_mentee: return can_list_assignments_of(a, other.user_id, true);
    case Act::list_assignments_of_unpaired: return can_list_assignments_of(a, other.user_id, false);
    case Act::list_every_mentors_assignments_of:
      return can_list_assignments_of(a, other.user_id, false) && !lists_only_own_assignments(a, other.user_id);
    case Act::read_dashboard_of: return can_read_dashboard(a, other.user_id);
  }
  return false;
}

}  // namespace

TEST_CASE("playbooks policy: every role × relation × action gets the answer in the table") {
  const Actor same{5, "member", {10}}, other{6, "member", {20}};
  for (const Row& row : kTable) {
    const Actor a = actor_for(row.role);
    INFO("action " << int(row.act) << ", role " << int(row.role));
    CHECK(allowed(row.act, a, a) == row.self);
    CHECK(allowed(row.act, a, same) == row.same);
    CHECK(allowed(row.act, a, other) == row.other);
  }
}

TEST_CASE("playbooks policy: the table covers every action for every role") {
  constexpr int kActions = int(Act::read_dashboard_of) + 1, kRoles = int(Role::anonymous) + 1;
  int seen[kActions][kRoles] = {};
  for (const Row& row : kTable) ++seen[int(row.act)][int(row.role)];
  for (int act = 0; act < kActions; ++act)
    for (int role = 0; role < kRoles; ++role) {
      INFO("action " << act << ", role " << role);
      CHECK(seen[act][role] == 1);
    }
}

TEST_CASE("playbooks policy: a refused pairing says why") {
  const Actor admin{1, "admin", {10}}, mira{2, "mentor", {10}}, sam{3, "member", {10}}, nia{6, "member", {20}};
  const Actor ada_mentee{8, "admin", {10}}, lone_mentor{9, "mentor", {}};
  CHECK(pair_verdict(sam, sam, nia) == PairVerdict::not_a_mentor);
  CHECK(pair_verdict(Actor{}, mira, sam) == PairVerdict::not_a_mentor);
  CHECK(pair_verdict(mira, kM, sam) == PairVerdict::not_yourself);
  CHECK(pair_verdict(admin, sam, nia) == PairVerdict::mentor_cannot_mentor);
  CHECK(pair_verdict(mira, mira, mira) == PairVerdict::same_person);
  CHECK(pair_verdict(mira, mira, ada_mentee) == PairVerdict::mentee_not_member);
  CHECK(pair_verdict(mira, mira, kM) == PairVerdict::mentee_not_member);
  CHECK(pair_verdict(mira, mira, nia) == PairVerdict::no_shared_cohort);
  CHECK(pair_verdict(admin, lone_mentor, sam) == PairVerdict::no_shared_cohort);
  CHECK(pair_verdict(admin, kM, sam) == PairVerdict::allowed);
}
