#include "hub/auth/account_routes.hpp"

#include <algorithm>
#include <charconv>

#include "hub/auth/account_store.hpp"
#include "hub/auth/password.hpp"
#include "hub/auth/policy.hpp"
#include "hub/auth/secrets.hpp"
#include "hub/auth/session_authenticator.hpp"
#include "hub/http/json_body.hpp"
#include "hub/http/pagination.hpp"

namespace hub::auth {
namespace {

using http::error_response;
using http::json_response;
using nlohmann::json;

// Display names: 1-80 bytes after trimming, no control characters.
Result<std::string> clean_display_name(std::string name) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  name.erase(name.begin(), std::find_if(name.begin(), name.end(), not_space));
  name.erase(std::find_if(name.rbegin(), name.rend(), not_space).base(), name.end());
  if (name.empty() || name.size() > 80)
    return ApiError::invalid_field("display_name", "The display name must be 1 to 80 characters.");
  if (std::any_of(name.begin(), name.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
    return ApiError::invalid_field("display_name", "The display name may not contain control characters.");
  return name;
}

}  // namespace

Result<json> user_json(Connection& db, Membership& membership, std::int64_t user_id) {
  auto user = get_user(db, user_id);
  if (!user) return user.error();
  // Assigned member by member: an initializer list builds each pair as a two-element array first.
  json out = json::object();
  out["id"] = user->id;
  out["handle"] = std::move(user->handle);
  out["display_name"] = std::move(user->display_name);
  out["role"] = std::move(user->role);
  out["cohort_ids"] = membership.cohorts_of(db, user_id);
  return out;
}

namespace {

// The answer to a refused invite; `none` is never passed.
ApiError invite_refused(InviteRefusal why) {
  switch (why) {
    case InviteRefusal::role_too_high: return ApiError::forbidden("A mentor may invite members only.");
    case InviteRefusal::cohort_required:
      return ApiError::invalid_field("cohort_id", "A mentor's invite must name one of their cohorts.");
    case InviteRefusal::not_their_cohort: return ApiError::forbidden("A mentor may invite only into their own cohorts.");
    case InviteRefusal::not_an_inviter:
    case InviteRefusal::none: break;
  }
  return ApiError::forbidden("Only admins and mentors can invite people.");
}

}  // namespace

AccountRoutes::AccountRoutes(store::Executor& db, http::CpuPool& cpu, const Clock& clock, Membership& membership,
                             SessionAuthenticator& authenticator, const AuthOptions& options)
    : db_(db),
      cpu_(cpu),
      clock_(clock),
      membership_(membership),
      authenticator_(authenticator),
      options_(options),
      cookie_name_(session_cookie_name(options)),
      proxies_(TrustedProxies::parse(options.trusted_proxies)),
      per_ip_(clock, options.login_burst_per_ip, options.login_refill_per_ip_s),
      per_handle_(clock, options.login_burst_per_handle, options.login_refill_per_handle_s),
      dummy_hash_(hash_password("not-a-real-password", options.scrypt_log2_n)) {}

void AccountRoutes::add_to(http::Router& router) {
  using http::Access;
  using http::Method;
  using http::member_handler;
  router.add(Method::post, "/api/login", {Access::anyone, 4096}, member_handler(this, &AccountRoutes::login));
  router.add(Method::post, "/api/logout", {Access::anyone, 1024}, member_handler(this, &AccountRoutes::logout));
  router.add(Method::post, "/api/register", {Access::anyone, 4096}, member_handler(this, &AccountRoutes::register_user));
  router.add(Method::get, "/api/me", {Access::user, 0}, member_handler(this, &AccountRoutes::me));
  router.add(Method::post, "/api/tokens", {Access::user, 1024}, member_handler(this, &AccountRoutes::create_token));
  router.add(Method::get, "/api/tokens", {Access::user, 0}, member_handler(this, &AccountRoutes::list_tokens));
  router.add(Method::delete_, "/api/tokens/{id}", {Access::user, 0}, member_handler(this, &AccountRoutes::revoke_token));
  router.add(Method::post, "/api/invites", {Access::user, 2048}, member_handler(this, &AccountRoutes::create_invite));
  router.add(Method::get, "/api/invites", {Access::user, 0}, member_handler(this, &AccountRoutes::list_invites));
  router.add(Method::delete_, "/api/invites/{id}", {Access::user, 0}, member_handler(this, &AccountRoutes::revoke_invite));
  router.add(Method::patch, "/api/users/{handle}", {Access::user, 1024}, member_handler(this, &AccountRoutes::change_role));
}

std::string AccountRoutes::session_cookie(const std::string& token, std::int64_t max_age) const {
  std::string c = cookie_name_ + "=" + token + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age);
  if (options_.secure_cookies) c += "; Secure";
  return c;
}

boost::asio::awaitable<http::Response> AccountRoutes::open_session(std::int64_t user_id, int status) {
  const std::string token = random_token(32);
  const std::string key = sha256_hex(token);
  const std::int64_t now = clock_.now(), expires = now + options_.session_ttl_s;
  auto user_job = [this, key, user_id, now, expires](Connection& c) -> Result<json> {
    if (auto s = insert_session(c, key, user_id, now, expires); !s) return s.error();
    return user_json(c, membership_, user_id);
  };
  HUB_TRY(user, co_await db_.write(user_job));
  auto res = json_response(status, {{"user", *user}});
  res.headers.add("Set-Cookie", session_cookie(token, options_.session_ttl_s));
  co_return res;
}

boost::asio::awaitable<http::Response> AccountRoutes::login(Request& req, Context&) {
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(handle_in, http::string_field(*body, "handle", 1, 64));
  HUB_TRY(password, http::string_field(*body, "password", 1, kMaxPasswordBytes));
  std::string handle = *handle_in;
  std::transform(handle.begin(), handle.end(), handle.begin(), [](unsigned char c) { return std::tolower(c); });
  const std::string client = throttle_key(proxies_.client_of(req));
  if (int wait = per_ip_.take(client)) co_return error_response(ApiError::rate_limited(wait));
  // Per handle AND client: one client's guesses slow that client down without locking the
  // account's owner out from anywhere else. The token comes back on success.
  const std::string handle_key = handle + " " + client;
  if (int wait = per_handle_.take(handle_key)) co_return error_response(ApiError::rate_limited(wait));

  auto record_job = [handle](Connection& c) { return find_login(c, handle); };
  HUB_TRY(record, co_await db_.read(record_job));
  std::string stored = *record ? (*record)->password_hash : dummy_hash_;
  auto verified_job = [pw = *password, stored]() -> Result<bool> { return verify_password(pw, stored); };
  HUB_TRY(verified, co_await cpu_.run(verified_job));
  if (!*record || !*verified) co_return error_response(ApiError::unauthenticated("Wrong handle or password."));
  per_handle_.refund(handle_key);
  if (stored_cost_log2_n(stored) < options_.scrypt_log2_n)
    co_await upgrade_hash((*record)->user_id, std::move(*password), std::move(stored));
  co_return co_await open_session((*record)->user_id, 200);
}

boost::asio::awaitable<void> AccountRoutes::upgrade_hash(std::int64_t user_id, std::string password,
                                                        std::string stored) {
  auto hash_job = [pw = std::move(password), n = options_.scrypt_log2_n]() -> Result<std::string> {
    return hash_password(pw, n);
  };
  auto hash = co_await cpu_.run(hash_job);
  if (!hash) co_return;
  auto store_job = [user_id, old = std::move(stored), h = std::move(*hash)](Connection& c) {
    return replace_password_hash(c, user_id, old, h);
  };
  co_await db_.write(store_job);
}

boost::asio::awaitable<http::Response> AccountRoutes::logout(Request& req, Context&) {
  std::string_view cookie = req.cookie(cookie_name_);
  if (!cookie.empty() && cookie.size() <= 128) {
    std::string key = sha256_hex(cookie);
    auto done_job = [key](Connection& c) { return delete_session(c, key); };
    HUB_TRY(done, co_await db_.write(done_job));
    authenticator_.forget(CredentialKind::session, key);
  }
  auto res = http::empty_response(204);
  res.headers.add("Set-Cookie", session_cookie("", 0));
  co_return res;
}

boost::asio::awaitable<http::Response> AccountRoutes::register_user(Request& req, Context&) {
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(code, http::string_field(*body, "invite_code", 1, 128));
  HUB_TRY(handle_in, http::string_field(*body, "handle", 1, 64));
  HUB_TRY(name_in, http::string_field(*body, "display_name", 1, 200));
  HUB_TRY(password, http::string_field(*body, "password", 0, 1 << 20));
  HUB_TRY(handle, normalize_handle(*handle_in));
  HUB_TRY(display_name, clean_display_name(*name_in));
  HUB_TRY(policy, check_password_policy(*password, *handle));
  if (int wait = per_ip_.take(throttle_key(proxies_.client_of(req))))
    co_return error_response(ApiError::rate_limited(wait));

  const std::string code_hash = sha256_hex(*code);
  const std::int64_t now = clock_.now();
  // Check the invite before spending a scrypt on it; the write below checks again.
  auto open_job = [code_hash, now](Connection& c) { return find_open_invite(c, code_hash, now); };
  HUB_TRY(open, co_await db_.read(open_job));
  auto hash_job = [pw = *password, n = options_.scrypt_log2_n]() -> Result<std::string> {
    return hash_password(pw, n);
  };
  HUB_TRY(hash, co_await cpu_.run(hash_job));
  auto user_id_job = [this, code_hash, now, h = *handle, d = *display_name,
                                        ph = *hash](Connection& c) -> Result<std::int64_t> {
    auto invite = find_open_invite(c, code_hash, now);
    if (!invite) return invite.error();
    auto user = insert_user(c, h, d, invite->role, ph, now);
    if (!user) return user.error();
    if (auto s = redeem_invite(c, invite->id, user->id, now); !s) return s.error();
    if (invite->cohort_id)
      if (auto s = membership_.join(c, user->id, *invite->cohort_id, now); !s) return s.error();
    return user->id;
  };
  HUB_TRY(user_id, co_await db_.write(user_id_job));
  co_return co_await open_session(*user_id, 201);
}

boost::asio::awaitable<http::Response> AccountRoutes::me(Request&, Context& ctx) {
  const std::int64_t id = ctx.user().user_id;
  auto user_job = [this, id](Connection& c) { return http::json_text(user_json(c, membership_, id)); };
  HUB_TRY(user, co_await db_.read(user_job));
  co_return http::json_text_response(200, std::move(*user));
}

boost::asio::awaitable<http::Response> AccountRoutes::create_token(Request& req, Context& ctx) {
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(name, http::string_field(*body, "name", 1, 64));
  const std::string token = kTokenPrefix + random_token(32);
  const std::int64_t user = ctx.user().user_id, now = clock_.now();
  auto id_job = [user, n = *name, h = sha256_hex(token), now](Connection& c) {
    return insert_token(c, user, n, h, now);
  };
  HUB_TRY(id, co_await db_.write(id_job));
  co_return json_response(201, {{"id", *id}, {"name", *name}, {"token", token}, {"created_at", format_rfc3339(now)}});
}

boost::asio::awaitable<http::Response> AccountRoutes::list_tokens(Request&, Context& ctx) {
  auto items_job = [user = ctx.user().user_id](Connection& c) { return auth::list_tokens(c, user); };
  HUB_TRY(items, co_await db_.read(items_job));
  co_return json_response(200, *items);
}

boost::asio::awaitable<http::Response> AccountRoutes::revoke_token(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(ApiError::not_found("You have no such token."));
  auto done_job = [me = Actor::of(ctx.user()), id = *id, now = clock_.now()](Connection& c) -> Result<std::string> {
    auto owner = token_owner(c, id);
    if (!owner) return owner.error();
    if (!*owner || !can_revoke_token(me, **owner)) return ApiError::not_found("You have no such token.");
    return auth::revoke_token(c, **owner, id, now);
  };
  HUB_TRY(revoked_hash, co_await db_.write(done_job));
  authenticator_.forget(CredentialKind::token, *revoked_hash);
  co_return http::empty_response(204);
}

boost::asio::awaitable<http::Response> AccountRoutes::create_invite(Request& req, Context& ctx) {
  const http::Principal& me = ctx.user();
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(role, http::string_field(*body, "role", 1, 16));
  if (!is_valid_role(*role))
    co_return error_response(ApiError::invalid_field("role", "role must be member, mentor or admin."));
  HUB_TRY(cohort_id, http::optional_int_field(*body, "cohort_id", 1, INT64_MAX));
  HUB_TRY(days, http::optional_int_field(*body, "expires_in_days", 1, 90));
  // With `email`, the link is mailed too (API.md): checked before anything is written.
  HUB_TRY(email, http::optional_string_field(*body, "email", 255));
  HUB_TRY(name, http::optional_string_field(*body, "name", 256));
  if (*email) {
    if (!mailer_) co_return error_response(ApiError::conflict("Mail is off on this hub."));
    if (auto s = mailer_->check(**email, name->value_or("")); !s) co_return error_response(s.error());
  }

  const std::string code = random_token(18);
  const std::int64_t now = clock_.now(), expires = now + days->value_or(14) * 86400;
  std::optional<InviteLetter> letter;
  if (*email) letter = InviteLetter{**email, name->value_or(""), code, *role, me.handle, expires};
  std::string message_id;
  auto id_job = [this, me, r = *role, cohort = *cohort_id, h = sha256_hex(code), now, expires, letter,
                 &message_id](Connection& c) -> Result<std::int64_t> {
    const Actor actor = Actor::of(me, membership_.cohorts_of(c, me.user_id));
    const InviteRefusal why = invite_refusal(actor, role_from(r), cohort);
    // Who may invite at all is answered first; whose cohort it is, once the cohort is known to exist.
    if (why != InviteRefusal::none && why != InviteRefusal::not_their_cohort) return invite_refused(why);
    if (cohort && !membership_.cohort_exists(c, *cohort))
      return ApiError::invalid_field("cohort_id", "There is no such cohort.");
    if (why != InviteRefusal::none) return invite_refused(why);
    auto id = insert_invite(c, h, r, cohort, me.user_id, now, expires);
    if (!id) return id.error();
    json detail = {{"role", r}, {"cohort_id", cohort ? json(*cohort) : json(nullptr)}, {"mailed", letter.has_value()}};
    if (auto s = audit(c, me.user_id, "invite.create", "invite:" + std::to_string(*id), detail, now); !s)
      return s.error();
    if (letter) {
      auto queued = mailer_->queue(c, *letter, now);
      if (!queued) return queued.error();
      message_id = *queued;
    }
    return *id;
  };
  HUB_TRY(id, co_await db_.write(id_job));
  json out = {{"id", *id},
              {"code", code},
              {"role", *role},
              {"cohort_id", *cohort_id ? json(**cohort_id) : json(nullptr)},
              {"expires_at", format_rfc3339(expires)}};
  if (letter) {
    mailer_->wake();
    out["email"] = letter->email;
    out["message_id"] = message_id;
  }
  co_return json_response(201, out);
}

boost::asio::awaitable<http::Response> AccountRoutes::list_invites(Request& req, Context& ctx) {
  const http::Principal& me = ctx.user();
  const InviteScope scope = invite_scope(Actor::of(me));
  if (scope == InviteScope::none)
    co_return error_response(ApiError::forbidden("Only admins and mentors can see invites."));
  HUB_TRY(page, http::read_page(req));
  std::optional<std::int64_t> creator;
  if (scope == InviteScope::own) creator = me.user_id;
  auto items_job = [creator, p = *page, now = clock_.now()](Connection& c) {
    return auth::list_invites(c, creator, p, now);
  };
  HUB_TRY(items, co_await db_.read(items_job));
  co_return json_response(200, *items);
}

boost::asio::awaitable<http::Response> AccountRoutes::revoke_invite(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(ApiError::not_found("There is no such invite."));
  // An invite the actor may not revoke is answered as absent, as one they may not list.
  auto done_job = [me = Actor::of(ctx.user()), id = *id, now = clock_.now()](Connection& c) -> Status {
    auto creator = invite_creator(c, id);
    if (!creator) return creator.error();
    if (!*creator || !can_revoke_invite(me, **creator)) return ApiError::not_found("There is no such invite.");
    if (auto s = auth::revoke_invite(c, id, now); !s) return s;
    return audit(c, me.user_id, "invite.revoke", "invite:" + std::to_string(id), json::object(), now);
  };
  HUB_TRY(done, co_await db_.write(done_job));
  co_return json_response(200, {{"id", *id}, {"status", "revoked"}});
}

boost::asio::awaitable<http::Response> AccountRoutes::change_role(Request& req, Context& ctx) {
  const Actor me = Actor::of(ctx.user());
  if (!can_change_role(me, 0)) co_return error_response(ApiError::forbidden("Only an admin changes roles."));
  HUB_TRY(handle, normalize_handle(req.param("handle")));
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(role, http::string_field(*body, "role", 1, 16));
  if (!is_valid_role(*role))
    co_return error_response(ApiError::invalid_field("role", "role must be member, mentor or admin."));
  struct Changed {
    User user;
    UserCredentials credentials;
  };
  auto change_job = [me, h = *handle, r = *role, now = clock_.now()](Connection& c) -> Result<Changed> {
    auto login = find_login(c, h);
    if (!login) return login.error();
    if (!*login) return ApiError::not_found("No user has that handle.");
    const std::int64_t id = (*login)->user_id;
    if (!can_change_role(me, id)) return ApiError::forbidden("You cannot change your own role; ask another admin.");
    auto credentials = set_user_role(c, id, r);
    if (!credentials) return credentials.error();
    if (auto s = audit(c, me.user_id, "user.role", "user:" + std::to_string(id), {{"role", r}}, now); !s)
      return s.error();
    auto user = get_user(c, id);
    if (!user) return user.error();
    return Changed{std::move(*user), std::move(*credentials)};
  };
  HUB_TRY(changed, co_await db_.write(change_job));
  // Cached principals carry the old role: forget them, so the next request reads the new one.
  for (const auto& key : changed->credentials.sessions) authenticator_.forget(CredentialKind::session, key);
  for (const auto& key : changed->credentials.tokens) authenticator_.forget(CredentialKind::token, key);
  const User& u = changed->user;
  co_return json_response(200, {{"user", {{"id", u.id}, {"handle", u.handle}, {"display_name", u.display_name}, {"role", u.role}}}});
}

}  // namespace hub::auth
