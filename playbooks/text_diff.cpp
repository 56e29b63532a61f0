#include "playbooks/text_diff.hpp"

#include <algorithm>
#include <unordered_map>

#include <dtl/dtl.hpp>

#include "playbooks/text.hpp"

namespace hub::playbooks {
namespace {

struct Edit {
  char op;    // ' ', '-', '+'
  int a = -1;  // 0-based index into the old lines
  int b = -1;  // 0-based index into the new lines
};

// The shortest edit script between a and b as interned integer sequences.
std::vector<Edit> edit_script(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
    ++suffix;

  std::vector<Edit> edits;
  for (std::size_t i = 0; i < prefix; ++i) edits.push_back({' ', int(i), int(i)});

  std::unordered_map<std::string_view, int> ids;
  auto intern = [&](std::string_view s) { return ids.emplace(s, int(ids.size())).first->second; };
  std::vector<int> ma, mb;
  for (std::size_t i = prefix; i < a.size() - suffix; ++i) ma.push_back(intern(a[i]));
  for (std::size_t i = prefix; i < b.size() - suffix; ++i) mb.push_back(intern(b[i]));
  if (ma.empty() || mb.empty()) {
    for (std::size_t i = 0; i < ma.size(); ++i) edits.push_back({'-', int(prefix + i), -1});
    for (std::size_t i = 0; i < mb.size(); ++i) edits.push_back({'+', -1, int(prefix + i)});
  } else {
    dtl::Diff<int> d(ma, mb);
    d.compose();  // without it the script is empty
    for (const auto& [elem, info] : d.getSes().getSequence()) {
      (void)elem;
      int ai = info.beforeIdx > 0 ? int(prefix + info.beforeIdx - 1) : -1;
      int bi = info.afterIdx > 0 ? int(prefix + info.afterIdx - 1) : -1;
      if (info.type == dtl::SES_COMMON) edits.push_back({' ', ai, bi});
      else if (info.type == dtl::SES_DELETE) edits.push_back({'-', ai, -1});
      else edits.push_back({'+', -1, bi});
    }
  }
  for (std::size_t i = suffix; i > 0; --i) edits.push_back({' ', int(a.size() - i), int(b.size() - i)});
  return edits;
}

std::string_view without_eol(std::string_view line) {
  if (line.empty() || line.back() != '\n') return line;
  line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool is_diff_word_byte(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

// "changed" + " " + "words" reads better highlighted as one change than as two.
void absorb_spaces(std::vector<WordSpan>& spans) {
  std::vector<WordSpan> out;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const bool gap = spans[i].op == '=' && i > 0 && i + 1 < spans.size() && spans[i - 1].op != '=' &&
                     spans[i + 1].op == spans[i - 1].op &&
                     spans[i].text.find_first_not_of(" \t") == std::string::npos;
    if (gap) {
      out.back().text += spans[i].text + spans[i + 1].text;
      ++i;
    } else {
      out.push_back(std::move(spans[i]));
    }
  }
  spans = std::move(out);
}

// Word spans for a removed line `a` and its added counterpart `b`; false when they share too
// little for highlights to help.
bool word_diff(std::string_view a, std::string_view b, std::vector<WordSpan>& old_spans,
               std::vector<WordSpan>& new_spans) {
  if (a.size() > kMaxWordDiffLine || b.size() > kMaxWordDiffLine) return false;
  auto ta = word_tokens(a), tb = word_tokens(b);
  if (ta.empty() || tb.empty()) return false;
  dtl::Diff<std::string_view> d(ta, tb);
  d.compose();
  std::size_t common = 0;
  auto push = [](std::vector<WordSpan>& spans, char op, std::string_view text) {
    if (!spans.empty() && spans.back().op == op) spans.back().text += text;
    else spans.push_back({op, std::string(text)});
  };
  for (const auto& [tok, info] : d.getSes().getSequence()) {
    if (info.type == dtl::SES_COMMON) {
      if (tok.find_first_not_of(" \t") != std::string_view::npos) common += tok.size();
      push(old_spans, '=', tok);
      push(new_spans, '=', tok);
    } else if (info.type == dtl::SES_DELETE) {
      push(old_spans, '-', tok);
    } else {
      push(new_spans, '+', tok);
    }
  }
  if (common * 5 < std::max(a.size(), b.size())) {
    old_spans.clear();
    new_spans.clear();
    return false;
  }
  absorb_spaces(old_spans);
  absorb_spaces(new_spans);
  return true;
}

DiffLine make_line(char op, int a, int b, const std::vector<std::string_view>& la,
                   const std::vector<std::string_view>& lb) {
  std::string_view raw = op == '+' ? lb[std::size_t(b)] : la[std::size_t(a)];
  DiffLine line{op, a >= 0 ? a + 1 : 0, b >= 0 ? b + 1 : 0, std::string(without_eol(raw))};
  line.no_newline = raw.empty() || raw.back() != '\n';
  return line;
}

}  // namespace

std::vector<std::string_view> word_tokens(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    std::size_t j = i + 1;
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (is_diff_word_byte(c)) {
      while (j < line.size() && is_diff_word_byte(static_cast<unsigned char>(line[j]))) ++j;
    } else if (c == ' ' || c == '\t') {
      while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
    }
    out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

TextDiff diff_text(std::string_view from, std::string_view to, int context) {
  context = std::clamp(context, 0, 1000);
  const auto la = split_lines(from), lb = split_lines(to);
  const std::vector<Edit> edits = edit_script(la, lb);

  // Lines in presentation order: within each run of changes, removals first, then additions,
  // the i-th removal paired with the i-th addition for word highlights.
  std::vector<DiffLine> lines;
  TextDiff diff;
  for (std::size_t i = 0; i < edits.size();) {
    if (edits[i].op == ' ') {
      lines.push_back(make_line(' ', edits[i].a, edits[i].b, la, lb));
      ++i;
      continue;
    }
    std::vector<DiffLine> removed, added;
    for (; i < edits.size() && edits[i].op != ' '; ++i)
      (edits[i].op == '-' ? removed : added).push_back(make_line(edits[i].op, edits[i].a, edits[i].b, la, lb));
    for (std::size_t k = 0; k < std::min(removed.size(), added.size()); ++k)
      word_diff(removed[k].text, added[k].text, removed[k].words, added[k].words);
    diff.removed += int(removed.size());
    diff.added += int(added.size());
    for (auto& l : removed) lines.push_back(std::move(l));
    for (auto& l : added) lines.push_back(std::move(l));
  }

  // Hunks: every change with up to `context` unchanged lines on either side; close ones merge.
  const int n = int(lines.size());
  std::vector<bool> keep(std::size_t(n), false);
  for (int i = 0; i < n; ++i) {
    if (lines[std::size_t(i)].op == ' ') continue;
    for (int j = std::max(0, i - context); j <= std::min(n - 1, i + context); ++j) keep[std::size_t(j)] = true;
  }
  for (int i = 0; i < n;) {
    if (!keep[std::size_t(i)]) {
      ++i;
      continue;
    }
    DiffHunk hunk;
    int last_old = 0, last_new = 0;  // the line numbers before the hunk, for empty sides
    for (int j = i - 1; j >= 0 && (!last_old || !last_new); --j) {
      if (!last_old && lines[std::size_t(j)].old_n) last_old = lines[std::size_t(j)].old_n;
      if (!last_new && lines[std::size_t(j)].new_n) last_new = lines[std::size_t(j)].new_n;
    }
    for (; i < n && keep[std::size_t(i)]; ++i) {
      const DiffLine& l = lines[std::size_t(i)];
      if (l.old_n) {
        if (!hunk.old_start) hunk.old_start = l.old_n;
        ++hunk.old_lines;
      }
      if (l.new_n) {
        if (!hunk.new_start) hunk.new_start = l.new_n;
        ++hunk.new_lines;
      }
      hunk.lines.push_back(l);
    }
    // As in unified diffs, an empty side starts at the line before it.
    if (!hunk.old_start) hunk.old_start = last_old;
    if (!hunk.new_start) hunk.new_start = last_new;
    diff.hunks.push_back(std::move(hunk));
  }
  return diff;
}

nlohmann::json diff_json(const TextDiff& diff) {
  nlohmann::json hunks = nlohmann::json::array();
  for (const auto& h : diff.hunks) {
    nlohmann::json lines = nlohmann::json::array();
    for (const auto& l : h.lines) {
      nlohmann::json line = {{"op", std::string(1, l.op)}, {"text", l.text}};
      if (l.old_n) line["old"] = l.old_n;
      if (l.new_n) line["new"] = l.new_n;
      if (l.no_newline) line["no_newline"] = true;
      if (!l.words.empty()) {
        nlohmann::json words = nlohmann::json::array();
        for (const auto& w : l.words) words.push_back({{"op", std::string(1, w.op)}, {"text", w.text}});
        line["words"] = std::move(words);
      }
      lines.push_back(std::move(line));
    }
    hunks.push_back({{"old_start", h.old_start},
                     {"old_lines", h.old_lines},
                     {"new_start", h.new_start},
                     {"new_lines", h.new_lines},
                     {"lines", std::move(lines)}});
  }
  return {{"added", diff.added}, {"removed", diff.removed}, {"hunks", std::move(hunks)}};
}

}  // namespace hub::playbooks
