#include <catch2/catch.hpp>

#include "playbooks/playbook_store.hpp"
#include "playbooks/search_index.hpp"
#include "tests/unit/playbooks/playbook_flow.hpp"

using hub::http::Method;
using hub::testing::PlaybookHub;
using nlohmann::json;

namespace {
const std::string kDoc = "# Pitch\n\nintro\n\n- [ ] one\n- [ ] two\n- [ ] three\n\nend\n";
}

TEST_CASE("playbooks: a member creates one and reads it back rendered, with tags") {
  PlaybookHub h;
  auto created = h.create("pitching", kDoc, h.sam, {{"tags", {"Sales", "retainers", "sales"}}});
  CHECK(created["slug"] == "pitching");
  CHECK(created["revision"] == 1);
  CHECK(created["content"] == kDoc);
  CHECK(created["html"].get<std::string>().find("<h1>Pitch</h1>") != std::string::npos);
  CHECK(created["tags"] == json{"retainers", "sales"});
  CHECK(created["last_change"]["author"]["handle"] == "sam");
  auto shown = h.get("/api/playbooks/pitching", h.lee);
  REQUIRE(shown.status == 200);
  CHECK(shown.json() == created);
  auto list = h.get("/api/playbooks?tag=sales", h.lee).json();
  CHECK(list["items"].size() == 1);
  CHECK(h.get("/api/playbooks?tag=other", h.lee).json()["items"].empty());
  CHECK(h.get("/api/playbooks/pitching", "").status == 401);
}

TEST_CASE("playbooks: bad input gets the right 4xx and writes nothing") {
  PlaybookHub h;
  h.create("taken", kDoc, h.sam);
  auto count = [&] { return h.f.count("playbook_revisions") * 1000 + h.f.count("playbooks"); };
  const auto before = count();
  auto create = [&](json body) { return h.post("/api/playbooks", body, h.sam); };
  CHECK(create({{"slug", "taken"}, {"title", "T"}, {"content", "x"}}).status == 409);
  auto bad_slug = create({{"slug", "Not A Slug"}, {"title", "T"}, {"content", "x"}});
  CHECK(bad_slug.status == 400);
  CHECK(bad_slug.json()["error"]["field"] == "slug");
  CHECK(create({{"slug", "export"}, {"title", "T"}, {"content", "x"}}).json()["error"]["field"] == "slug");
  CHECK(create({{"slug", "a--b"}, {"title", "T"}, {"content", "x"}}).status == 400);
  CHECK(create({{"slug", "ok-slug"}, {"title", ""}, {"content", "x"}}).json()["error"]["field"] == "title");
  CHECK(create({{"slug", "ok-slug"}, {"title", "T"}, {"content", "x"}, {"tags", {"no spaces"}}}).json()["error"]["field"] == "tags");
  CHECK(create({{"slug", "ok-slug"}, {"title", "T"}, {"content", std::string("a\0b", 3)}}).json()["error"]["field"] == "content");
  auto huge = create({{"slug", "ok-slug"}, {"title", "T"}, {"content", std::string(200 * 1024, 'x')}});
  CHECK(huge.status == 413);
  CHECK(huge.error_code() == "payload_too_large");
  CHECK(create({{"slug", "ok-slug"}, {"title", "T"}, {"content", "x"}, {"required_approvals", 1}}).status == 403);
  CHECK(h.get("/api/playbooks/nope", h.sam).status == 404);
  CHECK(h.save("nope", 1, "x", h.sam).status == 404);
  CHECK(h.get("/api/playbooks/nope/revisions", h.sam).status == 404);
  CHECK(h.get("/api/playbooks/nope/diff?from=1&to=1", h.sam).status == 404);
  CHECK(h.save("taken", 1, std::string(200 * 1024, 'x'), h.sam).status == 413);
  CHECK(h.save("taken", 7, "x", h.sam).json()["error"]["field"] == "base_revision");
  CHECK(count() == before);
}

TEST_CASE("playbooks: a save needs a base revision (428) and moves the head by one") {
  PlaybookHub h;
  h.create("pb", kDoc, h.sam);
  auto missing = h.put("/api/playbooks/pb", {{"content", "new"}}, h.sam);
  CHECK(missing.status == 428);
  CHECK(missing.error_code() == "precondition_required");
  CHECK(h.put("/api/playbooks/pb", {{"content", "new"}, {"base_revision", nullptr}}, h.sam).status == 428);
  auto saved = h.save("pb", 1, kDoc + "more\n", h.lee);
  REQUIRE(saved.status == 200);
  CHECK(saved.json()["revision"] == 2);
  CHECK(saved.json()["last_change"]["author"]["handle"] == "lee");
  CHECK(saved.json()["last_change"]["parent"] == 1);
  CHECK(h.get("/api/playbooks/pb", h.sam).json()["content"] == kDoc + "more\n");
  // Saving the same text again makes no empty revision.
  CHECK(h.save("pb", 2, kDoc + "more\n", h.lee).json()["revision"] == 2);
  CHECK(h.f.count("playbook_revisions") == 2);
  // CRLF arrives as LF.
  CHECK(h.save("pb", 2, "a\r\nb\r\n", h.lee).json()["content"] == "a\nb\n");
}

TEST_CASE("playbooks: a stale save gets 409 with a clean three-way merge, and nothing is lost") {
  PlaybookHub h;
  h.create("pb", "top\n\nmiddle\n\nbottom\n", h.sam);
  REQUIRE(h.save("pb", 1, "TOP by sam\n\nmiddle\n\nbottom\n", h.sam).status == 200);
  auto stale = h.save("pb", 1, "top\n\nmiddle\n\nbottom by lee\n", h.lee);
  REQUIRE(stale.status == 409);
  auto body = stale.json();
  CHECK(body["error"]["code"] == "conflict");
  CHECK(body["base_revision"] == 1);
  CHECK(body["head_revision"] == 2);
  CHECK(body["clean"] == true);
  CHECK(body["merged"] == "TOP by sam\n\nmiddle\n\nbottom by lee\n");
  CHECK_FALSE(body.contains("conflicts"));
  CHECK(h.f.count("playbook_revisions") == 2);  // the 409 wrote nothing
  auto resolved = h.save("pb", 2, body["merged"], h.lee);
  REQUIRE(resolved.status == 200);
  CHECK(resolved.json()["revision"] == 3);
  CHECK(resolved.json()["content"] == "TOP by sam\n\nmiddle\n\nbottom by lee\n");
}

TEST_CASE("playbooks: overlapping edits get 409 with the conflicts marked") {
  PlaybookHub h;
  h.create("pb", "a\nb\nc\n", h.sam);
  REQUIRE(h.save("pb", 1, "a\nB by sam\nc\n", h.sam).status == 200);
  auto stale = h.save("pb", 1, "a\nB by lee\nc\n", h.lee);
  REQUIRE(stale.status == 409);
  auto body = stale.json();
  CHECK(body["clean"] == false);
  CHECK_FALSE(body.contains("merged"));
  REQUIRE(body["conflicts"].size() == 1);
  CHECK(body["conflicts"][0]["ours"] == "B by sam\n");
  CHECK(body["conflicts"][0]["theirs"] == "B by lee\n");
  CHECK(body["marked"] == "a\n<<<<<<< revision 2 (saved)\nB by sam\n=======\nB by lee\n>>>>>>> your edit\nc\n");
  CHECK(h.get("/api/playbooks/pb", h.sam).json()["revision"] == 2);
}

TEST_CASE("playbooks: history is newest first and pages with a cursor, any revision can be read") {
  PlaybookHub h;
  h.create("pb", "v1\n", h.sam);
  for (int i = 2; i <= 5; ++i) REQUIRE(h.save("pb", i - 1, "v" + std::to_string(i) + "\n", h.sam).status == 200);
  auto first = h.get("/api/playbooks/pb/revisions?limit=3", h.lee).json();
  REQUIRE(first["items"].size() == 3);
  CHECK(first["items"][0]["number"] == 5);
  CHECK(first["items"][2]["number"] == 3);
  REQUIRE(first["next_cursor"].is_string());
  auto second = h.get("/api/playbooks/pb/revisions?limit=3&cursor=" + first["next_cursor"].get<std::string>(), h.lee).json();
  REQUIRE(second["items"].size() == 2);
  CHECK(second["items"][1]["number"] == 1);
  CHECK(second["items"][1]["parent"].is_null());
  CHECK(second["next_cursor"].is_null());
  auto r2 = h.get("/api/playbooks/pb/revisions/2", h.lee);
  REQUIRE(r2.status == 200);
  CHECK(r2.json()["content"] == "v2\n");
  CHECK(r2.json()["html"] == "<p>v2</p>\n");
  CHECK(h.get("/api/playbooks/pb/revisions/9", h.lee).status == 404);
  CHECK(h.get("/api/playbooks/pb/revisions/x", h.lee).status == 404);
}

TEST_CASE("playbooks: any two revisions can be compared, either way round") {
  PlaybookHub h;
  h.create("pb", "one\ntwo\nthree\n", h.sam);
  REQUIRE(h.save("pb", 1, "one\n2\nthree\n", h.sam).status == 200);
  REQUIRE(h.save("pb", 2, "one\n2\nthree\nfour\n", h.sam).status == 200);
  auto d = h.get("/api/playbooks/pb/diff?from=1&to=3", h.lee);
  REQUIRE(d.status == 200);
  CHECK(d.json()["added"] == 2);
  CHECK(d.json()["removed"] == 1);
  CHECK(d.json()["from"] == 1);
  auto back = h.get("/api/playbooks/pb/diff?from=3&to=1", h.lee).json();
  CHECK(back["added"] == 1);
  CHECK(back["removed"] == 2);
  CHECK(h.get("/api/playbooks/pb/diff?from=2&to=2", h.lee).json()["hunks"].empty());
  CHECK(h.get("/api/playbooks/pb/diff?from=1", h.lee).json()["error"]["field"] == "to");
  CHECK(h.get("/api/playbooks/pb/diff?from=1&to=9", h.lee).json()["error"]["field"] == "to");
  CHECK(h.get("/api/playbooks/pb/diff?from=x&to=1", h.lee).json()["error"]["field"] == "from");
}

TEST_CASE("playbooks: restoring an old revision adds a new one, history is never rewritten") {
  PlaybookHub h;
  h.create("pb", "original\n", h.sam);
  REQUIRE(h.save("pb", 1, "changed\n", h.sam).status == 200);
  auto restored = h.post("/api/playbooks/pb/revert", {{"revision", 1}}, h.lee);
  REQUIRE(restored.status == 200);
  CHECK(restored.json()["revision"] == 3);
  CHECK(restored.json()["content"] == "original\n");
  CHECK(restored.json()["last_change"]["kind"] == "revert");
  CHECK(restored.json()["last_change"]["restored"] == 1);
  CHECK(h.get("/api/playbooks/pb/revisions/2", h.lee).json()["content"] == "changed\n");
  // The restored text is the same content: stored once.
  CHECK(h.f.count("playbook_blobs") == 2);
  CHECK(h.post("/api/playbooks/pb/revert", {{"revision", 9}}, h.lee).json()["error"]["field"] == "revision");
  CHECK(h.post("/api/playbooks/pb/revert", {{"revision", 1}, {"base_revision", 2}}, h.lee).status == 409);
  CHECK(h.f.count("playbook_revisions") == 3);
}

TEST_CASE("playbooks: content is stored once per SHA-256 and revisions are append-only") {
  PlaybookHub h;
  h.create("first", kDoc, h.sam);
  h.create("second", kDoc, h.lee);
  CHECK(h.f.count("playbook_blobs") == 1);
  CHECK(h.f.count("playbook_renderings") == 1);
  auto tamper = [&](const char* sql) {
    return h.f.hub->db().write_now([&](hub::store::Connection& c) { return c.exec(sql); }).ok();
  };
  CHECK_FALSE(tamper("UPDATE playbook_revisions SET summary = 'rewritten'"));
  CHECK_FALSE(tamper("DELETE FROM playbook_revisions"));
  CHECK_FALSE(tamper("UPDATE playbook_blobs SET content = 'x'"));
  CHECK(h.f.count("playbook_revisions") == 2);
}

TEST_CASE("playbooks: search finds current text with highlighted, escaped snippets") {
  PlaybookHub h;
  h.create("renewals", "# Renewal\n\nThe first renewal <b>conversation</b> matters.\n", h.sam,
           {{"tags", {"retention"}}});
  h.create("invoices", "# Invoices\n\nQuote the purchase order number.\n", h.sam);
  auto r = h.get("/api/search?q=renewal", h.lee);
  REQUIRE(r.status == 200);
  auto items = r.json()["items"];
  REQUIRE(items.size() == 1);
  CHECK(items[0]["slug"] == "renewals");
  CHECK(items[0]["kind"] == "playbook");
  const std::string snippet = items[0]["snippet"];
  CHECK(snippet.find("<mark>renewal</mark>") != std::string::npos);
  CHECK(snippet.find("&lt;b&gt;") != std::string::npos);
  CHECK(snippet.find("<b>") == std::string::npos);
  CHECK(h.get("/api/search?q=purch", h.lee).json()["items"][0]["slug"] == "invoices");  // prefix while typing
  CHECK(h.get("/api/search?q=retention", h.lee).json()["items"][0]["slug"] == "renewals");  // tags are searched
  CHECK(h.get("/api/search?q=\"AND OR NEAR(", h.lee).status == 200);  // no query syntax leaks through
  CHECK(h.get("/api/search?q=", h.lee).json()["items"].empty());
  // Only current text is found.
  REQUIRE(h.save("invoices", 1, "# Invoices\n\nSend them by bank transfer.\n", h.sam).status == 200);
  CHECK(h.get("/api/search?q=purchase", h.lee).json()["items"].empty());
  CHECK(h.get("/api/search?q=transfer", h.lee).json()["items"].size() == 1);
}

TEST_CASE("playbooks: rendering is safe whatever the content") {
  PlaybookHub h;
  auto p = h.create("xss", "<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<img src=x onerror=alert(1)>\n", h.sam);
  const std::string html = p["html"];
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("javascript:") == std::string::npos);
  CHECK(html.find("onerror") == std::string::npos);
}

TEST_CASE("playbooks: a playbook that requires review refuses direct saves, only mentors set it") {
  PlaybookHub h;
  h.create("pb", kDoc, h.sam);
  CHECK(h.patch("/api/playbooks/pb", {{"required_approvals", 2}}, h.sam).status == 403);
  auto set = h.patch("/api/playbooks/pb", {{"required_approvals", 2}, {"title", "Renamed"}, {"tags", {"x"}}}, h.mira);
  REQUIRE(set.status == 200);
  CHECK(set.json()["required_approvals"] == 2);
  CHECK(set.json()["title"] == "Renamed");
  CHECK(set.json()["tags"] == json{"x"});
  CHECK(h.patch("/api/playbooks/pb", {{"required_approvals", 9}}, h.mira).json()["error"]["field"] == "required_approvals");
  auto direct = h.save("pb", 1, "changed\n", h.sam);
  CHECK(direct.status == 403);
  CHECK(h.post("/api/playbooks/pb/revert", {{"revision", 1}}, h.sam).status == 403);
  CHECK(h.f.count("playbook_revisions") == 1);
}

TEST_CASE("playbooks: a reviewed playbook's title and tags wait for a proposal, only admins lower approvals") {
  PlaybookHub h;
  h.create("pb", kDoc, h.mira, {{"required_approvals", 1}, {"tags", {"sales"}}});
  auto retitled = h.patch("/api/playbooks/pb", {{"title", "Hijacked"}}, h.sam);
  CHECK(retitled.status == 403);
  CHECK(retitled.json()["error"]["message"].get<std::string>().find("propose") != std::string::npos);
  CHECK(h.patch("/api/playbooks/pb", {{"tags", {"spam"}}}, h.mira).status == 403);
  CHECK(h.patch("/api/playbooks/pb", {{"title", "Hijacked"}, {"required_approvals", 0}}, h.ada).status == 403);
  CHECK(h.patch("/api/playbooks/pb", {{"title", "Playbook pb"}, {"tags", {"sales"}}}, h.sam).status == 200);
  CHECK(h.patch("/api/playbooks/pb", {{"required_approvals", 0}}, h.mira).status == 403);
  CHECK(h.patch("/api/playbooks/pb", {{"required_approvals", 3}}, h.mira).status == 200);
  CHECK(h.patch("/api/playbooks/pb", {{"required_approvals", 2}}, h.mira).status == 403);
  auto lowered = h.patch("/api/playbooks/pb", {{"required_approvals", 0}}, h.ada);
  REQUIRE(lowered.status == 200);
  CHECK(lowered.json()["required_approvals"] == 0);
  CHECK(lowered.json()["title"] == "Playbook pb");
  CHECK(lowered.json()["tags"] == json{"sales"});
  REQUIRE(h.patch("/api/playbooks/pb", {{"title", "Renamed"}, {"tags", {"sales", "x"}}}, h.sam).status == 200);
  REQUIRE(h.put("/api/playbooks/pb", {{"base_revision", 1}, {"content", "new\n"}, {"title", "Again"}}, h.sam).status == 200);
  CHECK(h.get("/api/playbooks/pb/settings-log", h.mira).status == 403);
  auto log = h.get("/api/playbooks/pb/settings-log", h.ada);
  REQUIRE(log.status == 200);
  auto items = log.json()["items"];
  REQUIRE(items.size() == 5);
  CHECK(items[0]["field"] == "title");
  CHECK(items[0]["old"] == "Renamed");
  CHECK(items[0]["new"] == "Again");
  CHECK(items[0]["actor"]["handle"] == "sam");
  CHECK(items[1]["field"] == "tags");  // one request, title then tags
  CHECK(items[1]["new"] == json{"sales", "x"});
  CHECK(items[2]["field"] == "title");
  CHECK(items[3]["field"] == "required_approvals");
  CHECK(items[3]["old"] == 3);
  CHECK(items[3]["new"] == 0);
  CHECK(items[3]["actor"]["handle"] == "ada");
  CHECK(items[4]["actor"]["handle"] == "mira");
  CHECK(h.f.count("playbook_settings_log") == 5);
}

TEST_CASE("playbooks: a search matching too many playbooks to rank lists the newest first") {
  PlaybookHub h;
  auto stored = h.f.hub->db().write_now([&](hub::store::Connection& c) -> hub::http::Result<hub::http::Ok> {
    for (int i = 0; i <= hub::playbooks::kMaxRankedMatches; ++i) {
      auto content = hub::playbooks::prepare_content("common words, number " + std::to_string(i) + "\n");
      if (!content) return content.error();
      auto p = hub::playbooks::insert_playbook(c, "doc-" + std::to_string(i), "Doc " + std::to_string(i), {}, 0,
                                               *content, {"", "create", std::nullopt, std::nullopt}, 1);
      if (!p) return p.error();
    }
    return hub::http::Ok{};
  });
  REQUIRE(stored.ok());
  auto broad = h.get("/api/search?q=common", h.sam).json();
  CHECK(broad["ranked"] == false);
  REQUIRE(broad["items"].size() == 10);
  CHECK(broad["items"][0]["slug"] == "doc-" + std::to_string(hub::playbooks::kMaxRankedMatches));
  auto narrow = h.get("/api/search?q=common+number+17&limit=3", h.sam).json();
  CHECK(narrow["ranked"] == true);
  CHECK(narrow["items"][0]["slug"] == "doc-17");
}
