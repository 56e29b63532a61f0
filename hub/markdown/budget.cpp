#include "hub/markdown/budget.hpp"

#include <algorithm>
#include <vector>

namespace hub::markdown {
namespace {

bool is_blank(std::string_view line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n'; });
}

// Columns of a table delimiter row such as `| --- | :-: |`, or 0 when the line is not one.
std::size_t delimiter_columns(std::string_view line) {
  std::size_t pipes = 0, dashes = 0;
  for (char c : line) {
    if (c == '|') ++pipes;
    else if (c == '-') ++dashes;
    else if (c != ':' && c != ' ' && c != '\t' && c != '\n') return 0;
  }
  if (pipes == 0 || dashes == 0) return 0;
  return pipes + 1;  // an upper bound; leading and trailing pipes are optional
}

// The lines of `text`, each with its '\n'; the last may lack one.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::size_t len = end == std::string_view::npos ? text.size() : end + 1;
    lines.push_back(text.substr(0, len));
    text.remove_prefix(len);
  }
  return lines;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Block containers opened at the start of `line`: `>` quotes and list markers (`-`, `+`, `*`,
// `1.`, `1)`), each after optional spaces.
std::size_t opened_containers(std::string_view line) {
  std::size_t depth = 0, i = 0;
  for (;;) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i == line.size()) return depth;
    if (line[i] == '>') {
      ++depth, ++i;
      continue;
    }
    std::size_t marker_end = i;
    while (marker_end < line.size() && marker_end - i < 9 && is_digit(line[marker_end])) ++marker_end;
    const bool ordered = marker_end > i && marker_end < line.size() && (line[marker_end] == '.' || line[marker_end] == ')');
    const bool bullet = line[i] == '-' || line[i] == '+' || line[i] == '*';
    const std::size_t after = ordered ? marker_end + 1 : i + 1;
    if (!(ordered || bullet) || after >= line.size() || (line[after] != ' ' && line[after] != '\t')) return depth;
    ++depth, i = after;
  }
}

}  // namespace

MarkdownFeatures affordable_features(std::string_view markdown) {
  MarkdownFeatures f;
  std::size_t tildes = 0, bracket_work = 0, table_cells = 0;
  std::size_t block_images = 0, block_closers = 0;  // within the current blank-line-separated block
  std::size_t table_columns = 0;                     // of the table being read, 0 outside one
  std::size_t nesting = 0;
  for (std::string_view line : split_lines(markdown)) {
    nesting = std::max(nesting, opened_containers(line));
    if (is_blank(line)) {
      bracket_work += block_images * block_closers;
      block_images = block_closers = 0;
      table_columns = 0;
      continue;
    }
    std::size_t pipes = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (c == '|') ++pipes;
      else if (c == '~') ++tildes;
      else if (c == ']') ++block_closers;
      else if (c == '!' && i + 1 < line.size() && line[i + 1] == '[') ++block_images;
    }
    if (pipes > kMaxPipesPerLine) f.tables = false;
    if (std::size_t cols = delimiter_columns(line)) table_columns = std::max(table_columns, cols);
    table_cells += table_columns;
  }
  bracket_work += block_images * block_closers;
  if (table_cells > kMaxTableCells) f.tables = false;
  if (tildes > kMaxTildes) f.strikethrough = false;
  if (bracket_work > kMaxBracketWork || nesting > kMaxNesting) f.inline_markup = false;
  return f;
}

}  // namespace hub::markdown
