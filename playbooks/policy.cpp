#include "playbooks/policy.hpp"

#include <algorithm>

namespace hub::playbooks {
namespace {

bool mentors(const Actor& a) { return a.role == Role::admin || a.role == Role::mentor; }
bool is_self(const Actor& a, std::int64_t user_id) { return is_signed_in(a) && a.user_id == user_id; }

}  // namespace

bool is_signed_in(const Actor& a) { return a.signed_in(); }
bool is_admin(const Actor& a) { return is_signed_in(a) && a.role == Role::admin; }

bool shares_cohort(const Actor& a, const Actor& b) {
  return std::any_of(a.cohort_ids.begin(), a.cohort_ids.end(), [&](std::int64_t id) {
    return std::find(b.cohort_ids.begin(), b.cohort_ids.end(), id) != b.cohort_ids.end();
  });
}

bool can_read_playbooks(const Actor& a) { return is_signed_in(a); }
bool can_create_playbook(const Actor& a) { return is_signed_in(a); }
bool can_propose(const Actor& a) { return is_signed_in(a); }
bool can_edit_directly(const Actor& a, int required_approvals) { return is_signed_in(a) && required_approvals == 0; }
bool can_change_title_or_tags(const Actor& a, int required_approvals) { return can_edit_directly(a, required_approvals); }

bool can_set_required_approvals(const Actor& a, int current, int requested) {
  if (!is_signed_in(a)) return false;
  if (requested == current) return true;
  if (requested < current) return is_admin(a);
  return mentors(a);
}

bool can_read_settings_log(const Actor& a) { return is_admin(a); }

bool can_update_proposal(const Actor& a, std::int64_t author_id) { return is_self(a, author_id); }
bool can_review_proposal(const Actor& a, std::int64_t author_id) { return is_signed_in(a) && a.user_id != author_id; }
bool can_merge_proposal(const Actor& a) { return is_signed_in(a); }
bool can_close_proposal(const Actor& a, std::int64_t author_id) {
  return is_self(a, author_id) || (is_signed_in(a) && mentors(a));
}

PairVerdict pair_verdict(const Actor& a, const Actor& mentor, const Actor& mentee) {
  if (!is_signed_in(a) || !mentors(a)) return PairVerdict::not_a_mentor;
  if (!is_admin(a) && mentor.user_id != a.user_id) return PairVerdict::not_yourself;
  if (!mentors(mentor)) return PairVerdict::mentor_cannot_mentor;
  if (mentor.user_id == mentee.user_id) return PairVerdict::same_person;
  if (mentee.role != Role::member) return PairVerdict::mentee_not_member;
  if (!shares_cohort(mentor, mentee)) return PairVerdict::no_shared_cohort;
  return PairVerdict::allowed;
}

bool can_pair(const Actor& a, const Actor& mentor, const Actor& mentee) {
  return pair_verdict(a, mentor, mentee) == PairVerdict::allowed;
}

bool can_end_pairing(const Actor& a, std::int64_t mentor_id, std::int64_t mentee_id) {
  return is_admin(a) || is_self(a, mentor_id) || is_self(a, mentee_id);
}

bool sees_every_pairing(const Actor& a) { return is_admin(a); }

bool can_assign(const Actor& a, bool paired_with_mentee) { return is_signed_in(a) && mentors(a) && paired_with_mentee; }

bool can_read_assignment(const Actor& a, const AssignmentFacts& f) {
  return is_admin(a) || is_self(a, f.mentee_id) || (is_self(a, f.mentor_id) && f.still_paired);
}

bool can_tick_item(const Actor& a, const AssignmentFacts& f) { return is_self(a, f.mentee_id); }

bool can_list_assignments_of(const Actor& a, std::int64_t mentee_id, bool paired_with_mentee) {
  return is_admin(a) || is_self(a, mentee_id) || (is_signed_in(a) && mentors(a) && paired_with_mentee);
}

bool lists_only_own_assignments(const Actor& a, std::int64_t mentee_id) {
  return !is_admin(a) && !is_self(a, mentee_id);
}

bool can_read_dashboard(const Actor& a, std::int64_t mentor_id) { return is_admin(a) || is_self(a, mentor_id); }

}  // namespace hub::playbooks
