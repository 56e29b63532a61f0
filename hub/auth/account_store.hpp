// The accounts tables (users, sessions, API tokens, invites, audit log) and their SQL.
// Every function runs on a DB executor thread with the connection it is given.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/http/pagination.hpp"
#include "hub/http/router.hpp"
#include "hub/store/connection.hpp"
#include "hub/store/migrations.hpp"

namespace hub::auth {

using http::ApiError;
using http::Result;
using http::Status;
using store::Connection;

store::Migration accounts_migration();  // version 1

struct User {
  std::int64_t id = 0;
  std::string handle;
  std::string display_name;
  std::string role;
  std::int64_t created_at = 0;
};

struct LoginRecord {
  std::int64_t user_id = 0;
  std::string password_hash;
};

struct Invite {
  std::int64_t id = 0;
  std::string role;
  std::optional<std::int64_t> cohort_id;
  std::int64_t expires_at = 0;
};

bool is_valid_role(std::string_view role);
// Lowercases and checks a handle: 2-32 of a-z 0-9 _ . - starting with a letter or digit.
Result<std::string> normalize_handle(std::string_view handle);

Result<std::optional<LoginRecord>> find_login(Connection& db, const std::string& handle);
Result<User> get_user(Connection& db, std::int64_t id);
Result<std::vector<User>> list_users(Connection& db);
// The stored hashes of a user's sessions and live API tokens.
struct UserCredentials {
  std::vector<std::string> sessions, tokens;
};
// Gives user `id` a new role and returns their credentials, whose cached principals still carry
// the old one. REQUIRES: is_valid_role(role). not_found when there is no such user.
Result<UserCredentials> set_user_role(Connection& db, std::int64_t id, const std::string& role);
// A taken handle is invalid_field "handle".
Result<User> insert_user(Connection& db, const std::string& handle, const std::string& display_name,
                         const std::string& role, const std::string& password_hash, std::int64_t now);

// Swaps in a hash of the same password at a new cost, unless the password changed meanwhile.
Status replace_password_hash(Connection& db, std::int64_t user_id, const std::string& old_hash,
                             const std::string& new_hash);

Status insert_session(Connection& db, const std::string& key_hash, std::int64_t user_id, std::int64_t now,
                      std::int64_t expires_at);
Status delete_session(Connection& db, const std::string& key_hash);
Result<std::optional<http::Principal>> principal_for_session(Connection& db, const std::string& key_hash,
                                                             std::int64_t now);
Result<std::optional<http::Principal>> principal_for_token(Connection& db, const std::string& token_hash);

Result<std::int64_t> insert_token(Connection& db, std::int64_t user_id, const std::string& name,
                                  const std::string& token_hash, std::int64_t now);
Result<nlohmann::json> list_tokens(Connection& db, std::int64_t user_id);
// Whose the token is; nullopt when there is no such unrevoked token.
Result<std::optional<std::int64_t>> token_owner(Connection& db, std::int64_t token_id);
// Returns the revoked token's hash; not_found unless the token is the user's and not yet revoked.
Result<std::string> revoke_token(Connection& db, std::int64_t user_id, std::int64_t token_id, std::int64_t now);

Result<std::int64_t> insert_invite(Connection& db, const std::string& code_hash, const std::string& role,
                                   std::optional<std::int64_t> cohort_id, std::int64_t created_by, std::int64_t now,
                                   std::int64_t expires_at);
// The unused, unexpired invite with this code, or invalid_field "invite_code".
Result<Invite> find_open_invite(Connection& db, const std::string& code_hash, std::int64_t now);
// Marks the invite used by `user_id`; conflict if someone used it first.
Status redeem_invite(Connection& db, std::int64_t invite_id, std::int64_t user_id, std::int64_t now);
// Invites made by `creator` (all of them when null), newest first, after the page cursor.
// Who made invite `id` (0 when the command line did); nullopt when there is no such invite.
Result<std::optional<std::int64_t>> invite_creator(Connection& db, std::int64_t id);
// Ends an unused invite at once. A revoked invite keeps used_at with no used_by, so it can never
// be redeemed and the list shows it as revoked. conflict when it was used or revoked already.
Status revoke_invite(Connection& db, std::int64_t id, std::int64_t now);
Result<nlohmann::json> list_invites(Connection& db, std::optional<std::int64_t> creator, const http::Page& page,
                                    std::int64_t now);

// Records an admin action. `actor_id` 0 means the command line.
Status audit(Connection& db, std::int64_t actor_id, const std::string& action, const std::string& target,
             const nlohmann::json& detail, std::int64_t now);

}  // namespace hub::auth
