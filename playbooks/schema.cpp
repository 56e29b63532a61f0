#include "playbooks/schema.hpp"

namespace hub::playbooks {

store::Migration playbooks_migration(int version) {
  return {version, "playbooks", R"sql(
-- Content is stored once per SHA-256 and never changed.
CREATE TABLE playbook_blobs (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  content TEXT NOT NULL
) STRICT;
CREATE TRIGGER playbook_blobs_no_update BEFORE UPDATE ON playbook_blobs
BEGIN SELECT RAISE(ABORT, 'playbook content is immutable'); END;
CREATE TRIGGER playbook_blobs_no_delete BEFORE DELETE ON playbook_blobs
BEGIN SELECT RAISE(ABORT, 'playbook content is immutable'); END;

-- Each blob rendered once per renderer version (a cache: rows may be replaced).
CREATE TABLE playbook_renderings (
  blob_id INTEGER PRIMARY KEY REFERENCES playbook_blobs(id),
  renderer INTEGER NOT NULL,
  html TEXT NOT NULL
) STRICT;

-- `head` is the current revision number; it only moves by one conditional UPDATE.
CREATE TABLE playbooks (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  head INTEGER NOT NULL,
  required_approvals INTEGER NOT NULL DEFAULT 0 CHECK (required_approvals BETWEEN 0 AND 5),
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- Append-only history: revision n+1 has parent n; rows are never updated or deleted.
CREATE TABLE playbook_revisions (
  playbook_id INTEGER NOT NULL REFERENCES playbooks(id),
  number INTEGER NOT NULL CHECK (number >= 1),
  parent INTEGER,
  blob_id INTEGER NOT NULL REFERENCES playbook_blobs(id),
  author_id INTEGER REFERENCES users(id),
  summary TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('create', 'edit', 'revert', 'merge', 'import')),
  source INTEGER,  -- revert: the revision restored; merge: the proposal merged
  created_at INTEGER NOT NULL,
  PRIMARY KEY (playbook_id, number),
  FOREIGN KEY (playbook_id, parent) REFERENCES playbook_revisions(playbook_id, number),
  CHECK ((number = 1 AND parent IS NULL) OR parent = number - 1)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER playbook_revisions_no_update BEFORE UPDATE ON playbook_revisions
BEGIN SELECT RAISE(ABORT, 'playbook history is append-only'); END;
CREATE TRIGGER playbook_revisions_no_delete BEFORE DELETE ON playbook_revisions
BEGIN SELECT RAISE(ABORT, 'playbook history is append-only'); END;

CREATE TABLE playbook_tags (
  playbook_id INTEGER NOT NULL REFERENCES playbooks(id),
  tag TEXT NOT NULL,
  PRIMARY KEY (playbook_id, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX playbook_tags_by_tag ON playbook_tags(tag, playbook_id);

-- Full-text search. search_docs names what each FTS row is, so other kinds (templates) can join.
CREATE TABLE search_docs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  UNIQUE (kind, ref)
) STRICT;
-- prefix indexes keep "as you type" queries from expanding into thousands of terms.
CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tags, tokenize = 'unicode61 remove_diacritics 2',
                                           prefix = '2 3');

CREATE TABLE playbook_proposals (
  id INTEGER PRIMARY KEY,
  playbook_id INTEGER NOT NULL REFERENCES playbooks(id),
  author_id INTEGER NOT NULL REFERENCES users(id),
  base INTEGER NOT NULL,
  blob_id INTEGER NOT NULL REFERENCES playbook_blobs(id),
  summary TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,  -- bumped by each update; approvals count for one version
  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'merged', 'closed')),
  merged_revision INTEGER,
  closed_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  FOREIGN KEY (playbook_id, base) REFERENCES playbook_revisions(playbook_id, number)
) STRICT;
CREATE INDEX playbook_proposals_by_playbook ON playbook_proposals(playbook_id, state, id);

CREATE TABLE playbook_reviews (
  id INTEGER PRIMARY KEY,
  proposal_id INTEGER NOT NULL REFERENCES playbook_proposals(id),
  reviewer_id INTEGER NOT NULL REFERENCES users(id),
  proposal_version INTEGER NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('approve', 'request_changes')),
  comment TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX playbook_reviews_by_proposal ON playbook_reviews(proposal_id, id);

CREATE TABLE mentorships (
  mentor_id INTEGER NOT NULL REFERENCES users(id),
  mentee_id INTEGER NOT NULL REFERENCES users(id),
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (mentor_id, mentee_id),
  CHECK (mentor_id <> mentee_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX mentorships_by_mentee ON mentorships(mentee_id, mentor_id);

CREATE TABLE assignments (
  id INTEGER PRIMARY KEY,
  mentor_id INTEGER NOT NULL REFERENCES users(id),
  mentee_id INTEGER NOT NULL REFERENCES users(id),
  playbook_id INTEGER NOT NULL REFERENCES playbooks(id),
  revision INTEGER NOT NULL,
  due_on TEXT,
  created_at INTEGER NOT NULL,
  FOREIGN KEY (playbook_id, revision) REFERENCES playbook_revisions(playbook_id, number)
) STRICT;
CREATE INDEX assignments_by_mentee ON assignments(mentee_id, id);

CREATE TABLE assignment_items (
  assignment_id INTEGER NOT NULL REFERENCES assignments(id),
  n INTEGER NOT NULL CHECK (n >= 1),
  text TEXT NOT NULL,
  done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
  note TEXT,
  done_at INTEGER,
  PRIMARY KEY (assignment_id, n)
) STRICT, WITHOUT ROWID;

CREATE TABLE assignment_activity (
  id INTEGER PRIMARY KEY,
  assignment_id INTEGER NOT NULL REFERENCES assignments(id),
  actor_id INTEGER NOT NULL REFERENCES users(id),
  n INTEGER,
  action TEXT NOT NULL CHECK (action IN ('assigned', 'done', 'undone', 'noted')),
  note TEXT,
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX assignment_activity_by_assignment ON assignment_activity(assignment_id, id);
)sql"};
}

store::Migration playbook_settings_log_migration(int version) {
  return {version, "playbook settings log", R"sql(
-- Every change to a playbook's title, tags or required approvals: who, when, old and new (as JSON).
CREATE TABLE playbook_settings_log (
  id INTEGER PRIMARY KEY,
  playbook_id INTEGER NOT NULL REFERENCES playbooks(id),
  actor_id INTEGER NOT NULL REFERENCES users(id),
  field TEXT NOT NULL CHECK (field IN ('title', 'tags', 'required_approvals')),
  old_value TEXT NOT NULL,
  new_value TEXT NOT NULL,
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX playbook_settings_log_by_playbook ON playbook_settings_log(playbook_id, id);
)sql"};
}

}  // namespace hub::playbooks
