#include "playbooks/front_matter.hpp"

#include <yaml-cpp/yaml.h>

#include "playbooks/text.hpp"

namespace hub::playbooks {
namespace {

using http::ApiError;

std::string_view fm_trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// A plain scalar resolved by YAML 1.2's core schema; quoted scalars (tag "!") stay strings.
nlohmann::json fm_scalar(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  bool b = false;
  if ((text == "true" || text == "false" || text == "True" || text == "False" || text == "TRUE" || text == "FALSE") &&
      YAML::convert<bool>::decode(node, b))
    return b;
  long long n = 0;
  bool digits = text.find_first_not_of("-+0123456789") == std::string::npos;
  if (digits && YAML::convert<long long>::decode(node, n)) return n;
  return text;
}

// REQUIRES: budget counts the nodes still allowed; aliases are expanded, so a "billion laughs"
// document runs out of budget instead of memory.
http::Result<nlohmann::json> fm_to_json(const YAML::Node& node, std::size_t& budget) {
  if (budget == 0) return ApiError::bad_request("The front matter is too large.");
  --budget;
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nlohmann::json(nullptr);
    case YAML::NodeType::Scalar: return fm_scalar(node);
    case YAML::NodeType::Sequence: {
      auto out = nlohmann::json::array();
      for (const auto& item : node) {
        auto v = fm_to_json(item, budget);
        if (!v) return v.error();
        out.push_back(std::move(*v));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      auto out = nlohmann::json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) return ApiError::bad_request("Front matter keys must be plain names.");
        auto v = fm_to_json(kv.second, budget);
        if (!v) return v.error();
        out[kv.first.Scalar()] = std::move(*v);
      }
      return out;
    }
  }
  return nlohmann::json(nullptr);
}

http::Result<nlohmann::json> fm_parse_yaml(const std::string& yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    // The YAML starts on the file's second line.
    std::string where = e.mark.is_null() ? "" : " on line " + std::to_string(e.mark.line + 2);
    return ApiError::bad_request("The front matter is not valid YAML" + where + ": " + e.msg + ".");
  }
  if (root.IsNull()) return nlohmann::json::object();
  if (!root.IsMap()) return ApiError::bad_request("The front matter must be `key: value` lines.");
  std::size_t budget = kMaxFrontMatterNodes;
  try {
    return fm_to_json(root, budget);
  } catch (const YAML::Exception& e) {
    return ApiError::bad_request("The front matter is not valid YAML: " + e.msg + ".");
  }
}

http::Result<std::string> fm_string(const nlohmann::json& data, const char* key) {
  if (!data.contains(key) || data[key].is_null()) return std::string();
  const auto& v = data[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer() || v.is_boolean()) return v.dump();
  return ApiError::bad_request(std::string("Front matter `") + key + "` must be text.");
}

http::Result<std::optional<int>> fm_small_int(const nlohmann::json& data, const char* key) {
  if (!data.contains(key) || data[key].is_null()) return std::optional<int>();
  const auto& v = data[key];
  if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > 1'000'000)
    return ApiError::bad_request(std::string("Front matter `") + key + "` must be a whole number.");
  return std::optional<int>(v.get<int>());
}

}  // namespace

http::Result<FrontMatter> split_front_matter(std::string_view text) {
  FrontMatter fm;
  auto lines = split_lines(text);
  if (lines.empty() || fm_trim(lines[0]) != "---") {
    fm.content = std::string(text);
    return fm;
  }
  fm.present = true;
  std::size_t start = lines[0].size(), offset = start;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (fm_trim(line) == "---") {
      // The closing "---" goes to yaml-cpp too: it accepts a quoted scalar left open at the end of
      // its input, but not one running into a document marker.
      auto data = fm_parse_yaml(std::string(text.substr(start, offset - start)) + "---\n");
      if (!data) return data.error();
      fm.data = std::move(*data);
      fm.content = std::string(text.substr(offset + line.size()));
      return fm;
    }
    offset += line.size();
  }
  return ApiError::bad_request("The front matter is not closed with a `---` line.");
}

http::Result<PlaybookFile> parse_playbook_file(std::string_view text) {
  auto fm = split_front_matter(text);
  if (!fm) return fm.error();
  PlaybookFile file;
  file.content = std::move(fm->content);
  auto slug = fm_string(fm->data, "slug");
  if (!slug) return slug.error();
  auto title = fm_string(fm->data, "title");
  if (!title) return title.error();
  file.slug = std::move(*slug);
  file.title = std::move(*title);
  if (fm->data.contains("tags") && !fm->data["tags"].is_null()) {
    const auto& tags = fm->data["tags"];
    if (!tags.is_array()) return ApiError::bad_request("Front matter lists are written [a, b, c].");
    for (const auto& t : tags) {
      if (t.is_null()) continue;
      if (!t.is_string() && !t.is_number_integer()) return ApiError::bad_request("Front matter `tags` must be text.");
      file.tags.push_back(t.is_string() ? t.get<std::string>() : t.dump());
    }
  }
  auto approvals = fm_small_int(fm->data, "required_approvals");
  if (!approvals) return approvals.error();
  auto revision = fm_small_int(fm->data, "revision");
  if (!revision) return revision.error();
  file.required_approvals = *approvals;
  file.revision = *revision;
  return file;
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
    std::string_view t = fm_trim(line);
    if (t.substr(0, 3) == "```" || t.substr(0, 3) == "~~~") in_fence = !in_fence;
    if (!in_fence && line.substr(0, 2) == "# ") return std::string(fm_trim(line.substr(2)));
  }
  return "";
}

}  // namespace hub::playbooks
