#include <catch2/catch.hpp>

#include "playbooks/markdown.hpp"
#include "playbooks/starter.hpp"
#include "tests/unit/playbooks/playbook_flow.hpp"

using hub::testing::PlaybookHub;
using nlohmann::json;

TEST_CASE("exchange: a playbook exports as Markdown with front matter and imports back the same") {
  PlaybookHub from;
  from.create("pitching", "# Pitch\n\n- [ ] ask\n", from.sam, {{"tags", {"sales"}}});
  REQUIRE(from.save("pitching", 1, "# Pitch\n\n- [ ] ask\n- [ ] follow up\n", from.sam).status == 200);
  auto file = from.get("/api/playbooks/pitching/export", from.sam);
  REQUIRE(file.status == 200);
  CHECK(file.headers.get("Content-Type") == "text/markdown; charset=utf-8");
  CHECK(file.body.rfind("---\nslug: pitching\ntitle: \"Playbook pitching\"\ntags: [sales]\nrevision: 2\n---\n# Pitch", 0) == 0);

  PlaybookHub to;
  auto imported = to.post("/api/playbooks/import", {{"files", {{{"name", "pitching.md"}, {"content", file.body}}}}}, to.ada);
  REQUIRE(imported.status == 200);
  CHECK(imported.json()["created"] == json{"pitching"});
  auto view = to.get("/api/playbooks/pitching", to.sam).json();
  CHECK(view["content"] == "# Pitch\n\n- [ ] ask\n- [ ] follow up\n");
  CHECK(view["title"] == "Playbook pitching");
  CHECK(view["tags"] == json{"sales"});
  CHECK(view["last_change"]["kind"] == "import");
}

TEST_CASE("exchange: all playbooks export as JSON or as a tar of .md files") {
  PlaybookHub h;
  h.create("a-one", "one\n", h.sam);
  h.create("b-two", "two\n", h.sam);
  auto all = h.get("/api/playbooks/export", h.sam).json();
  REQUIRE(all["files"].size() == 2);
  CHECK(all["files"][0]["name"] == "a-one.md");
  auto tar = h.get("/api/playbooks/export?format=tar", h.sam);
  REQUIRE(tar.status == 200);
  CHECK(tar.headers.get("Content-Type") == "application/x-tar");
  CHECK(tar.body.size() % 512 == 0);
  CHECK(tar.body.substr(0, 8) == "a-one.md");
  CHECK(tar.body.substr(257, 5) == "ustar");
  CHECK(h.get("/api/playbooks/export?format=zip", h.sam).json()["error"]["field"] == "format");
}

TEST_CASE("exchange: import updates changed playbooks, or only creates, and is all or nothing") {
  PlaybookHub h;
  h.create("kept", "v1\n", h.sam);
  auto file = [](const std::string& slug, const std::string& body) {
    return json{{"name", slug + ".md"}, {"content", "---\nslug: " + slug + "\ntitle: \"T " + slug + "\"\n---\n" + body}};
  };
  auto create_only = h.post("/api/playbooks/import", {{"mode", "create_only"}, {"files", {file("kept", "v2\n"), file("fresh", "new\n")}}}, h.ada);
  REQUIRE(create_only.status == 200);
  CHECK(create_only.json()["unchanged"] == json{"kept"});
  CHECK(h.get("/api/playbooks/kept", h.sam).json()["content"] == "v1\n");
  auto update = h.post("/api/playbooks/import", {{"files", {file("kept", "v2\n"), file("fresh", "new\n")}}}, h.ada);
  REQUIRE(update.status == 200);
  CHECK(update.json()["updated"] == json{"kept"});
  CHECK(update.json()["unchanged"] == json{"fresh"});
  CHECK(h.get("/api/playbooks/kept", h.sam).json()["revision"] == 2);

  const auto revisions = h.f.count("playbook_revisions");
  auto bad = h.post("/api/playbooks/import", {{"files", {file("kept", "v3\n"), file("Bad Slug", "x\n")}}}, h.ada);
  CHECK(bad.status == 400);
  CHECK(bad.json()["error"]["field"] == "files");
  CHECK(bad.json()["error"]["message"].get<std::string>().find("Bad Slug.md") != std::string::npos);
  CHECK(h.post("/api/playbooks/import", {{"files", {file("dup", "1\n"), file("dup", "2\n")}}}, h.ada).status == 400);
  json bad_yaml{{"name", "y.md"}, {"content", "---\ntitle: \"open\ntags: [a\n---\nx\n"}};
  auto yaml = h.post("/api/playbooks/import", {{"files", {bad_yaml}}}, h.ada);
  CHECK(yaml.status == 400);
  CHECK(yaml.json()["error"]["message"].get<std::string>().find("not valid YAML") != std::string::npos);
  CHECK(h.post("/api/playbooks/import", {{"files", {file("x", "1\n")}}}, h.sam).status == 403);
  CHECK(h.f.count("playbook_revisions") == revisions);
}

TEST_CASE("starter playbooks: imported once, each with a task list and its sources, rendered safely") {
  PlaybookHub h;
  const std::string db = h.f.dir.path + "/data/cohorthub.db";
  CHECK(hub::playbooks::import_starter_playbooks(db, hub::all_migrations(), h.f.clock.now()) >= 8);
  CHECK(hub::playbooks::import_starter_playbooks(db, hub::all_migrations(), h.f.clock.now()) == 0);
  auto list = h.get("/api/playbooks?limit=200", h.sam).json()["items"];
  CHECK(list.size() >= 8);
  for (const auto& item : list) {
    auto p = h.get("/api/playbooks/" + item["slug"].get<std::string>(), h.sam).json();
    INFO(p["slug"]);
    CHECK(hub::playbooks::task_items(p["content"].get<std::string>()).size() >= 3);
    CHECK(p["content"].get<std::string>().find("## Sources") != std::string::npos);
    CHECK(p["html"].get<std::string>().find("<script") == std::string::npos);
    CHECK(p["tags"].get<std::vector<std::string>>().size() >= 1);
  }
  CHECK(h.get("/api/search?q=champion", h.sam).json()["items"].size() >= 1);
}
