#include "playbooks/front_matter.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

#include "playbooks/text.hpp"

namespace hub::playbooks {
namespace {

using http::ApiError;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// A scalar: "double-quoted" (JSON escapes, which YAML shares), 'single-quoted', or plain.
http::Result<std::string> scalar(std::string_view v) {
  v = trim(v);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
    auto parsed = nlohmann::json::parse(v, nullptr, false);
    if (!parsed.is_string()) return ApiError::bad_request("Front matter has a malformed quoted string.");
    return parsed.get<std::string>();
  }
  if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') return std::string(v.substr(1, v.size() - 2));
  if (!v.empty() && (v.front() == '"' || v.front() == '\''))
    return ApiError::bad_request("Front matter has an unterminated quoted string.");
  return std::string(v);
}

http::Result<std::vector<std::string>> flow_list(std::string_view v) {
  v = trim(v);
  if (v.size() < 2 || v.front() != '[' || v.back() != ']')
    return ApiError::bad_request("Front matter lists are written [a, b, c].");
  std::vector<std::string> out;
  v = v.substr(1, v.size() - 2);
  while (!trim(v).empty()) {
    auto comma = v.find(',');
    auto item = scalar(v.substr(0, comma));
    if (!item) return item.error();
    if (!item->empty()) out.push_back(*item);
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return out;
}

http::Result<int> small_int(std::string_view v, const char* key) {
  v = trim(v);
  int n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < 0 || n > 1'000'000)
    return ApiError::bad_request(std::string("Front matter `") + key + "` must be a whole number.");
  return n;
}

}  // namespace

http::Result<PlaybookFile> parse_playbook_file(std::string_view text) {
  PlaybookFile file;
  auto lines = split_lines(text);
  if (lines.empty() || trim(lines[0]) != "---") {
    file.content = std::string(text);
    return file;
  }
  std::size_t offset = lines[0].size();
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    offset += line.size();
    if (trim(line) == "---") {
      file.content = std::string(text.substr(offset));
      return file;
    }
    if (trim(line).empty() || trim(line).front() == '#') continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return ApiError::bad_request("Front matter lines are `key: value`.");
    std::string_view key = trim(line.substr(0, colon)), value = line.substr(colon + 1);
    if (key == "slug" || key == "title") {
      auto v = scalar(value);
      if (!v) return v.error();
      (key == "slug" ? file.slug : file.title) = *v;
    } else if (key == "tags") {
      auto v = flow_list(value);
      if (!v) return v.error();
      file.tags = *v;
    } else if (key == "required_approvals" || key == "revision") {
      auto v = small_int(value, key == "revision" ? "revision" : "required_approvals");
      if (!v) return v.error();
      (key == "revision" ? file.revision : file.required_approvals) = *v;
    }
  }
  return ApiError::bad_request("The front matter is not closed with a `---` line.");
}

std::string write_playbook_file(const PlaybookFile& file) {
  auto quoted = [](const std::string& s) { return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); };
  std::string out = "---\nslug: " + file.slug + "\ntitle: " + quoted(file.title) + "\ntags: [";
  for (std::size_t i = 0; i < file.tags.size(); ++i) out += (i ? ", " : "") + file.tags[i];
  out += "]\n";
  if (file.required_approvals) out += "required_approvals: " + std::to_string(*file.required_approvals) + "\n";
  if (file.revision) out += "revision: " + std::to_string(*file.revision) + "\n";
  out += "---\n";
  out += file.content;
  return out;
}

std::string slug_from_file_name(std::string_view name) {
  auto slash = name.find_last_of('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  if (name.size() > 3 && name.substr(name.size() - 3) == ".md") name.remove_suffix(3);
  std::string slug;
  for (char c : name) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9');
    if (ok) slug.push_back(l);
    else if (!slug.empty() && slug.back() != '-') slug.push_back('-');
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug;
}

std::string first_heading(std::string_view markdown) {
  bool in_fence = false;
  for (std::string_view line : split_lines(markdown)) {
    std::string_view t = trim(line);
    if (t.substr(0, 3) == "```" || t.substr(0, 3) == "~~~") in_fence = !in_fence;
    if (!in_fence && line.substr(0, 2) == "# ") return std::string(trim(line.substr(2)));
  }
  return "";
}

}  // namespace hub::playbooks
