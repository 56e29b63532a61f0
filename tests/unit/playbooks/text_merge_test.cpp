#include <catch2/catch.hpp>

#include "playbooks/text_merge.hpp"

using hub::playbooks::merge_text;
using hub::playbooks::MergeLabels;

namespace {
const MergeLabels kLabels{"revision 5 (saved)", "your edit"};
}

TEST_CASE("merge: edits to different parts merge cleanly") {
  auto m = merge_text("a\nb\nc\nd\ne\n", "A\nb\nc\nd\ne\n", "a\nb\nc\nd\nE\n", kLabels);
  REQUIRE(m.ok());
  CHECK(m->clean);
  CHECK(m->text == "A\nb\nc\nd\nE\n");
  CHECK(m->conflicts.empty());
}

TEST_CASE("merge: edits to the same line conflict, with both sides labelled") {
  auto m = merge_text("a\nb\nc\n", "a\nX\nc\n", "a\nY\nc\n", kLabels);
  REQUIRE(m.ok());
  CHECK_FALSE(m->clean);
  CHECK(m->text == "a\n<<<<<<< revision 5 (saved)\nX\n=======\nY\n>>>>>>> your edit\nc\n");
  REQUIRE(m->conflicts.size() == 1);
  CHECK(m->conflicts[0].line == 2);
  CHECK(m->conflicts[0].ours == "X\n");
  CHECK(m->conflicts[0].theirs == "Y\n");
}

TEST_CASE("merge: empty documents") {
  CHECK(merge_text("", "", "", kLabels)->text.empty());
  auto same = merge_text("", "x\n", "x\n", kLabels);
  CHECK(same->clean);
  CHECK(same->text == "x\n");
  auto one_side = merge_text("", "", "new\n", kLabels);
  CHECK(one_side->clean);
  CHECK(one_side->text == "new\n");
  auto both = merge_text("", "x\n", "y\n", kLabels);
  CHECK_FALSE(both->clean);
  CHECK(both->conflicts.size() == 1);
  auto emptied = merge_text("a\nb\n", "", "a\nb\n", kLabels);
  CHECK(emptied->clean);
  CHECK(emptied->text.empty());
}

TEST_CASE("merge: trailing newlines are kept as each side left them") {
  auto m = merge_text("a\nb\nc\nd", "A\nb\nc\nd", "a\nb\nc\nd\n", kLabels);
  REQUIRE(m.ok());
  CHECK(m->clean);
  CHECK(m->text == "A\nb\nc\nd\n");
  auto only_ours = merge_text("a\nb\nc\nd\n", "a\nb\nc\nd", "A\nb\nc\nd\n", kLabels);
  CHECK(only_ours->clean);
  CHECK(only_ours->text == "A\nb\nc\nd");
}

TEST_CASE("merge: CRLF text merges and keeps its line endings") {
  auto m = merge_text("a\r\nb\r\nc\r\nd\r\n", "A\r\nb\r\nc\r\nd\r\n", "a\r\nb\r\nc\r\nD\r\n", kLabels);
  REQUIRE(m.ok());
  CHECK(m->clean);
  CHECK(m->text == "A\r\nb\r\nc\r\nD\r\n");
}

TEST_CASE("merge: Unicode lines merge byte for byte") {
  auto m = merge_text("héllo\nmiddle\n日本\n", "héllo wörld\nmiddle\n日本\n", "héllo\nmiddle\n日本語 🎉\n", kLabels);
  REQUIRE(m.ok());
  CHECK(m->clean);
  CHECK(m->text == "héllo wörld\nmiddle\n日本語 🎉\n");
}

TEST_CASE("merge: edits at both ends of the document") {
  std::string base = "first\n2\n3\n4\n5\nlast\n";
  auto m = merge_text(base, "FIRST\n2\n3\n4\n5\nlast\n", "first\n2\n3\n4\n5\nLAST\n", kLabels);
  REQUIRE(m.ok());
  CHECK(m->clean);
  CHECK(m->text == "FIRST\n2\n3\n4\n5\nLAST\n");
  auto prepend_append = merge_text(base, "new top\n" + base, base + "new bottom\n", kLabels);
  CHECK(prepend_append->clean);
  CHECK(prepend_append->text == "new top\n" + base + "new bottom\n");
}

TEST_CASE("merge: the same edit on both sides is taken once") {
  auto m = merge_text("a\nb\nc\n", "a\nB\nc\nd\n", "a\nB\nc\nd\n", kLabels);
  CHECK(m->clean);
  CHECK(m->text == "a\nB\nc\nd\n");
}

TEST_CASE("merge: a delete against an edit of the same lines conflicts") {
  auto m = merge_text("a\nb\nc\n", "a\nc\n", "a\nB\nc\n", kLabels);
  REQUIRE(m.ok());
  CHECK_FALSE(m->clean);
  REQUIRE(m->conflicts.size() == 1);
  CHECK(m->conflicts[0].ours.empty());
  CHECK(m->conflicts[0].theirs == "B\n");
}
