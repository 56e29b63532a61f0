#include <catch2/catch.hpp>

#include "playbooks/markdown.hpp"

using hub::playbooks::task_items;

TEST_CASE("task list: items come in document order with their text and state") {
  auto items = task_items(
      "# Checklist\n\n- [ ] Write the **quote**\n- [x] Send it to `billing`\n* [ ] Follow up\n  on Monday\n\n"
      "1. [ ] numbered task\n");
  REQUIRE(items.size() == 4);
  CHECK(items[0].text == "Write the quote");
  CHECK_FALSE(items[0].checked);
  CHECK(items[1].text == "Send it to billing");
  CHECK(items[1].checked);
  CHECK(items[2].text == "Follow up on Monday");
  CHECK(items[3].text == "numbered task");
}

TEST_CASE("task list: ordinary list items, code blocks and quoted markers are not tasks") {
  auto items = task_items("- plain item\n- [link](x) item\n\n```\n- [ ] in a fence\n```\n\n    - [ ] indented code\n");
  CHECK(items.empty());
}

TEST_CASE("task list: nested tasks are items of their own, not part of their parent's text") {
  auto items = task_items("- [ ] parent\n  - [ ] child one\n  - [ ] child two\n");
  REQUIRE(items.size() == 3);
  CHECK(items[0].text == "parent");
  CHECK(items[1].text == "child one");
  CHECK(items[2].text == "child two");
}

TEST_CASE("task list: empty items are skipped and long ones cut on a character boundary") {
  std::string long_text;
  while (long_text.size() < 700) long_text += "é";
  auto items = task_items("- [ ] \n- [ ] " + long_text + "\n");
  REQUIRE(items.size() == 1);
  CHECK(items[0].text.size() <= hub::playbooks::kMaxTaskText);
  CHECK(items[0].text.size() % 2 == 0);  // whole two-byte characters only
}

TEST_CASE("task list: a document too costly to parse still yields its task lines") {
  std::string doc = "- [ ] first\n- [x] second\n\n";
  while (doc.size() < 100000) doc += "![[a](b)";
  auto items = task_items(doc);
  REQUIRE(items.size() == 2);
  CHECK(items[0].text == "first");
  CHECK(items[1].checked);
}
