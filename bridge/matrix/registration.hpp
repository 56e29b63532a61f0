// The appservice registration: the two tokens, kept in files of the data directory's key folder
// (0600), and the YAML file the homeserver's admin installs (docs/operations.md).
#pragma once

#include <string>

namespace hub::bridge::matrix {

struct AppserviceTokens {
  std::string as_token;  // the hub -> homeserver credential
  std::string hs_token;  // the homeserver -> hub credential
};

// The token files in `keys_dir`.
std::string as_token_file(const std::string& keys_dir);
std::string hs_token_file(const std::string& keys_dir);

// Reads the tokens, creating whichever file is missing with a new random token; idempotent.
// Throws std::runtime_error when a file cannot be read or written.
AppserviceTokens load_or_create_tokens(const std::string& keys_dir);
// Reads the tokens; throws naming the command to run when they are missing.
AppserviceTokens load_tokens(const std::string& keys_dir);

// The registration's `id`: the appservice's name at the homeserver (its ping endpoint names it).
inline constexpr const char* kAppserviceId = "cohorthub";

struct RegistrationFacts {
  std::string url;               // where the homeserver reaches the hub, e.g. "https://hub.example"
  std::string server_name;       // the homeserver's, e.g. "hs.example"
  std::string user_prefix;       // ghosts are @<prefix>_<handle>:<server_name>
  std::string sender_localpart;  // the appservice's own user
  AppserviceTokens tokens;
};

// The registration YAML: id, url, as_token, hs_token, sender_localpart, exclusive user and alias
// namespaces, rate_limited: false.
std::string registration_yaml(const RegistrationFacts& facts);

}  // namespace hub::bridge::matrix
