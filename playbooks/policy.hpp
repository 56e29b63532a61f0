// Who may do what in playbooks and mentoring: pure functions over plain facts, no database and
// no HTTP. Route handlers gather the facts and ask here; they never compare roles themselves.
// The whole matrix is tests/unit/playbooks/policy_test.cpp, the readable statement of the rules.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hub/auth/policy.hpp"

namespace hub::playbooks {

// Facts about a person: the one asking (the actor) or the one acted on. Anonymous is user_id 0.
using auth::Actor;
using auth::Role;


bool is_signed_in(const Actor& a);
bool is_admin(const Actor& a);
bool shares_cohort(const Actor& a, const Actor& b);

// Playbooks are the whole hub's know-how: every signed-in user reads, creates, proposes and
// saves those that need no review.
bool can_read_playbooks(const Actor& a);
bool can_create_playbook(const Actor& a);
bool can_propose(const Actor& a);
// A direct save or revert skips review, so only a playbook that requires none takes one.
bool can_edit_directly(const Actor& a, int required_approvals);
// Title and tags are reviewed like content: changed directly only where content is.
bool can_change_title_or_tags(const Actor& a, int required_approvals);
// Raising is for mentors and admins; lowering (down to no review at all) is for admins only.
bool can_set_required_approvals(const Actor& a, int current, int requested);
// The settings log (who changed what, when) is for admins.
bool can_read_settings_log(const Actor& a);

bool can_update_proposal(const Actor& a, std::int64_t author_id);
bool can_review_proposal(const Actor& a, std::int64_t author_id);
// The approvals gate the merge; anyone signed in may press the button once they are there.
bool can_merge_proposal(const Actor& a);
bool can_close_proposal(const Actor& a, std::int64_t author_id);

// Why a pairing is refused; `allowed` when it is not.
enum class PairVerdict {
  allowed,
  not_a_mentor,        // the actor pairs no one: a member, or anonymous
  not_yourself,        // a mentor pairs mentees with themselves only
  mentor_cannot_mentor,  // the chosen mentor is a member
  same_person,
  mentee_not_member,   // only members are mentored: never a mentor or an admin
  no_shared_cohort,
};
PairVerdict pair_verdict(const Actor& a, const Actor& mentor, const Actor& mentee);
bool can_pair(const Actor& a, const Actor& mentor, const Actor& mentee);
// Either party, or an admin, ends a pairing.
bool can_end_pairing(const Actor& a, std::int64_t mentor_id, std::int64_t mentee_id);
// Everyone sees the pairings they are part of; admins see all of them.
bool sees_every_pairing(const Actor& a);

// The parties to one assignment, and whether its mentor still mentors its mentee.
struct AssignmentFacts {
  std::int64_t mentor_id = 0;  // who set it
  std::int64_t mentee_id = 0;
  bool still_paired = false;
};
// A mentor assigns to their own current mentee.
bool can_assign(const Actor& a, bool paired_with_mentee);
// The mentee, an admin, or the mentor who set it while they still mentor the mentee.
bool can_read_assignment(const Actor& a, const AssignmentFacts& f);
bool can_tick_item(const Actor& a, const AssignmentFacts& f);
// Listing one mentee's assignments: the mentee, an admin, or a current mentor (who then sees only
// the assignments they set, see lists_only_own_assignments).
bool can_list_assignments_of(const Actor& a, std::int64_t mentee_id, bool paired_with_mentee);
bool lists_only_own_assignments(const Actor& a, std::int64_t mentee_id);
// A mentor's dashboard: their own, or anyone's for an admin.
bool can_read_dashboard(const Actor& a, std::int64_t mentor_id);

}  // namespace hub::playbooks
