#include <catch2/catch.hpp>

#include "tests/unit/playbooks/playbook_flow.hpp"

using hub::http::Method;
using hub::testing::PlaybookHub;
using hub::testing::Reply;
using nlohmann::json;

namespace {

const std::string kChecklist = "# Vendor onboarding\n\n- [ ] Send the quote\n- [ ] Fill in the form\n- [x] Get the PO\n";

struct MentoringHub : PlaybookHub {
  std::int64_t otto_id = f.add_user("otto", "mentor");
  std::string otto = f.login("otto");

  // Pairing needs a shared cohort: everyone here is in "spring" except nia, alone in "autumn".
  std::int64_t nia_id = f.add_user("nia", "member");
  std::string nia = f.login("nia");

  MentoringHub() {
    join(cohort("spring"), {"mira", "otto", "sam", "lee"});
    join(cohort("autumn"), {"nia"});
    create("vendor", kChecklist, sam);
    auto paired = post("/api/mentorships", {{"mentor_id", mira_id}, {"mentee_id", sam_id}}, mira);
    REQUIRE(paired.status == 201);
  }
  std::int64_t cohort(const std::string& name) {
    auto r = post("/api/cohorts", {{"name", name}, {"starts_on", "2027-01-01"}}, ada);
    REQUIRE(r.status == 201);
    return r.json()["cohort"]["id"].get<std::int64_t>();
  }
  void join(std::int64_t cohort_id, std::initializer_list<const char*> handles) {
    for (const char* handle : handles)
      REQUIRE(post("/api/cohorts/" + std::to_string(cohort_id) + "/members", {{"handle", handle}}, ada).status == 200);
  }
  Reply pair(std::int64_t mentor, std::int64_t mentee, const std::string& cookie) {
    return post("/api/mentorships", {{"mentor_id", mentor}, {"mentee_id", mentee}}, cookie);
  }
  Reply unpair(std::int64_t mentor, std::int64_t mentee, const std::string& cookie) {
    return f.call(Method::delete_, "/api/mentorships/" + std::to_string(mentor) + "/" + std::to_string(mentee), "", cookie);
  }
  json assign(const std::string& cookie, std::int64_t mentee, json extra = json::object()) {
    json body = {{"mentee_id", mentee}, {"playbook", "vendor"}};
    body.update(extra);
    auto r = post("/api/assignments", body, cookie);
    INFO(r.body);
    REQUIRE(r.status == 201);
    return r.json();
  }
  std::string item_path(const json& a, int n) {
    return "/api/assignments/" + std::to_string(a["id"].get<std::int64_t>()) + "/items/" + std::to_string(n);
  }
};

}  // namespace

TEST_CASE("mentoring: an admin or a mentor pairs mentors with mentees, members cannot") {
  MentoringHub h;
  CHECK(h.post("/api/mentorships", {{"mentor_id", h.mira_id}, {"mentee_id", h.lee_id}}, h.sam).status == 403);
  CHECK(h.post("/api/mentorships", {{"mentor_id", h.otto_id}, {"mentee_id", h.lee_id}}, h.mira).status == 403);
  CHECK(h.post("/api/mentorships", {{"mentor_id", h.mira_id}, {"mentee_id", h.sam_id}}, h.mira).status == 409);
  CHECK(h.post("/api/mentorships", {{"mentor_id", h.mira_id}, {"mentee_id", 999}}, h.mira).json()["error"]["field"] == "mentee_id");
  CHECK(h.post("/api/mentorships", {{"mentor_id", h.mira_id}, {"mentee_id", h.mira_id}}, h.mira).status == 400);
  CHECK(h.post("/api/mentorships", {{"mentor_id", h.lee_id}, {"mentee_id", h.sam_id}}, h.ada).json()["error"]["field"] == "mentor_id");
  REQUIRE(h.post("/api/mentorships", {{"mentor_id", h.otto_id}, {"mentee_id", h.lee_id}}, h.ada).status == 201);
  CHECK(h.f.count("mentorships") == 2);
  CHECK(h.get("/api/mentorships", h.sam).json()["items"].size() == 1);
  CHECK(h.get("/api/mentorships", h.ada).json()["items"].size() == 2);
  CHECK(h.f.call(Method::delete_, "/api/mentorships/" + std::to_string(h.otto_id) + "/" + std::to_string(h.lee_id), "", h.mira).status == 403);
  CHECK(h.f.call(Method::delete_, "/api/mentorships/" + std::to_string(h.otto_id) + "/" + std::to_string(h.lee_id), "", h.otto).status == 204);
  CHECK(h.f.count("mentorships") == 1);
}

TEST_CASE("mentoring: an assignment pins a revision and turns its task list into numbered items") {
  MentoringHub h;
  auto a = h.assign(h.mira, h.sam_id, {{"due_on", "2027-02-01"}});
  CHECK(a["revision"] == 1);
  CHECK(a["playbook"]["slug"] == "vendor");
  CHECK(a["mentee"]["handle"] == "sam");
  REQUIRE(a["items"].size() == 3);
  CHECK(a["items"][0] == json{{"n", 1}, {"text", "Send the quote"}, {"done", false}, {"note", nullptr},
                              {"done_at", nullptr}, {"overdue", false}});
  CHECK(a["items"][2]["text"] == "Get the PO");
  CHECK(a["items"][2]["done"] == false);  // a fresh checklist, whatever the playbook's boxes say
  CHECK(a["progress"] == json{{"done", 0}, {"total", 3}, {"overdue", 0}});
  // The playbook moves on; the assignment stays pinned and says so.
  REQUIRE(h.save("vendor", 1, kChecklist + "- [ ] A new step\n", h.sam).status == 200);
  auto later = h.get("/api/assignments/" + std::to_string(a["id"].get<std::int64_t>()), h.sam).json();
  CHECK(later["revision"] == 1);
  CHECK(later["playbook"]["revision"] == 2);
  CHECK(later["newer_revisions"] == 1);
  CHECK(later["items"].size() == 3);
  auto pinned_old = h.assign(h.mira, h.sam_id, {{"revision", 1}});
  CHECK(pinned_old["items"].size() == 3);
  CHECK(h.assign(h.mira, h.sam_id)["items"].size() == 4);
}

TEST_CASE("mentoring: bad assignments get the right 4xx and write nothing") {
  MentoringHub h;
  h.create("no-tasks", "# Nothing to tick\n", h.sam);
  auto assign = [&](const std::string& cookie, json body) { return h.post("/api/assignments", body, cookie); };
  CHECK(assign(h.sam, {{"mentee_id", h.lee_id}, {"playbook", "vendor"}}).status == 403);
  CHECK(assign(h.otto, {{"mentee_id", h.sam_id}, {"playbook", "vendor"}}).status == 403);  // not otto's mentee
  CHECK(assign(h.mira, {{"mentee_id", h.sam_id}, {"playbook", "nope"}}).json()["error"]["field"] == "playbook");
  CHECK(assign(h.mira, {{"mentee_id", h.sam_id}, {"playbook", "no-tasks"}}).json()["error"]["field"] == "playbook");
  CHECK(assign(h.mira, {{"mentee_id", h.sam_id}, {"playbook", "vendor"}, {"revision", 5}}).json()["error"]["field"] == "revision");
  CHECK(assign(h.mira, {{"mentee_id", h.sam_id}, {"playbook", "vendor"}, {"due_on", "2027-02-30"}}).json()["error"]["field"] == "due_on");
  CHECK(assign(h.mira, {{"mentee_id", 999}, {"playbook", "vendor"}}).json()["error"]["field"] == "mentee_id");
  CHECK(h.f.count("assignments") == 0);
  CHECK(h.f.count("assignment_items") == 0);
}

TEST_CASE("mentoring: the mentee ticks items with notes, nobody else can, and unknown items are 404") {
  MentoringHub h;
  auto a = h.assign(h.mira, h.sam_id);
  auto ticked = h.patch(h.item_path(a, 2), {{"done", true}, {"note", "Sent on Monday"}}, h.sam);
  REQUIRE(ticked.status == 200);
  CHECK(ticked.json()["items"][1]["done"] == true);
  CHECK(ticked.json()["items"][1]["note"] == "Sent on Monday");
  CHECK(ticked.json()["items"][1]["done_at"].is_string());
  CHECK(ticked.json()["progress"]["done"] == 1);
  CHECK(h.patch(h.item_path(a, 2), {{"done", true}}, h.mira).status == 403);
  CHECK(h.patch(h.item_path(a, 2), {{"done", true}}, h.lee).status == 404);
  CHECK(h.patch(h.item_path(a, 2), {{"done", true}}, h.otto).status == 404);
  CHECK(h.patch(h.item_path(a, 99), {{"done", true}}, h.sam).status == 404);
  CHECK(h.patch(h.item_path(a, 1), {{"done", "yes"}}, h.sam).json()["error"]["field"] == "done");
  CHECK(h.patch(h.item_path(a, 1), {{"done", true}, {"note", std::string(2000, 'x')}}, h.sam).json()["error"]["field"] == "note");
  CHECK(h.patch("/api/assignments/999/items/1", {{"done", true}}, h.sam).status == 404);
  auto now = h.get("/api/assignments/" + std::to_string(a["id"].get<std::int64_t>()), h.sam).json();
  CHECK(now["progress"]["done"] == 1);
  CHECK(now["items"][0]["done"] == false);
  auto unticked = h.patch(h.item_path(a, 2), {{"done", false}}, h.sam).json();
  CHECK(unticked["items"][1]["done"] == false);
  CHECK(unticked["items"][1]["note"] == "Sent on Monday");  // the note stays
}

TEST_CASE("mentoring: mentors see only their own mentees' assignments") {
  MentoringHub h;
  auto a = h.assign(h.mira, h.sam_id);
  const std::string one = "/api/assignments/" + std::to_string(a["id"].get<std::int64_t>());
  CHECK(h.get(one, h.sam).status == 200);
  CHECK(h.get(one, h.mira).status == 200);
  CHECK(h.get(one, h.ada).status == 200);
  CHECK(h.get(one, h.otto).status == 404);
  CHECK(h.get(one, h.lee).status == 404);
  CHECK(h.get("/api/assignments?mentee_id=" + std::to_string(h.sam_id), h.mira).json()["items"].size() == 1);
  CHECK(h.get("/api/assignments?mentee_id=" + std::to_string(h.sam_id), h.otto).status == 403);
  CHECK(h.get("/api/assignments?as=mentor", h.otto).json()["items"].empty());
  CHECK(h.get("/api/assignments?as=mentor", h.mira).json()["items"].size() == 1);
  CHECK(h.get("/api/assignments", h.sam).json()["items"].size() == 1);  // mine, as the mentee
  CHECK(h.get("/api/assignments", h.lee).json()["items"].empty());
  CHECK(h.get("/api/mentoring/dashboard", h.otto).json()["mentees"].empty());
  CHECK(h.get("/api/mentoring/dashboard?mentor_id=" + std::to_string(h.mira_id), h.otto).status == 403);
}

TEST_CASE("mentoring: the dashboard shows progress, overdue items and recent activity") {
  MentoringHub h;
  // The fake clock reads 2027-01-15.
  auto late = h.assign(h.mira, h.sam_id, {{"due_on", "2027-01-01"}});
  auto fine = h.assign(h.mira, h.sam_id, {{"due_on", "2027-03-01"}});
  REQUIRE(h.patch(h.item_path(late, 1), {{"done", true}, {"note", "done at last"}}, h.sam).status == 200);
  h.f.clock.advance(3600);
  REQUIRE(h.patch(h.item_path(fine, 3), {{"done", true}}, h.sam).status == 200);
  auto board = h.get("/api/mentoring/dashboard", h.mira);
  REQUIRE(board.status == 200);
  auto mentees = board.json()["mentees"];
  REQUIRE(mentees.size() == 1);
  CHECK(mentees[0]["mentee"]["handle"] == "sam");
  CHECK(mentees[0]["progress"] == json{{"done", 2}, {"total", 6}, {"overdue", 2}});
  CHECK(mentees[0]["overdue_assignments"] == 1);
  CHECK(mentees[0]["assignments"].size() == 2);
  CHECK(mentees[0]["last_active_at"].is_string());
  auto activity = board.json()["activity"];
  REQUIRE(activity.size() == 4);  // two assigned, two ticked
  CHECK(activity[0]["action"] == "done");
  CHECK(activity[0]["item"] == "Get the PO");
  CHECK(activity[1]["note"] == "done at last");
  CHECK(activity[3]["action"] == "assigned");
  auto overdue_items = h.get("/api/assignments/" + std::to_string(late["id"].get<std::int64_t>()), h.sam).json()["items"];
  CHECK(overdue_items[0]["overdue"] == false);  // done
  CHECK(overdue_items[1]["overdue"] == true);
}

TEST_CASE("mentoring: pairing needs a shared cohort and a mentee who is a member") {
  MentoringHub h;
  CHECK(h.pair(h.otto_id, h.ada_id, h.otto).status == 403);   // an admin is no mentee
  CHECK(h.pair(h.otto_id, h.mira_id, h.otto).status == 403);  // nor is a mentor
  CHECK(h.pair(h.otto_id, h.nia_id, h.otto).status == 403);   // another cohort
  CHECK(h.pair(h.otto_id, h.nia_id, h.ada).status == 403);    // not even for an admin
  CHECK(h.pair(h.otto_id, h.nia_id, h.ada).error_code() == "forbidden");
  CHECK(h.f.count("mentorships") == 1);
  CHECK(h.get("/api/assignments?mentee_id=" + std::to_string(h.nia_id), h.otto).status == 403);
  CHECK(h.get("/api/assignments?mentee_id=" + std::to_string(h.ada_id), h.otto).status == 403);
  CHECK(h.pair(h.otto_id, h.lee_id, h.otto).status == 201);
}

TEST_CASE("mentoring: the mentee sees their pairings and ends one, the mentor then reads nothing of theirs") {
  MentoringHub h;
  auto a = h.assign(h.mira, h.sam_id);
  const std::string one = "/api/assignments/" + std::to_string(a["id"].get<std::int64_t>());
  auto mine = h.get("/api/mentorships", h.sam).json()["items"];
  REQUIRE(mine.size() == 1);
  CHECK(mine[0]["mentor"]["handle"] == "mira");
  CHECK(h.unpair(h.mira_id, h.sam_id, h.lee).status == 403);
  CHECK(h.unpair(h.mira_id, h.sam_id, h.sam).status == 204);
  CHECK(h.get("/api/mentorships", h.sam).json()["items"].empty());
  CHECK(h.get(one, h.mira).status == 404);
  CHECK(h.get(one, h.sam).status == 200);
  CHECK(h.get(one, h.ada).status == 200);
  CHECK(h.get("/api/assignments?mentee_id=" + std::to_string(h.sam_id), h.mira).status == 403);
  CHECK(h.get("/api/assignments?as=mentor", h.mira).json()["items"].empty());
  CHECK(h.get("/api/mentoring/dashboard", h.mira).json()["mentees"].empty());
  CHECK(h.unpair(h.mira_id, h.sam_id, h.sam).status == 404);
}

TEST_CASE("mentoring: a mentor reads only the assignments they set") {
  MentoringHub h;
  REQUIRE(h.pair(h.otto_id, h.sam_id, h.otto).status == 201);
  auto by_mira = h.assign(h.mira, h.sam_id);
  auto by_otto = h.assign(h.otto, h.sam_id);
  REQUIRE(h.patch(h.item_path(by_otto, 1), {{"done", true}, {"note", "for otto only"}}, h.sam).status == 200);
  CHECK(h.get("/api/assignments/" + std::to_string(by_otto["id"].get<std::int64_t>()), h.mira).status == 404);
  auto listed = h.get("/api/assignments?mentee_id=" + std::to_string(h.sam_id), h.mira).json()["items"];
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["id"] == by_mira["id"]);
  CHECK(h.get("/api/assignments?mentee_id=" + std::to_string(h.sam_id), h.ada).json()["items"].size() == 2);
  CHECK(h.get("/api/assignments?mentee_id=" + std::to_string(h.sam_id), h.sam).json()["items"].size() == 2);
  auto board = h.get("/api/mentoring/dashboard", h.mira).json();
  REQUIRE(board["mentees"].size() == 1);
  CHECK(board["mentees"][0]["assignments"].size() == 1);
  CHECK(board["mentees"][0]["last_active_at"].is_null());
  for (const auto& event : board["activity"]) CHECK(event["assignment_id"] == by_mira["id"]);
}
