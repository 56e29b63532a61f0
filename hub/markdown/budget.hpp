// Which cmark-gfm features a document can afford. cmark-gfm 0.29.0.gfm.6 has superlinear paths,
// measured on 128 KiB inputs: tables with hundreds of header cells (quadratic), wide tables with
// many short rows (output grows as rows x columns), strikethrough with many `~` (quadratic), and
// unclosed `![` followed by many links (each link walks back over every image opener). Deeply
// nested containers are linear but multiply the output: each `>` opens a blockquote, 27 bytes of
// HTML per byte of input. A linear pre-scan turns the offending feature off, or shows the
// document as plain text.
#pragma once

#include <cstddef>
#include <string_view>

namespace hub::markdown {

struct MarkdownFeatures {
  bool tables = true;
  bool strikethrough = true;
  bool inline_markup = true;  // false: render as preformatted text
};

inline constexpr std::size_t kMaxPipesPerLine = 128;
inline constexpr std::size_t kMaxTableCells = 20'000;
inline constexpr std::size_t kMaxTildes = 1'000;
inline constexpr std::size_t kMaxBracketWork = 1'000'000;
inline constexpr std::size_t kMaxNesting = 32;  // quotes and list markers opened by one line

MarkdownFeatures affordable_features(std::string_view markdown);

}  // namespace hub::markdown
