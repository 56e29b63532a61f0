#include <catch2/catch.hpp>

#include "tests/unit/playbooks/playbook_flow.hpp"

using hub::testing::PlaybookHub;
using nlohmann::json;

namespace {

json open_proposal(PlaybookHub& h, const std::string& slug, int base, const std::string& content,
                   const std::string& cookie) {
  auto r = h.post("/api/playbooks/" + slug + "/proposals", {{"base_revision", base}, {"content", content}, {"summary", "better"}}, cookie);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.json()["proposal"];
}

std::string path(const json& proposal, const std::string& action = "") {
  return "/api/proposals/" + std::to_string(proposal["id"].get<std::int64_t>()) + action;
}

hub::testing::Reply review(PlaybookHub& h, const json& p, const std::string& verdict, const std::string& cookie) {
  return h.post(path(p, "/reviews"), {{"verdict", verdict}, {"comment", "looked at it"}}, cookie);
}

}  // namespace

TEST_CASE("proposals: opened against a base, reviewed by someone else, merged with an approval") {
  PlaybookHub h;
  h.create("pb", "a\nb\nc\n", h.sam);
  auto p = open_proposal(h, "pb", 1, "a\nB\nc\n", h.lee);
  CHECK(p["state"] == "open");
  CHECK(p["version"] == 1);
  CHECK(p["approvals_needed"] == 1);
  CHECK(p["content"] == "a\nB\nc\n");
  CHECK(h.get("/api/playbooks/pb", h.sam).json()["open_proposals"] == 1);
  CHECK(h.get("/api/playbooks/pb/proposals?state=open", h.sam).json()["items"].size() == 1);

  auto early = h.post(path(p, "/merge"), json::object(), h.lee);
  CHECK(early.status == 409);
  CHECK(h.f.count("playbook_revisions") == 1);

  auto self = review(h, p, "approve", h.lee);
  CHECK(self.status == 403);
  CHECK(h.f.count("playbook_reviews") == 0);

  auto approved = review(h, p, "approve", h.sam);
  REQUIRE(approved.status == 201);
  CHECK(approved.json()["proposal"]["approvals"] == 1);
  CHECK(approved.json()["proposal"]["reviews"][0]["reviewer"]["handle"] == "sam");

  auto merged = h.post(path(p, "/merge"), json::object(), h.lee);
  REQUIRE(merged.status == 200);
  CHECK(merged.json()["proposal"]["state"] == "merged");
  CHECK(merged.json()["proposal"]["merged_revision"] == 2);
  auto view = h.get("/api/playbooks/pb", h.sam).json();
  CHECK(view["revision"] == 2);
  CHECK(view["content"] == "a\nB\nc\n");
  CHECK(view["last_change"]["kind"] == "merge");
  CHECK(view["last_change"]["author"]["handle"] == "lee");
  CHECK(view["open_proposals"] == 0);
  CHECK(h.post(path(p, "/merge"), json::object(), h.lee).status == 409);
  CHECK(review(h, p, "approve", h.mira).status == 409);
}

TEST_CASE("proposals: bad input gets the right 4xx") {
  PlaybookHub h;
  h.create("pb", "a\n", h.sam);
  CHECK(h.post("/api/playbooks/pb/proposals", {{"content", "b\n"}}, h.lee).status == 428);
  CHECK(h.post("/api/playbooks/nope/proposals", {{"base_revision", 1}, {"content", "b\n"}}, h.lee).status == 404);
  CHECK(h.post("/api/playbooks/pb/proposals", {{"base_revision", 1}, {"content", "a\n"}}, h.lee).json()["error"]["field"] == "content");
  CHECK(h.post("/api/playbooks/pb/proposals", {{"base_revision", 3}, {"content", "b\n"}}, h.lee).json()["error"]["field"] == "base_revision");
  CHECK(h.post("/api/playbooks/pb/proposals", {{"base_revision", 1}, {"content", std::string(200 * 1024, 'x')}}, h.lee).status == 413);
  CHECK(h.post("/api/proposals/99/merge", json::object(), h.lee).status == 404);
  CHECK(h.post("/api/proposals/99/reviews", {{"verdict", "approve"}}, h.lee).status == 404);
  auto p = open_proposal(h, "pb", 1, "b\n", h.lee);
  CHECK(h.post(path(p, "/reviews"), {{"verdict", "maybe"}}, h.sam).json()["error"]["field"] == "verdict");
  CHECK(h.post(path(p, "/reviews"), {{"verdict", "request_changes"}}, h.sam).json()["error"]["field"] == "comment");
  CHECK(h.put(path(p), {{"base_revision", 1}, {"content", "c\n"}}, h.sam).status == 403);
  CHECK(h.post(path(p, "/close"), json::object(), h.sam).status == 403);
  CHECK(h.f.count("playbook_proposals") == 1);
  CHECK(h.f.count("playbook_reviews") == 0);
}

TEST_CASE("proposals: two approvals when the playbook needs two, a change request blocks until re-approved") {
  PlaybookHub h;
  h.create("pb", "a\n", h.mira, {{"required_approvals", 2}});
  CHECK(h.save("pb", 1, "direct\n", h.mira).status == 403);
  auto p = open_proposal(h, "pb", 1, "b\n", h.lee);
  CHECK(p["approvals_needed"] == 2);
  REQUIRE(review(h, p, "approve", h.sam).status == 201);
  CHECK(h.post(path(p, "/merge"), json::object(), h.lee).status == 409);
  REQUIRE(review(h, p, "request_changes", h.mira).status == 201);
  REQUIRE(review(h, p, "approve", h.ada).status == 201);
  auto blocked = h.post(path(p, "/merge"), json::object(), h.lee);
  CHECK(blocked.status == 409);
  CHECK(blocked.json()["error"]["message"].get<std::string>().find("changes") != std::string::npos);
  REQUIRE(review(h, p, "approve", h.mira).status == 201);  // her latest verdict counts
  REQUIRE(h.post(path(p, "/merge"), json::object(), h.lee).status == 200);
  CHECK(h.get("/api/playbooks/pb", h.sam).json()["content"] == "b\n");
}

TEST_CASE("proposals: an update after an approval needs re-approval") {
  PlaybookHub h;
  h.create("pb", "a\n", h.sam);
  auto p = open_proposal(h, "pb", 1, "b\n", h.lee);
  REQUIRE(review(h, p, "approve", h.sam).status == 201);
  auto updated = h.put(path(p), {{"base_revision", 1}, {"content", "c\n"}}, h.lee);
  REQUIRE(updated.status == 200);
  CHECK(updated.json()["proposal"]["version"] == 2);
  CHECK(updated.json()["proposal"]["approvals"] == 0);
  CHECK(h.post(path(p, "/merge"), json::object(), h.lee).status == 409);
  REQUIRE(review(h, p, "approve", h.sam).status == 201);
  REQUIRE(h.post(path(p, "/merge"), json::object(), h.lee).status == 200);
  CHECK(h.get("/api/playbooks/pb", h.sam).json()["content"] == "c\n");
}

TEST_CASE("proposals: a stale base merges three-way when the changes do not overlap") {
  PlaybookHub h;
  h.create("pb", "top\n\nmiddle\n\nbottom\n", h.sam);
  auto p = open_proposal(h, "pb", 1, "top\n\nmiddle\n\nbottom, proposed\n", h.lee);
  REQUIRE(h.save("pb", 1, "top, edited\n\nmiddle\n\nbottom\n", h.sam).status == 200);
  auto shown = h.get(path(p), h.sam).json()["proposal"];
  CHECK(shown["stale"] == true);
  CHECK(shown["head_revision"] == 2);
  REQUIRE(review(h, p, "approve", h.sam).status == 201);
  auto merged = h.post(path(p, "/merge"), json::object(), h.lee);
  REQUIRE(merged.status == 200);
  CHECK(merged.json()["proposal"]["merged_revision"] == 3);
  CHECK(h.get("/api/playbooks/pb", h.sam).json()["content"] == "top, edited\n\nmiddle\n\nbottom, proposed\n");
}

TEST_CASE("proposals: a stale base with overlapping changes reports its conflicts and stays open") {
  PlaybookHub h;
  h.create("pb", "a\nb\nc\n", h.sam);
  auto p = open_proposal(h, "pb", 1, "a\nproposed\nc\n", h.lee);
  REQUIRE(h.save("pb", 1, "a\nsaved\nc\n", h.sam).status == 200);
  REQUIRE(review(h, p, "approve", h.sam).status == 201);
  auto conflict = h.post(path(p, "/merge"), json::object(), h.lee);
  REQUIRE(conflict.status == 409);
  CHECK(conflict.json()["clean"] == false);
  CHECK(conflict.json()["head_revision"] == 2);
  CHECK(conflict.json()["conflicts"][0]["theirs"] == "proposed\n");
  CHECK(conflict.json()["marked"].get<std::string>().find(">>>>>>> proposal #") != std::string::npos);
  CHECK(h.get(path(p), h.sam).json()["proposal"]["state"] == "open");
  CHECK(h.f.count("playbook_revisions") == 2);
  // Rebased by its author, approved again, merged.
  REQUIRE(h.put(path(p), {{"base_revision", 2}, {"content", "a\nsaved and proposed\nc\n"}}, h.lee).status == 200);
  REQUIRE(review(h, p, "approve", h.sam).status == 201);
  REQUIRE(h.post(path(p, "/merge"), json::object(), h.lee).status == 200);
}

TEST_CASE("proposals: updating one on a stale base answers the three-way merge onto the head, and saves nothing") {
  PlaybookHub h;
  h.create("pb", "top\n\nmiddle\n\nbottom\n", h.sam);
  auto p = open_proposal(h, "pb", 1, "top\n\nmiddle\n\nbottom, proposed\n", h.lee);
  REQUIRE(h.save("pb", 1, "top, edited\n\nmiddle\n\nbottom\n", h.sam).status == 200);
  auto stale = h.put(path(p), {{"base_revision", 1}, {"content", "top\n\nmiddle\n\nbottom, proposed again\n"}}, h.lee);
  REQUIRE(stale.status == 409);
  CHECK(stale.json()["clean"] == true);
  CHECK(stale.json()["head_revision"] == 2);
  CHECK(stale.json()["merged"] == "top, edited\n\nmiddle\n\nbottom, proposed again\n");
  CHECK(h.get(path(p), h.lee).json()["proposal"]["version"] == 1);  // nothing saved
  // Sent back on the head, the proposal is rebased and no longer stale.
  auto rebased = h.put(path(p), {{"base_revision", 2}, {"content", stale.json()["merged"]}}, h.lee);
  REQUIRE(rebased.status == 200);
  CHECK(rebased.json()["proposal"]["stale"] == false);
  CHECK(rebased.json()["proposal"]["base_revision"] == 2);
}

TEST_CASE("proposals: the author or a mentor closes one, a closed proposal takes no reviews") {
  PlaybookHub h;
  h.create("pb", "a\n", h.sam);
  auto p = open_proposal(h, "pb", 1, "b\n", h.lee);
  auto closed = h.post(path(p, "/close"), json::object(), h.mira);
  REQUIRE(closed.status == 200);
  CHECK(closed.json()["proposal"]["state"] == "closed");
  CHECK(review(h, p, "approve", h.sam).status == 409);
  CHECK(h.put(path(p), {{"base_revision", 1}, {"content", "c\n"}}, h.lee).status == 409);
  auto diff = h.get(path(p, "/diff"), h.sam);
  REQUIRE(diff.status == 200);
  CHECK(diff.json()["added"] == 1);
}
