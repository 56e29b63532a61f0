#include "playbooks/exchange.hpp"

#include <cstring>

#include "hub/auth/account_store.hpp"
#include "hub/http/json_body.hpp"
#include "playbooks/settings_log.hpp"

namespace hub::playbooks {
namespace {

using http::error_response;
using http::json_response;

constexpr std::size_t kImportBodyLimit = 8 * 1024 * 1024;

ApiError bad_file(const std::string& name, const std::string& why) {
  return ApiError::invalid_field("files", name + ": " + why);
}

Result<ImportDocument> prepare_one(const NamedFile& f) {
  auto parsed = parse_playbook_file(f.content);
  if (!parsed) return bad_file(f.name, parsed.error().message);
  ImportDocument doc{std::move(*parsed), {}};
  if (doc.file.slug.empty()) doc.file.slug = slug_from_file_name(f.name);
  auto slug = check_slug(doc.file.slug);
  if (!slug) return bad_file(f.name, slug.error().message);
  if (doc.file.title.empty()) doc.file.title = first_heading(doc.file.content);
  if (doc.file.title.empty()) doc.file.title = doc.file.slug;
  auto title = check_title(doc.file.title);
  if (!title) return bad_file(f.name, title.error().message);
  doc.file.title = *title;
  auto tags = check_tags(doc.file.tags);
  if (!tags) return bad_file(f.name, tags.error().message);
  doc.file.tags = *tags;
  if (doc.file.required_approvals && *doc.file.required_approvals > kMaxRequiredApprovals)
    return bad_file(f.name, "required_approvals is at most 5.");
  auto content = prepare_content(doc.file.content);
  if (!content) return bad_file(f.name, content.error().message);
  doc.content = std::move(*content);
  return doc;
}

void octal(char* field, std::size_t width, std::uint64_t value) {
  std::snprintf(field, width, "%0*llo", int(width - 1), static_cast<unsigned long long>(value));
}

}  // namespace

Result<std::vector<ImportDocument>> prepare_import(const std::vector<NamedFile>& files) {
  if (files.empty()) return ApiError::invalid_field("files", "Send at least one file.");
  if (files.size() > kMaxImportFiles) return ApiError::invalid_field("files", "Import at most 200 files at once.");
  std::vector<ImportDocument> docs;
  for (const auto& f : files) {
    auto doc = prepare_one(f);
    if (!doc) return doc.error();
    for (const auto& other : docs)
      if (other.file.slug == doc->file.slug) return bad_file(f.name, "another file has the same slug.");
    docs.push_back(std::move(*doc));
  }
  return docs;
}

Result<ImportReport> import_documents(Connection& db, const std::vector<ImportDocument>& docs, bool update_existing,
                                      std::optional<std::int64_t> actor, std::int64_t now) {
  ImportReport report;
  for (const auto& d : docs) {
    const RevisionMeta meta{"Imported.", "import", actor, std::nullopt};
    auto existing = find_playbook(db, d.file.slug);
    if (!existing) return existing.error();
    if (!*existing) {
      auto created = insert_playbook(db, d.file.slug, d.file.title, d.file.tags, d.file.required_approvals.value_or(0),
                                     d.content, meta, now);
      if (!created) return created.error();
      report.created.push_back(d.file.slug);
      continue;
    }
    const Playbook& pb = **existing;
    auto head = revision_address(db, pb.id, pb.head);
    if (!head) return head.error();
    const bool same_content = *head == d.content.sha256;
    const bool same_meta = pb.title == d.file.title && pb.tags == d.file.tags &&
                           (!d.file.required_approvals || *d.file.required_approvals == pb.required_approvals);
    if (!update_existing || (same_content && same_meta)) {
      report.unchanged.push_back(d.file.slug);
      continue;
    }
    if (!same_content) {
      auto appended = append_revision(db, pb.id, pb.head, d.content, meta, now);
      if (!appended) return appended.error();
    }
    std::optional<int> approvals;
    if (d.file.required_approvals) approvals = *d.file.required_approvals;
    if (auto u = update_playbook(db, pb.id, d.file.title, d.file.tags, approvals, now); !u) return u.error();
    if (actor) {  // an import by an admin is audited like any settings change; `init` has no actor
      auto changes = settings_changes(pb, d.file.title, d.file.tags, approvals);
      if (auto r = record_settings_changes(db, pb.id, *actor, changes, now); !r) return r.error();
    }
    report.updated.push_back(d.file.slug);
  }
  return report;
}

Result<NamedFile> export_playbook(Connection& db, const Playbook& playbook) {
  auto head = get_revision(db, playbook.id, playbook.head);
  if (!head) return head.error();
  if (!*head) return ApiError::internal("A playbook's head revision is missing.");
  PlaybookFile file{playbook.slug, playbook.title, playbook.tags, std::nullopt, playbook.head, (*head)->content};
  if (playbook.required_approvals) file.required_approvals = playbook.required_approvals;
  return NamedFile{playbook.slug + ".md", write_playbook_file(file)};
}

std::string tar_archive(const std::vector<NamedFile>& files, std::int64_t mtime) {
  std::string out;
  for (const auto& f : files) {
    char header[512] = {};
    std::strncpy(header, f.name.c_str(), 99);
    octal(header + 100, 8, 0644);
    octal(header + 108, 8, 0);
    octal(header + 116, 8, 0);
    octal(header + 124, 12, f.content.size());
    octal(header + 136, 12, static_cast<std::uint64_t>(mtime));
    std::memset(header + 148, ' ', 8);  // the checksum counts its own field as spaces
    header[156] = '0';
    std::memcpy(header + 257, "ustar", 6);
    std::memcpy(header + 263, "00", 2);
    unsigned sum = 0;
    for (unsigned char c : header) sum += c;
    std::snprintf(header + 148, 8, "%06o", sum);
    header[155] = ' ';
    out.append(header, sizeof header);
    out += f.content;
    out.append((512 - f.content.size() % 512) % 512, '\0');
  }
  out.append(1024, '\0');
  return out;
}

void ExchangeRoutes::add_to(http::Router& router) {
  using http::Access;
  using http::Method;
  router.add(Method::get, "/api/playbooks/{slug}/export", {Access::user, 0},
             http::member_handler(this, &ExchangeRoutes::export_one));
  router.add(Method::get, "/api/playbooks/export", {Access::user, 0}, http::member_handler(this, &ExchangeRoutes::export_all));
  router.add(Method::post, "/api/playbooks/import", {Access::admin, kImportBodyLimit},
             http::member_handler(this, &ExchangeRoutes::import));
}

boost::asio::awaitable<http::Response> ExchangeRoutes::export_one(Request& req, Context&) {
  auto export_job = [slug = std::string(req.param("slug"))](Connection& c) -> Result<NamedFile> {
    auto pb = get_playbook(c, slug);
    if (!pb) return pb.error();
    return export_playbook(c, *pb);
  };
  HUB_TRY(file, co_await s_.db.read(export_job));
  http::Response r;
  r.headers.set("Content-Type", "text/markdown; charset=utf-8");
  r.headers.set("Content-Disposition", "attachment; filename=\"" + file->name + "\"");
  r.body = std::move(file->content);
  co_return r;
}

boost::asio::awaitable<http::Response> ExchangeRoutes::export_all(Request& req, Context&) {
  const std::string format = req.query_param("format");
  if (!format.empty() && format != "json" && format != "tar")
    co_return error_response(ApiError::invalid_field("format", "format is json or tar."));
  auto export_job = [](Connection& c) -> Result<std::vector<NamedFile>> {
    auto all = all_playbooks(c);
    if (!all) return all.error();
    std::vector<NamedFile> files;
    for (const auto& pb : *all) {
      auto f = export_playbook(c, pb);
      if (!f) return f.error();
      files.push_back(std::move(*f));
    }
    return files;
  };
  HUB_TRY(files, co_await s_.db.read(export_job));
  if (format == "tar") {
    http::Response r;
    r.headers.set("Content-Type", "application/x-tar");
    r.headers.set("Content-Disposition", "attachment; filename=\"playbooks-" + format_date(s_.clock.now()) + ".tar\"");
    r.body = tar_archive(*files, s_.clock.now());
    co_return r;
  }
  json items = json::array();
  for (const auto& f : *files) items.push_back({{"name", f.name}, {"content", f.content}});
  co_return json_response(200, {{"files", std::move(items)}});
}

boost::asio::awaitable<http::Response> ExchangeRoutes::import(Request& req, Context& ctx) {
  HUB_TRY(body, http::parse_json_object(req.body));
  auto list = body->find("files");
  if (list == body->end() || !list->is_array())
    co_return error_response(ApiError::invalid_field("files", "files must be a list of {name, content}."));
  std::vector<NamedFile> files;
  for (const auto& f : *list) {
    if (!f.is_object()) co_return error_response(ApiError::invalid_field("files", "Each file is {name, content}."));
    HUB_TRY(content, http::string_field(f, "content", 0, SIZE_MAX));
    HUB_TRY(name, http::optional_string_field(f, "name", 200));
    files.push_back({name->value_or(""), std::move(*content)});
  }
  HUB_TRY(update_existing, http::optional_string_field(*body, "mode", 20));
  const bool update = update_existing->value_or("update") == "update";
  if (*update_existing && **update_existing != "update" && **update_existing != "create_only")
    co_return error_response(ApiError::invalid_field("mode", "mode is update or create_only."));
  auto prepare_job = [files = std::move(files)]() { return prepare_import(files); };
  HUB_TRY(docs, co_await s_.cpu.run(prepare_job));
  const std::int64_t now = s_.clock.now(), actor = ctx.user().user_id;
  auto import_job = [=, d = std::move(*docs)](Connection& c) -> Result<ImportReport> {
    auto report = import_documents(c, d, update, actor, now);
    if (!report) return report.error();
    json detail = {{"created", report->created.size()}, {"updated", report->updated.size()}};
    if (auto a = auth::audit(c, actor, "playbook.import", "playbooks", detail, now); !a) return a.error();
    return report;
  };
  HUB_TRY(report, co_await s_.db.write(import_job));
  s_.views.clear();
  co_return json_response(200, {{"created", report->created}, {"updated", report->updated}, {"unchanged", report->unchanged}});
}

}  // namespace hub::playbooks
