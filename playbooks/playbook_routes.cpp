#include "playbooks/playbook_routes.hpp"

#include <climits>

#include "hub/auth/account_store.hpp"
#include "hub/http/json_body.hpp"
#include "playbooks/markdown.hpp"
#include "playbooks/search_index.hpp"
#include "playbooks/settings_log.hpp"
#include "playbooks/text_diff.hpp"

namespace hub::playbooks {
namespace {

using http::error_response;
using http::json_response;


ApiError approvals_refused() {
  return ApiError::forbidden("Only a mentor or an admin raises the approvals a playbook needs, and only an admin "
                             "lowers them.");
}

// A new playbook starts from no review: asking for some is raising it.
Result<int> required_approvals_field(const json& body, const Actor& who) {
  auto n = http::optional_int_field(body, "required_approvals", 0, kMaxRequiredApprovals);
  if (!n) return n.error();
  if (!*n) return 0;
  if (!can_set_required_approvals(who, 0, int(**n))) return approvals_refused();
  return int(**n);
}

// Refuses the changes `who` may not make to `pb`'s settings.
Status check_settings_changes(const Actor& who, const Playbook& pb, const std::vector<SettingsChange>& changes) {
  if (touches_title_or_tags(changes) && !can_change_title_or_tags(who, pb.required_approvals))
    return title_and_tags_reviewed();
  if (auto* c = find_change(changes, "required_approvals");
      c && !can_set_required_approvals(who, pb.required_approvals, c->new_value.get<int>()))
    return approvals_refused();
  return http::Ok{};
}

// What a save job found: the new revision, an unchanged text, or a head that moved on.
struct SaveOutcome {
  std::int64_t playbook_id = 0;
  std::optional<int> revision;  // set when saved
  bool unchanged = false;
};

RevisionMeta edit_meta(const http::Context& ctx, std::string summary, const char* kind) {
  return RevisionMeta{std::move(summary), kind, ctx.user().user_id, std::nullopt};
}

}  // namespace

void PlaybookRoutes::add_to(http::Router& router) {
  using http::Access;
  using http::Method;
  router.add(Method::get, "/api/playbooks", {Access::user, 0}, http::member_handler(this, &PlaybookRoutes::list));
  router.add(Method::post, "/api/playbooks", {Access::user, kContentBodyLimit}, http::member_handler(this, &PlaybookRoutes::create));
  router.add(Method::get, "/api/playbooks/{slug}", {Access::user, 0}, http::member_handler(this, &PlaybookRoutes::show));
  router.add(Method::put, "/api/playbooks/{slug}", {Access::user, kContentBodyLimit}, http::member_handler(this, &PlaybookRoutes::save));
  router.add(Method::patch, "/api/playbooks/{slug}", {Access::user, 4096}, http::member_handler(this, &PlaybookRoutes::settings));
  router.add(Method::get, "/api/playbooks/{slug}/revisions", {Access::user, 0},
             http::member_handler(this, &PlaybookRoutes::revisions));
  router.add(Method::get, "/api/playbooks/{slug}/revisions/{rev}", {Access::user, 0},
             http::member_handler(this, &PlaybookRoutes::revision));
  router.add(Method::get, "/api/playbooks/{slug}/diff", {Access::user, 0}, http::member_handler(this, &PlaybookRoutes::diff));
  router.add(Method::post, "/api/playbooks/{slug}/revert", {Access::user, 2048},
             http::member_handler(this, &PlaybookRoutes::revert));
  router.add(Method::get, "/api/playbooks/{slug}/settings-log", {Access::user, 0},
             http::member_handler(this, &PlaybookRoutes::settings_log));
  router.add(Method::get, "/api/search", {Access::user, 0}, http::member_handler(this, &PlaybookRoutes::search));
}

boost::asio::awaitable<http::Response> PlaybookRoutes::list(Request& req, Context&) {
  HUB_TRY(page, http::read_page(req));
  std::optional<std::string> tag;
  if (std::string t = req.query_param("tag"); !t.empty()) {
    HUB_TRY(checked, check_tags({t}));
    tag = checked->front();
  }
  auto list_job = [tag, p = *page](Connection& c) { return list_playbooks(c, tag, p); };
  HUB_TRY(items, co_await s_.db.read(list_job));
  co_return json_response(200, *items);
}

boost::asio::awaitable<http::Response> PlaybookRoutes::create(Request& req, Context& ctx) {
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(slug_in, http::string_field(*body, "slug", 1, 200));
  HUB_TRY(slug, check_slug(*slug_in));
  HUB_TRY(title_in, http::string_field(*body, "title", 0, 1000));
  HUB_TRY(title, check_title(*title_in));
  HUB_TRY(content, http::string_field(*body, "content", 0, SIZE_MAX));
  HUB_TRY(tags, tags_field(*body));
  HUB_TRY(approvals, required_approvals_field(*body, actor_of(ctx)));
  HUB_TRY(summary, http::optional_string_field(*body, "summary", kMaxSummary));
  auto prepare_job = [text = std::move(*content)]() { return prepare_content(text); };
  HUB_TRY(prepared, co_await s_.cpu.run(prepare_job));
  const std::int64_t now = s_.clock.now(), actor = ctx.user().user_id;
  RevisionMeta meta = edit_meta(ctx, summary->value_or("Created the playbook."), "create");
  auto create_job = [=, slug = *slug, title = *title, tags = *tags, approvals = *approvals,
                     p = std::move(*prepared)](Connection& c) -> Result<Playbook> {
    auto pb = insert_playbook(c, slug, title, tags, approvals, p, meta, now);
    if (!pb) return pb.error();
    if (auto a = auth::audit(c, actor, "playbook.create", "playbook:" + slug, json::object(), now); !a)
      return a.error();
    return pb;
  };
  HUB_TRY(created, co_await s_.db.write(create_job));
  s_.views.invalidate(*slug);
  auto view = co_await view_response(s_, *slug);
  view.status = 201;
  co_return view;
}

boost::asio::awaitable<http::Response> PlaybookRoutes::show(Request& req, Context&) {
  co_return co_await view_response(s_, std::string(req.param("slug")));
}

boost::asio::awaitable<http::Response> PlaybookRoutes::save(Request& req, Context& ctx) {
  const std::string slug(req.param("slug"));
  HUB_TRY(body, http::parse_json_object(req.body));
  if (!body->contains("base_revision") || (*body)["base_revision"].is_null())
    co_return error_response(ApiError{428, "precondition_required",
                                      "Send base_revision, the revision your edit started from, so that no one's "
                                      "work is overwritten."});
  HUB_TRY(base, http::int_field(*body, "base_revision", 1, INT_MAX));
  HUB_TRY(content, http::string_field(*body, "content", 0, SIZE_MAX));
  HUB_TRY(summary, http::optional_string_field(*body, "summary", kMaxSummary));
  HUB_TRY(title_in, http::optional_string_field(*body, "title", 1000));
  std::optional<std::string> title;
  if (*title_in) {
    HUB_TRY(checked, check_title(**title_in));
    title = *checked;
  }
  auto prepare_job = [text = std::move(*content)]() { return prepare_content(text); };
  HUB_TRY(prepared, co_await s_.cpu.run(prepare_job));
  const std::int64_t now = s_.clock.now();
  const int base_n = int(*base);
  RevisionMeta meta = edit_meta(ctx, summary->value_or(""), "edit");
  auto save_job = [=, who = actor_of(ctx), p = *prepared](Connection& c) -> Result<SaveOutcome> {
    auto pb = get_playbook(c, slug);
    if (!pb) return pb.error();
    if (!can_edit_directly(who, pb->required_approvals)) return review_required();
    if (base_n > pb->head) return ApiError::invalid_field("base_revision", "The playbook has no such revision.");
    SaveOutcome out{pb->id, std::nullopt, false};
    if (base_n == pb->head) {
      // The same text again makes no empty revision.
      auto head = revision_address(c, pb->id, pb->head);
      if (!head) return head.error();
      out.unchanged = *head == p.sha256;
    }
    if (!out.unchanged) {
      auto appended = append_revision(c, pb->id, base_n, p, meta, now);
      if (!appended) return appended.error();
      if (!*appended) return out;  // stale: nothing written
      out.revision = *appended;
    }
    const auto changes = settings_changes(*pb, title, std::nullopt, std::nullopt);
    if (auto allowed = check_settings_changes(who, *pb, changes); !allowed) return allowed.error();
    if (!changes.empty()) {
      if (auto u = update_playbook(c, pb->id, title, std::nullopt, std::nullopt, now); !u) return u.error();
      if (auto r = record_settings_changes(c, pb->id, who.user_id, changes, now); !r) return r.error();
    }
    return out;
  };
  HUB_TRY(outcome, co_await s_.db.write(save_job));
  if (!outcome->revision && !outcome->unchanged)
    co_return co_await stale_save_response(s_, outcome->playbook_id, base_n, std::move(prepared->content), "your edit");
  s_.views.invalidate(slug);
  co_return co_await view_response(s_, slug);
}

boost::asio::awaitable<http::Response> PlaybookRoutes::settings(Request& req, Context& ctx) {
  const std::string slug(req.param("slug"));
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(title_in, http::optional_string_field(*body, "title", 1000));
  std::optional<std::string> title;
  if (*title_in) {
    HUB_TRY(checked, check_title(**title_in));
    title = *checked;
  }
  std::optional<std::vector<std::string>> tags;
  if (body->contains("tags")) {
    HUB_TRY(checked, tags_field(*body));
    tags = *checked;
  }
  HUB_TRY(approvals_in, http::optional_int_field(*body, "required_approvals", 0, kMaxRequiredApprovals));
  std::optional<int> approvals;
  if (*approvals_in) approvals = int(**approvals_in);
  const std::int64_t now = s_.clock.now();
  // Decided against the settings as they are: a reviewed playbook's title waits for a proposal
  // even when the same request lowers the approvals.
  auto settings_job = [=, who = actor_of(ctx)](Connection& c) -> Result<http::Ok> {
    auto pb = get_playbook(c, slug);
    if (!pb) return pb.error();
    const auto changes = settings_changes(*pb, title, tags, approvals);
    if (auto allowed = check_settings_changes(who, *pb, changes); !allowed) return allowed.error();
    if (changes.empty()) return http::Ok{};
    if (auto u = update_playbook(c, pb->id, title, tags, approvals, now); !u) return u.error();
    if (auto r = record_settings_changes(c, pb->id, who.user_id, changes, now); !r) return r.error();
    if (auto* a = find_change(changes, "required_approvals")) {
      json detail = {{"required_approvals", a->new_value}, {"was", a->old_value}};
      if (auto logged = auth::audit(c, who.user_id, "playbook.require_review", "playbook:" + slug, detail, now); !logged)
        return logged.error();
    }
    return http::Ok{};
  };
  HUB_TRY(done, co_await s_.db.write(settings_job));
  s_.views.invalidate(slug);
  co_return co_await view_response(s_, slug);
}

boost::asio::awaitable<http::Response> PlaybookRoutes::settings_log(Request& req, Context& ctx) {
  if (!can_read_settings_log(actor_of(ctx)))
    co_return error_response(ApiError::forbidden("Only an admin reads a playbook's settings log."));
  HUB_TRY(page, http::read_page(req));
  auto log_job = [slug = std::string(req.param("slug")), p = *page](Connection& c) -> Result<json> {
    auto pb = get_playbook(c, slug);
    if (!pb) return pb.error();
    return list_settings_log(c, pb->id, p);
  };
  HUB_TRY(items, co_await s_.db.read(log_job));
  co_return json_response(200, *items);
}

boost::asio::awaitable<http::Response> PlaybookRoutes::revisions(Request& req, Context&) {
  HUB_TRY(page, http::read_page(req));
  auto history_job = [slug = std::string(req.param("slug")), p = *page](Connection& c) -> Result<json> {
    auto pb = get_playbook(c, slug);
    if (!pb) return pb.error();
    return list_revisions(c, pb->id, p);
  };
  HUB_TRY(items, co_await s_.db.read(history_job));
  co_return json_response(200, *items);
}

boost::asio::awaitable<http::Response> PlaybookRoutes::revision(Request& req, Context&) {
  auto number = req.id_param("rev");
  if (!number || *number > INT_MAX) co_return error_response(ApiError::not_found("No such revision."));
  struct Found {
    Revision revision;
    std::optional<std::string> html;
  };
  auto revision_job = [slug = std::string(req.param("slug")), n = int(*number)](Connection& c) -> Result<Found> {
    auto pb = get_playbook(c, slug);
    if (!pb) return pb.error();
    auto r = get_revision(c, pb->id, n);
    if (!r) return r.error();
    if (!*r) return ApiError::not_found("No such revision.");
    auto html = cached_rendering(c, (*r)->blob_id);
    if (!html) return html.error();
    return Found{std::move(**r), std::move(*html)};
  };
  HUB_TRY(found, co_await s_.db.read(revision_job));
  if (!found->html) {
    auto render_job = [content = found->revision.content]() -> Result<std::string> { return render_markdown(content); };
    HUB_TRY(html, co_await s_.cpu.run(render_job));
    auto store_job = [blob = found->revision.blob_id, h = *html](Connection& c) { return store_rendering(c, blob, h); };
    HUB_TRY(stored, co_await s_.db.write(store_job));
    found->html = *html;
  }
  json j = revision_json(found->revision);
  j["content"] = found->revision.content;
  j["html"] = *found->html;
  co_return json_response(200, j);
}

boost::asio::awaitable<http::Response> PlaybookRoutes::diff(Request& req, Context&) {
  HUB_TRY(from, int_query(req, "from"));
  HUB_TRY(to, int_query(req, "to"));
  HUB_TRY(context, int_query(req, "context"));
  if (!*from) co_return error_response(ApiError::invalid_field("from", "from is required: a revision number."));
  if (!*to) co_return error_response(ApiError::invalid_field("to", "to is required: a revision number."));
  struct Texts {
    std::string from, to;
  };
  auto texts_job = [slug = std::string(req.param("slug")), f = **from, t = **to](Connection& c) -> Result<Texts> {
    auto pb = get_playbook(c, slug);
    if (!pb) return pb.error();
    if (f > pb->head) return ApiError::invalid_field("from", "The playbook has no such revision.");
    if (t > pb->head) return ApiError::invalid_field("to", "The playbook has no such revision.");
    auto a = get_revision(c, pb->id, int(f));
    auto b = get_revision(c, pb->id, int(t));
    if (!a) return a.error();
    if (!b) return b.error();
    if (!*a || !*b) return ApiError::not_found("No such revision.");
    return Texts{std::move((*a)->content), std::move((*b)->content)};
  };
  HUB_TRY(texts, co_await s_.db.read(texts_job));
  const int lines_of_context = context->value_or(kDefaultContext);
  auto diff_job = [t = std::move(*texts), lines_of_context]() -> Result<json> {
    return diff_json(diff_text(t.from, t.to, lines_of_context));
  };
  HUB_TRY(diff, co_await s_.cpu.run(diff_job));
  (*diff)["from"] = **from;
  (*diff)["to"] = **to;
  co_return json_response(200, *diff);
}

boost::asio::awaitable<http::Response> PlaybookRoutes::revert(Request& req, Context& ctx) {
  const std::string slug(req.param("slug"));
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(target, http::int_field(*body, "revision", 1, INT_MAX));
  HUB_TRY(base, http::optional_int_field(*body, "base_revision", 1, INT_MAX));
  HUB_TRY(summary, http::optional_string_field(*body, "summary", kMaxSummary));
  const std::int64_t now = s_.clock.now();
  RevisionMeta meta = edit_meta(ctx, summary->value_or("Restored revision " + std::to_string(*target) + "."), "revert");
  meta.source = *target;
  auto revert_job = [=, who = actor_of(ctx), target = int(*target), base = *base](Connection& c) -> Result<SaveOutcome> {
    auto pb = get_playbook(c, slug);
    if (!pb) return pb.error();
    if (!can_edit_directly(who, pb->required_approvals)) return review_required();
    if (base && *base != pb->head)
      return ApiError::conflict("The playbook changed since revision " + std::to_string(*base) + "; reload it first.");
    auto old = get_revision(c, pb->id, target);
    if (!old) return old.error();
    if (!*old) return ApiError::invalid_field("revision", "The playbook has no such revision.");
    // The content is stored already (and rendered): only its address is needed.
    PreparedContent p{std::move((*old)->content), (*old)->sha256, ""};
    auto appended = append_revision(c, pb->id, pb->head, p, meta, now);
    if (!appended) return appended.error();
    return SaveOutcome{pb->id, *appended, false};
  };
  HUB_TRY(outcome, co_await s_.db.write(revert_job));
  s_.views.invalidate(slug);
  co_return co_await view_response(s_, slug);
}

boost::asio::awaitable<http::Response> PlaybookRoutes::search(Request& req, Context&) {
  const std::string q = req.query_param("q");
  if (q.size() > 500) co_return error_response(ApiError::invalid_field("q", "q is at most 500 characters."));
  HUB_TRY(limit_in, int_query(req, "limit"));
  const int limit = int(std::min<std::int64_t>(limit_in->value_or(10), 50));
  auto query = fts_query(q);
  if (!query) co_return json_response(200, {{"items", json::array()}, {"next_cursor", nullptr}});
  auto search_job = [query = *query, limit](Connection& c) -> Result<json> {
    auto hits = search_documents(c, query, limit);
    if (!hits) return hits.error();
    json items = json::array();
    for (const auto& h : hits->hits)
      items.push_back({{"kind", h.kind}, {"slug", h.ref}, {"title", h.title}, {"title_html", h.title_html},
                       {"snippet", h.snippet}});
    return json{{"items", std::move(items)}, {"next_cursor", nullptr}, {"ranked", hits->ranked}};
  };
  HUB_TRY(items, co_await s_.db.read(search_job));
  co_return json_response(200, *items);
}

}  // namespace hub::playbooks
