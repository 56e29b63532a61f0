// Playbooks and their append-only history: content stored once per SHA-256, revisions numbered
// 1, 2, 3... each with its parent, and the head moved only by one conditional UPDATE.
// Every function runs on a DB executor thread with the connection it is given.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/http/pagination.hpp"
#include "hub/store/connection.hpp"
#include "playbooks/text.hpp"

namespace hub::playbooks {

using nlohmann::json;
using store::Connection;

inline constexpr int kMaxRequiredApprovals = 5;
inline constexpr std::size_t kMaxTags = 10;
inline constexpr std::size_t kMaxSummary = 300;

// 2-64 characters of a-z and 0-9 in hyphen-separated words; a few words are reserved for routes.
Result<std::string> check_slug(std::string_view slug);
// Trimmed, 1-120 bytes.
Result<std::string> check_title(std::string_view title);
// Lowercased, deduplicated and sorted; each 1-32 of a-z 0-9 and '-'; at most kMaxTags.
Result<std::vector<std::string>> check_tags(const std::vector<std::string>& tags);
// The "tags" member of a request body (absent means none).
Result<std::vector<std::string>> tags_field(const json& body);

// Content ready to store: normalized, checked, hashed and rendered. CPU work: call it off the
// network and DB threads.
struct PreparedContent {
  std::string content;
  std::string sha256;
  std::string html;
};
Result<PreparedContent> prepare_content(std::string_view text);

struct RevisionMeta {
  std::string summary;
  std::string kind;  // create | edit | revert | merge | import
  std::optional<std::int64_t> author_id;
  std::optional<std::int64_t> source;  // revert: the revision restored; merge: the proposal
};

struct Playbook {
  std::int64_t id = 0;
  std::string slug;
  std::string title;
  int head = 0;
  int required_approvals = 0;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::vector<std::string> tags;
};

struct Revision {
  int number = 0;
  std::optional<int> parent;
  std::int64_t blob_id = 0;
  std::string sha256;
  std::string summary;
  std::string kind;
  std::optional<std::int64_t> source;
  std::int64_t created_at = 0;
  json author;  // {id, handle, display_name} or null
  std::string content;
};

Result<std::optional<Playbook>> find_playbook(Connection& db, std::string_view slug);
// not_found when there is no such playbook.
Result<Playbook> get_playbook(Connection& db, std::string_view slug);
Result<Playbook> get_playbook_by_id(Connection& db, std::int64_t id);

// A new playbook at revision 1. conflict when the slug is taken.
Result<Playbook> insert_playbook(Connection& db, const std::string& slug, const std::string& title,
                                 const std::vector<std::string>& tags, int required_approvals,
                                 const PreparedContent& content, const RevisionMeta& meta, std::int64_t now);

// Appends revision base+1 when the head is still `base`, by one conditional UPDATE of the head.
// nullopt, with nothing written, when another revision got there first.
Result<std::optional<int>> append_revision(Connection& db, std::int64_t playbook_id, int base,
                                           const PreparedContent& content, const RevisionMeta& meta,
                                           std::int64_t now);

Result<std::optional<Revision>> get_revision(Connection& db, std::int64_t playbook_id, int number);
// The SHA-256 of a revision's content, without reading the content; empty when there is none.
Result<std::string> revision_address(Connection& db, std::int64_t playbook_id, int number);
// The cached HTML of a blob, when it was made by the current renderer.
Result<std::optional<std::string>> cached_rendering(Connection& db, std::int64_t blob_id);
Status store_rendering(Connection& db, std::int64_t blob_id, const std::string& html);
// The id of stored content, storing it (and its rendering) the first time.
Result<std::int64_t> store_content(Connection& db, const PreparedContent& content);
Result<std::string> blob_content(Connection& db, std::int64_t blob_id);

// Newest first; the cursor continues below the last number.
Result<json> list_revisions(Connection& db, std::int64_t playbook_id, const http::Page& page);
// By id; with `tag`, only playbooks carrying it.
Result<json> list_playbooks(Connection& db, const std::optional<std::string>& tag, const http::Page& page);
Result<std::vector<Playbook>> all_playbooks(Connection& db);

// Changes title, tags or required approvals (each when given) and reindexes for search.
Status update_playbook(Connection& db, std::int64_t playbook_id, const std::optional<std::string>& title,
                       const std::optional<std::vector<std::string>>& tags,
                       const std::optional<int>& required_approvals, std::int64_t now);

json playbook_json(const Playbook& p);
json revision_json(const Revision& r);  // without content
json person_json(std::int64_t id, const std::string& handle, const std::string& display_name);

}  // namespace hub::playbooks
