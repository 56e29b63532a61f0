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

enum class Who { admin, mentor, member, stranger, anonymous };

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
  Who role;
  bool self, same, other;
};

// clang-format off
const Row kTable[] = {
  //  action                                          role              self same other
  {Act::read_playbooks,                          Who::admin,     Y, Y, Y},
  {Act::read_playbooks,                          Who::mentor,    Y, Y, Y},
  {Act::read_playbooks,                          Who::member,    Y, Y, Y},
  {Act::read_playbooks,                          Who::stranger,  Y, Y, Y},
  {Act::read_playbooks,                          Who::anonymous, N, N, N},
  {Act::create_playbook,                         Who::admin,     Y, Y, Y},
  {Act::create_playbook,                         Who::mentor,    Y, Y, Y},
  {Act::create_playbook,                         Who::member,    Y, Y, Y},
  {Act::create_playbook,                         Who::stranger,  Y, Y, Y},
  {Act::create_playbook,                         Who::anonymous, N, N, N},
  {Act::propose,                                 Who::admin,     Y, Y, Y},
  {Act::propose,                                 Who::mentor,    Y, Y, Y},
  {Act::propose,                                 Who::member,    Y, Y, Y},
  {Act::propose,                                 Who::stranger,  Y, Y, Y},
  {Act::propose,                                 Who::anonymous, N, N, N},
  {Act::save_unreviewed,                         Who::admin,     Y, Y, Y},
  {Act::save_unreviewed,                         Who::mentor,    Y, Y, Y},
  {Act::save_unreviewed,                         Who::member,    Y, Y, Y},
  {Act::save_unreviewed,                         Who::stranger,  Y, Y, Y},
  {Act::save_unreviewed,                         Who::anonymous, N, N, N},
  {Act::save_reviewed,                           Who::admin,     N, N, N},
  {Act::save_reviewed,                           Who::mentor,    N, N, N},
  {Act::save_reviewed,                           Who::member,    N, N, N},
  {Act::save_reviewed,                           Who::stranger,  N, N, N},
  {Act::save_reviewed,                           Who::anonymous, N, N, N},
  {Act::retitle_unreviewed,                      Who::admin,     Y, Y, Y},
  {Act::retitle_unreviewed,                      Who::mentor,    Y, Y, Y},
  {Act::retitle_unreviewed,                      Who::member,    Y, Y, Y},
  {Act::retitle_unreviewed,                      Who::stranger,  Y, Y, Y},
  {Act::retitle_unreviewed,                      Who::anonymous, N, N, N},
  {Act::retitle_reviewed,                        Who::admin,     N, N, N},
  {Act::retitle_reviewed,                        Who::mentor,    N, N, N},
  {Act::retitle_reviewed,                        Who::member,    N, N, N},
  {Act::retitle_reviewed,                        Who::stranger,  N, N, N},
  {Act::retitle_reviewed,                        Who::anonymous, N, N, N},
  {Act::raise_approvals,                         Who::admin,     Y, Y, Y},
  {Act::raise_approvals,                         Who::mentor,    Y, Y, Y},
  {Act::raise_approvals,                         Who::member,    N, N, N},
  {Act::raise_approvals,                         Who::stranger,  N, N, N},
  {Act::raise_approvals,                         Who::anonymous, N, N, N},
  {Act::lower_approvals,                         Who::admin,     Y, Y, Y},
  {Act::lower_approvals,                         Who::mentor,    N, N, N},
  {Act::lower_approvals,                         Who::member,    N, N, N},
  {Act::lower_approvals,                         Who::stranger,  N, N, N},
  {Act::lower_approvals,                         Who::anonymous, N, N, N},
  {Act::read_settings_log,                       Who::admin,     Y, Y, Y},
  {Act::read_settings_log,                       Who::mentor,    N, N, N},
  {Act::read_settings_log,                       Who::member,    N, N, N},
  {Act::read_settings_log,                       Who::stranger,  N, N, N},
  {Act::read_settings_log,                       Who::anonymous, N, N, N},
  {Act::update_proposal,                         Who::admin,     Y, N, N},
  {Act::update_proposal,                         Who::mentor,    Y, N, N},
  {Act::update_proposal,                         Who::member,    Y, N, N},
  {Act::update_proposal,                         Who::stranger,  Y, N, N},
  {Act::update_proposal,                         Who::anonymous, N, N, N},
  {Act::review_proposal,                         Who::admin,     N, Y, Y},
  {Act::review_proposal,                         Who::mentor,    N, Y, Y},
  {Act::review_proposal,                         Who::member,    N, Y, Y},
  {Act::review_proposal,                         Who::stranger,  N, Y, Y},
  {Act::review_proposal,                         Who::anonymous, N, N, N},
  {Act::merge_proposal,                          Who::admin,     Y, Y, Y},
  {Act::merge_proposal,                          Who::mentor,    Y, Y, Y},
  {Act::merge_proposal,                          Who::member,    Y, Y, Y},
  {Act::merge_proposal,                          Who::stranger,  Y, Y, Y},
  {Act::merge_proposal,                          Who::anonymous, N, N, N},
  {Act::close_proposal,                          Who::admin,     Y, Y, Y},
  {Act::close_proposal,                          Who::mentor,    Y, Y, Y},
  {Act::close_proposal,                          Who::member,    Y, N, N},
  {Act::close_proposal,                          Who::stranger,  Y, N, N},
  {Act::close_proposal,                          Who::anonymous, N, N, N},
  {Act::pair_me_with,                            Who::admin,     N, Y, N},
  {Act::pair_me_with,                            Who::mentor,    N, Y, N},
  {Act::pair_me_with,                            Who::member,    N, N, N},
  {Act::pair_me_with,                            Who::stranger,  N, N, N},
  {Act::pair_me_with,                            Who::anonymous, N, N, N},
  {Act::pair_m_with,                             Who::admin,     N, Y, N},
  {Act::pair_m_with,                             Who::mentor,    N, N, N},
  {Act::pair_m_with,                             Who::member,    N, N, N},
  {Act::pair_m_with,                             Who::stranger,  N, N, N},
  {Act::pair_m_with,                             Who::anonymous, N, N, N},
  {Act::end_pairing_of,                          Who::admin,     Y, Y, Y},
  {Act::end_pairing_of,                          Who::mentor,    Y, N, N},
  {Act::end_pairing_of,                          Who::member,    Y, N, N},
  {Act::end_pairing_of,                          Who::stranger,  Y, N, N},
  {Act::end_pairing_of,                          Who::anonymous, N, N, N},
  {Act::end_my_pairing_with,                     Who::admin,     Y, Y, Y},
  {Act::end_my_pairing_with,                     Who::mentor,    Y, Y, Y},
  {Act::end_my_pairing_with,                     Who::member,    Y, Y, Y},
  {Act::end_my_pairing_with,                     Who::stranger,  Y, Y, Y},
  {Act::end_my_pairing_with,                     Who::anonymous, N, N, N},
  {Act::see_every_pairing,                       Who::admin,     Y, Y, Y},
  {Act::see_every_pairing,                       Who::mentor,    N, N, N},
  {Act::see_every_pairing,                       Who::member,    N, N, N},
  {Act::see_every_pairing,                       Who::stranger,  N, N, N},
  {Act::see_every_pairing,                       Who::anonymous, N, N, N},
  {Act::assign_to_my_mentee,                     Who::admin,     Y, Y, Y},
  {Act::assign_to_my_mentee,                     Who::mentor,    Y, Y, Y},
  {Act::assign_to_my_mentee,                     Who::member,    N, N, N},
  {Act::assign_to_my_mentee,                     Who::stranger,  N, N, N},
  {Act::assign_to_my_mentee,                     Who::anonymous, N, N, N},
  {Act::assign_to_unpaired,                      Who::admin,     N, N, N},
  {Act::assign_to_unpaired,                      Who::mentor,    N, N, N},
  {Act::assign_to_unpaired,                      Who::member,    N, N, N},
  {Act::assign_to_unpaired,                      Who::stranger,  N, N, N},
  {Act::assign_to_unpaired,                      Who::anonymous, N, N, N},
  {Act::read_assignment_by_m,                    Who::admin,     Y, Y, Y},
  {Act::read_assignment_by_m,                    Who::mentor,    Y, N, N},
  {Act::read_assignment_by_m,                    Who::member,    Y, N, N},
  {Act::read_assignment_by_m,                    Who::stranger,  Y, N, N},
  {Act::read_assignment_by_m,                    Who::anonymous, N, N, N},
  {Act::read_assignment_i_set,                   Who::admin,     Y, Y, Y},
  {Act::read_assignment_i_set,                   Who::mentor,    Y, Y, Y},
  {Act::read_assignment_i_set,                   Who::member,    Y, Y, Y},
  {Act::read_assignment_i_set,                   Who::stranger,  Y, Y, Y},
  {Act::read_assignment_i_set,                   Who::anonymous, N, N, N},
  {Act::read_assignment_i_set_after_pairing_ended, Who::admin,   Y, Y, Y},
  {Act::read_assignment_i_set_after_pairing_ended, Who::mentor,  Y, N, N},
  {Act::read_assignment_i_set_after_pairing_ended, Who::member,  Y, N, N},
  {Act::read_assignment_i_set_after_pairing_ended, Who::stranger, Y, N, N},
  {Act::read_assignment_i_set_after_pairing_ended, Who::anonymous, N, N, N},
  {Act::tick_item,                               Who::admin,     Y, N, N},
  {Act::tick_item,                               Who::mentor,    Y, N, N},
  {Act::tick_item,                               Who::member,    Y, N, N},
  {Act::tick_item,                               Who::stranger,  Y, N, N},
  {Act::tick_item,                               Who::anonymous, N, N, N},
  {Act::list_assignments_of_my_mentee,           Who::admin,     Y, Y, Y},
  {Act::list_assignments_of_my_mentee,           Who::mentor,    Y, Y, Y},
  {Act::list_assignments_of_my_mentee,           Who::member,    Y, N, N},
  {Act::list_assignments_of_my_mentee,           Who::stranger,  Y, N, N},
  {Act::list_assignments_of_my_mentee,           Who::anonymous, N, N, N},
  {Act::list_assignments_of_unpaired,            Who::admin,     Y, Y, Y},
  {Act::list_assignments_of_unpaired,            Who::mentor,    Y, N, N},
  {Act::list_assignments_of_unpaired,            Who::member,    Y, N, N},
  {Act::list_assignments_of_unpaired,            Who::stranger,  Y, N, N},
  {Act::list_assignments_of_unpaired,            Who::anonymous, N, N, N},
  {Act::list_every_mentors_assignments_of,       Who::admin,     Y, Y, Y},
  {Act::list_every_mentors_assignments_of,       Who::mentor,    Y, N, N},
  {Act::list_every_mentors_assignments_of,       Who::member,    Y, N, N},
  {Act::list_every_mentors_assignments_of,       Who::stranger,  Y, N, N},
  {Act::list_every_mentors_assignments_of,       Who::anonymous, N, N, N},
  {Act::read_dashboard_of,                       Who::admin,     Y, Y, Y},
  {Act::read_dashboard_of,                       Who::mentor,    Y, N, N},
  {Act::read_dashboard_of,                       Who::member,    Y, N, N},
  {Act::read_dashboard_of,                       Who::stranger,  Y, N, N},
  {Act::read_dashboard_of,                       Who::anonymous, N, N, N},
};
// clang-format on

Actor actor_for(Who r) {
  switch (r) {
    case Who::admin: return {1, hub::auth::Role::admin, {10}};
    case Who::mentor: return {2, hub::auth::Role::mentor, {10}};
    case Who::member: return {3, hub::auth::Role::member, {10}};
    case Who::stranger: return {4, hub::auth::Role::member, {}};
    case Who::anonymous: return {};
  }
  return {};
}

const Actor kM{7, hub::auth::Role::mentor, {10}};

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
  const Actor same{5, hub::auth::Role::member, {10}}, other{6, hub::auth::Role::member, {20}};
  for (const Row& row : kTable) {
    const Actor a = actor_for(row.role);
    INFO("action " << int(row.act) << ", role " << int(row.role));
    CHECK(allowed(row.act, a, a) == row.self);
    CHECK(allowed(row.act, a, same) == row.same);
    CHECK(allowed(row.act, a, other) == row.other);
  }
}

TEST_CASE("playbooks policy: the table covers every action for every role") {
  constexpr int kActions = int(Act::read_dashboard_of) + 1, kRoles = int(Who::anonymous) + 1;
  int seen[kActions][kRoles] = {};
  for (const Row& row : kTable) ++seen[int(row.act)][int(row.role)];
  for (int act = 0; act < kActions; ++act)
    for (int role = 0; role < kRoles; ++role) {
      INFO("action " << act << ", role " << role);
      CHECK(seen[act][role] == 1);
    }
}

TEST_CASE("playbooks policy: a refused pairing says why") {
  const Actor admin{1, hub::auth::Role::admin, {10}}, mira{2, hub::auth::Role::mentor, {10}}, sam{3, hub::auth::Role::member, {10}}, nia{6, hub::auth::Role::member, {20}};
  const Actor ada_mentee{8, hub::auth::Role::admin, {10}}, lone_mentor{9, hub::auth::Role::mentor, {}};
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
