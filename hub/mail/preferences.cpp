#include "hub/mail/preferences.hpp"

#include <algorithm>

namespace hub::mail {

bool is_mail_kind(std::string_view kind) {
  return std::find(kMailKinds.begin(), kMailKinds.end(), kind) != kMailKinds.end();
}

bool Preferences::wants(std::string_view kind) const {
  if (address.empty()) return false;
  if (kind == "digest") return digest != "off";
  if (kind == "mentions") return mentions;
  if (kind == "review_requests") return review_requests;
  if (kind == "reviews") return reviews;
  if (kind == "renewals") return renewals;
  if (kind == "mentees") return mentees;
  return true;  // invitations and test mail are not a preference
}

nlohmann::json Preferences::to_json() const {
  nlohmann::json j;
  j["address"] = address;
  j["digest"] = digest;
  j["mentions"] = mentions;
  j["review_requests"] = review_requests;
  j["reviews"] = reviews;
  j["renewals"] = renewals;
  j["mentees"] = mentees;
  return j;
}

store::Migration review_requests_migration(int version) {
  return {version, "mail review requests",
          "ALTER TABLE mail_preferences ADD COLUMN review_requests INTEGER NOT NULL DEFAULT 0;"};
}

Result<Preferences> load_preferences(Connection& db, std::int64_t user_id) {
  auto st = db.prepare(
      "SELECT address, digest, mentions, reviews, renewals, mentees, review_requests FROM mail_preferences "
      "WHERE user_id = ?");
  st.bind(1, user_id);
  auto row = st.step();
  if (!row) return row.error();
  Preferences p;
  if (!*row) return p;
  p.address = st.text(0);
  p.digest = st.text(1);
  p.mentions = st.int64(2) != 0;
  p.reviews = st.int64(3) != 0;
  p.renewals = st.int64(4) != 0;
  p.mentees = st.int64(5) != 0;
  p.review_requests = st.int64(6) != 0;
  return p;
}

Status save_preferences(Connection& db, std::int64_t user_id, const Preferences& p, std::int64_t now) {
  auto st = db.prepare(
      "INSERT INTO mail_preferences (user_id, address, digest, mentions, reviews, renewals, mentees, updated_at, "
      "review_requests) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
      "address = excluded.address, digest = excluded.digest, mentions = excluded.mentions, "
      "reviews = excluded.reviews, renewals = excluded.renewals, mentees = excluded.mentees, "
      "updated_at = excluded.updated_at, review_requests = excluded.review_requests");
  st.bind(1, user_id).bind(2, std::string_view(p.address)).bind(3, std::string_view(p.digest));
  st.bind(4, std::int64_t{p.mentions}).bind(5, std::int64_t{p.reviews}).bind(6, std::int64_t{p.renewals});
  st.bind(7, std::int64_t{p.mentees}).bind(8, now).bind(9, std::int64_t{p.review_requests});
  return st.run();
}

Status turn_off(Connection& db, std::int64_t user_id, std::string_view kind, std::int64_t now) {
  auto p = load_preferences(db, user_id);
  if (!p) return p.error();
  if (kind == "digest") p->digest = "off";
  else if (kind == "mentions") p->mentions = false;
  else if (kind == "review_requests") p->review_requests = false;
  else if (kind == "reviews") p->reviews = false;
  else if (kind == "renewals") p->renewals = false;
  else if (kind == "mentees") p->mentees = false;
  else return ApiError::bad_request("No such kind of mail.");
  return save_preferences(db, user_id, *p, now);
}

Status use_unsubscribe_nonce(Connection& db, std::string_view nonce, std::int64_t now) {
  auto st = db.prepare("INSERT INTO mail_unsubscribe_used (nonce, used_at) VALUES (?, ?) ON CONFLICT DO NOTHING");
  st.bind(1, nonce).bind(2, now);
  if (auto s = st.run(); !s) return s;
  if (db.changes() == 0)
    return ApiError::conflict("This unsubscribe link has already been used; that mail is already off.");
  return http::Ok{};
}

}  // namespace hub::mail
