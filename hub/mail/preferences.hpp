// Which mail a member wants, per kind, and the address it goes to. Stored in mail_preferences
// (migration 8, review_requests added by review_requests_migration); a member with no row gets
// the defaults below.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hub/store/connection.hpp"
#include "hub/store/migrations.hpp"

namespace hub::mail {

using http::ApiError;
using http::Result;
using http::Status;
using store::Connection;

// The kinds of mail a member can turn off, each with its own unsubscribe token.
inline constexpr std::array<std::string_view, 6> kMailKinds = {"digest",   "mentions", "review_requests",
                                                               "reviews", "renewals", "mentees"};
bool is_mail_kind(std::string_view kind);

struct Preferences {
  std::string address;          // empty: no mail at all
  std::string digest = "weekly";  // "daily" | "weekly" | "off"
  bool mentions = true;         // immediate mail when someone mentions me
  bool review_requests = false;  // immediate mail when a proposal awaits my review (opt-in)
  bool reviews = true;          // the proposals awaiting my review, listed in my digest
  bool renewals = true;         // my renewals due and quiet clients, in my digest
  bool mentees = true;          // a mentor's weekly summary of mentees

  // Whether mail of `kind` goes out at all (the digest: unless "off").
  bool wants(std::string_view kind) const;
  nlohmann::json to_json() const;
};

// Adds mail_preferences.review_requests, off for everyone.
store::Migration review_requests_migration(int version);

Result<Preferences> load_preferences(Connection& db, std::int64_t user_id);
Status save_preferences(Connection& db, std::int64_t user_id, const Preferences& p, std::int64_t now);
// Turns one kind off; the rest stays as it was.
Status turn_off(Connection& db, std::int64_t user_id, std::string_view kind, std::int64_t now);

// Records a used unsubscribe nonce; conflict when it was used before.
Status use_unsubscribe_nonce(Connection& db, std::string_view nonce, std::int64_t now);

}  // namespace hub::mail
