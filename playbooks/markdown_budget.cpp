#include "playbooks/markdown_budget.hpp"

#include <algorithm>

#include "playbooks/text.hpp"

namespace hub::playbooks {
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

}  // namespace

MarkdownFeatures affordable_features(std::string_view markdown) {
  MarkdownFeatures f;
  std::size_t tildes = 0, bracket_work = 0, table_cells = 0;
  std::size_t block_images = 0, block_closers = 0;  // within the current blank-line-separated block
  std::size_t table_columns = 0;                     // of the table being read, 0 outside one
  for (std::string_view line : split_lines(markdown)) {
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
  if (bracket_work > kMaxBracketWork) f.inline_markup = false;
  return f;
}

}  // namespace hub::playbooks
