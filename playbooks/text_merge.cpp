#include "playbooks/text_merge.hpp"

#include <mutex>

#include <git2.h>

#include "playbooks/text.hpp"

namespace hub::playbooks {
namespace {

void init_libgit2() {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

git_merge_file_input input(std::string_view text) {
  git_merge_file_input in = GIT_MERGE_FILE_INPUT_INIT;
  in.ptr = text.data();
  in.size = text.size();
  in.path = "playbook.md";
  return in;
}

// The conflict regions of a merged text, found by their exact labelled marker lines.
std::vector<MergeConflict> find_conflicts(std::string_view text, const MergeLabels& labels) {
  const std::string open = "<<<<<<< " + labels.ours, middle = "=======", close = ">>>>>>> " + labels.theirs;
  std::vector<MergeConflict> out;
  enum { outside, in_ours, in_theirs } state = outside;
  MergeConflict current;
  int n = 0;
  for (std::string_view line : split_lines(text)) {
    ++n;
    std::string_view bare = line;
    if (!bare.empty() && bare.back() == '\n') bare.remove_suffix(1);
    if (state == outside && bare == open) {
      current = MergeConflict{n, "", ""};
      state = in_ours;
    } else if (state == in_ours && bare == middle) {
      state = in_theirs;
    } else if (state == in_theirs && bare == close) {
      out.push_back(std::move(current));
      state = outside;
    } else if (state == in_ours) {
      current.ours += line;
    } else if (state == in_theirs) {
      current.theirs += line;
    }
  }
  return out;
}

}  // namespace

http::Result<MergeResult> merge_text(std::string_view base, std::string_view ours, std::string_view theirs,
                                     const MergeLabels& labels) {
  // The trivial cases need no diff, and keep an unchanged side byte-for-byte.
  if (ours == theirs || base == theirs) return MergeResult{true, std::string(ours), {}};
  if (base == ours) return MergeResult{true, std::string(theirs), {}};

  init_libgit2();
  git_merge_file_input in_base = input(base), in_ours = input(ours), in_theirs = input(theirs);
  git_merge_file_options options = GIT_MERGE_FILE_OPTIONS_INIT;
  options.our_label = labels.ours.c_str();
  options.their_label = labels.theirs.c_str();
  git_merge_file_result out{};
  if (git_merge_file(&out, &in_base, &in_ours, &in_theirs, &options) != 0) {
    const git_error* e = git_error_last();
    std::fprintf(stderr, "{\"level\":\"error\",\"what\":\"git_merge_file\",\"msg\":\"%s\"}\n", e ? e->message : "");
    return http::ApiError::internal("The merge failed.");
  }
  MergeResult result;
  result.clean = out.automergeable != 0;
  result.text.assign(out.ptr ? out.ptr : "", out.len);
  git_merge_file_result_free(&out);
  if (!result.clean) result.conflicts = find_conflicts(result.text, labels);
  return result;
}

nlohmann::json conflicts_json(const std::vector<MergeConflict>& conflicts) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : conflicts) out.push_back({{"line", c.line}, {"ours", c.ours}, {"theirs", c.theirs}});
  return out;
}

}  // namespace hub::playbooks
