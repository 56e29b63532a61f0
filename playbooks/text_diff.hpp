// Line diff of two texts, grouped into hunks with context, with word-level highlights on changed
// lines that pair up. dtl computes both levels (Wu, Manber and Myers' O(NP) algorithm) after the
// common prefix and suffix are trimmed, so a small edit to a large text stays cheap.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace hub::playbooks {

struct WordSpan {
  char op;  // '=' on both sides, '-' only in the old line, '+' only in the new one
  std::string text;
};

struct DiffLine {
  char op;                 // ' ' context, '-' removed, '+' added
  int old_n = 0;           // 1-based line number in the old text, 0 for an added line
  int new_n = 0;           // 1-based line number in the new text, 0 for a removed line
  std::string text;        // without its line ending
  bool no_newline = false;  // the text's last line, which has no final newline
  std::vector<WordSpan> words;  // for a changed line paired with its counterpart, else empty
};

struct DiffHunk {
  int old_start = 0, old_lines = 0;  // as in a unified diff's @@ header
  int new_start = 0, new_lines = 0;
  std::vector<DiffLine> lines;
};

struct TextDiff {
  std::vector<DiffHunk> hunks;  // empty when the texts are equal
  int added = 0;
  int removed = 0;
};

inline constexpr int kDefaultContext = 3;
// Lines longer than this get no word highlights (the whole line is marked).
inline constexpr std::size_t kMaxWordDiffLine = 2000;

TextDiff diff_text(std::string_view from, std::string_view to, int context = kDefaultContext);

// {added, removed, hunks:[{old_start, old_lines, new_start, new_lines, lines:[{op, old?, new?, text,
// no_newline?, words?:[{op, text}]}]}]}
nlohmann::json diff_json(const TextDiff& diff);

// The tokens word highlighting compares: runs of letters and digits (any non-ASCII byte counts as
// a letter), runs of spaces, and single punctuation characters.
std::vector<std::string_view> word_tokens(std::string_view line);

}  // namespace hub::playbooks
