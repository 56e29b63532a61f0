#include "playbooks/proposal_store.hpp"

#include <algorithm>

#include "hub/http/clock.hpp"

namespace hub::playbooks {
namespace {

// Lists leave the content out: it can be large, and only one proposal's view shows it.
std::string proposal_select(bool with_content) {
  return std::string(
             "SELECT p.id, p.playbook_id, pb.slug, p.author_id, u.handle, u.display_name, p.base, p.blob_id, "
             "p.summary, p.version, p.state, p.merged_revision, p.created_at, p.updated_at, b.sha256, ") +
         (with_content ? "b.content" : "''") +
         " FROM playbook_proposals p JOIN playbooks pb ON pb.id = p.playbook_id JOIN users u ON u.id = p.author_id "
         "JOIN playbook_blobs b ON b.id = p.blob_id ";
}

Proposal read_proposal(const store::Statement& s) {
  Proposal p;
  p.id = s.int64(0);
  p.playbook_id = s.int64(1);
  p.slug = s.text(2);
  p.author_id = s.int64(3);
  p.author = person_json(p.author_id, s.text(4), s.text(5));
  p.base = int(s.int64(6));
  p.blob_id = s.int64(7);
  p.summary = s.text(8);
  p.version = int(s.int64(9));
  p.state = s.text(10);
  if (!s.is_null(11)) p.merged_revision = int(s.int64(11));
  p.created_at = s.int64(12);
  p.updated_at = s.int64(13);
  p.sha256 = s.text(14);
  p.content = s.text(15);
  return p;
}

}  // namespace

int approvals_needed(int required_approvals) { return std::max(1, required_approvals); }

Result<std::optional<Proposal>> get_proposal(Connection& db, std::int64_t id) {
  auto s = db.prepare(proposal_select(true) + "WHERE p.id = ?1");
  s.bind(1, id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<Proposal>{};
  return std::optional<Proposal>(read_proposal(s));
}

Result<std::int64_t> insert_proposal(Connection& db, std::int64_t playbook_id, std::int64_t author_id, int base,
                                     const PreparedContent& content, const std::string& summary, std::int64_t now) {
  auto blob = store_content(db, content);
  if (!blob) return blob.error();
  auto s = db.prepare(
      "INSERT INTO playbook_proposals (playbook_id, author_id, base, blob_id, summary, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
  s.bind(1, playbook_id).bind(2, author_id).bind(3, static_cast<std::int64_t>(base)).bind(4, *blob);
  s.bind(5, std::string_view(summary)).bind(6, now);
  if (auto r = s.run(); !r) return r.error();
  return db.last_insert_id();
}

Status update_proposal(Connection& db, std::int64_t id, int base, const PreparedContent& content,
                       const std::string& summary, std::int64_t now) {
  auto blob = store_content(db, content);
  if (!blob) return blob.error();
  auto s = db.prepare(
      "UPDATE playbook_proposals SET base = ?2, blob_id = ?3, summary = ?4, version = version + 1, updated_at = ?5 "
      "WHERE id = ?1 AND state = 'open'");
  s.bind(1, id).bind(2, static_cast<std::int64_t>(base)).bind(3, *blob).bind(4, std::string_view(summary));
  s.bind(5, now);
  if (auto r = s.run(); !r) return r;
  if (db.changes() == 0) return ApiError::conflict("Only an open proposal can be updated.");
  return http::Ok{};
}

Status insert_review(Connection& db, std::int64_t proposal_id, std::int64_t reviewer_id, int version,
                     const std::string& verdict, const std::string& comment, std::int64_t now) {
  auto s = db.prepare(
      "INSERT INTO playbook_reviews (proposal_id, reviewer_id, proposal_version, verdict, comment, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  s.bind(1, proposal_id).bind(2, reviewer_id).bind(3, static_cast<std::int64_t>(version));
  s.bind(4, std::string_view(verdict)).bind(5, std::string_view(comment)).bind(6, now);
  return s.run();
}

Result<ReviewTally> tally_reviews(Connection& db, std::int64_t proposal_id, int version) {
  auto s = db.prepare(
      "SELECT coalesce(sum(r.verdict = 'approve'), 0), coalesce(sum(r.verdict = 'request_changes'), 0) "
      "FROM playbook_reviews r WHERE r.proposal_id = ?1 AND r.proposal_version = ?2 AND r.id = "
      "(SELECT max(l.id) FROM playbook_reviews l WHERE l.proposal_id = ?1 AND l.proposal_version = ?2 "
      "AND l.reviewer_id = r.reviewer_id)");
  s.bind(1, proposal_id).bind(2, static_cast<std::int64_t>(version));
  auto row = s.step();
  if (!row) return row.error();
  return ReviewTally{int(s.int64(0)), int(s.int64(1))};
}

Result<json> list_reviews(Connection& db, std::int64_t proposal_id) {
  auto s = db.prepare(
      "SELECT r.id, r.reviewer_id, u.handle, u.display_name, r.proposal_version, r.verdict, r.comment, r.created_at "
      "FROM playbook_reviews r JOIN users u ON u.id = r.reviewer_id WHERE r.proposal_id = ?1 ORDER BY r.id");
  s.bind(1, proposal_id);
  json items = json::array();
  auto read = s.each_row([&] {
    items.push_back({{"id", s.int64(0)},
                     {"reviewer", person_json(s.int64(1), s.text(2), s.text(3))},
                     {"version", s.int64(4)},
                     {"verdict", s.text(5)},
                     {"comment", s.text(6)},
                     {"created_at", format_rfc3339(s.int64(7))}});
  });
  if (!read) return read.error();
  return items;
}

Status close_proposal(Connection& db, std::int64_t id, const std::string& state, std::optional<int> merged_revision,
                      std::int64_t by, std::int64_t now) {
  auto s = db.prepare(
      "UPDATE playbook_proposals SET state = ?2, merged_revision = ?3, closed_by = ?4, updated_at = ?5 "
      "WHERE id = ?1 AND state = 'open'");
  s.bind(1, id).bind(2, std::string_view(state));
  s.bind(3, merged_revision ? std::optional<std::int64_t>(*merged_revision) : std::nullopt).bind(4, by).bind(5, now);
  if (auto r = s.run(); !r) return r;
  if (db.changes() == 0) return ApiError::conflict("The proposal is no longer open.");
  return http::Ok{};
}

Result<json> list_proposals(Connection& db, std::int64_t playbook_id, const std::optional<std::string>& state,
                            const http::Page& page) {
  auto s = db.prepare(proposal_select(false) +
                      "WHERE p.playbook_id = ?1 AND (?2 IS NULL OR p.state = ?2) AND (?3 = 0 OR p.id < ?3) "
                      "ORDER BY p.id DESC LIMIT ?4");
  s.bind(1, playbook_id).bind(2, state).bind(3, page.after).bind(4, static_cast<std::int64_t>(page.limit + 1));
  std::vector<Proposal> found;
  if (auto read = s.each_row([&] { found.push_back(read_proposal(s)); }); !read) return read.error();
  auto pb = get_playbook_by_id(db, playbook_id);
  if (!pb) return pb.error();
  json items = json::array();
  for (auto& p : found) {
    auto tally = tally_reviews(db, p.id, p.version);
    if (!tally) return tally.error();
    json j = proposal_json(p, *tally, pb->required_approvals);
    items.push_back(std::move(j));
  }
  return http::page_body(std::move(items), page);
}

Result<int> count_open_proposals(Connection& db, std::int64_t playbook_id) {
  auto s = db.prepare("SELECT count(*) FROM playbook_proposals WHERE playbook_id = ?1 AND state = 'open'");
  s.bind(1, playbook_id);
  auto row = s.step();
  if (!row) return row.error();
  return int(s.int64(0));
}

json proposal_json(const Proposal& p, const ReviewTally& tally, int required_approvals) {
  return {{"id", p.id},
          {"playbook", p.slug},
          {"author", p.author},
          {"base_revision", p.base},
          {"summary", p.summary},
          {"version", p.version},
          {"state", p.state},
          {"merged_revision", p.merged_revision ? json(*p.merged_revision) : json(nullptr)},
          {"approvals", tally.approvals},
          {"change_requests", tally.change_requests},
          {"approvals_needed", approvals_needed(required_approvals)},
          {"created_at", format_rfc3339(p.created_at)},
          {"updated_at", format_rfc3339(p.updated_at)}};
}

}  // namespace hub::playbooks
