// Proposals (a change to a playbook opened against a base revision), their reviews, and the
// approval tally that decides when one may be merged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "hub/http/pagination.hpp"
#include "hub/store/connection.hpp"
#include "playbooks/playbook_store.hpp"

namespace hub::playbooks {

struct Proposal {
  std::int64_t id = 0;
  std::int64_t playbook_id = 0;
  std::string slug;
  std::int64_t author_id = 0;
  json author;
  int base = 0;
  std::int64_t blob_id = 0;
  std::string sha256;
  std::string summary;
  int version = 1;
  std::string state;  // open | merged | closed
  std::optional<int> merged_revision;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::string content;
};

// The latest verdict of each reviewer on one version of a proposal.
struct ReviewTally {
  int approvals = 0;
  int change_requests = 0;
};

// A proposal needs at least one approval even on a playbook that does not require review.
int approvals_needed(int required_approvals);

Result<std::optional<Proposal>> get_proposal(Connection& db, std::int64_t id);
Result<std::int64_t> insert_proposal(Connection& db, std::int64_t playbook_id, std::int64_t author_id, int base,
                                     const PreparedContent& content, const std::string& summary, std::int64_t now);
// New content or base: the version goes up, so earlier approvals no longer count.
Status update_proposal(Connection& db, std::int64_t id, int base, const PreparedContent& content,
                       const std::string& summary, std::int64_t now);
Status insert_review(Connection& db, std::int64_t proposal_id, std::int64_t reviewer_id, int version,
                     const std::string& verdict, const std::string& comment, std::int64_t now);
Result<ReviewTally> tally_reviews(Connection& db, std::int64_t proposal_id, int version);
Result<json> list_reviews(Connection& db, std::int64_t proposal_id);
// Only an open proposal changes state; conflict otherwise.
Status close_proposal(Connection& db, std::int64_t id, const std::string& state, std::optional<int> merged_revision,
                      std::int64_t by, std::int64_t now);
// Newest first; `state` filters when given.
Result<json> list_proposals(Connection& db, std::int64_t playbook_id, const std::optional<std::string>& state,
                            const http::Page& page);
Result<int> count_open_proposals(Connection& db, std::int64_t playbook_id);

json proposal_json(const Proposal& p, const ReviewTally& tally, int required_approvals);

}  // namespace hub::playbooks
