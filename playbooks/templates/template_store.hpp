// Templates and their history, releases, usage and ratings. Every function runs on a DB executor
// thread with the connection it is given. Content goes into the playbooks' blob store
// (store_content), so the two share storage and the renderer's cache.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/http/pagination.hpp"
#include "hub/store/connection.hpp"
#include "playbooks/playbook_store.hpp"
#include "playbooks/templates/release_rules.hpp"

namespace hub::playbooks::templates {

using nlohmann::json;
using store::Connection;

struct Template {
  std::int64_t id = 0;
  std::string slug;
  std::string title;
  std::string kind;
  std::string license;  // SPDX id
  std::optional<std::int64_t> owner_id;
  int head = 0;
  std::optional<std::int64_t> upstream_id;
  std::optional<std::string> upstream_version;
  std::optional<int> upstream_revision;
  std::int64_t created_at = 0, updated_at = 0;
  std::vector<std::string> tags;
};

struct Release {
  Version version;
  int revision = 0;
  std::string summary;
  std::int64_t created_at = 0;
};

struct NewTemplate {
  std::string slug, title, kind, license;
  std::vector<std::string> tags;
  std::optional<std::int64_t> owner_id;
  std::optional<std::int64_t> upstream_id;
  std::optional<std::string> upstream_version;
  std::optional<int> upstream_revision;
};

// REQUIRES for writes: `content` was prepared by prepare_content and parsed by parse_template.
// conflict when the slug is taken (by a template or a playbook).
Result<Template> insert_template(Connection& db, const NewTemplate& t, const PreparedContent& content,
                                 const RevisionMeta& meta, std::int64_t now);
Result<std::optional<Template>> find_template(Connection& db, std::string_view slug);
Result<Template> get_template(Connection& db, std::string_view slug);  // not_found
Result<Template> get_template_by_id(Connection& db, std::int64_t id);

// Appends revision base+1 when the head is still `base`; nullopt with nothing written when it moved.
// The title, kind and tags follow the new content (as parsed).
Result<std::optional<int>> append_template_revision(Connection& db, const Template& t, int base,
                                                    const PreparedContent& content, const RevisionMeta& meta,
                                                    const std::string& title, const std::string& kind,
                                                    const std::vector<std::string>& tags, std::int64_t now);
// The content of a revision, or nullopt.
Result<std::optional<std::string>> revision_text(Connection& db, std::int64_t template_id, int number);
Result<json> list_template_revisions(Connection& db, std::int64_t template_id, const http::Page& page);

// Newest version first.
Result<std::vector<Release>> list_releases(Connection& db, std::int64_t template_id);
Result<std::optional<Release>> find_release(Connection& db, std::int64_t template_id, const Version& v);
Status insert_release(Connection& db, std::int64_t template_id, const Version& v, int revision,
                      const std::string& summary, std::optional<std::int64_t> actor, std::int64_t now);
// A fork records the upstream release it now follows.
Status set_upstream_release(Connection& db, std::int64_t template_id, const std::string& version, int revision);

Status record_use(Connection& db, std::int64_t template_id, std::int64_t user_id, std::int64_t now);
Status upsert_rating(Connection& db, std::int64_t template_id, std::int64_t user_id, int stars,
                     const std::string& comment, std::int64_t now);
// {uses, rating: {average, count}, ratings: [{stars, comment, author, created_at}] (newest 20)}
Result<json> template_stats(Connection& db, std::int64_t template_id);

struct GalleryQuery {
  std::optional<std::string> tag, kind;
  std::string sort = "new";  // new | use | rating
};
// Every template with its latest release, usage and rating (the gallery is small: at most a few
// hundred templates per hub, so it is one page).
Result<json> gallery(Connection& db, const GalleryQuery& q);
// The forks of a template: [{slug, title, upstream_version, owner}]
Result<json> list_forks(Connection& db, std::int64_t template_id);

json release_json(const Release& r);

}  // namespace hub::playbooks::templates
