#include "playbooks/templates/template_schema.hpp"

namespace hub::playbooks::templates {

store::Migration templates_migration(int version) {
  return {version, "templates", R"sql(
-- `head` moves only by one conditional UPDATE. A fork names its upstream, the release it came from
-- or last pulled, and that release's revision (the base of the next pull's three-way merge).
CREATE TABLE templates (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  kind TEXT NOT NULL,
  license TEXT NOT NULL,
  owner_id INTEGER REFERENCES users(id),
  head INTEGER NOT NULL,
  upstream_id INTEGER REFERENCES templates(id),
  upstream_version TEXT,
  upstream_revision INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK ((upstream_id IS NULL) = (upstream_version IS NULL))
) STRICT;
CREATE INDEX templates_by_upstream ON templates(upstream_id);
-- Append-only history, as for playbooks; content lives in playbook_blobs.
CREATE TABLE template_revisions (
  template_id INTEGER NOT NULL REFERENCES templates(id),
  number INTEGER NOT NULL CHECK (number >= 1),
  parent INTEGER,
  blob_id INTEGER NOT NULL REFERENCES playbook_blobs(id),
  author_id INTEGER REFERENCES users(id),
  summary TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('create', 'edit', 'fork', 'pull', 'import')),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (template_id, number),
  FOREIGN KEY (template_id, parent) REFERENCES template_revisions(template_id, number),
  CHECK ((number = 1 AND parent IS NULL) OR parent = number - 1)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER template_revisions_no_update BEFORE UPDATE ON template_revisions
BEGIN SELECT RAISE(ABORT, 'template history is append-only'); END;
CREATE TRIGGER template_revisions_no_delete BEFORE DELETE ON template_revisions
BEGIN SELECT RAISE(ABORT, 'template history is append-only'); END;
-- A release freezes a revision under a version; releases are never changed.
CREATE TABLE template_releases (
  template_id INTEGER NOT NULL REFERENCES templates(id),
  major INTEGER NOT NULL CHECK (major >= 0),
  minor INTEGER NOT NULL CHECK (minor >= 0),
  patch INTEGER NOT NULL CHECK (patch >= 0),
  revision INTEGER NOT NULL,
  summary TEXT NOT NULL,
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (template_id, major, minor, patch),
  FOREIGN KEY (template_id, revision) REFERENCES template_revisions(template_id, number)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER template_releases_no_update BEFORE UPDATE ON template_releases
BEGIN SELECT RAISE(ABORT, 'releases are frozen'); END;
CREATE TABLE template_tags (
  template_id INTEGER NOT NULL REFERENCES templates(id),
  tag TEXT NOT NULL,
  PRIMARY KEY (template_id, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX template_tags_by_tag ON template_tags(tag, template_id);
-- Usage counts distinct members who rendered a template.
CREATE TABLE template_usage (
  template_id INTEGER NOT NULL REFERENCES templates(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  first_at INTEGER NOT NULL,
  PRIMARY KEY (template_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE template_ratings (
  template_id INTEGER NOT NULL REFERENCES templates(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  stars INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
  comment TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (template_id, user_id)
) STRICT, WITHOUT ROWID;
-- Saved documents hold client details: {title, fields} sealed with AES-256-GCM, bound to id and owner.
CREATE TABLE template_documents (
  id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES users(id),
  template_id INTEGER NOT NULL REFERENCES templates(id),
  version TEXT NOT NULL,
  sealed BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX template_documents_by_owner ON template_documents(owner_id, id);
)sql"};
}

}  // namespace hub::playbooks::templates
