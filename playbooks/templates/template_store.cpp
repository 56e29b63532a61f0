#include "playbooks/templates/template_store.hpp"

#include "hub/http/clock.hpp"
#include "playbooks/search_index.hpp"

namespace hub::playbooks::templates {
namespace {

constexpr const char* kTemplateSearchKind = "template";
constexpr const char* kTemplateColumns =
    "SELECT id, slug, title, kind, license, owner_id, head, upstream_id, upstream_version, upstream_revision, "
    "created_at, updated_at FROM templates ";

std::string joined_tags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) out += (out.empty() ? "" : " ") + t;
  return out;
}

Status store_tags(Connection& db, std::int64_t id, const std::vector<std::string>& tags) {
  auto del = db.prepare("DELETE FROM template_tags WHERE template_id = ?1");
  del.bind(1, id);
  if (auto s = del.run(); !s) return s;
  for (const auto& t : tags) {
    auto ins = db.prepare("INSERT INTO template_tags (template_id, tag) VALUES (?1, ?2)");
    ins.bind(1, id).bind(2, std::string_view(t));
    if (auto s = ins.run(); !s) return s;
  }
  return http::Ok{};
}

Result<std::optional<Template>> read_template(Connection& db, store::Statement& s) {
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<Template>{};
  Template t;
  t.id = s.int64(0), t.slug = s.text(1), t.title = s.text(2), t.kind = s.text(3), t.license = s.text(4);
  t.owner_id = s.optional_int64(5);
  t.head = int(s.int64(6));
  t.upstream_id = s.optional_int64(7);
  t.upstream_version = s.optional_text(8);
  if (!s.is_null(9)) t.upstream_revision = int(s.int64(9));
  t.created_at = s.int64(10), t.updated_at = s.int64(11);
  auto tags = db.prepare("SELECT tag FROM template_tags WHERE template_id = ?1 ORDER BY tag");
  tags.bind(1, t.id);
  if (auto r = tags.each_row([&] { t.tags.push_back(tags.text(0)); }); !r) return r.error();
  return std::optional<Template>(std::move(t));
}

Status insert_template_revision(Connection& db, std::int64_t id, int number, std::int64_t blob_id,
                                const RevisionMeta& meta, std::int64_t now) {
  auto s = db.prepare(
      "INSERT INTO template_revisions (template_id, number, parent, blob_id, author_id, summary, kind, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  s.bind(1, id).bind(2, std::int64_t(number));
  s.bind(3, number > 1 ? std::optional<std::int64_t>(number - 1) : std::nullopt);
  s.bind(4, blob_id).bind(5, meta.author_id).bind(6, std::string_view(meta.summary));
  s.bind(7, std::string_view(meta.kind)).bind(8, now);
  return s.run();
}

Status index_template(Connection& db, const std::string& slug, const std::string& title, const std::string& content,
                      const std::vector<std::string>& tags) {
  return index_document(db, kTemplateSearchKind, slug, title, content, joined_tags(tags));
}

}  // namespace

Result<Template> insert_template(Connection& db, const NewTemplate& t, const PreparedContent& content,
                                 const RevisionMeta& meta, std::int64_t now) {
  auto taken = find_playbook(db, t.slug);
  if (!taken) return taken.error();
  if (*taken) return ApiError::conflict("A playbook already uses the slug `" + t.slug + "`.");
  auto s = db.prepare(
      "INSERT INTO templates (slug, title, kind, license, owner_id, head, upstream_id, upstream_version, "
      "upstream_revision, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8, ?9, ?9) "
      "ON CONFLICT (slug) DO NOTHING");
  s.bind(1, std::string_view(t.slug)).bind(2, std::string_view(t.title)).bind(3, std::string_view(t.kind));
  s.bind(4, std::string_view(t.license)).bind(5, t.owner_id).bind(6, t.upstream_id).bind(7, t.upstream_version);
  s.bind(8, t.upstream_revision ? std::optional<std::int64_t>(*t.upstream_revision) : std::nullopt).bind(9, now);
  if (auto r = s.run(); !r) return r.error();
  if (db.changes() == 0) return ApiError::conflict("The slug `" + t.slug + "` is taken.");
  const std::int64_t id = db.last_insert_id();
  auto blob = store_content(db, content);
  if (!blob) return blob.error();
  if (auto r = insert_template_revision(db, id, 1, *blob, meta, now); !r) return r.error();
  if (auto r = store_tags(db, id, t.tags); !r) return r.error();
  if (auto r = index_template(db, t.slug, t.title, content.content, t.tags); !r) return r.error();
  return get_template_by_id(db, id);
}

Result<std::optional<Template>> find_template(Connection& db, std::string_view slug) {
  auto s = db.prepare(std::string(kTemplateColumns) + "WHERE slug = ?1");
  s.bind(1, slug);
  return read_template(db, s);
}

Result<Template> get_template(Connection& db, std::string_view slug) {
  auto t = find_template(db, slug);
  if (!t) return t.error();
  if (!*t) return ApiError::not_found("No template `" + std::string(slug) + "`.");
  return std::move(**t);
}

Result<Template> get_template_by_id(Connection& db, std::int64_t id) {
  auto s = db.prepare(std::string(kTemplateColumns) + "WHERE id = ?1");
  s.bind(1, id);
  auto t = read_template(db, s);
  if (!t) return t.error();
  if (!*t) return ApiError::not_found("No such template.");
  return std::move(**t);
}

Result<std::optional<int>> append_template_revision(Connection& db, const Template& t, int base,
                                                    const PreparedContent& content, const RevisionMeta& meta,
                                                    const std::string& title, const std::string& kind,
                                                    const std::vector<std::string>& tags, std::int64_t now) {
  auto move = db.prepare(
      "UPDATE templates SET head = head + 1, title = ?3, kind = ?4, updated_at = ?5 WHERE id = ?1 AND head = ?2");
  move.bind(1, t.id).bind(2, std::int64_t(base)).bind(3, std::string_view(title)).bind(4, std::string_view(kind));
  move.bind(5, now);
  if (auto r = move.run(); !r) return r.error();
  if (db.changes() == 0) return std::optional<int>{};
  auto blob = store_content(db, content);
  if (!blob) return blob.error();
  if (auto r = insert_template_revision(db, t.id, base + 1, *blob, meta, now); !r) return r.error();
  if (auto r = store_tags(db, t.id, tags); !r) return r.error();
  if (auto r = index_template(db, t.slug, title, content.content, tags); !r) return r.error();
  return std::optional<int>(base + 1);
}

Result<std::optional<std::string>> revision_text(Connection& db, std::int64_t template_id, int number) {
  auto s = db.prepare(
      "SELECT b.content FROM template_revisions r JOIN playbook_blobs b ON b.id = r.blob_id "
      "WHERE r.template_id = ?1 AND r.number = ?2");
  s.bind(1, template_id).bind(2, std::int64_t(number));
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>{};
  return std::optional<std::string>(s.text(0));
}

Result<json> list_template_revisions(Connection& db, std::int64_t template_id, const http::Page& page) {
  auto s = db.prepare(
      "SELECT r.number, r.summary, r.kind, r.created_at, u.id, u.handle, u.display_name FROM template_revisions r "
      "LEFT JOIN users u ON u.id = r.author_id WHERE r.template_id = ?1 AND (?2 = 0 OR r.number < ?2) "
      "ORDER BY r.number DESC LIMIT ?3");
  s.bind(1, template_id).bind(2, page.after).bind(3, std::int64_t(page.limit + 1));
  json items = json::array();
  auto read = s.each_row([&] {
    json j;
    j["number"] = s.int64(0);
    j["summary"] = s.text(1);
    j["kind"] = s.text(2);
    j["created_at"] = format_rfc3339(s.int64(3));
    j["author"] = s.is_null(4) ? json(nullptr) : person_json(s.int64(4), s.text(5), s.text(6));
    items.push_back(std::move(j));
  });
  if (!read) return read.error();
  return http::page_body(std::move(items), page, "number");
}

Result<std::vector<Release>> list_releases(Connection& db, std::int64_t template_id) {
  auto s = db.prepare(
      "SELECT major, minor, patch, revision, summary, created_at FROM template_releases WHERE template_id = ?1 "
      "ORDER BY major DESC, minor DESC, patch DESC");
  s.bind(1, template_id);
  std::vector<Release> out;
  auto read = s.each_row([&] {
    out.push_back({{int(s.int64(0)), int(s.int64(1)), int(s.int64(2))}, int(s.int64(3)), s.text(4), s.int64(5)});
  });
  if (!read) return read.error();
  return out;
}

Result<std::optional<Release>> find_release(Connection& db, std::int64_t template_id, const Version& v) {
  auto s = db.prepare(
      "SELECT revision, summary, created_at FROM template_releases WHERE template_id = ?1 AND major = ?2 AND "
      "minor = ?3 AND patch = ?4");
  s.bind(1, template_id).bind(2, std::int64_t(v.major)).bind(3, std::int64_t(v.minor)).bind(4, std::int64_t(v.patch));
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<Release>{};
  return std::optional<Release>(Release{v, int(s.int64(0)), s.text(1), s.int64(2)});
}

Status insert_release(Connection& db, std::int64_t template_id, const Version& v, int revision,
                      const std::string& summary, std::optional<std::int64_t> actor, std::int64_t now) {
  auto s = db.prepare(
      "INSERT INTO template_releases (template_id, major, minor, patch, revision, summary, created_by, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  s.bind(1, template_id).bind(2, std::int64_t(v.major)).bind(3, std::int64_t(v.minor)).bind(4, std::int64_t(v.patch));
  s.bind(5, std::int64_t(revision)).bind(6, std::string_view(summary)).bind(7, actor).bind(8, now);
  return s.run();
}

Status set_upstream_release(Connection& db, std::int64_t template_id, const std::string& version, int revision) {
  auto s = db.prepare("UPDATE templates SET upstream_version = ?2, upstream_revision = ?3 WHERE id = ?1");
  s.bind(1, template_id).bind(2, std::string_view(version)).bind(3, std::int64_t(revision));
  return s.run();
}

Status record_use(Connection& db, std::int64_t template_id, std::int64_t user_id, std::int64_t now) {
  auto s = db.prepare(
      "INSERT INTO template_usage (template_id, user_id, first_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
  s.bind(1, template_id).bind(2, user_id).bind(3, now);
  return s.run();
}

Status upsert_rating(Connection& db, std::int64_t template_id, std::int64_t user_id, int stars,
                     const std::string& comment, std::int64_t now) {
  auto s = db.prepare(
      "INSERT INTO template_ratings (template_id, user_id, stars, comment, created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT (template_id, user_id) DO UPDATE SET stars = ?3, comment = ?4, created_at = ?5");
  s.bind(1, template_id).bind(2, user_id).bind(3, std::int64_t(stars)).bind(4, std::string_view(comment)).bind(5, now);
  return s.run();
}

Result<json> template_stats(Connection& db, std::int64_t template_id) {
  auto s = db.prepare(
      "SELECT (SELECT count(*) FROM template_usage WHERE template_id = ?1), "
      "(SELECT CAST(round(avg(stars) * 100) AS INTEGER) FROM template_ratings WHERE template_id = ?1), "
      "(SELECT count(*) FROM template_ratings WHERE template_id = ?1)");
  s.bind(1, template_id);
  auto row = s.step();
  if (!row) return row.error();
  json out;
  out["uses"] = s.int64(0);
  out["rating"] = {{"average", s.is_null(1) ? json(nullptr) : json(double(s.int64(1)) / 100.0)},
                   {"count", s.int64(2)}};
  auto r = db.prepare(
      "SELECT r.stars, r.comment, r.created_at, u.id, u.handle, u.display_name FROM template_ratings r "
      "JOIN users u ON u.id = r.user_id WHERE r.template_id = ?1 ORDER BY r.created_at DESC, r.user_id LIMIT 20");
  r.bind(1, template_id);
  json ratings = json::array();
  auto read = r.each_row([&] {
    json j;
    j["stars"] = r.int64(0);
    j["comment"] = r.text(1);
    j["created_at"] = format_rfc3339(r.int64(2));
    j["author"] = person_json(r.int64(3), r.text(4), r.text(5));
    ratings.push_back(std::move(j));
  });
  if (!read) return read.error();
  out["ratings"] = std::move(ratings);
  return out;
}

Result<json> gallery(Connection& db, const GalleryQuery& q) {
  std::string order = q.sort == "use"      ? "uses DESC, t.id DESC"
                      : q.sort == "rating" ? "coalesce(rating, 0) DESC, ratings DESC, t.id DESC"
                                           : "t.updated_at DESC, t.id DESC";
  auto s = db.prepare(
      "SELECT t.slug, "
      "(SELECT count(*) FROM template_usage WHERE template_id = t.id) AS uses, "
      "(SELECT CAST(round(avg(stars) * 100) AS INTEGER) FROM template_ratings WHERE template_id = t.id) AS rating, "
      "(SELECT count(*) FROM template_ratings WHERE template_id = t.id) AS ratings "
      "FROM templates t WHERE (?1 IS NULL OR t.kind = ?1) AND "
      "(?2 IS NULL OR EXISTS (SELECT 1 FROM template_tags g WHERE g.template_id = t.id AND g.tag = ?2)) "
      "ORDER BY " + order + " LIMIT 500");
  s.bind(1, q.kind).bind(2, q.tag);
  struct Row {
    std::string slug;
    std::int64_t uses, ratings;
    std::optional<std::int64_t> rating;
  };
  std::vector<Row> rows;
  auto read = s.each_row([&] { rows.push_back({s.text(0), s.int64(1), s.int64(3), s.optional_int64(2)}); });
  if (!read) return read.error();
  json items = json::array();
  for (const auto& row : rows) {
    auto t = get_template(db, row.slug);
    if (!t) return t.error();
    auto releases = list_releases(db, t->id);
    if (!releases) return releases.error();
    json j;
    j["slug"] = t->slug;
    j["title"] = t->title;
    j["kind"] = t->kind;
    j["license"] = t->license;
    j["tags"] = t->tags;
    j["latest_version"] = releases->empty() ? json(nullptr) : json(releases->front().version.text());
    j["uses"] = row.uses;
    j["rating"] = {{"average", row.rating ? json(double(*row.rating) / 100.0) : json(nullptr)}, {"count", row.ratings}};
    j["is_fork"] = t->upstream_id.has_value();
    items.push_back(std::move(j));
  }
  return json{{"items", std::move(items)}, {"next_cursor", nullptr}};
}

Result<json> list_forks(Connection& db, std::int64_t template_id) {
  auto s = db.prepare(
      "SELECT t.slug, t.title, t.upstream_version, u.id, u.handle, u.display_name FROM templates t "
      "LEFT JOIN users u ON u.id = t.owner_id WHERE t.upstream_id = ?1 ORDER BY t.id LIMIT 200");
  s.bind(1, template_id);
  json out = json::array();
  auto read = s.each_row([&] {
    json j;
    j["slug"] = s.text(0);
    j["title"] = s.text(1);
    j["upstream_version"] = s.text(2);
    j["owner"] = s.is_null(3) ? json(nullptr) : person_json(s.int64(3), s.text(4), s.text(5));
    out.push_back(std::move(j));
  });
  if (!read) return read.error();
  return out;
}

json release_json(const Release& r) {
  json j;
  j["version"] = r.version.text();
  j["revision"] = r.revision;
  j["summary"] = r.summary;
  j["created_at"] = format_rfc3339(r.created_at);
  return j;
}

}  // namespace hub::playbooks::templates
