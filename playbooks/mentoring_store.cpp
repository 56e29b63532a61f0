#include "playbooks/mentoring_store.hpp"

#include "hub/http/clock.hpp"

namespace hub::playbooks {
namespace {

constexpr int kDashboardActivity = 20;

// Progress of one assignment: items done, items in all, and undone items past the due date.
struct Progress {
  int done = 0;
  int total = 0;
  int overdue = 0;
};

Result<Progress> progress_of(Connection& db, std::int64_t assignment_id, const std::string& today) {
  auto s = db.prepare(
      "SELECT coalesce(sum(i.done), 0), count(*), "
      "coalesce(sum(i.done = 0 AND a.due_on IS NOT NULL AND a.due_on < ?2), 0) "
      "FROM assignment_items i JOIN assignments a ON a.id = i.assignment_id WHERE i.assignment_id = ?1");
  s.bind(1, assignment_id).bind(2, std::string_view(today));
  auto row = s.step();
  if (!row) return row.error();
  return Progress{int(s.int64(0)), int(s.int64(1)), int(s.int64(2))};
}

json progress_json(const Progress& p) { return {{"done", p.done}, {"total", p.total}, {"overdue", p.overdue}}; }

Status record_activity(Connection& db, std::int64_t assignment_id, std::int64_t actor_id, std::optional<int> n,
                       const char* action, const std::optional<std::string>& note, std::int64_t now) {
  auto s = db.prepare(
      "INSERT INTO assignment_activity (assignment_id, actor_id, n, action, note, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  s.bind(1, assignment_id).bind(2, actor_id).bind(3, n ? std::optional<std::int64_t>(*n) : std::nullopt);
  s.bind(4, std::string_view(action)).bind(5, note).bind(6, now);
  return s.run();
}

// Assignment summaries (no items) for a WHERE clause over `a`; binds ?1 and ?2 as given.
constexpr const char* kAssignmentSummary =
    "SELECT a.id, a.mentor_id, mu.handle, mu.display_name, a.mentee_id, eu.handle, eu.display_name, pb.slug, pb.title, "
    "a.revision, pb.head, a.due_on, a.created_at FROM assignments a "
    "JOIN users mu ON mu.id = a.mentor_id JOIN users eu ON eu.id = a.mentee_id "
    "JOIN playbooks pb ON pb.id = a.playbook_id ";

json read_summary(const store::Statement& s) {
  return {{"id", s.int64(0)},
          {"mentor", person_json(s.int64(1), s.text(2), s.text(3))},
          {"mentee", person_json(s.int64(4), s.text(5), s.text(6))},
          {"playbook", {{"slug", s.text(7)}, {"title", s.text(8)}, {"revision", s.int64(10)}}},
          {"revision", s.int64(9)},
          {"newer_revisions", s.int64(10) - s.int64(9)},
          {"due_on", s.is_null(11) ? json(nullptr) : json(s.text(11))},
          {"created_at", format_rfc3339(s.int64(12))}};
}

}  // namespace

Status insert_mentorship(Connection& db, std::int64_t mentor_id, std::int64_t mentee_id, std::int64_t by,
                         std::int64_t now) {
  auto exists = is_mentor_of(db, mentor_id, mentee_id);
  if (!exists) return exists.error();
  if (*exists) return ApiError::conflict("That mentor already mentors that mentee.");
  auto s = db.prepare("INSERT INTO mentorships (mentor_id, mentee_id, created_by, created_at) VALUES (?1, ?2, ?3, ?4)");
  s.bind(1, mentor_id).bind(2, mentee_id).bind(3, by).bind(4, now);
  return s.run();
}

Status delete_mentorship(Connection& db, std::int64_t mentor_id, std::int64_t mentee_id) {
  auto s = db.prepare("DELETE FROM mentorships WHERE mentor_id = ?1 AND mentee_id = ?2");
  s.bind(1, mentor_id).bind(2, mentee_id);
  if (auto r = s.run(); !r) return r;
  if (db.changes() == 0) return ApiError::not_found("No such mentorship.");
  return http::Ok{};
}

Result<bool> is_mentor_of(Connection& db, std::int64_t mentor_id, std::int64_t mentee_id) {
  auto s = db.prepare("SELECT 1 FROM mentorships WHERE mentor_id = ?1 AND mentee_id = ?2");
  s.bind(1, mentor_id).bind(2, mentee_id);
  auto row = s.step();
  if (!row) return row.error();
  return *row;
}

Result<std::vector<std::int64_t>> cohorts_of(Connection& db, std::int64_t user_id) {
  auto s = db.prepare("SELECT cohort_id FROM cohort_members WHERE user_id = ?1 ORDER BY cohort_id");
  s.bind(1, user_id);
  std::vector<std::int64_t> ids;
  if (auto read = s.each_row([&] { ids.push_back(s.int64(0)); }); !read) return read.error();
  return ids;
}

Result<json> list_mentorships(Connection& db, std::optional<std::int64_t> user_id) {
  auto s = db.prepare(
      "SELECT m.mentor_id, mu.handle, mu.display_name, m.mentee_id, eu.handle, eu.display_name, m.created_at "
      "FROM mentorships m JOIN users mu ON mu.id = m.mentor_id JOIN users eu ON eu.id = m.mentee_id "
      "WHERE ?1 IS NULL OR m.mentor_id = ?1 OR m.mentee_id = ?1 ORDER BY mu.handle, eu.handle LIMIT 1000");
  s.bind(1, user_id);
  json items = json::array();
  auto read = s.each_row([&] {
    items.push_back({{"mentor", person_json(s.int64(0), s.text(1), s.text(2))},
                     {"mentee", person_json(s.int64(3), s.text(4), s.text(5))},
                     {"created_at", format_rfc3339(s.int64(6))}});
  });
  if (!read) return read.error();
  return json{{"items", std::move(items)}, {"next_cursor", nullptr}};
}

Result<std::optional<AssignmentParties>> assignment_parties(Connection& db, std::int64_t assignment_id) {
  auto s = db.prepare("SELECT mentor_id, mentee_id FROM assignments WHERE id = ?1");
  s.bind(1, assignment_id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<AssignmentParties>{};
  return std::optional<AssignmentParties>(AssignmentParties{s.int64(0), s.int64(1)});
}

Result<std::int64_t> insert_assignment(Connection& db, std::int64_t mentor_id, std::int64_t mentee_id,
                                       std::int64_t playbook_id, int revision, const std::optional<std::string>& due_on,
                                       const std::vector<TaskItem>& items, std::int64_t now) {
  auto s = db.prepare(
      "INSERT INTO assignments (mentor_id, mentee_id, playbook_id, revision, due_on, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  s.bind(1, mentor_id).bind(2, mentee_id).bind(3, playbook_id).bind(4, static_cast<std::int64_t>(revision));
  s.bind(5, due_on).bind(6, now);
  if (auto r = s.run(); !r) return r.error();
  const std::int64_t id = db.last_insert_id();
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto ins = db.prepare("INSERT INTO assignment_items (assignment_id, n, text) VALUES (?1, ?2, ?3)");
    ins.bind(1, id).bind(2, static_cast<std::int64_t>(i + 1)).bind(3, std::string_view(items[i].text));
    if (auto r = ins.run(); !r) return r.error();
  }
  if (auto r = record_activity(db, id, mentor_id, std::nullopt, "assigned", std::nullopt, now); !r) return r.error();
  return id;
}

Result<json> assignment_json(Connection& db, std::int64_t assignment_id, const std::string& today) {
  auto s = db.prepare(std::string(kAssignmentSummary) + "WHERE a.id = ?1");
  s.bind(1, assignment_id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return ApiError::not_found("No such assignment.");
  json out = read_summary(s);
  const bool past_due = !out["due_on"].is_null() && out["due_on"].get<std::string>() < today;
  auto items = db.prepare("SELECT n, text, done, note, done_at FROM assignment_items WHERE assignment_id = ?1 ORDER BY n");
  items.bind(1, assignment_id);
  json list = json::array();
  Progress progress;
  auto read = items.each_row([&] {
    const bool done = items.int64(2) != 0;
    ++progress.total;
    progress.done += done;
    progress.overdue += !done && past_due;
    list.push_back({{"n", items.int64(0)},
                    {"text", items.text(1)},
                    {"done", done},
                    {"note", items.is_null(3) ? json(nullptr) : json(items.text(3))},
                    {"done_at", items.is_null(4) ? json(nullptr) : json(format_rfc3339(items.int64(4)))},
                    {"overdue", !done && past_due}});
  });
  if (!read) return read.error();
  out["items"] = std::move(list);
  out["progress"] = progress_json(progress);
  return out;
}

Status set_item(Connection& db, std::int64_t assignment_id, int n, bool done, const std::optional<std::string>& note,
                std::int64_t actor_id, std::int64_t now) {
  auto before = db.prepare("SELECT done FROM assignment_items WHERE assignment_id = ?1 AND n = ?2");
  before.bind(1, assignment_id).bind(2, static_cast<std::int64_t>(n));
  auto row = before.step();
  if (!row) return row.error();
  if (!*row) return ApiError::not_found("The assignment has no item " + std::to_string(n) + ".");
  const bool was_done = before.int64(0) != 0;
  auto s = db.prepare(
      "UPDATE assignment_items SET done = ?3, note = CASE WHEN ?4 IS NULL THEN note ELSE ?4 END, "
      "done_at = CASE WHEN ?3 = 0 THEN NULL WHEN done = 1 THEN done_at ELSE ?5 END "
      "WHERE assignment_id = ?1 AND n = ?2");
  s.bind(1, assignment_id).bind(2, static_cast<std::int64_t>(n)).bind(3, std::int64_t{done}).bind(4, note).bind(5, now);
  if (auto r = s.run(); !r) return r;
  const char* action = done == was_done ? "noted" : done ? "done" : "undone";
  return record_activity(db, assignment_id, actor_id, n, action, note, now);
}

Result<json> list_assignments(Connection& db, std::optional<std::int64_t> mentee_id,
                              std::optional<std::int64_t> mentor_id, const http::Page& page, const std::string& today) {
  auto s = db.prepare(std::string(kAssignmentSummary) +
                      "WHERE (?1 IS NULL OR a.mentee_id = ?1) AND (?2 IS NULL OR (a.mentor_id = ?2 AND EXISTS (SELECT 1 "
                      "FROM mentorships m WHERE m.mentor_id = ?2 AND m.mentee_id = a.mentee_id))) "
                      "AND (?3 = 0 OR a.id < ?3) "
                      "ORDER BY a.id DESC LIMIT ?4");
  s.bind(1, mentee_id).bind(2, mentor_id).bind(3, page.after).bind(4, static_cast<std::int64_t>(page.limit + 1));
  json items = json::array();
  if (auto read = s.each_row([&] { items.push_back(read_summary(s)); }); !read) return read.error();
  for (auto& item : items) {
    auto p = progress_of(db, item["id"].get<std::int64_t>(), today);
    if (!p) return p.error();
    item["progress"] = progress_json(*p);
  }
  return http::page_body(std::move(items), page);
}

Result<json> mentor_dashboard(Connection& db, std::int64_t mentor_id, const std::string& today) {
  auto mentees = db.prepare(
      "SELECT u.id, u.handle, u.display_name FROM mentorships m JOIN users u ON u.id = m.mentee_id "
      "WHERE m.mentor_id = ?1 ORDER BY u.display_name, u.id");
  mentees.bind(1, mentor_id);
  json people = json::array();
  auto read = mentees.each_row(
      [&] { people.push_back({{"mentee", person_json(mentees.int64(0), mentees.text(1), mentees.text(2))}}); });
  if (!read) return read.error();
  for (auto& entry : people) {
    const std::int64_t mentee = entry["mentee"]["id"].get<std::int64_t>();
    auto list = list_assignments(db, mentee, mentor_id, http::Page{200, 0}, today);
    if (!list) return list.error();
    Progress total;
    int assignments_overdue = 0;
    for (const auto& a : (*list)["items"]) {
      total.done += a["progress"]["done"].get<int>();
      total.total += a["progress"]["total"].get<int>();
      total.overdue += a["progress"]["overdue"].get<int>();
      assignments_overdue += a["progress"]["overdue"].get<int>() > 0;
    }
    auto last = db.prepare(
        "SELECT max(v.at) FROM assignment_activity v JOIN assignments a ON a.id = v.assignment_id "
        "WHERE a.mentee_id = ?1 AND v.actor_id = ?1 AND a.mentor_id = ?2");
    last.bind(1, mentee).bind(2, mentor_id);
    auto row = last.step();
    if (!row) return row.error();
    entry["assignments"] = std::move((*list)["items"]);
    entry["progress"] = progress_json(total);
    entry["overdue_assignments"] = assignments_overdue;
    entry["last_active_at"] = last.is_null(0) ? json(nullptr) : json(format_rfc3339(last.int64(0)));
  }
  auto activity = db.prepare(
      "SELECT v.at, v.action, v.n, v.note, v.assignment_id, u.id, u.handle, u.display_name, pb.slug, pb.title, "
      "i.text, e.id, e.handle, e.display_name FROM assignment_activity v JOIN assignments a ON a.id = v.assignment_id "
      "JOIN users u ON u.id = v.actor_id JOIN users e ON e.id = a.mentee_id JOIN playbooks pb ON pb.id = a.playbook_id "
      "LEFT JOIN assignment_items i ON i.assignment_id = v.assignment_id AND i.n = v.n "
      "WHERE a.mentor_id = ?1 AND a.mentee_id IN (SELECT mentee_id FROM mentorships WHERE mentor_id = ?1) "
      "ORDER BY v.id DESC LIMIT ?2");
  activity.bind(1, mentor_id).bind(2, std::int64_t{kDashboardActivity});
  json recent = json::array();
  auto recent_read = activity.each_row([&] {
    recent.push_back({{"at", format_rfc3339(activity.int64(0))},
                      {"action", activity.text(1)},
                      {"n", activity.is_null(2) ? json(nullptr) : json(activity.int64(2))},
                      {"note", activity.is_null(3) ? json(nullptr) : json(activity.text(3))},
                      {"assignment_id", activity.int64(4)},
                      {"actor", person_json(activity.int64(5), activity.text(6), activity.text(7))},
                      {"playbook", {{"slug", activity.text(8)}, {"title", activity.text(9)}}},
                      {"item", activity.is_null(10) ? json(nullptr) : json(activity.text(10))},
                      {"mentee", person_json(activity.int64(11), activity.text(12), activity.text(13))}});
  });
  if (!recent_read) return recent_read.error();
  return json{{"mentees", std::move(people)}, {"activity", std::move(recent)}, {"today", today}};
}

}  // namespace hub::playbooks
