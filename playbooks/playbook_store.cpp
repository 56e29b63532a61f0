#include "playbooks/playbook_store.hpp"

#include <algorithm>

#include "hub/http/clock.hpp"
#include "hub/http/json_body.hpp"
#include "playbooks/markdown.hpp"
#include "playbooks/search_index.hpp"

namespace hub::playbooks {
namespace {

constexpr const char* kReservedSlugs[] = {"export", "import", "new", "search"};
constexpr const char* kSearchKind = "playbook";

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Hyphen-separated words of a-z and 0-9.
bool is_kebab(std::string_view s) {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '-' && s[i - 1] == '-') return false;
    if (s[i] != '-' && !is_lower_alnum(s[i])) return false;
  }
  return true;
}

std::string join_tags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) out += (out.empty() ? "" : " ") + t;
  return out;
}

Result<std::vector<std::string>> load_tags(Connection& db, std::int64_t playbook_id) {
  auto s = db.prepare("SELECT tag FROM playbook_tags WHERE playbook_id = ?1 ORDER BY tag");
  s.bind(1, playbook_id);
  std::vector<std::string> tags;
  if (auto read = s.each_row([&] { tags.push_back(s.text(0)); }); !read) return read.error();
  return tags;
}

Status replace_tags(Connection& db, std::int64_t playbook_id, const std::vector<std::string>& tags) {
  auto del = db.prepare("DELETE FROM playbook_tags WHERE playbook_id = ?1");
  del.bind(1, playbook_id);
  if (auto s = del.run(); !s) return s;
  for (const auto& t : tags) {
    auto ins = db.prepare("INSERT INTO playbook_tags (playbook_id, tag) VALUES (?1, ?2)");
    ins.bind(1, playbook_id).bind(2, std::string_view(t));
    if (auto s = ins.run(); !s) return s;
  }
  return http::Ok{};
}

// The search entry follows the head: title, current content and tags.
Status reindex(Connection& db, const Playbook& p) {
  auto s = db.prepare(
      "SELECT b.content FROM playbook_revisions r JOIN playbook_blobs b ON b.id = r.blob_id "
      "WHERE r.playbook_id = ?1 AND r.number = ?2");
  s.bind(1, p.id).bind(2, static_cast<std::int64_t>(p.head));
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return ApiError::internal("A playbook's head revision is missing.");
  std::string content = s.text(0);
  return index_document(db, kSearchKind, p.slug, p.title, content, join_tags(p.tags));
}

// Revision columns 0-10, then one more chosen by the query, then the joins.
constexpr const char* kRevisionColumns =
    "SELECT r.number, r.parent, r.blob_id, b.sha256, r.summary, r.kind, r.source, r.created_at, "
    "u.id, u.handle, u.display_name, ";
constexpr const char* kRevisionJoins =
    " FROM playbook_revisions r JOIN playbook_blobs b ON b.id = r.blob_id LEFT JOIN users u ON u.id = r.author_id ";

Revision read_revision(const store::Statement& s) {
  Revision r;
  r.number = int(s.int64(0));
  if (!s.is_null(1)) r.parent = int(s.int64(1));
  r.blob_id = s.int64(2);
  r.sha256 = s.text(3);
  r.summary = s.text(4);
  r.kind = s.text(5);
  r.source = s.optional_int64(6);
  r.created_at = s.int64(7);
  r.author = s.is_null(8) ? json(nullptr) : person_json(s.int64(8), s.text(9), s.text(10));
  return r;
}

// The playbooks whose ids the statement yields, in its order.
Result<std::vector<Playbook>> playbooks_by_id(Connection& db, store::Statement& ids_query) {
  std::vector<std::int64_t> ids;
  if (auto read = ids_query.each_row([&] { ids.push_back(ids_query.int64(0)); }); !read) return read.error();
  std::vector<Playbook> out;
  for (auto id : ids) {
    auto p = get_playbook_by_id(db, id);
    if (!p) return p.error();
    out.push_back(std::move(*p));
  }
  return out;
}

constexpr const char* kPlaybookColumns =
    "SELECT id, slug, title, head, required_approvals, created_at, updated_at FROM playbooks ";

Result<std::optional<Playbook>> read_playbook(Connection& db, store::Statement& s) {
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<Playbook>{};
  Playbook p{s.int64(0), s.text(1), s.text(2), int(s.int64(3)), int(s.int64(4)), s.int64(5), s.int64(6), {}};
  auto tags = load_tags(db, p.id);
  if (!tags) return tags.error();
  p.tags = std::move(*tags);
  return std::optional<Playbook>(std::move(p));
}

Status insert_revision(Connection& db, std::int64_t playbook_id, int number, std::int64_t blob_id,
                       const RevisionMeta& meta, std::int64_t now) {
  auto s = db.prepare(
      "INSERT INTO playbook_revisions (playbook_id, number, parent, blob_id, author_id, summary, kind, source, "
      "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  s.bind(1, playbook_id).bind(2, static_cast<std::int64_t>(number));
  s.bind(3, number > 1 ? std::optional<std::int64_t>(number - 1) : std::nullopt);
  s.bind(4, blob_id).bind(5, meta.author_id).bind(6, std::string_view(meta.summary));
  s.bind(7, std::string_view(meta.kind)).bind(8, meta.source).bind(9, now);
  return s.run();
}

}  // namespace

Result<std::string> check_slug(std::string_view slug) {
  if (slug.size() < 2 || slug.size() > 64 || !is_kebab(slug))
    return ApiError::invalid_field("slug", "A slug is 2 to 64 characters: lowercase words of a-z and 0-9 joined by "
                                           "single hyphens, like pitching-a-retainer.");
  for (const char* r : kReservedSlugs)
    if (slug == r) return ApiError::invalid_field("slug", "That slug is reserved; choose another.");
  return std::string(slug);
}

Result<std::string> check_title(std::string_view title) {
  while (!title.empty() && std::isspace(static_cast<unsigned char>(title.front()))) title.remove_prefix(1);
  while (!title.empty() && std::isspace(static_cast<unsigned char>(title.back()))) title.remove_suffix(1);
  if (title.empty() || title.size() > 120)
    return ApiError::invalid_field("title", "A title is 1 to 120 characters.");
  for (char c : title)
    if (static_cast<unsigned char>(c) < 0x20) return ApiError::invalid_field("title", "A title is one line of text.");
  return std::string(title);
}

Result<std::vector<std::string>> check_tags(const std::vector<std::string>& tags) {
  std::vector<std::string> out;
  for (std::string t : tags) {
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (t.empty() || t.size() > 32 || !is_kebab(t))
      return ApiError::invalid_field("tags", "A tag is 1 to 32 characters of a-z, 0-9 and single hyphens.");
    out.push_back(std::move(t));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.size() > kMaxTags) return ApiError::invalid_field("tags", "A playbook has at most 10 tags.");
  return out;
}

Result<std::vector<std::string>> tags_field(const json& body) {
  auto it = body.find("tags");
  if (it == body.end() || it->is_null()) return std::vector<std::string>{};
  if (!it->is_array() || it->size() > 64) return ApiError::invalid_field("tags", "tags must be a list of strings.");
  std::vector<std::string> tags;
  for (const auto& t : *it) {
    if (!t.is_string()) return ApiError::invalid_field("tags", "tags must be a list of strings.");
    tags.push_back(t.get<std::string>());
  }
  return check_tags(tags);
}

Result<PreparedContent> prepare_content(std::string_view text) {
  PreparedContent p;
  p.content = normalize_newlines(text);
  if (auto s = check_content(p.content); !s) return s.error();
  p.sha256 = content_address(p.content);
  p.html = render_markdown(p.content);
  return p;
}

Result<std::optional<Playbook>> find_playbook(Connection& db, std::string_view slug) {
  auto s = db.prepare(std::string(kPlaybookColumns) + "WHERE slug = ?1");
  s.bind(1, slug);
  return read_playbook(db, s);
}

Result<Playbook> get_playbook(Connection& db, std::string_view slug) {
  auto p = find_playbook(db, slug);
  if (!p) return p.error();
  if (!*p) return ApiError::not_found("No playbook has that slug.");
  return std::move(**p);
}

Result<Playbook> get_playbook_by_id(Connection& db, std::int64_t id) {
  auto s = db.prepare(std::string(kPlaybookColumns) + "WHERE id = ?1");
  s.bind(1, id);
  auto p = read_playbook(db, s);
  if (!p) return p.error();
  if (!*p) return ApiError::not_found("No such playbook.");
  return std::move(**p);
}

Result<std::int64_t> store_content(Connection& db, const PreparedContent& content) {
  auto find = db.prepare("SELECT id FROM playbook_blobs WHERE sha256 = ?1");
  find.bind(1, std::string_view(content.sha256));
  auto row = find.step();
  if (!row) return row.error();
  if (*row) return find.int64(0);
  auto ins = db.prepare("INSERT INTO playbook_blobs (sha256, content) VALUES (?1, ?2)");
  ins.bind(1, std::string_view(content.sha256)).bind(2, std::string_view(content.content));
  if (auto s = ins.run(); !s) return s.error();
  const std::int64_t id = db.last_insert_id();
  if (auto s = store_rendering(db, id, content.html); !s) return s.error();
  return id;
}

Result<std::string> blob_content(Connection& db, std::int64_t blob_id) {
  auto s = db.prepare("SELECT content FROM playbook_blobs WHERE id = ?1");
  s.bind(1, blob_id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return ApiError::internal("Stored content is missing.");
  return s.text(0);
}

Result<std::optional<std::string>> cached_rendering(Connection& db, std::int64_t blob_id) {
  auto s = db.prepare("SELECT html FROM playbook_renderings WHERE blob_id = ?1 AND renderer = ?2");
  s.bind(1, blob_id).bind(2, static_cast<std::int64_t>(kRendererVersion));
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>{};
  return std::optional<std::string>(s.text(0));
}

Status store_rendering(Connection& db, std::int64_t blob_id, const std::string& html) {
  auto s = db.prepare(
      "INSERT INTO playbook_renderings (blob_id, renderer, html) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (blob_id) DO UPDATE SET renderer = excluded.renderer, html = excluded.html");
  s.bind(1, blob_id).bind(2, static_cast<std::int64_t>(kRendererVersion)).bind(3, std::string_view(html));
  return s.run();
}

Result<Playbook> insert_playbook(Connection& db, const std::string& slug, const std::string& title,
                                 const std::vector<std::string>& tags, int required_approvals,
                                 const PreparedContent& content, const RevisionMeta& meta, std::int64_t now) {
  auto taken = find_playbook(db, slug);
  if (!taken) return taken.error();
  if (*taken) return ApiError::conflict("A playbook with that slug exists already.");
  auto blob = store_content(db, content);
  if (!blob) return blob.error();
  auto s = db.prepare(
      "INSERT INTO playbooks (slug, title, head, required_approvals, created_by, created_at, updated_at) "
      "VALUES (?1, ?2, 1, ?3, ?4, ?5, ?5)");
  s.bind(1, std::string_view(slug)).bind(2, std::string_view(title));
  s.bind(3, static_cast<std::int64_t>(required_approvals)).bind(4, meta.author_id).bind(5, now);
  if (auto r = s.run(); !r) return r.error();
  Playbook p{db.last_insert_id(), slug, title, 1, required_approvals, now, now, tags};
  if (auto r = insert_revision(db, p.id, 1, *blob, meta, now); !r) return r.error();
  if (auto r = replace_tags(db, p.id, tags); !r) return r.error();
  if (auto r = index_document(db, kSearchKind, slug, title, content.content, join_tags(tags)); !r) return r.error();
  return p;
}

Result<std::optional<int>> append_revision(Connection& db, std::int64_t playbook_id, int base,
                                           const PreparedContent& content, const RevisionMeta& meta,
                                           std::int64_t now) {
  // The one place the head moves: only from `base`, so a concurrent save cannot be overwritten.
  auto move = db.prepare("UPDATE playbooks SET head = head + 1, updated_at = ?3 WHERE id = ?1 AND head = ?2");
  move.bind(1, playbook_id).bind(2, static_cast<std::int64_t>(base)).bind(3, now);
  if (auto r = move.run(); !r) return r.error();
  if (db.changes() == 0) return std::optional<int>{};
  auto blob = store_content(db, content);
  if (!blob) return blob.error();
  if (auto r = insert_revision(db, playbook_id, base + 1, *blob, meta, now); !r) return r.error();
  auto p = get_playbook_by_id(db, playbook_id);
  if (!p) return p.error();
  if (auto r = index_document(db, kSearchKind, p->slug, p->title, content.content, join_tags(p->tags)); !r)
    return r.error();
  return std::optional<int>(base + 1);
}

Result<std::optional<Revision>> get_revision(Connection& db, std::int64_t playbook_id, int number) {
  auto s = db.prepare(std::string(kRevisionColumns) + "b.content" + kRevisionJoins +
                      "WHERE r.playbook_id = ?1 AND r.number = ?2");
  s.bind(1, playbook_id).bind(2, static_cast<std::int64_t>(number));
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<Revision>{};
  Revision r = read_revision(s);
  r.content = s.text(11);
  return std::optional<Revision>(std::move(r));
}

Result<std::string> revision_address(Connection& db, std::int64_t playbook_id, int number) {
  auto s = db.prepare(
      "SELECT b.sha256 FROM playbook_revisions r JOIN playbook_blobs b ON b.id = r.blob_id "
      "WHERE r.playbook_id = ?1 AND r.number = ?2");
  s.bind(1, playbook_id).bind(2, static_cast<std::int64_t>(number));
  auto row = s.step();
  if (!row) return row.error();
  return *row ? s.text(0) : std::string();
}

Result<json> list_revisions(Connection& db, std::int64_t playbook_id, const http::Page& page) {
  auto s = db.prepare(std::string(kRevisionColumns) + "length(b.content)" + kRevisionJoins +
                      "WHERE r.playbook_id = ?1 AND (?2 = 0 OR r.number < ?2) ORDER BY r.number DESC LIMIT ?3");
  s.bind(1, playbook_id).bind(2, page.after).bind(3, static_cast<std::int64_t>(page.limit + 1));
  json items = json::array();
  auto read = s.each_row([&] {
    json item = revision_json(read_revision(s));
    item["size"] = s.int64(11);
    items.push_back(std::move(item));
  });
  if (!read) return read.error();
  return http::page_body(std::move(items), page, "number");
}

Result<json> list_playbooks(Connection& db, const std::optional<std::string>& tag, const http::Page& page) {
  auto s = db.prepare(
      "SELECT p.id FROM playbooks p WHERE p.id > ?1 AND (?2 IS NULL OR EXISTS (SELECT 1 FROM playbook_tags t "
      "WHERE t.playbook_id = p.id AND t.tag = ?2)) ORDER BY p.id LIMIT ?3");
  s.bind(1, page.after).bind(2, tag).bind(3, static_cast<std::int64_t>(page.limit + 1));
  auto found = playbooks_by_id(db, s);
  if (!found) return found.error();
  json items = json::array();
  for (const auto& p : *found) items.push_back(playbook_json(p));
  return http::page_body(std::move(items), page);
}

Result<std::vector<Playbook>> all_playbooks(Connection& db) {
  auto s = db.prepare("SELECT id FROM playbooks ORDER BY slug");
  return playbooks_by_id(db, s);
}

Status update_playbook(Connection& db, std::int64_t playbook_id, const std::optional<std::string>& title,
                       const std::optional<std::vector<std::string>>& tags,
                       const std::optional<int>& required_approvals, std::int64_t now) {
  auto s = db.prepare(
      "UPDATE playbooks SET title = coalesce(?2, title), required_approvals = coalesce(?3, required_approvals), "
      "updated_at = ?4 WHERE id = ?1");
  s.bind(1, playbook_id).bind(2, title);
  s.bind(3, required_approvals ? std::optional<std::int64_t>(*required_approvals) : std::nullopt).bind(4, now);
  if (auto r = s.run(); !r) return r;
  if (tags)
    if (auto r = replace_tags(db, playbook_id, *tags); !r) return r;
  auto p = get_playbook_by_id(db, playbook_id);
  if (!p) return p.error();
  return reindex(db, *p);
}

json person_json(std::int64_t id, const std::string& handle, const std::string& display_name) {
  return {{"id", id}, {"handle", handle}, {"display_name", display_name}};
}

json playbook_json(const Playbook& p) {
  return {{"id", p.id},
          {"slug", p.slug},
          {"title", p.title},
          {"revision", p.head},
          {"tags", p.tags},
          {"required_approvals", p.required_approvals},
          {"created_at", format_rfc3339(p.created_at)},
          {"updated_at", format_rfc3339(p.updated_at)}};
}

json revision_json(const Revision& r) {
  json j = {{"number", r.number},
            {"parent", r.parent ? json(*r.parent) : json(nullptr)},
            {"sha256", r.sha256},
            {"summary", r.summary},
            {"kind", r.kind},
            {"author", r.author},
            {"created_at", format_rfc3339(r.created_at)}};
  if (r.source) j[r.kind == "merge" ? "proposal" : "restored"] = *r.source;
  return j;
}

}  // namespace hub::playbooks
