#include "bridge/matrix/registration.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <sys/stat.h>

#include <yaml-cpp/yaml.h>

#include "hub/auth/secrets.hpp"

namespace hub::bridge::matrix {
namespace {

namespace fs = std::filesystem;

std::string read_token(const std::string& path) {
  std::ifstream in(path);
  std::string token;
  if (!in || !std::getline(in, token) || token.empty()) throw std::runtime_error("cannot read the token in " + path);
  return token;
}

// Writes a new random token to `path` unless it exists (owner-only, renamed into place).
void create_token_once(const std::string& path) {
  if (fs::exists(path)) return;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + tmp);
    ::chmod(tmp.c_str(), 0600);
    out << auth::random_token(32) << "\n";
    if (!out.flush()) throw std::runtime_error("cannot write " + tmp);
  }
  fs::rename(tmp, path);
}

// A regular expression matching `text` literally.
std::string regex_literal(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string as_token_file(const std::string& keys_dir) { return keys_dir + "/matrix-as-token"; }
std::string hs_token_file(const std::string& keys_dir) { return keys_dir + "/matrix-hs-token"; }

AppserviceTokens load_or_create_tokens(const std::string& keys_dir) {
  fs::create_directories(keys_dir);
  create_token_once(as_token_file(keys_dir));
  create_token_once(hs_token_file(keys_dir));
  return load_tokens(keys_dir);
}

AppserviceTokens load_tokens(const std::string& keys_dir) {
  if (!fs::exists(as_token_file(keys_dir)) || !fs::exists(hs_token_file(keys_dir)))
    throw std::runtime_error("[matrix] is set but the appservice tokens are missing: run `cohorthub bridge "
                             "matrix-registration --data-dir DIR` first");
  return {read_token(as_token_file(keys_dir)), read_token(hs_token_file(keys_dir))};
}

std::string registration_yaml(const RegistrationFacts& f) {
  auto ns = [](const std::string& regex) {
    YAML::Node list(YAML::NodeType::Sequence);
    YAML::Node entry;
    entry["exclusive"] = true;
    entry["regex"] = regex;
    list.push_back(entry);
    return list;
  };
  YAML::Node doc;
  doc["id"] = kAppserviceId;
  doc["url"] = f.url;
  doc["as_token"] = f.tokens.as_token;
  doc["hs_token"] = f.tokens.hs_token;
  doc["sender_localpart"] = f.sender_localpart;
  doc["namespaces"]["users"] = ns("@" + regex_literal(f.user_prefix) + "_.*:" + regex_literal(f.server_name));
  doc["namespaces"]["aliases"] = ns("#" + regex_literal(f.user_prefix) + "_.*:" + regex_literal(f.server_name));
  doc["namespaces"]["rooms"] = YAML::Node(YAML::NodeType::Sequence);
  doc["rate_limited"] = false;
  YAML::Emitter out;
  out << doc;
  return std::string(out.c_str()) + "\n";
}

}  // namespace hub::bridge::matrix
