// Mentorships (a mentor paired with a mentee), assignments of a playbook pinned to a revision,
// their checklist items and the activity a mentor follows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/http/pagination.hpp"
#include "hub/store/connection.hpp"
#include "playbooks/markdown.hpp"
#include "playbooks/playbook_store.hpp"

namespace hub::playbooks {

inline constexpr std::size_t kMaxNote = 1000;

// conflict when the pair exists already.
Status insert_mentorship(Connection& db, std::int64_t mentor_id, std::int64_t mentee_id, std::int64_t by,
                         std::int64_t now);
// not_found when there is no such pair.
Status delete_mentorship(Connection& db, std::int64_t mentor_id, std::int64_t mentee_id);
Result<bool> is_mentor_of(Connection& db, std::int64_t mentor_id, std::int64_t mentee_id);
// The cohorts `user_id` belongs to, by id.
Result<std::vector<std::int64_t>> cohorts_of(Connection& db, std::int64_t user_id);
// Pairs involving `user_id` as mentor or mentee; every pair when null.
Result<json> list_mentorships(Connection& db, std::optional<std::int64_t> user_id);

struct AssignmentParties {
  std::int64_t mentor_id = 0;
  std::int64_t mentee_id = 0;
};
Result<std::optional<AssignmentParties>> assignment_parties(Connection& db, std::int64_t assignment_id);

Result<std::int64_t> insert_assignment(Connection& db, std::int64_t mentor_id, std::int64_t mentee_id,
                                       std::int64_t playbook_id, int revision, const std::optional<std::string>& due_on,
                                       const std::vector<TaskItem>& items, std::int64_t now);

// The whole assignment: parties, playbook, pinned and current revision, items and progress.
// `today` (YYYY-MM-DD) decides what is overdue.
Result<json> assignment_json(Connection& db, std::int64_t assignment_id, const std::string& today);

// Ticks or unticks item `n` and records the activity; not_found when there is no such item.
Status set_item(Connection& db, std::int64_t assignment_id, int n, bool done, const std::optional<std::string>& note,
                std::int64_t actor_id, std::int64_t now);

// Newest first. `mentee_id` narrows to one mentee; `mentor_id` to the assignments that mentor set
// for the mentees they still mentor.
Result<json> list_assignments(Connection& db, std::optional<std::int64_t> mentee_id,
                              std::optional<std::int64_t> mentor_id, const http::Page& page, const std::string& today);

// Each mentee of `mentor_id` with progress, overdue items and the latest activity, all on the
// assignments that mentor set.
Result<json> mentor_dashboard(Connection& db, std::int64_t mentor_id, const std::string& today);

}  // namespace hub::playbooks
