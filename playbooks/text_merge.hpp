// Three-way merge of texts with libgit2's git_merge_file (git's own xdiff merge), on memory.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/http/error.hpp"

namespace hub::playbooks {

struct MergeLabels {
  std::string ours = "current";   // the side already saved
  std::string theirs = "yours";   // the side being saved
};

struct MergeConflict {
  int line = 0;        // 1-based line of the conflict's "<<<<<<<" marker in the merged text
  std::string ours;    // the region as `ours` has it
  std::string theirs;  // the region as `theirs` has it
};

struct MergeResult {
  bool clean = false;
  // Clean: the merged text. Otherwise the text with git-style conflict markers, labelled.
  std::string text;
  std::vector<MergeConflict> conflicts;
};

// REQUIRES: no input holds a NUL byte (git would treat it as binary).
http::Result<MergeResult> merge_text(std::string_view base, std::string_view ours, std::string_view theirs,
                                     const MergeLabels& labels = {});

// [{line, ours, theirs}]
nlohmann::json conflicts_json(const std::vector<MergeConflict>& conflicts);

}  // namespace hub::playbooks
