#include <catch2/catch.hpp>

#include <string>

#include "playbooks/text.hpp"
#include "playbooks/text_diff.hpp"

using hub::playbooks::DiffLine;
using hub::playbooks::diff_text;
using hub::playbooks::TextDiff;

namespace {

// Rebuilds both sides from a diff with enough context to cover every line.
std::pair<std::string, std::string> sides(const TextDiff& d) {
  std::string a, b;
  for (const auto& h : d.hunks)
    for (const auto& l : h.lines) {
      std::string line = l.text + (l.no_newline ? "" : "\n");
      if (l.op != '+') a += line;
      if (l.op != '-') b += line;
    }
  return {a, b};
}

std::string numbered(int from, int to) {
  std::string s;
  for (int i = from; i <= to; ++i) s += "line " + std::to_string(i) + "\n";
  return s;
}

}  // namespace

TEST_CASE("diff: equal texts, including two empty ones, have no hunks") {
  CHECK(diff_text("", "").hunks.empty());
  CHECK(diff_text("a\nb\n", "a\nb\n").hunks.empty());
}

TEST_CASE("diff: from and to an empty document") {
  auto added = diff_text("", "one\ntwo\n");
  REQUIRE(added.hunks.size() == 1);
  CHECK(added.added == 2);
  CHECK(added.removed == 0);
  CHECK(added.hunks[0].old_start == 0);
  CHECK(added.hunks[0].new_start == 1);
  CHECK(sides(added) == std::make_pair(std::string(), std::string("one\ntwo\n")));
  auto removed = diff_text("one\ntwo\n", "");
  CHECK(removed.removed == 2);
  CHECK(removed.hunks[0].new_start == 0);
}

TEST_CASE("diff: a missing final newline is a change of its own, and is flagged") {
  auto d = diff_text("a\nb\n", "a\nb");
  CHECK(d.removed == 1);
  CHECK(d.added == 1);
  const DiffLine& added = d.hunks.at(0).lines.back();
  CHECK(added.op == '+');
  CHECK(added.text == "b");
  CHECK(added.no_newline);
}

TEST_CASE("diff: CRLF lines differ from LF lines but show the same text") {
  auto d = diff_text("a\r\nb\r\n", "a\r\nB\r\n");
  CHECK(d.removed == 1);
  CHECK(d.added == 1);
  CHECK(d.hunks[0].lines[0].text == "a");  // context, without "\r"
  auto eol = diff_text("a\r\n", "a\n");
  CHECK(eol.added == 1);
  CHECK(eol.removed == 1);
  CHECK(hub::playbooks::normalize_newlines("a\r\nb\rc\n") == "a\nb\nc\n");
}

TEST_CASE("diff: edits at both ends make two hunks with limited context") {
  std::string from = numbered(1, 30), to = "first\n" + numbered(2, 29) + "last\n";
  auto d = diff_text(from, to, 3);
  REQUIRE(d.hunks.size() == 2);
  CHECK(d.hunks[0].old_start == 1);
  CHECK(d.hunks[0].lines.size() == 5);  // -line 1, +first, 3 lines of context
  CHECK(d.hunks[1].lines.back().text == "last");
  auto full = diff_text(from, to, 1000);
  REQUIRE(full.hunks.size() == 1);
  CHECK(sides(full) == std::make_pair(from, to));
}

TEST_CASE("diff: changed lines that pair up carry word highlights, Unicode intact") {
  auto d = diff_text("Le café est fermé le lundi.\n", "Le café est ouvert le lundi.\n");
  REQUIRE(d.hunks.size() == 1);
  const auto& removed = d.hunks[0].lines[0];
  const auto& added = d.hunks[0].lines[1];
  REQUIRE(removed.op == '-');
  REQUIRE(added.op == '+');
  std::string old_changed, new_changed, old_all;
  for (const auto& w : removed.words) {
    old_all += w.text;
    if (w.op == '-') old_changed += w.text;
  }
  for (const auto& w : added.words)
    if (w.op == '+') new_changed += w.text;
  CHECK(old_all == removed.text);
  CHECK(old_changed == "fermé");
  CHECK(new_changed == "ouvert");
}

TEST_CASE("diff: neighbouring changed words separated by a space are highlighted as one change") {
  auto d = diff_text("sam writes here\n", "sam wrote this\n");
  const auto& removed = d.hunks.at(0).lines.at(0);
  REQUIRE(removed.words.size() == 2);
  CHECK(removed.words[0].op == '=');
  CHECK(removed.words[0].text == "sam ");
  CHECK(removed.words[1].op == '-');
  CHECK(removed.words[1].text == "writes here");
}

TEST_CASE("diff: lines with nothing in common get no word highlights") {
  auto d = diff_text("completely different\n", "nothing alike here\n");
  CHECK(d.hunks[0].lines[0].words.empty());
  CHECK(d.hunks[0].lines[1].words.empty());
}

TEST_CASE("diff: word tokens split letters, digits, spaces and punctuation") {
  auto t = hub::playbooks::word_tokens("a1  b,c—d");
  std::vector<std::string> got(t.begin(), t.end());
  CHECK(got == std::vector<std::string>{"a1", "  ", "b", ",", "c—d"});
}

TEST_CASE("diff: the JSON form names old and new line numbers") {
  auto j = hub::playbooks::diff_json(diff_text("a\nb\n", "a\nc\n"));
  CHECK(j["added"] == 1);
  CHECK(j["removed"] == 1);
  const auto& lines = j["hunks"][0]["lines"];
  CHECK(lines[0]["op"] == " ");
  CHECK(lines[0]["old"] == 1);
  CHECK(lines[0]["new"] == 1);
  CHECK(lines[1]["op"] == "-");
  CHECK(lines[1]["old"] == 2);
  CHECK_FALSE(lines[1].contains("new"));
  CHECK(lines[2]["op"] == "+");
  CHECK(lines[2]["new"] == 2);
}
