// The exchange format: a Markdown file with YAML front matter (parsed with yaml-cpp), for export,
// import, the starter content and the templates' field declarations.
//
//   ---
//   slug: pitching-a-retainer
//   title: "Pitching a retainer"
//   tags: [sales, retainers]
//   required_approvals: 1
//   ---
//   # Pitching a retainer
//   ...
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/http/error.hpp"

namespace hub::playbooks {

// The front matter of a Markdown file, as JSON: mappings become objects, sequences arrays, plain
// scalars that YAML's core schema reads as null, a boolean or a whole number become those, and
// everything else (quoted scalars included) a string.
struct FrontMatter {
  bool present = false;  // the text started with a "---" line
  nlohmann::json data = nlohmann::json::object();
  std::string content;  // everything after the front matter
};
// Front matter larger than this (YAML aliases included, once expanded) is refused.
inline constexpr std::size_t kMaxFrontMatterNodes = 5000;

// bad_request naming the line when the YAML is invalid, the front matter is never closed, it is not
// a mapping, or it expands past kMaxFrontMatterNodes.
http::Result<FrontMatter> split_front_matter(std::string_view text);

struct PlaybookFile {
  std::string slug;   // empty: the importer derives one from the file name
  std::string title;  // empty: the first "# " heading, else the slug
  std::vector<std::string> tags;
  std::optional<int> required_approvals;
  std::optional<int> revision;  // written on export for reference; ignored on import
  std::string content;          // everything after the front matter
};

// Reads front matter if the text starts with a "---" line; a file without any is all content.
// Unknown keys are ignored. bad_request when the front matter is never closed or a value is
// malformed.
http::Result<PlaybookFile> parse_playbook_file(std::string_view text);

std::string write_playbook_file(const PlaybookFile& file);

// "pitching-a-retainer.md" → "pitching-a-retainer"; lowercased, other characters become '-'.
std::string slug_from_file_name(std::string_view name);
// The text of the first ATX level-1 heading, or empty.
std::string first_heading(std::string_view markdown);

}  // namespace hub::playbooks
