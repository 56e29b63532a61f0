#include <catch2/catch.hpp>

#include "playbooks/front_matter.hpp"

using namespace hub::playbooks;

TEST_CASE("front matter: a written file reads back the same") {
  PlaybookFile f{"pitching-a-retainer", "Pitching a retainer: \"why\" and how", {"sales", "starter"}, 2, 7,
                 "# Pitching\n\n- [ ] one\n"};
  auto back = parse_playbook_file(write_playbook_file(f));
  REQUIRE(back.ok());
  CHECK(back->slug == f.slug);
  CHECK(back->title == f.title);
  CHECK(back->tags == f.tags);
  CHECK(back->required_approvals == 2);
  CHECK(back->revision == 7);
  CHECK(back->content == f.content);
}

TEST_CASE("front matter: plain and single-quoted values, comments and unknown keys") {
  auto f = parse_playbook_file("---\n# a comment\nslug: plain-slug\ntitle: 'Single: quoted'\nauthor: someone\n"
                               "tags: [a, \"b c\", ]\n---\nBody\n");
  REQUIRE(f.ok());
  CHECK(f->slug == "plain-slug");
  CHECK(f->title == "Single: quoted");
  CHECK(f->tags == std::vector<std::string>{"a", "b c"});
  CHECK(f->content == "Body\n");
}

TEST_CASE("front matter: a file without it is all content") {
  auto f = parse_playbook_file("# Just Markdown\n\ntext\n");
  REQUIRE(f.ok());
  CHECK(f->slug.empty());
  CHECK(f->content == "# Just Markdown\n\ntext\n");
  CHECK(first_heading(f->content) == "Just Markdown");
}

TEST_CASE("front matter: malformed files are refused") {
  CHECK_FALSE(parse_playbook_file("---\nslug: x\nno closing line\n").ok());
  CHECK_FALSE(parse_playbook_file("---\njust text\n---\n").ok());
  CHECK_FALSE(parse_playbook_file("---\ntags: a, b\n---\n").ok());
  CHECK_FALSE(parse_playbook_file("---\nrequired_approvals: many\n---\n").ok());
  CHECK_FALSE(parse_playbook_file("---\ntitle: \"unterminated\n---\n").ok());
}

TEST_CASE("front matter: slugs come from file names, headings from the first # line outside code") {
  CHECK(slug_from_file_name("dir/Pitching A Retainer.md") == "pitching-a-retainer");
  CHECK(slug_from_file_name("__x__.md") == "x");
  CHECK(first_heading("```\n# not this\n```\n# This one\n") == "This one");
  CHECK(first_heading("## only level two\n").empty());
}

TEST_CASE("front matter: invalid YAML is a 400 naming the line") {
  auto bad = parse_playbook_file("---\nslug: x\ntags: [a, b\n---\nBody\n");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().status == 400);
  CHECK(bad.error().message.find("not valid YAML") != std::string::npos);
  auto tab = parse_playbook_file("---\ntitle: a\n  : b: c\n---\n");
  REQUIRE_FALSE(tab.ok());
  CHECK(tab.error().message.find("line 3") != std::string::npos);
  CHECK_FALSE(parse_playbook_file("---\n- a list\n- not a mapping\n---\n").ok());
  CHECK_FALSE(parse_playbook_file("---\ntitle: [nested, list]\n---\n").ok());
}

TEST_CASE("front matter: YAML's block lists, core-schema scalars and quoted numbers") {
  auto f = split_front_matter("---\nn: 12\nq: \"12\"\nb: true\nz: ~\nlist:\n  - one\n  - {name: two}\n---\nrest");
  REQUIRE(f.ok());
  CHECK(f->present);
  CHECK(f->data["n"] == 12);
  CHECK(f->data["q"] == "12");
  CHECK(f->data["b"] == true);
  CHECK(f->data["z"].is_null());
  CHECK(f->data["list"][1]["name"] == "two");
  CHECK(f->content == "rest");
  auto tags = parse_playbook_file("---\ntags:\n  - sales\n  - 2026\n---\n");
  REQUIRE(tags.ok());
  CHECK(tags->tags == std::vector<std::string>{"sales", "2026"});
}

TEST_CASE("front matter: aliases that expand past the node budget are refused, not expanded") {
  std::string yaml = "---\na: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'h'; ++c)
    yaml += std::string(1, c) + ": &" + c + " [*" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" +
            char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) +
            ", *" + char(c - 1) + ", *" + char(c - 1) + "]\n";
  auto f = split_front_matter(yaml + "---\n");
  REQUIRE_FALSE(f.ok());
  CHECK(f.error().status == 400);
  CHECK(f.error().message.find("too large") != std::string::npos);
}
