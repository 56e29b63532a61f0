// What every playbooks route needs, and the helpers they share: path parameters, the cached view
// of a playbook, and the 409 body of a stale save.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "hub/http/clock.hpp"
#include "hub/http/cpu_pool.hpp"
#include "hub/http/router.hpp"
#include "hub/store/executor.hpp"
#include "playbooks/playbook_store.hpp"
#include "playbooks/policy.hpp"
#include "playbooks/review_request_mailer.hpp"
#include "playbooks/text_merge.hpp"
#include "playbooks/view_cache.hpp"

namespace hub::playbooks {

struct Services {
  store::Executor& db;
  http::CpuPool& cpu;
  const Clock& clock;
  ViewCache& views;
  const ReviewRequestMailer* review_mail = nullptr;  // null: no mail for review requests
};

// Tells the reviewers of `proposal_id` that `version` awaits them, inside the write job that made
// it (a no-op without a mailer, or on a playbook that requires no review).
Result<int> queue_review_request(const Services& s, Connection& c, int required_approvals, std::int64_t proposal_id,
                                 int version, std::int64_t now);

// A positive integer query parameter: nullopt when absent, invalid_field when malformed.
Result<std::optional<std::int64_t>> int_query(const http::Request& req, const char* name);

// The signed-in user as the policy sees them. Cohorts are left empty: the few rules that need
// them (pairing) load them with the other party's facts.
Actor actor_of(const http::Context& ctx);

// The JSON body of GET /api/playbooks/{slug}, from the cache or the database.
boost::asio::awaitable<Result<ViewCache::Body>> load_view(Services& s, std::string slug);
// load_view() as a 200 response.
boost::asio::awaitable<http::Response> view_response(Services& s, std::string slug);

// What a save against `base` gets when the head has moved on to `head`: a three-way merge of
// base, head and the client's text, in a 409 body {error, base_revision, head_revision, merged}
// when clean, or {..., conflicts, marked} when the edits overlap.
boost::asio::awaitable<http::Response> stale_save_response(Services& s, std::int64_t playbook_id, int base,
                                                           std::string theirs, std::string what);

// A 409 carrying a three-way merge: `merged` when clean, else `conflicts` and the `marked` text.
ApiError merge_conflict_error(std::string message, int base, int head, const MergeResult& merged);

inline ApiError review_required() {
  return ApiError::forbidden("This playbook requires review: open a proposal instead of saving directly.");
}

inline ApiError title_and_tags_reviewed() {
  return ApiError::forbidden(
      "This playbook requires review, and so do its title and tags: propose the change (or ask an admin to "
      "lower the approvals it needs).");
}

}  // namespace hub::playbooks
