#include "playbooks/proposal_routes.hpp"

#include <climits>

#include "hub/http/json_body.hpp"
#include "playbooks/proposal_store.hpp"
#include "playbooks/text_diff.hpp"
#include "playbooks/text_merge.hpp"

namespace hub::playbooks {
namespace {

using http::error_response;
using http::json_response;

constexpr std::size_t kMaxComment = 4000;
constexpr int kMergeAttempts = 3;

ApiError no_such_proposal() { return ApiError::not_found("No such proposal."); }

Result<Proposal> require_proposal(Connection& c, std::int64_t id) {
  auto p = get_proposal(c, id);
  if (!p) return p.error();
  if (!*p) return no_such_proposal();
  return std::move(**p);
}

Result<std::string> revision_content(Connection& c, std::int64_t playbook_id, int number) {
  auto r = get_revision(c, playbook_id, number);
  if (!r) return r.error();
  if (!*r) return ApiError::invalid_field("base_revision", "The playbook has no such revision.");
  return std::move((*r)->content);
}

// The base revision and content of a proposal as sent; 428 without a base, like a save.
struct ProposalInput {
  int base = 0;
  std::string content;
  std::optional<std::string> summary;
};

Result<ProposalInput> proposal_input(const json& body) {
  if (!body.contains("base_revision") || body["base_revision"].is_null())
    return ApiError{428, "precondition_required", "Send base_revision, the revision your proposal starts from."};
  auto base = http::int_field(body, "base_revision", 1, INT_MAX);
  if (!base) return base.error();
  auto content = http::string_field(body, "content", 0, SIZE_MAX);
  if (!content) return content.error();
  auto summary = http::optional_string_field(body, "summary", kMaxSummary);
  if (!summary) return summary.error();
  return ProposalInput{int(*base), std::move(*content), std::move(*summary)};
}

// What a write job did: the row it wrote (or, for a stale update, the playbook to merge onto),
// and how many review requests it mailed.
struct Written {
  std::int64_t id = 0;
  int mailed = 0;
};

// What a merge attempt found.
struct MergeAttempt {
  std::optional<int> revision;  // merged as this revision
  // Otherwise the head moved past the proposal's base: merge these three-way.
  int base = 0, head = 0, version = 0;
  std::string base_content, head_content, proposal_content;
};

}  // namespace

void ProposalRoutes::add_to(http::Router& router) {
  using http::Access;
  using http::Method;
  router.add(Method::post, "/api/playbooks/{slug}/proposals", {Access::user, kContentBodyLimit},
             http::member_handler(this, &ProposalRoutes::open));
  router.add(Method::get, "/api/playbooks/{slug}/proposals", {Access::user, 0}, http::member_handler(this, &ProposalRoutes::list));
  router.add(Method::get, "/api/proposals/{id}", {Access::user, 0}, http::member_handler(this, &ProposalRoutes::show));
  router.add(Method::put, "/api/proposals/{id}", {Access::user, kContentBodyLimit},
             http::member_handler(this, &ProposalRoutes::update));
  router.add(Method::get, "/api/proposals/{id}/diff", {Access::user, 0}, http::member_handler(this, &ProposalRoutes::diff));
  router.add(Method::post, "/api/proposals/{id}/reviews", {Access::user, 16 * 1024},
             http::member_handler(this, &ProposalRoutes::review));
  router.add(Method::post, "/api/proposals/{id}/merge", {Access::user, 1024}, http::member_handler(this, &ProposalRoutes::merge));
  router.add(Method::post, "/api/proposals/{id}/close", {Access::user, 1024}, http::member_handler(this, &ProposalRoutes::close));
}

boost::asio::awaitable<http::Response> ProposalRoutes::proposal_response(std::int64_t id, int status) {
  auto show_job = [id](Connection& c) -> Result<json> {
    auto p = require_proposal(c, id);
    if (!p) return p.error();
    auto pb = get_playbook_by_id(c, p->playbook_id);
    if (!pb) return pb.error();
    auto tally = tally_reviews(c, id, p->version);
    if (!tally) return tally.error();
    auto reviews = list_reviews(c, id);
    if (!reviews) return reviews.error();
    json j = proposal_json(*p, *tally, pb->required_approvals);
    j["content"] = p->content;
    j["playbook_title"] = pb->title;
    j["head_revision"] = pb->head;
    j["stale"] = p->state == "open" && p->base != pb->head;
    j["reviews"] = std::move(*reviews);
    return json{{"proposal", std::move(j)}};
  };
  HUB_TRY(body, co_await s_.db.read(show_job));
  co_return json_response(status, *body);
}

boost::asio::awaitable<http::Response> ProposalRoutes::open(Request& req, Context& ctx) {
  const std::string slug(req.param("slug"));
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(input, proposal_input(*body));
  auto prepare_job = [text = input->content]() { return prepare_content(text); };
  HUB_TRY(prepared, co_await s_.cpu.run(prepare_job));
  const std::int64_t now = s_.clock.now(), author = ctx.user().user_id;
  auto open_job = [=, this, p = *prepared, in = *input](Connection& c) -> Result<Written> {
    auto pb = get_playbook(c, slug);
    if (!pb) return pb.error();
    if (in.base > pb->head) return ApiError::invalid_field("base_revision", "The playbook has no such revision.");
    auto base_content = revision_content(c, pb->id, in.base);
    if (!base_content) return base_content.error();
    if (*base_content == p.content) return ApiError::invalid_field("content", "The proposal changes nothing.");
    auto id = insert_proposal(c, pb->id, author, in.base, p, in.summary.value_or(""), now);
    if (!id) return id.error();
    auto mailed = queue_review_request(s_, c, pb->required_approvals, *id, 1, now);
    if (!mailed) return mailed.error();
    return Written{*id, *mailed};
  };
  HUB_TRY(opened, co_await s_.db.write(open_job));
  s_.views.invalidate(slug);  // the view counts open proposals
  if (opened->mailed > 0) s_.review_mail->wake();
  co_return co_await proposal_response(opened->id, 201);
}

boost::asio::awaitable<http::Response> ProposalRoutes::list(Request& req, Context&) {
  HUB_TRY(page, http::read_page(req));
  std::optional<std::string> state;
  if (std::string st = req.query_param("state"); !st.empty()) {
    if (st != "open" && st != "merged" && st != "closed")
      co_return error_response(ApiError::invalid_field("state", "state is open, merged or closed."));
    state = st;
  }
  auto list_job = [slug = std::string(req.param("slug")), state, p = *page](Connection& c) -> Result<json> {
    auto pb = get_playbook(c, slug);
    if (!pb) return pb.error();
    return list_proposals(c, pb->id, state, p);
  };
  HUB_TRY(items, co_await s_.db.read(list_job));
  co_return json_response(200, *items);
}

boost::asio::awaitable<http::Response> ProposalRoutes::show(Request& req, Context&) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_proposal());
  co_return co_await proposal_response(*id, 200);
}

boost::asio::awaitable<http::Response> ProposalRoutes::update(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_proposal());
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(input, proposal_input(*body));
  auto prepare_job = [text = input->content]() { return prepare_content(text); };
  HUB_TRY(prepared, co_await s_.cpu.run(prepare_job));
  const std::int64_t now = s_.clock.now();
  // id 0 once updated; the playbook's id when `base` is behind its head: an update rebases, so the
  // author first gets the three-way merge onto the head (as a stale save does) and sends it back.
  auto update_job = [=, this, who = actor_of(ctx), p = *prepared, in = *input, id = *id](Connection& c) -> Result<Written> {
    auto proposal = require_proposal(c, id);
    if (!proposal) return proposal.error();
    if (!can_update_proposal(who, proposal->author_id)) return ApiError::forbidden("Only the proposal's author updates it.");
    if (proposal->state != "open") return ApiError::conflict("Only an open proposal can be updated.");
    auto pb = get_playbook_by_id(c, proposal->playbook_id);
    if (!pb) return pb.error();
    if (in.base > pb->head) return ApiError::invalid_field("base_revision", "The playbook has no such revision.");
    if (in.base < pb->head) return Written{pb->id, 0};
    if (in.base == proposal->base && p.sha256 == proposal->sha256 && !in.summary) return Written{};
    if (auto s = update_proposal(c, id, in.base, p, in.summary.value_or(proposal->summary), now); !s) return s.error();
    // A new version: earlier approvals lapse, so it awaits review again.
    auto mailed = queue_review_request(s_, c, pb->required_approvals, id, proposal->version + 1, now);
    if (!mailed) return mailed.error();
    return Written{0, *mailed};
  };
  HUB_TRY(updated, co_await s_.db.write(update_job));
  if (updated->id)
    co_return co_await stale_save_response(s_, updated->id, input->base, std::move(prepared->content), "your proposal");
  if (updated->mailed > 0) s_.review_mail->wake();
  co_return co_await proposal_response(*id, 200);
}

boost::asio::awaitable<http::Response> ProposalRoutes::diff(Request& req, Context&) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_proposal());
  struct Texts {
    int base;
    std::string from, to;
  };
  auto texts_job = [id = *id](Connection& c) -> Result<Texts> {
    auto p = require_proposal(c, id);
    if (!p) return p.error();
    auto base = revision_content(c, p->playbook_id, p->base);
    if (!base) return base.error();
    return Texts{p->base, std::move(*base), std::move(p->content)};
  };
  HUB_TRY(texts, co_await s_.db.read(texts_job));
  auto diff_job = [t = *texts]() -> Result<json> { return diff_json(diff_text(t.from, t.to)); };
  HUB_TRY(diff, co_await s_.cpu.run(diff_job));
  (*diff)["from"] = texts->base;
  (*diff)["to"] = "proposal";
  co_return json_response(200, *diff);
}

boost::asio::awaitable<http::Response> ProposalRoutes::review(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_proposal());
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(verdict, http::string_field(*body, "verdict", 1, 32));
  if (*verdict != "approve" && *verdict != "request_changes")
    co_return error_response(ApiError::invalid_field("verdict", "verdict is approve or request_changes."));
  HUB_TRY(comment, http::optional_string_field(*body, "comment", kMaxComment));
  if (*verdict == "request_changes" && (!*comment || (*comment)->empty()))
    co_return error_response(ApiError::invalid_field("comment", "Say which changes you are asking for."));
  const std::int64_t now = s_.clock.now();
  auto review_job = [=, who = actor_of(ctx), id = *id, v = *verdict, text = comment->value_or("")](Connection& c) -> Result<http::Ok> {
    auto p = require_proposal(c, id);
    if (!p) return p.error();
    if (!can_review_proposal(who, p->author_id)) return ApiError::forbidden("You cannot review your own proposal.");
    if (p->state != "open") return ApiError::conflict("The proposal is no longer open.");
    return insert_review(c, id, who.user_id, p->version, v, text, now);
  };
  HUB_TRY(reviewed, co_await s_.db.write(review_job));
  co_return co_await proposal_response(*id, 201);
}

boost::asio::awaitable<http::Response> ProposalRoutes::merge(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_proposal());
  const std::int64_t actor = ctx.user().user_id;
  std::optional<PreparedContent> merged;  // a three-way merge to apply on top of `expected_head`
  int expected_head = 0, expected_version = 0;
  for (int attempt = 0; attempt < kMergeAttempts; ++attempt) {
    const std::int64_t now = s_.clock.now();
    auto apply_job = [=, id = *id](Connection& c) -> Result<MergeAttempt> {
      auto p = require_proposal(c, id);
      if (!p) return p.error();
      if (p->state != "open") return ApiError::conflict("The proposal is " + p->state + " already.");
      auto pb = get_playbook_by_id(c, p->playbook_id);
      if (!pb) return pb.error();
      auto tally = tally_reviews(c, id, p->version);
      if (!tally) return tally.error();
      const int needed = approvals_needed(pb->required_approvals);
      if (tally->approvals < needed)
        return ApiError::conflict("The proposal needs " + std::to_string(needed) + " approval" +
                                  (needed == 1 ? "" : "s") + " of its latest version and has " +
                                  std::to_string(tally->approvals) + ".");
      if (tally->change_requests > 0) return ApiError::conflict("A reviewer asked for changes to this version.");
      if (merged && p->version != expected_version)
        return ApiError::conflict("The proposal was updated while it was being merged; review it again.");
      MergeAttempt out;
      const bool fits = merged ? pb->head == expected_head : pb->head == p->base;
      if (!fits) {
        out.base = p->base;
        out.head = pb->head;
        out.version = p->version;
        auto base = revision_content(c, pb->id, p->base);
        auto head = revision_content(c, pb->id, pb->head);
        if (!base) return base.error();
        if (!head) return head.error();
        out.base_content = std::move(*base);
        out.head_content = std::move(*head);
        out.proposal_content = std::move(p->content);
        return out;
      }
      PreparedContent content = merged ? *merged : PreparedContent{p->content, p->sha256, ""};
      RevisionMeta meta{p->summary.empty() ? "Merged proposal #" + std::to_string(id) + "." : p->summary, "merge",
                        p->author_id, id};
      auto appended = append_revision(c, pb->id, pb->head, content, meta, now);
      if (!appended) return appended.error();
      if (!*appended) return ApiError::unavailable("The playbook is busy; try again.");
      if (auto closed = close_proposal(c, id, "merged", **appended, actor, now); !closed) return closed.error();
      out.revision = *appended;
      return out;
    };
    HUB_TRY(attempted, co_await s_.db.write(apply_job));
    if (attempted->revision) {
      auto slug_job = [id = *id](Connection& c) -> Result<std::string> {
        auto p = require_proposal(c, id);
        if (!p) return p.error();
        return p->slug;
      };
      HUB_TRY(found_slug, co_await s_.db.read(slug_job));
      s_.views.invalidate(*found_slug);
      co_return co_await proposal_response(*id, 200);
    }
    MergeLabels labels{"revision " + std::to_string(attempted->head) + " (saved)", "proposal #" + std::to_string(*id)};
    auto merge_job = [a = *attempted, labels]() {
      return merge_text(a.base_content, a.head_content, a.proposal_content, labels);
    };
    HUB_TRY(result, co_await s_.cpu.run(merge_job));
    if (!result->clean)
      co_return error_response(merge_conflict_error(
          "The playbook changed since the proposal's base revision " + std::to_string(attempted->base) +
              " and the changes overlap. Update the proposal against revision " + std::to_string(attempted->head) +
              ".",
          attempted->base, attempted->head, *result));
    auto prepare_job = [text = std::move(result->text)]() { return prepare_content(text); };
    HUB_TRY(prepared, co_await s_.cpu.run(prepare_job));
    merged = std::move(*prepared);
    expected_head = attempted->head;
    expected_version = attempted->version;
  }
  co_return error_response(ApiError::unavailable("The playbook keeps changing; try the merge again."));
}

boost::asio::awaitable<http::Response> ProposalRoutes::close(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_proposal());
  const std::int64_t now = s_.clock.now();
  auto close_job = [=, who = actor_of(ctx), id = *id](Connection& c) -> Result<std::string> {
    auto p = require_proposal(c, id);
    if (!p) return p.error();
    if (!can_close_proposal(who, p->author_id))
      return ApiError::forbidden("Only the author, a mentor or an admin closes a proposal.");
    if (auto s = close_proposal(c, id, "closed", std::nullopt, who.user_id, now); !s) return s.error();
    return p->slug;
  };
  HUB_TRY(slug, co_await s_.db.write(close_job));
  s_.views.invalidate(*slug);
  co_return co_await proposal_response(*id, 200);
}

}  // namespace hub::playbooks
