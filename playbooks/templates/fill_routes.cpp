// TemplateRoutes: filling in (render, preview, prefill) and saved documents.
#include <climits>

#include "hub/http/json_body.hpp"
#include "hub/sharing/sharing_store.hpp"
#include "playbooks/services.hpp"
#include "playbooks/templates/document_store.hpp"
#include "playbooks/templates/fill.hpp"
#include "playbooks/templates/mustache_tags.hpp"
#include "playbooks/templates/parsed_cache.hpp"
#include "playbooks/templates/pdf_renderer.hpp"
#include "playbooks/templates/prefill.hpp"
#include "playbooks/templates/template_errors.hpp"
#include "playbooks/templates/template_routes.hpp"

namespace hub::playbooks::templates {

http::Response template_error_response(const http::ApiError& e) {
  if (!e.extra) return http::error_response(e);
  auto extra = nlohmann::json::parse(*e.extra, nullptr, false);
  http::ApiError plain = e;
  plain.extra.reset();
  auto r = http::error_response(plain);
  auto body = nlohmann::json::parse(r.body, nullptr, false);
  if (!extra.is_object() || !body.is_object()) return r;
  for (auto& [k, v] : extra.items()) {
    body["error"][k] = v;
    if (k == "required") body[k] = v;  // API.md: `{"required": "major"}`
  }
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

namespace {

#define TPL_TRY(var, expr) \
  auto var = (expr);       \
  if (!var) co_return template_error_response(var.error())

// The template source to fill: a release (named, or the latest), a draft revision, or the head
// draft when nothing is released yet.
struct FillSource {
  Template t;
  std::string version;  // empty for a draft
  int revision = 0;
  std::string content;
  std::optional<sharing::Engagement> engagement;
  bool used_before = false;  // the member already counts in the template's usage
};

Result<FillSource> load_fill_source(Connection& c, const sharing::RecordCipher& cipher, const RenderRequest& r,
                                    std::int64_t user_id) {
  FillSource s;
  auto t = get_template(c, r.slug);
  if (!t) return t.error();
  s.t = std::move(*t);
  if (r.revision) {
    s.revision = *r.revision;
  } else {
    auto rs = list_releases(c, s.t.id);
    if (!rs) return rs.error();
    if (r.version) {
      auto v = parse_version(*r.version);
      auto it = std::find_if(rs->begin(), rs->end(), [&](const Release& x) { return v && x.version == *v; });
      if (it == rs->end()) return ApiError::invalid_field("version", "`" + r.slug + "` has no release " + *r.version + ".");
      s.version = it->version.text(), s.revision = it->revision;
    } else if (!rs->empty()) {
      s.version = rs->front().version.text(), s.revision = rs->front().revision;
    } else {
      s.revision = s.t.head;
    }
  }
  auto text = revision_text(c, s.t.id, s.revision);
  if (!text) return text.error();
  if (!*text) return ApiError::invalid_field("revision", "The template has no such revision.");
  s.content = std::move(**text);
  auto used = c.prepare("SELECT 1 FROM template_usage WHERE template_id = ?1 AND user_id = ?2");
  used.bind(1, s.t.id).bind(2, user_id);
  auto row = used.step();
  if (!row) return row.error();
  s.used_before = *row;
  if (r.engagement_id) {
    // The sharing module's rule: an engagement is its author's alone (404 for everyone else).
    auto e = sharing::find_engagement(c, cipher, user_id, *r.engagement_id);
    if (!e) return e.error();
    if (!*e) return ApiError::not_found("No such engagement.");
    s.engagement = std::move(**e);
  }
  return s;
}

// Parses, checks the contract, prefills, checks the values and fills (CPU work).
struct Filled {
  std::string title;
  RenderedDocument doc;
  nlohmann::json values;
};
Result<Filled> fill_source(ParsedTemplateCache& cache, const FillSource& s, const RenderRequest& r) {
  auto parsed = cache.get(s.content);
  if (!parsed) return parsed.error();
  const TemplateSource* src = parsed->get();
  nlohmann::json given = r.fields.is_object() ? r.fields : nlohmann::json::object();
  if (s.engagement) {
    const nlohmann::json prefilled = prefill_from(src->fields, *s.engagement);
    for (auto& [k, v] : prefilled.items())
      if (!given.contains(k)) given[k] = v;
  }
  auto values = check_values(src->fields, given);
  if (!values) return values.error();
  auto doc = fill_template(*src, *values);
  if (!doc) return doc.error();
  std::string title = !r.title.empty() ? r.title : !src->title.empty() ? src->title : s.t.title;
  return Filled{title, std::move(*doc), std::move(*values)};
}

Result<RenderRequest> render_request_from(const nlohmann::json& body) {
  RenderRequest r;
  if (body.contains("fields")) {
    if (!body["fields"].is_object()) return ApiError::invalid_field("fields", "fields is an object of values.");
    r.fields = body["fields"];
  }
  auto format = http::optional_string_field(body, "format", 10);
  auto paper = http::optional_string_field(body, "paper", 10);
  auto version = http::optional_string_field(body, "version", 20);
  auto title = http::optional_string_field(body, "title", 200);
  auto revision = http::optional_int_field(body, "revision", 1, INT_MAX);
  auto engagement = http::optional_int_field(body, "engagement_id", 1, INT64_MAX);
  if (!format) return format.error();
  if (!paper) return paper.error();
  if (!version) return version.error();
  if (!title) return title.error();
  if (!revision) return revision.error();
  if (!engagement) return engagement.error();
  r.format = format->value_or("html");
  if (r.format != "html" && r.format != "json" && r.format != "pdf")
    return ApiError::invalid_field("format", "format is html, json or pdf.");
  r.paper = paper->value_or("a4");
  if (r.paper != "a4" && r.paper != "letter") return ApiError::invalid_field("paper", "paper is a4 or letter.");
  r.version = *version;
  r.title = title->value_or("");
  if (*revision) r.revision = int(**revision);
  r.engagement_id = *engagement;
  return r;
}

// The saved document `id`, when the policy lets `actor` read it; anyone else's is a 404 (it holds
// client details, so its existence is not confirmed either).
Result<SavedDocument> readable_document(Connection& c, const sharing::RecordCipher& cipher, const Actor& actor,
                                        std::int64_t id) {
  auto d = find_document(c, cipher, actor.user_id, id);
  if (!d) return d.error();
  if (!*d || !can_read_document(actor, (*d)->owner_id)) return ApiError::not_found("No such document.");
  return std::move(**d);
}

}  // namespace

boost::asio::awaitable<http::Response> TemplateRoutes::render(Request& req, Context& ctx) {
  if (!can_render_template(actor_of(ctx))) co_return http::error_response(ApiError::forbidden());
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(r, render_request_from(*body));
  r->slug = std::string(req.param("slug"));
  co_return co_await render_for(std::move(*r), ctx.user().user_id);
}

boost::asio::awaitable<http::Response> TemplateRoutes::render_for(RenderRequest r, std::int64_t user_id) {
  auto load_job = [this, r, user_id](Connection& c) { return load_fill_source(c, cipher_, r, user_id); };
  TPL_TRY(source, co_await db_.read(load_job));
  const std::string version = source->version;
  const std::int64_t template_id = source->t.id;
  const bool used_before = source->used_before;
  auto fill_job = [this, s = std::move(*source), r]() { return fill_source(parsed_, s, r); };
  TPL_TRY(filled, co_await cpu_.run(fill_job));
  const std::int64_t now = clock_.now();
  if (!used_before) {  // a write (and a commit) only for a member's first render
    auto use_job = [template_id, user_id, now](Connection& c) { return record_use(c, template_id, user_id, now); };
    TPL_TRY(used, co_await db_.write(use_job));
  }
  const std::string date = format_rfc3339(now).substr(0, 10);
  std::string page = document_page(filled->title, date, r.paper, filled->doc.html);
  if (r.format == "json") {
    nlohmann::json j;
    j["title"] = filled->title;
    j["version"] = version.empty() ? nlohmann::json(nullptr) : nlohmann::json(version);
    j["html"] = filled->doc.html;
    j["values"] = filled->values;
    co_return http::json_response(200, j);
  }
  if (r.format == "pdf") {
    if (!pdf_) co_return http::error_response(ApiError::unavailable("PDF is turned off on this hub ([templates] pdf_workers = 0)."));
    TPL_TRY(pdf, co_await pdf_->render(std::move(page)));
    http::Response res;
    res.headers.set("Content-Type", "application/pdf");
    res.headers.set("Content-Disposition", "attachment; filename=\"" + r.slug + ".pdf\"");
    res.headers.set("Cache-Control", "no-store");
    res.body = std::move(*pdf);
    co_return res;
  }
  http::Response res;
  res.headers.set("Content-Type", "text/html; charset=utf-8");
  res.headers.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'");
  res.headers.set("Cache-Control", "no-store");
  res.body = std::move(page);
  co_return res;
}

boost::asio::awaitable<http::Response> TemplateRoutes::preview(Request& req, Context& ctx) {
  if (!can_render_template(actor_of(ctx))) co_return http::error_response(ApiError::forbidden());
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(content, http::string_field(*body, "content", 1, SIZE_MAX));
  nlohmann::json fields = body->value("fields", nlohmann::json::object());
  // The editor's live preview: an unsaved draft, filled with the values given, else with samples.
  auto preview_job = [text = std::move(*content), fields]() -> Result<nlohmann::json> {
    auto src = parse_template(text);
    if (!src) return src.error();
    auto uses = scan_tags(src->body, src->fields);
    if (!uses) return uses.error();
    nlohmann::json out;
    auto declared = check_declared_fields(*uses, src->fields);
    out["contract"] = declared ? nlohmann::json(nullptr) : nlohmann::json(declared.error().message);
    out["fields"] = fields_json(src->fields);
    auto values = check_values(src->fields, fields.is_object() ? fields : nlohmann::json::object());
    if (!values) {  // the editor still gets the declarations, and what the values lack
      auto extra = nlohmann::json::parse(values.error().extra.value_or("{}"), nullptr, false);
      out["html"] = nullptr;
      out["problems"] = extra.is_object() ? extra.value("fields", nlohmann::json::array()) : nlohmann::json::array();
      return out;
    }
    auto doc = fill_template(*src, *values);
    if (!doc) return doc.error();
    out["html"] = doc->html;
    return out;
  };
  TPL_TRY(out, co_await cpu_.run(preview_job));
  co_return http::json_response(200, *out);
}

boost::asio::awaitable<http::Response> TemplateRoutes::prefill(Request& req, Context& ctx) {
  HUB_TRY(engagement, int_query(req, "engagement_id"));
  if (!*engagement)
    co_return http::error_response(ApiError::invalid_field("engagement_id", "engagement_id is required."));
  RenderRequest r;
  r.slug = std::string(req.param("slug"));
  r.engagement_id = **engagement;
  auto load_job = [this, r, user = ctx.user().user_id](Connection& c) { return load_fill_source(c, cipher_, r, user); };
  HUB_TRY(source, co_await db_.read(load_job));
  auto src = parse_template(source->content);
  if (!src) co_return http::error_response(src.error());
  co_return http::json_response(200, {{"fields", prefill_from(src->fields, *source->engagement)}});
}

boost::asio::awaitable<http::Response> TemplateRoutes::documents(Request&, Context& ctx) {
  auto list_job = [this, owner = ctx.user().user_id](Connection& c) -> Result<nlohmann::json> {
    auto docs = list_documents(c, cipher_, owner);
    if (!docs) return docs.error();
    auto items = nlohmann::json::array();
    for (const auto& d : *docs) items.push_back(document_json(d, false));
    return nlohmann::json{{"items", std::move(items)}, {"next_cursor", nullptr}};
  };
  HUB_TRY(items, co_await db_.read(list_job));
  co_return http::json_response(200, *items);
}

boost::asio::awaitable<http::Response> TemplateRoutes::save_document(Request& req, Context& ctx) {
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(slug, http::string_field(*body, "template", 1, 64));
  HUB_TRY(r, render_request_from(*body));
  r->slug = *slug;
  r->revision.reset();
  const std::int64_t owner = ctx.user().user_id;
  auto load_job = [this, r = *r, owner](Connection& c) { return load_fill_source(c, cipher_, r, owner); };
  TPL_TRY(source, co_await db_.read(load_job));
  if (source->version.empty())
    co_return http::error_response(ApiError::conflict("`" + *slug + "` has no release yet; documents are saved against a release."));
  auto check_job = [this, s = *source, r = *r]() { return fill_source(parsed_, s, r); };
  TPL_TRY(filled, co_await cpu_.run(check_job));
  SavedDocument d;
  d.owner_id = owner, d.template_id = source->t.id, d.template_slug = *slug, d.version = source->version;
  d.title = r->title.empty() ? filled->title : r->title;
  d.fields = r->fields;
  if (source->engagement)  // keep what the engagement filled in, so a re-render needs no engagement
    for (auto& [k, v] : filled->values.items())
      if (!d.fields.contains(k)) d.fields[k] = v;
  const std::int64_t now = clock_.now();
  auto save_job = [this, d, now](Connection& c) -> Result<nlohmann::json> {
    auto id = insert_document(c, cipher_, d, now);
    if (!id) return id.error();
    auto saved = find_document(c, cipher_, d.owner_id, *id);
    if (!saved) return saved.error();
    return document_json(**saved, true);
  };
  HUB_TRY(saved, co_await db_.write(save_job));
  co_return http::json_response(201, *saved);
}

boost::asio::awaitable<http::Response> TemplateRoutes::show_document(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return http::error_response(ApiError::not_found("No such document."));
  auto read_job = [this, id = *id, actor = actor_of(ctx)](Connection& c) -> Result<nlohmann::json> {
    auto d = readable_document(c, cipher_, actor, id);
    if (!d) return d.error();
    auto j = document_json(*d, true);
    auto rs = list_releases(c, d->template_id);
    if (!rs) return rs.error();
    j["latest_version"] = rs->empty() ? nlohmann::json(nullptr) : nlohmann::json(rs->front().version.text());
    return j;
  };
  HUB_TRY(doc, co_await db_.read(read_job));
  co_return http::json_response(200, *doc);
}

boost::asio::awaitable<http::Response> TemplateRoutes::update_document(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return http::error_response(ApiError::not_found("No such document."));
  HUB_TRY(body, http::parse_json_object(req.body));
  const std::int64_t owner = ctx.user().user_id;
  auto read_job = [this, id = *id, actor = actor_of(ctx)](Connection& c) { return readable_document(c, cipher_, actor, id); };
  HUB_TRY(doc, co_await db_.read(read_job));
  HUB_TRY(r, render_request_from(*body));
  r->slug = doc->template_slug;
  if (!r->version) r->version = doc->version;
  if (!body->contains("fields")) r->fields = doc->fields;
  auto load_job = [this, r = *r, owner](Connection& c) { return load_fill_source(c, cipher_, r, owner); };
  TPL_TRY(source, co_await db_.read(load_job));
  auto check_job = [this, s = *source, r = *r]() { return fill_source(parsed_, s, r); };
  TPL_TRY(filled, co_await cpu_.run(check_job));
  doc->fields = r->fields;
  doc->version = source->version;
  if (!r->title.empty()) doc->title = r->title;
  const std::int64_t now = clock_.now();
  auto save_job = [this, d = *doc, now](Connection& c) -> Result<nlohmann::json> {
    if (auto s = templates::update_document(c, cipher_, d, now); !s) return s.error();
    auto saved = find_document(c, cipher_, d.owner_id, d.id);
    if (!saved) return saved.error();
    if (!*saved) return ApiError::not_found("No such document.");
    return document_json(**saved, true);
  };
  HUB_TRY(saved, co_await db_.write(save_job));
  co_return http::json_response(200, *saved);
}

boost::asio::awaitable<http::Response> TemplateRoutes::delete_document(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return http::error_response(ApiError::not_found("No such document."));
  auto delete_job = [id = *id, owner = ctx.user().user_id](Connection& c) { return templates::delete_document(c, owner, id); };
  HUB_TRY(deleted, co_await db_.write(delete_job));
  if (!*deleted) co_return http::error_response(ApiError::not_found("No such document."));
  co_return http::empty_response(204);
}

boost::asio::awaitable<http::Response> TemplateRoutes::render_document(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return http::error_response(ApiError::not_found("No such document."));
  HUB_TRY(body, http::parse_json_object(req.body));
  const std::int64_t owner = ctx.user().user_id;
  auto read_job = [this, id = *id, actor = actor_of(ctx)](Connection& c) { return readable_document(c, cipher_, actor, id); };
  HUB_TRY(doc, co_await db_.read(read_job));
  HUB_TRY(r, render_request_from(*body));
  r->slug = doc->template_slug;
  r->fields = doc->fields;
  r->revision.reset();
  r->engagement_id.reset();
  // "latest" re-renders the saved values against the newest release.
  if (r->version == "latest") r->version.reset();
  else if (!r->version) r->version = doc->version;
  if (r->title.empty()) r->title = doc->title;
  co_return co_await render_for(std::move(*r), owner);
}

}  // namespace hub::playbooks::templates
