// Randomised tests of the diff and the three-way merge: no edit is lost when edits do not touch,
// conflicts keep both sides whole when they do, and a diff always rebuilds both texts.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "playbooks/text.hpp"
#include "playbooks/text_diff.hpp"
#include "playbooks/text_merge.hpp"
#include "tests/unit/markdown/random_document.hpp"  // fuzz_rounds

using namespace hub::playbooks;

namespace {

const std::vector<std::string> kWords = {"retainer", "client", "é", "日本", "🎉", "quote", "", " ", "-", "[ ]", "\t"};

std::string random_line(std::mt19937& rng, const std::string& tag) {
  std::uniform_int_distribution<int> n(0, 4), w(0, int(kWords.size()) - 1);
  std::string line = tag;
  for (int i = n(rng); i > 0; --i) line += " " + kWords[std::size_t(w(rng))];
  return line;
}

std::string join(const std::vector<std::string>& lines, bool final_newline) {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out += lines[i];
    if (i + 1 < lines.size() || final_newline) out += '\n';
  }
  return out;
}

// Replaces lines [from, to) with `with`.
std::vector<std::string> edit(std::vector<std::string> lines, int from, int to, const std::vector<std::string>& with) {
  lines.erase(lines.begin() + from, lines.begin() + to);
  lines.insert(lines.begin() + from, with.begin(), with.end());
  return lines;
}

std::vector<std::string> new_lines(std::mt19937& rng, const std::string& side, int count) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) out.push_back(random_line(rng, side + std::to_string(i)));
  return out;
}

// Each conflict region resolved to one side.
std::string resolve(const std::string& marked, const MergeLabels& labels, bool take_ours) {
  std::string out;
  enum { outside, ours, theirs } state = outside;
  for (std::string_view line : split_lines(marked)) {
    std::string_view bare = line.substr(0, line.size() - (line.back() == '\n'));
    if (state == outside && bare == "<<<<<<< " + labels.ours) state = ours;
    else if (state == ours && bare == "=======") state = theirs;
    else if (state == theirs && bare == ">>>>>>> " + labels.theirs) state = outside;
    else if (state == outside || (state == ours) == take_ours) out += line;
  }
  return out;
}

}  // namespace

TEST_CASE("merge fuzz: edits separated by unchanged lines always merge cleanly and completely") {
  std::mt19937 rng(1843);
  const MergeLabels labels{"saved", "yours"};
  const int rounds = hub::testing::fuzz_rounds(1500);
  for (int round = 0; round < rounds; ++round) {
    std::uniform_int_distribution<int> size(6, 40);
    const int n = size(rng);
    std::vector<std::string> base;
    for (int i = 0; i < n; ++i) base.push_back(random_line(rng, "base" + std::to_string(i)));
    // Two regions [a1, a2) and [b1, b2) with at least two untouched lines between them (three
    // before b1, whose last line may lose its final newline).
    std::uniform_int_distribution<int> len(0, 3), count(0, 3);
    int a1 = std::uniform_int_distribution<int>(0, n - 5)(rng);
    int a2 = std::min(n - 4, a1 + len(rng));
    int b1 = std::uniform_int_distribution<int>(a2 + 3, n - 1)(rng);
    int b2 = std::min(n, b1 + len(rng));
    auto with_a = new_lines(rng, "ours", count(rng)), with_b = new_lines(rng, "theirs", count(rng));
    if (a1 == a2 && with_a.empty()) with_a = new_lines(rng, "ours", 1);
    if (b1 == b2 && with_b.empty()) with_b = new_lines(rng, "theirs", 1);
    // The final newline may differ only on a side whose edit reaches the end.
    const bool base_nl = rng() % 2;
    const bool theirs_nl = b2 == n ? bool(rng() % 2) : base_nl;
    const std::string base_text = join(base, base_nl);
    const std::string ours_text = join(edit(base, a1, a2, with_a), base_nl);
    const std::string theirs_text = join(edit(base, b1, b2, with_b), theirs_nl);
    const std::string expected = join(edit(edit(base, b1, b2, with_b), a1, a2, with_a), theirs_nl);
    auto m = merge_text(base_text, ours_text, theirs_text, labels);
    INFO("round " << round << "\nbase:\n" << base_text << "\nours:\n" << ours_text << "\ntheirs:\n" << theirs_text);
    REQUIRE(m.ok());
    CHECK(m->clean);
    CHECK(m->text == expected);
    // Merging the other way round gives the same text.
    auto swapped = merge_text(base_text, theirs_text, ours_text, labels);
    CHECK(swapped->text == expected);
  }
}

TEST_CASE("merge fuzz: overlapping edits conflict, and each side can be recovered whole") {
  std::mt19937 rng(1952);
  const MergeLabels labels{"revision 9 (saved)", "your edit"};
  const int rounds = hub::testing::fuzz_rounds(1500);
  for (int round = 0; round < rounds; ++round) {
    const int n = std::uniform_int_distribution<int>(1, 30)(rng);
    std::vector<std::string> base;
    for (int i = 0; i < n; ++i) base.push_back(random_line(rng, "base" + std::to_string(i)));
    int from = std::uniform_int_distribution<int>(0, n - 1)(rng);
    int to = std::min(n, from + 1 + int(rng() % 3));
    const std::string base_text = join(base, true);
    const std::string ours_text = join(edit(base, from, to, new_lines(rng, "ours", 1 + int(rng() % 3))), true);
    const std::string theirs_text = join(edit(base, from, to, new_lines(rng, "theirs", 1 + int(rng() % 3))), true);
    auto m = merge_text(base_text, ours_text, theirs_text, labels);
    INFO("round " << round << "\nbase:\n" << base_text << "\nours:\n" << ours_text << "\ntheirs:\n" << theirs_text);
    REQUIRE(m.ok());
    CHECK_FALSE(m->clean);
    CHECK_FALSE(m->conflicts.empty());
    CHECK(resolve(m->text, labels, true) == ours_text);
    CHECK(resolve(m->text, labels, false) == theirs_text);
  }
}

TEST_CASE("diff fuzz: a diff with full context rebuilds both texts, and counts its lines") {
  std::mt19937 rng(42);
  const std::vector<std::string> vocab = {"a", "b", "c", "a b", "é", "\r", "", "  x"};
  const int rounds = hub::testing::fuzz_rounds(2000);
  for (int round = 0; round < rounds; ++round) {
    auto random_text = [&] {
      std::string t;
      for (int i = int(rng() % 25); i > 0; --i) t += vocab[rng() % vocab.size()] + "\n";
      if (rng() % 3 == 0) t += vocab[rng() % vocab.size()];  // sometimes no final newline
      return t;
    };
    const std::string from = random_text(), to = random_text();
    auto d = diff_text(from, to, 100000);
    std::string a, b;
    int added = 0, removed = 0;
    for (const auto& h : d.hunks)
      for (const auto& l : h.lines) {
        INFO("round " << round);
        const std::string line = l.text + (l.no_newline ? "" : "\n");
        if (l.op != '+') a += line;
        if (l.op != '-') b += line;
        added += l.op == '+';
        removed += l.op == '-';
        if (!l.words.empty()) {
          std::string rebuilt;
          for (const auto& w : l.words)
            if (w.op != (l.op == '-' ? '+' : '-')) rebuilt += w.text;
          CHECK(rebuilt == l.text);
        }
      }
    INFO("from:\n" << from << "\nto:\n" << to);
    if (from == to) {
      CHECK(d.hunks.empty());
      continue;
    }
    // "\r" before "\n" is shown without it; compare with that in mind.
    auto strip_cr = [](std::string s) {
      std::string out;
      for (std::size_t i = 0; i < s.size(); ++i)
        if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) out += s[i];
      return out;
    };
    CHECK(a == strip_cr(from));
    CHECK(b == strip_cr(to));
    CHECK(added == d.added);
    CHECK(removed == d.removed);
  }
}
