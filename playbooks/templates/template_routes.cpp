#include "playbooks/templates/template_routes.hpp"

#include <climits>

#include "hub/auth/account_store.hpp"
#include "hub/http/json_body.hpp"
#include "playbooks/front_matter.hpp"
#include "playbooks/services.hpp"
#include "playbooks/text_diff.hpp"
#include "playbooks/text_merge.hpp"
#include "playbooks/templates/mustache_tags.hpp"
#include "playbooks/templates/template_errors.hpp"

namespace hub::playbooks::templates {
namespace {

using http::json_response;

constexpr const char* kLicenses[] = {"CC0-1.0",         "CC-BY-4.0",       "CC-BY-SA-4.0", "CC-BY-NC-4.0",
                                     "CC-BY-NC-SA-4.0", "CC-BY-ND-4.0",    "CC-BY-NC-ND-4.0", "MIT",
                                     "Apache-2.0",      "0BSD"};
constexpr std::size_t kMaxTemplateSummary = 300;

TemplateFacts facts_of(const Template& t) { return {t.owner_id, is_fill_only_license(t.license)}; }

ApiError fill_only_refused(const Template& t, const char* what) {
  return ApiError::forbidden("`" + t.slug + "` is licensed " + t.license + " (no derivatives): it can be filled in, never " +
                             what + ".");
}

Result<std::string> license_field(const json& body) {
  auto v = http::string_field(body, "license", 1, 40);
  if (!v) return v.error();
  if (!is_known_license(*v)) {
    std::string known;
    for (const char* l : kLicenses) known += (known.empty() ? "" : ", ") + std::string(l);
    return ApiError::invalid_field("license", "Use one of these SPDX ids: " + known + ".");
  }
  return *v;
}

// Content checked and prepared for storing: parsed as a template, then as Markdown (CPU work).
struct CheckedContent {
  TemplateSource source;
  PreparedContent prepared;
};
Result<CheckedContent> check_content(const std::string& text) {
  auto src = parse_template(text);
  if (!src) return src.error();
  auto prepared = prepare_content(text);
  if (!prepared) return ApiError::invalid_field("content", prepared.error().message);
  return CheckedContent{std::move(*src), std::move(*prepared)};
}

// The upstream chain, nearest first: [{slug, title, version, owner}]. Kept on every fork.
Result<json> attribution_of(Connection& c, const Template& t) {
  json chain = json::array();
  std::optional<std::int64_t> up = t.upstream_id;
  std::optional<std::string> version = t.upstream_version;
  for (int depth = 0; up && depth < 20; ++depth) {
    auto u = get_template_by_id(c, *up);
    if (!u) return u.error();
    json j;
    j["slug"] = u->slug;
    j["title"] = u->title;
    j["version"] = version ? json(*version) : json(nullptr);
    j["license"] = u->license;
    chain.push_back(std::move(j));
    up = u->upstream_id;
    version = u->upstream_version;
  }
  return chain;
}

struct ViewInputs {
  Template t;
  std::string head_content;
  std::vector<Release> releases;
  std::optional<std::string> release_content;  // of the latest release
  json attribution, forks, stats, owner, upstream_newer = json::array();
};

Result<ViewInputs> load_view_inputs(Connection& c, const std::string& slug) {
  ViewInputs in;
  auto t = get_template(c, slug);
  if (!t) return t.error();
  in.t = std::move(*t);
  auto head = revision_text(c, in.t.id, in.t.head);
  auto releases = list_releases(c, in.t.id);
  if (!head) return head.error();
  if (!releases) return releases.error();
  in.head_content = head->value_or("");
  in.releases = std::move(*releases);
  if (!in.releases.empty()) {
    auto rc = revision_text(c, in.t.id, in.releases.front().revision);
    if (!rc) return rc.error();
    in.release_content = *rc;
  }
  auto attribution = attribution_of(c, in.t);
  auto forks = list_forks(c, in.t.id);
  auto stats = template_stats(c, in.t.id);
  if (!attribution) return attribution.error();
  if (!forks) return forks.error();
  if (!stats) return stats.error();
  in.attribution = std::move(*attribution), in.forks = std::move(*forks), in.stats = std::move(*stats);
  in.owner = nullptr;
  if (in.t.owner_id) {
    auto s = c.prepare("SELECT handle, display_name FROM users WHERE id = ?1");
    s.bind(1, *in.t.owner_id);
    auto row = s.step();
    if (!row) return row.error();
    if (*row) in.owner = person_json(*in.t.owner_id, s.text(0), s.text(1));
  }
  if (in.t.upstream_id && in.t.upstream_version) {
    auto up = list_releases(c, *in.t.upstream_id);
    if (!up) return up.error();
    auto current = parse_version(*in.t.upstream_version);
    for (const auto& r : *up)
      if (current && r.version > *current) in.upstream_newer.push_back(release_json(r));
  }
  return in;
}

json view_json(const ViewInputs& in) {
  json j;
  j["slug"] = in.t.slug;
  j["title"] = in.t.title;
  j["kind"] = in.t.kind;
  j["license"] = in.t.license;
  j["fill_only"] = is_fill_only_license(in.t.license);
  j["tags"] = in.t.tags;
  j["owner"] = in.owner;
  j["head"] = in.t.head;
  j["content"] = in.head_content;
  j["updated_at"] = format_rfc3339(in.t.updated_at);
  auto releases = json::array();
  for (const auto& r : in.releases) releases.push_back(release_json(r));
  j["releases"] = std::move(releases);
  j["release"] = in.releases.empty() ? json(nullptr) : release_json(in.releases.front());
  // The schema a filler sees: the latest release's; before the first release, the draft's.
  auto src = parse_template(in.release_content.value_or(in.head_content));
  j["fields"] = src ? fields_json(src->fields) : json::array();
  auto draft = parse_template(in.head_content);
  j["draft_fields"] = draft ? fields_json(draft->fields) : json(nullptr);
  j["upstream"] = in.attribution.empty() ? json(nullptr) : in.attribution[0];
  if (!in.attribution.empty()) j["upstream"]["newer_releases"] = in.upstream_newer;
  j["attribution"] = in.attribution;
  j["forks"] = in.forks;
  j["uses"] = in.stats["uses"];
  j["rating"] = in.stats["rating"];
  j["ratings"] = in.stats["ratings"];
  return j;
}

}  // namespace

bool is_known_license(std::string_view spdx) {
  return std::any_of(std::begin(kLicenses), std::end(kLicenses), [&](const char* l) { return spdx == l; });
}

bool is_fill_only_license(std::string_view spdx) { return spdx.find("-ND-") != std::string_view::npos; }

TemplateRoutes::TemplateRoutes(store::Executor& db, http::CpuPool& cpu, const Clock& clock, std::string records_key,
                               PdfRenderer* pdf)
    : db_(db), cpu_(cpu), clock_(clock), cipher_(std::move(records_key)), pdf_(pdf) {}

void TemplateRoutes::add_to(http::Router& router) {
  using http::Access;
  using http::Method;
  constexpr std::size_t kSourceLimit = kMaxTemplateBytes + 8 * 1024;
  constexpr std::size_t kValuesLimit = 512 * 1024;
  auto add = [&](Method m, const char* path, std::size_t limit, auto fn) {
    router.add(m, path, {Access::user, limit}, http::member_handler(this, fn));
  };
  add(Method::get, "/api/templates", 0, &TemplateRoutes::gallery);
  add(Method::post, "/api/templates", kSourceLimit, &TemplateRoutes::create);
  add(Method::post, "/api/templates/preview", kSourceLimit + kValuesLimit, &TemplateRoutes::preview);
  add(Method::get, "/api/templates/{slug}", 0, &TemplateRoutes::show);
  add(Method::put, "/api/templates/{slug}", kSourceLimit, &TemplateRoutes::save);
  add(Method::get, "/api/templates/{slug}/revisions", 0, &TemplateRoutes::revisions);
  add(Method::get, "/api/templates/{slug}/revisions/{rev}", 0, &TemplateRoutes::revision);
  add(Method::get, "/api/templates/{slug}/diff", 0, &TemplateRoutes::diff);
  add(Method::get, "/api/templates/{slug}/releases", 0, &TemplateRoutes::releases);
  add(Method::post, "/api/templates/{slug}/releases", 4096, &TemplateRoutes::release);
  add(Method::post, "/api/templates/{slug}/fork", 4096, &TemplateRoutes::fork);
  add(Method::post, "/api/templates/{slug}/pull", kSourceLimit, &TemplateRoutes::pull);
  add(Method::post, "/api/templates/{slug}/ratings", 4096, &TemplateRoutes::rate);
  add(Method::post, "/api/templates/{slug}/render", kValuesLimit, &TemplateRoutes::render);
  add(Method::get, "/api/templates/{slug}/prefill", 0, &TemplateRoutes::prefill);
  add(Method::get, "/api/documents", 0, &TemplateRoutes::documents);
  add(Method::post, "/api/documents", kValuesLimit, &TemplateRoutes::save_document);
  add(Method::get, "/api/documents/{id}", 0, &TemplateRoutes::show_document);
  add(Method::put, "/api/documents/{id}", kValuesLimit, &TemplateRoutes::update_document);
  add(Method::delete_, "/api/documents/{id}", 0, &TemplateRoutes::delete_document);
  add(Method::post, "/api/documents/{id}/render", 4096, &TemplateRoutes::render_document);
}

boost::asio::awaitable<http::Response> TemplateRoutes::gallery(Request& req, Context&) {
  GalleryQuery q;
  if (std::string tag = req.query_param("tag"); !tag.empty()) {
    HUB_TRY(checked, check_tags({tag}));
    q.tag = checked->front();
  }
  if (std::string kind = req.query_param("kind"); !kind.empty()) {
    if (std::none_of(std::begin(kKinds), std::end(kKinds), [&](const char* k) { return kind == k; }))
      co_return http::error_response(ApiError::invalid_field("kind", "No such kind of document."));
    q.kind = kind;
  }
  q.sort = req.query_param("sort");
  if (q.sort.empty()) q.sort = "new";
  if (q.sort != "new" && q.sort != "use" && q.sort != "rating")
    co_return http::error_response(ApiError::invalid_field("sort", "sort is new, use or rating."));
  auto gallery_job = [q](Connection& c) { return templates::gallery(c, q); };
  HUB_TRY(items, co_await db_.read(gallery_job));
  co_return json_response(200, *items);
}

boost::asio::awaitable<http::Response> TemplateRoutes::create(Request& req, Context& ctx) {
  if (!can_create_template(actor_of(ctx))) co_return http::error_response(ApiError::forbidden());
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(slug_in, http::string_field(*body, "slug", 1, 200));
  HUB_TRY(slug, check_slug(*slug_in));
  HUB_TRY(license, license_field(*body));
  HUB_TRY(title_in, http::optional_string_field(*body, "title", 1000));
  HUB_TRY(content, http::string_field(*body, "content", 1, SIZE_MAX));
  HUB_TRY(summary, http::optional_string_field(*body, "summary", kMaxTemplateSummary));
  auto check_job = [text = std::move(*content)]() { return check_content(text); };
  HUB_TRY(checked, co_await cpu_.run(check_job));
  std::string title_text = title_in->value_or(checked->source.title);
  if (title_text.empty()) title_text = first_heading(checked->source.body);
  HUB_TRY(title, check_title(title_text.empty() ? *slug : title_text));
  NewTemplate t{*slug, *title, checked->source.kind, *license, checked->source.tags, ctx.user().user_id, {}, {}, {}};
  RevisionMeta meta{summary->value_or("Created the template."), "create", ctx.user().user_id, std::nullopt};
  const std::int64_t now = clock_.now(), actor = ctx.user().user_id;
  auto create_job = [t, meta, now, actor, p = std::move(checked->prepared)](Connection& c) -> Result<ViewInputs> {
    auto created = insert_template(c, t, p, meta, now);
    if (!created) return created.error();
    if (auto a = auth::audit(c, actor, "template.create", "template:" + t.slug, json::object(), now); !a)
      return a.error();
    return load_view_inputs(c, t.slug);
  };
  HUB_TRY(view, co_await db_.write(create_job));
  co_return json_response(201, view_json(*view));
}

boost::asio::awaitable<http::Response> TemplateRoutes::show(Request& req, Context&) {
  auto view_job = [slug = std::string(req.param("slug"))](Connection& c) { return load_view_inputs(c, slug); };
  HUB_TRY(view, co_await db_.read(view_job));
  auto json_job = [v = std::move(*view)]() -> Result<json> { return view_json(v); };
  HUB_TRY(body, co_await cpu_.run(json_job));
  co_return json_response(200, *body);
}

boost::asio::awaitable<http::Response> TemplateRoutes::save(Request& req, Context& ctx) {
  const std::string slug(req.param("slug"));
  HUB_TRY(body, http::parse_json_object(req.body));
  if (!body->contains("base_revision") || (*body)["base_revision"].is_null())
    co_return http::error_response(ApiError{428, "precondition_required",
                                            "Send base_revision, the revision your edit started from."});
  HUB_TRY(base, http::int_field(*body, "base_revision", 1, INT_MAX));
  HUB_TRY(content, http::string_field(*body, "content", 1, SIZE_MAX));
  HUB_TRY(summary, http::optional_string_field(*body, "summary", kMaxTemplateSummary));
  auto load_job = [slug](Connection& c) { return get_template(c, slug); };
  HUB_TRY(t, co_await db_.read(load_job));
  if (is_fill_only_license(t->license)) co_return http::error_response(fill_only_refused(*t, "changed"));
  if (!can_edit_template(actor_of(ctx), facts_of(*t)))
    co_return http::error_response(ApiError::forbidden("Only the template's owner edits it; fork it to make your own."));
  auto check_job = [text = *content]() { return check_content(text); };
  HUB_TRY(checked, co_await cpu_.run(check_job));
  RevisionMeta meta{summary->value_or("Edited the template."), "edit", ctx.user().user_id, std::nullopt};
  const std::int64_t now = clock_.now();
  struct Saved {
    std::optional<int> revision;
    std::string base_text, head_text;
    int head = 0;
  };
  auto save_job = [tmpl = *t, b = int(*base), meta, now, src = checked->source,
                   p = checked->prepared](Connection& c) -> Result<Saved> {
    auto fresh = get_template_by_id(c, tmpl.id);
    if (!fresh) return fresh.error();
    if (b > fresh->head) return ApiError::invalid_field("base_revision", "The template has no such revision.");
    auto r = append_template_revision(c, *fresh, b, p, meta, src.title.empty() ? fresh->title : src.title, src.kind,
                                      src.tags, now);
    if (!r) return r.error();
    Saved s{*r, "", "", fresh->head};
    if (*r) return s;
    auto base_text = revision_text(c, tmpl.id, b);
    auto head_text = revision_text(c, tmpl.id, fresh->head);
    if (!base_text) return base_text.error();
    if (!head_text) return head_text.error();
    s.base_text = base_text->value_or(""), s.head_text = head_text->value_or("");
    return s;
  };
  HUB_TRY(saved, co_await db_.write(save_job));
  if (!saved->revision) {
    auto merge_job = [s = *saved, theirs = *content]() { return merge_text(s.base_text, s.head_text, theirs); };
    HUB_TRY(merged, co_await cpu_.run(merge_job));
    co_return http::error_response(merge_conflict_error(
        "Revision " + std::to_string(saved->head) + " was saved after revision " + std::to_string(*base) +
            ", which your edit started from." +
            (merged->clean ? " The two merge cleanly: check the result and save it against the new revision."
                           : " They change the same lines: resolve the marked conflicts and save again."),
        int(*base), saved->head, *merged));
  }
  auto view_job = [slug](Connection& c) { return load_view_inputs(c, slug); };
  HUB_TRY(view, co_await db_.read(view_job));
  co_return json_response(200, view_json(*view));
}

boost::asio::awaitable<http::Response> TemplateRoutes::revisions(Request& req, Context&) {
  HUB_TRY(page, http::read_page(req));
  auto list_job = [slug = std::string(req.param("slug")), p = *page](Connection& c) -> Result<json> {
    auto t = get_template(c, slug);
    if (!t) return t.error();
    return list_template_revisions(c, t->id, p);
  };
  HUB_TRY(items, co_await db_.read(list_job));
  co_return json_response(200, *items);
}

boost::asio::awaitable<http::Response> TemplateRoutes::revision(Request& req, Context&) {
  auto n = req.id_param("rev");
  if (!n || *n > INT_MAX) co_return http::error_response(ApiError::not_found("No such revision."));
  auto read_job = [slug = std::string(req.param("slug")), n = int(*n)](Connection& c) -> Result<json> {
    auto t = get_template(c, slug);
    if (!t) return t.error();
    auto text = revision_text(c, t->id, n);
    if (!text) return text.error();
    if (!*text) return ApiError::not_found("No such revision.");
    return json{{"number", n}, {"content", **text}};
  };
  HUB_TRY(body, co_await db_.read(read_job));
  co_return json_response(200, *body);
}

boost::asio::awaitable<http::Response> TemplateRoutes::diff(Request& req, Context&) {
  HUB_TRY(from, int_query(req, "from"));
  HUB_TRY(to, int_query(req, "to"));
  if (!*from) co_return http::error_response(ApiError::invalid_field("from", "from is required: a revision number."));
  if (!*to) co_return http::error_response(ApiError::invalid_field("to", "to is required: a revision number."));
  struct DiffTexts {
    std::string from, to;
  };
  auto texts_job = [slug = std::string(req.param("slug")), f = int(**from), t = int(**to)](Connection& c) -> Result<DiffTexts> {
    auto tmpl = get_template(c, slug);
    if (!tmpl) return tmpl.error();
    auto a = revision_text(c, tmpl->id, f);
    auto b = revision_text(c, tmpl->id, t);
    if (!a) return a.error();
    if (!b) return b.error();
    if (!*a) return ApiError::invalid_field("from", "The template has no such revision.");
    if (!*b) return ApiError::invalid_field("to", "The template has no such revision.");
    return DiffTexts{std::move(**a), std::move(**b)};
  };
  HUB_TRY(texts, co_await db_.read(texts_job));
  auto diff_job = [t = std::move(*texts)]() -> Result<json> { return diff_json(diff_text(t.from, t.to)); };
  HUB_TRY(d, co_await cpu_.run(diff_job));
  (*d)["from"] = **from;
  (*d)["to"] = **to;
  co_return json_response(200, *d);
}

boost::asio::awaitable<http::Response> TemplateRoutes::releases(Request& req, Context&) {
  auto list_job = [slug = std::string(req.param("slug"))](Connection& c) -> Result<json> {
    auto t = get_template(c, slug);
    if (!t) return t.error();
    auto rs = list_releases(c, t->id);
    if (!rs) return rs.error();
    json items = json::array();
    for (const auto& r : *rs) items.push_back(release_json(r));
    return json{{"items", std::move(items)}, {"next_cursor", nullptr}};
  };
  HUB_TRY(items, co_await db_.read(list_job));
  co_return json_response(200, *items);
}

boost::asio::awaitable<http::Response> TemplateRoutes::release(Request& req, Context& ctx) {
  const std::string slug(req.param("slug"));
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(version_text, http::string_field(*body, "version", 1, 20));
  auto version = parse_version(*version_text);
  if (!version)
    co_return http::error_response(ApiError::invalid_field("version", "A version is MAJOR.MINOR.PATCH, e.g. 1.0.0."));
  HUB_TRY(summary, http::optional_string_field(*body, "summary", kMaxTemplateSummary));
  HUB_TRY(revision, http::optional_int_field(*body, "revision", 1, INT_MAX));
  struct ReleaseInputs {
    Template t;
    int revision = 0;
    std::string content;
    std::optional<Release> latest;
    std::string latest_content;
  };
  auto load_job = [slug, rev = *revision](Connection& c) -> Result<ReleaseInputs> {
    ReleaseInputs in;
    auto t = get_template(c, slug);
    if (!t) return t.error();
    in.t = std::move(*t);
    in.revision = rev ? int(*rev) : in.t.head;
    auto text = revision_text(c, in.t.id, in.revision);
    if (!text) return text.error();
    if (!*text) return ApiError::invalid_field("revision", "The template has no such revision.");
    in.content = std::move(**text);
    auto rs = list_releases(c, in.t.id);
    if (!rs) return rs.error();
    if (!rs->empty()) {
      in.latest = rs->front();
      auto lt = revision_text(c, in.t.id, in.latest->revision);
      if (!lt) return lt.error();
      in.latest_content = lt->value_or("");
    }
    return in;
  };
  HUB_TRY(in, co_await db_.read(load_job));
  if (!can_release_template(actor_of(ctx), facts_of(in->t)))
    co_return http::error_response(ApiError::forbidden("Only the template's owner releases it."));
  // The declaration is the contract, and the bump follows what changed in it.
  auto check_job = [in = *in, v = *version]() -> Result<RequiredBump> {
    auto src = parse_template(in.content);
    if (!src) return src.error();
    auto uses = scan_tags(src->body, src->fields);
    if (!uses) return uses.error();
    if (auto declared = check_declared_fields(*uses, src->fields); !declared) return declared.error();
    if (!in.latest) return RequiredBump{};
    auto before = parse_template(in.latest_content);
    if (!before) return ApiError::internal("A released revision no longer parses.");
    return required_bump(before->fields, src->fields);
  };
  HUB_TRY(required, co_await cpu_.run(check_job));
  if (in->latest) {
    auto bump = bump_between(in->latest->version, *version);
    if (!bump)
      co_return http::error_response(ApiError::invalid_field(
          "version", "Version " + version->text() + " is not above the latest release, " + in->latest->version.text() + "."));
    if (*bump < required->bump) {
      ApiError e{422, "invalid_field",
                 "This change needs a " + std::string(bump_name(required->bump)) + " release (" + required->reason +
                     "); " + version->text() + " is only a " + bump_name(*bump) + " bump.",
                 "version"};
      e.extra = json{{"required", bump_name(required->bump)}}.dump();
      co_return template_error_response(e);
    }
  }
  const std::int64_t now = clock_.now(), actor = ctx.user().user_id;
  auto write_job = [id = in->t.id, slug, v = *version, rev = in->revision, s = summary->value_or(""), now, actor,
                    latest = in->latest](Connection& c) -> Result<json> {
    auto rs = list_releases(c, id);
    if (!rs) return rs.error();
    std::optional<Version> now_latest = rs->empty() ? std::nullopt : std::optional<Version>(rs->front().version);
    if (now_latest != (latest ? std::optional<Version>(latest->version) : std::nullopt))
      return ApiError::conflict("Another release was made meanwhile; reload and try again.");
    if (auto r = insert_release(c, id, v, rev, s, actor, now); !r) return r.error();
    if (auto a = auth::audit(c, actor, "template.release", "template:" + slug, json{{"version", v.text()}}, now); !a)
      return a.error();
    return release_json(Release{v, rev, s, now});
  };
  HUB_TRY(created, co_await db_.write(write_job));
  (*created)["required"] = bump_name(required->bump);
  co_return json_response(201, *created);
}

boost::asio::awaitable<http::Response> TemplateRoutes::fork(Request& req, Context& ctx) {
  const std::string slug(req.param("slug"));
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(new_slug_in, http::string_field(*body, "new_slug", 1, 200));
  auto new_slug = check_slug(*new_slug_in);
  if (!new_slug) co_return http::error_response(ApiError::invalid_field("new_slug", new_slug.error().message));
  HUB_TRY(version_text, http::optional_string_field(*body, "version", 20));
  struct ForkInputs {
    Template t;
    Release release;
    std::string content;
  };
  auto load_job = [slug, vt = *version_text](Connection& c) -> Result<ForkInputs> {
    auto t = get_template(c, slug);
    if (!t) return t.error();
    auto rs = list_releases(c, t->id);
    if (!rs) return rs.error();
    if (rs->empty()) return ApiError::conflict("`" + slug + "` has no release yet; a fork starts from a release.");
    Release chosen = rs->front();
    if (vt) {
      auto v = parse_version(*vt);
      auto it = std::find_if(rs->begin(), rs->end(), [&](const Release& r) { return v && r.version == *v; });
      if (it == rs->end()) return ApiError::invalid_field("version", "No release " + *vt + ".");
      chosen = *it;
    }
    auto text = revision_text(c, t->id, chosen.revision);
    if (!text) return text.error();
    return ForkInputs{std::move(*t), chosen, text->value_or("")};
  };
  HUB_TRY(in, co_await db_.read(load_job));
  if (is_fill_only_license(in->t.license)) co_return http::error_response(fill_only_refused(in->t, "forked"));
  if (!can_fork_template(actor_of(ctx), facts_of(in->t))) co_return http::error_response(ApiError::forbidden());
  auto check_job = [text = in->content]() { return check_content(text); };
  HUB_TRY(checked, co_await cpu_.run(check_job));
  NewTemplate t{*new_slug, in->t.title, in->t.kind, in->t.license, in->t.tags, ctx.user().user_id,
                in->t.id, in->release.version.text(), in->release.revision};
  RevisionMeta meta{"Forked from " + slug + " " + in->release.version.text() + ".", "fork", ctx.user().user_id,
                    std::nullopt};
  const std::int64_t now = clock_.now(), actor = ctx.user().user_id;
  auto fork_job = [t, meta, now, actor, p = std::move(checked->prepared)](Connection& c) -> Result<ViewInputs> {
    auto created = insert_template(c, t, p, meta, now);
    if (!created) return created.error();
    if (auto a = auth::audit(c, actor, "template.fork", "template:" + t.slug, json{{"from", *t.upstream_version}}, now); !a)
      return a.error();
    return load_view_inputs(c, t.slug);
  };
  HUB_TRY(view, co_await db_.write(fork_job));
  co_return json_response(201, view_json(*view));
}

boost::asio::awaitable<http::Response> TemplateRoutes::pull(Request& req, Context& ctx) {
  const std::string slug(req.param("slug"));
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(version_text, http::string_field(*body, "version", 1, 20));
  auto version = parse_version(*version_text);
  if (!version) co_return http::error_response(ApiError::invalid_field("version", "A version is MAJOR.MINOR.PATCH."));
  HUB_TRY(resolved, http::optional_string_field(*body, "resolved_content", SIZE_MAX));
  HUB_TRY(base_rev, http::optional_int_field(*body, "base_revision", 1, INT_MAX));
  struct PullInputs {
    Template fork;
    Release release;
    std::string base, ours, theirs;
  };
  auto load_job = [slug, v = *version](Connection& c) -> Result<PullInputs> {
    auto fork = get_template(c, slug);
    if (!fork) return fork.error();
    if (!fork->upstream_id) return ApiError::conflict("`" + slug + "` is not a fork; there is nothing to pull.");
    auto release = find_release(c, *fork->upstream_id, v);
    if (!release) return release.error();
    if (!*release) return ApiError::invalid_field("version", "The upstream has no release " + v.text() + ".");
    auto base = revision_text(c, *fork->upstream_id, fork->upstream_revision.value_or(1));
    auto theirs = revision_text(c, *fork->upstream_id, (*release)->revision);
    auto ours = revision_text(c, fork->id, fork->head);
    if (!base) return base.error();
    if (!theirs) return theirs.error();
    if (!ours) return ours.error();
    return PullInputs{std::move(*fork), **release, base->value_or(""), ours->value_or(""), theirs->value_or("")};
  };
  HUB_TRY(in, co_await db_.read(load_job));
  if (is_fill_only_license(in->fork.license)) co_return http::error_response(fill_only_refused(in->fork, "changed"));
  if (!can_edit_template(actor_of(ctx), facts_of(in->fork)))
    co_return http::error_response(ApiError::forbidden("Only the fork's owner pulls into it."));
  if (auto current = parse_version(in->fork.upstream_version.value_or("")); current && in->release.version <= *current)
    co_return http::error_response(
        ApiError::invalid_field("version", "This fork already follows " + current->text() + "."));
  std::string upstream_label = "upstream " + in->release.version.text();
  std::string merged_text;
  if (*resolved) {
    // The owner's resolution of a pull that conflicted: saved as the pull, against the head it saw.
    if (!*base_rev || int(**base_rev) != in->fork.head)
      co_return http::error_response(ApiError::conflict("The fork changed since the conflicts were shown; pull again."));
    if ((*resolved)->find("<<<<<<<") != std::string::npos || (*resolved)->find(">>>>>>>") != std::string::npos)
      co_return http::error_response(
          ApiError::invalid_field("resolved_content", "The text still holds conflict markers; resolve each one."));
    merged_text = **resolved;
  } else {
    auto merge_job = [&in, upstream_label]() {
      return merge_text(in->base, in->ours, in->theirs, MergeLabels{"this fork", upstream_label});
    };
    HUB_TRY(merged, co_await cpu_.run(merge_job));
    if (!merged->clean) {
      ApiError e = ApiError::conflict("Pulling " + upstream_label + " conflicts with this fork's changes in " +
                                      std::to_string(merged->conflicts.size()) +
                                      " place(s). Nothing was changed: resolve them and send resolved_content.");
      e.extra = json{{"base_revision", in->fork.head},
                     {"version", in->release.version.text()},
                     {"conflicts", conflicts_json(merged->conflicts)},
                     {"marked", merged->text}}
                    .dump(-1, ' ', false, json::error_handler_t::replace);
      co_return http::error_response(e);
    }
    merged_text = std::move(merged->text);
  }
  auto check_job = [text = merged_text]() { return check_content(text); };
  HUB_TRY(checked, co_await cpu_.run(check_job));
  RevisionMeta meta{"Pulled " + upstream_label + ".", "pull", ctx.user().user_id, std::nullopt};
  const std::int64_t now = clock_.now();
  auto write_job = [fork = in->fork, rel = in->release, meta, now, src = checked->source,
                    p = checked->prepared](Connection& c) -> Result<ViewInputs> {
    auto r = append_template_revision(c, fork, fork.head, p, meta, src.title.empty() ? fork.title : src.title, src.kind,
                                      src.tags, now);
    if (!r) return r.error();
    if (!*r) return ApiError::conflict("The fork changed meanwhile; pull again.");
    if (auto s = set_upstream_release(c, fork.id, rel.version.text(), rel.revision); !s) return s.error();
    return load_view_inputs(c, fork.slug);
  };
  HUB_TRY(view, co_await db_.write(write_job));
  co_return json_response(200, view_json(*view));
}

boost::asio::awaitable<http::Response> TemplateRoutes::rate(Request& req, Context& ctx) {
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(stars, http::int_field(*body, "stars", 1, 5));
  HUB_TRY(comment, http::optional_string_field(*body, "comment", 2000));
  auto load_job = [slug = std::string(req.param("slug"))](Connection& c) { return get_template(c, slug); };
  HUB_TRY(t, co_await db_.read(load_job));
  if (!can_rate_template(actor_of(ctx), facts_of(*t)))
    co_return http::error_response(ApiError::forbidden("You may not rate your own template."));
  const std::int64_t now = clock_.now(), user = ctx.user().user_id;
  auto rate_job = [id = t->id, user, s = int(*stars), text = comment->value_or(""), now](Connection& c) -> Result<json> {
    if (auto r = upsert_rating(c, id, user, s, text, now); !r) return r.error();
    return template_stats(c, id);
  };
  HUB_TRY(stats, co_await db_.write(rate_job));
  co_return json_response(200, *stats);
}

}  // namespace hub::playbooks::templates
