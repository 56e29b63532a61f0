#include "playbooks/services.hpp"

#include "hub/http/json_body.hpp"
#include "playbooks/markdown.hpp"
#include "playbooks/proposal_store.hpp"
#include "playbooks/text_merge.hpp"

namespace hub::playbooks {
namespace {

struct ViewData {
  Playbook playbook;
  Revision head;
  std::optional<std::string> html;  // null when the cached rendering is missing or outdated
  int open_proposals = 0;
};

std::string view_body(const ViewData& v, const std::string& html) {
  json j = playbook_json(v.playbook);
  j["content"] = v.head.content;
  j["html"] = html;
  j["sha256"] = v.head.sha256;
  j["last_change"] = revision_json(v.head);
  j["open_proposals"] = v.open_proposals;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

struct MergeInputs {
  int head = 0;
  std::string base_content;
  std::string head_content;
};

}  // namespace

Actor actor_of(const http::Context& ctx) {
  if (!ctx.principal) return Actor{};
  return Actor::of(*ctx.principal);
}

Result<int> queue_review_request(const Services& s, Connection& c, int required_approvals, std::int64_t proposal_id,
                                 int version, std::int64_t now) {
  if (!s.review_mail || required_approvals <= 0) return 0;
  return s.review_mail->queue(c, proposal_id, version, now);
}

Result<std::optional<std::int64_t>> int_query(const http::Request& req, const char* name) {
  std::string v = req.query_param(name);
  if (v.empty()) return std::optional<std::int64_t>{};
  auto n = http::parse_id(v);
  if (!n) return ApiError::invalid_field(name, std::string(name) + " must be a positive whole number.");
  return n;
}

boost::asio::awaitable<Result<ViewCache::Body>> load_view(Services& s, std::string slug) {
  if (auto cached = s.views.get(slug)) co_return cached;
  const std::uint64_t generation = s.views.generation();
  auto view_job = [slug](Connection& c) -> Result<ViewData> {
    auto pb = get_playbook(c, slug);
    if (!pb) return pb.error();
    auto head = get_revision(c, pb->id, pb->head);
    if (!head) return head.error();
    if (!*head) return ApiError::internal("A playbook's head revision is missing.");
    auto html = cached_rendering(c, (*head)->blob_id);
    if (!html) return html.error();
    auto open = count_open_proposals(c, pb->id);
    if (!open) return open.error();
    return ViewData{std::move(*pb), std::move(**head), std::move(*html), *open};
  };
  auto view = co_await s.db.read(view_job);
  if (!view) co_return view.error();
  if (!view->html) {
    // Rendered once per renderer version: an upgrade renders each head again on first view.
    auto render_job = [content = view->head.content]() -> Result<std::string> { return render_markdown(content); };
    auto html = co_await s.cpu.run(render_job);
    if (!html) co_return html.error();
    auto store_job = [blob = view->head.blob_id, h = *html](Connection& c) { return store_rendering(c, blob, h); };
    if (auto stored = co_await s.db.write(store_job); !stored) co_return stored.error();
    view->html = std::move(*html);
  }
  std::string body = view_body(*view, *view->html);
  s.views.put(slug, body, generation);
  co_return std::make_shared<const std::string>(std::move(body));
}

boost::asio::awaitable<http::Response> view_response(Services& s, std::string slug) {
  auto body = co_await load_view(s, std::move(slug));
  if (!body) co_return http::error_response(body.error());
  http::Response r;
  r.headers.set("Content-Type", "application/json; charset=utf-8");
  r.body = **body;
  co_return r;
}

boost::asio::awaitable<http::Response> stale_save_response(Services& s, std::int64_t playbook_id, int base,
                                                           std::string theirs, std::string what) {
  auto inputs_job = [playbook_id, base](Connection& c) -> Result<MergeInputs> {
    auto pb = get_playbook_by_id(c, playbook_id);
    if (!pb) return pb.error();
    auto base_rev = get_revision(c, playbook_id, base);
    auto head_rev = get_revision(c, playbook_id, pb->head);
    if (!base_rev) return base_rev.error();
    if (!head_rev) return head_rev.error();
    if (!*base_rev || !*head_rev) return ApiError::internal("A revision is missing.");
    return MergeInputs{pb->head, std::move((*base_rev)->content), std::move((*head_rev)->content)};
  };
  HUB_TRY(inputs, co_await s.db.read(inputs_job));
  MergeLabels labels{"revision " + std::to_string(inputs->head) + " (saved)", what};
  auto merge_job = [in = *inputs, theirs = std::move(theirs), labels]() {
    return merge_text(in.base_content, in.head_content, theirs, labels);
  };
  HUB_TRY(merged, co_await s.cpu.run(merge_job));
  co_return http::error_response(merge_conflict_error(
      "Revision " + std::to_string(inputs->head) + " was saved after revision " + std::to_string(base) +
          (merged->clean ? ", which your edit started from. The two merge cleanly: check the result and save it "
                           "against the new revision."
                         : ", which your edit started from, and changes the same lines. Resolve the marked "
                           "conflicts and save against the new revision."),
      base, inputs->head, *merged));
}

ApiError merge_conflict_error(std::string message, int base, int head, const MergeResult& merged) {
  ApiError e = ApiError::conflict(std::move(message));
  json extra = {{"base_revision", base}, {"head_revision", head}, {"clean", merged.clean}};
  if (merged.clean) {
    extra["merged"] = merged.text;
  } else {
    extra["conflicts"] = conflicts_json(merged.conflicts);
    extra["marked"] = merged.text;
  }
  e.extra = extra.dump(-1, ' ', false, json::error_handler_t::replace);
  return e;
}

}  // namespace hub::playbooks
