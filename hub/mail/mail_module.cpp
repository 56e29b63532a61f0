#include "hub/mail/mail_module.hpp"

#include <chrono>

#include "hub/auth/account_store.hpp"
#include "hub/auth/secrets.hpp"
#include "hub/http/json_body.hpp"
#include "hub/http/route_credential.hpp"
#include "hub/mail/outbox.hpp"
#include "hub/mail/policy.hpp"

namespace hub::mail {
namespace {

using http::error_response;
using http::json_response;
using nlohmann::json;

// RFC 8058's one-click POST comes from a mail provider with no cookie and no Origin: the signed
// token in the URL is its credential (DESIGN.md, routes that authenticate themselves). The
// handler checks it again for its claim, and spends its nonce.
class UnsubscribeTokenCredential final : public http::RouteCredential {
 public:
  UnsubscribeTokenCredential(const UnsubscribeSigner& signer, const Clock& clock) : signer_(signer), clock_(clock) {}
  std::optional<http::Response> refusal(const http::Request& request) const override {
    auto claim = signer_.verify(request.query_param("token"), clock_.now());
    if (!claim) return error_response(claim.error());
    return std::nullopt;
  }

 private:
  const UnsubscribeSigner& signer_;
  const Clock& clock_;
};

ApiError mail_off() {
  return ApiError::conflict("Mail is off on this hub: an admin sets [mail] smtp_url in the config to turn it on.");
}

// Reads the optional fields of a PUT /api/me/mail body over `p`.
Status apply_preferences(const json& body, Preferences& p) {
  auto address = http::optional_string_field(body, "address", kMaxAddressLength + 1);
  if (!address) return address.error();
  if (*address) {
    if (!(*address)->empty())
      if (auto s = check_address(**address, "address"); !s) return s;
    p.address = **address;
  }
  auto digest = http::optional_string_field(body, "digest", 8);
  if (!digest) return digest.error();
  if (*digest) {
    if (**digest != "daily" && **digest != "weekly" && **digest != "off")
      return ApiError::invalid_field("digest", "digest must be daily, weekly or off.");
    p.digest = **digest;
  }
  for (auto [name, target] : {std::pair{"mentions", &p.mentions}, std::pair{"review_requests", &p.review_requests},
                              std::pair{"reviews", &p.reviews},
                              std::pair{"renewals", &p.renewals}, std::pair{"mentees", &p.mentees}}) {
    if (!body.contains(name)) continue;
    auto v = http::bool_field(body, name);
    if (!v) return v.error();
    *target = *v;
  }
  return http::Ok{};
}

}  // namespace

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

MailModule::MailModule(store::Executor& db, http::CpuPool& cpu, const Clock& clock, auth::Membership& membership,
                       MailOptions options)
    : db_(db),
      cpu_(cpu),
      clock_(clock),
      membership_(membership),
      options_(std::move(options)),
      signer_(options_.unsubscribe_key),
      mentions_(db, *this, membership),
      digests_(db, *this, membership),
      review_requests_(*this, membership) {
  if (!options_.records_key.empty()) {  // the key lives in the reader only
    pipelines_ = std::make_unique<SealedPipelineReader>(std::exchange(options_.records_key, {}), options_.quiet_weeks);
    digests_.read_pipelines_through(pipelines_.get());
  }
}

MailModule::~MailModule() { stop_sender(); }

void MailModule::set_link_origin(std::string origin) { options_.link_origin = std::move(origin); }

void MailModule::start_sender() {
  transport_ = std::make_unique<SmtpTransport>(options_.smtp);
  sender_ = std::make_unique<MailSender>(db_, *transport_, options_.identity.from_address, options_.retry,
                                         system_now_ms, options_.poll_ms);
  sender_->add_producer([this] { mentions_.run_once(); });
  sender_->add_producer([this] { digests_.run_scheduled(clock_.now(), options_.digest_hour_utc); });
  sender_->start();
}

void MailModule::stop_sender() {
  if (sender_) sender_->stop();
}

Draft MailModule::draft_for_member(std::int64_t user_id, const std::string& kind, const Preferences& to) const {
  Draft d;
  d.kind = kind;
  d.user_id = user_id;
  d.to_address = to.address;
  const std::string token = signer_.sign(user_id, kind, clock_.now() + options_.unsubscribe_ttl_s);
  d.unsubscribe_url = options_.link_origin + "/api/unsubscribe?token=" + token;
  d.unsubscribe_page_url = options_.link_origin + "/unsubscribe?token=" + token;
  d.preferences_url = options_.link_origin + "/account";
  return d;
}

void MailModule::add_to(http::Router& router) {
  using http::Access;
  using http::member_handler;
  using http::Method;
  router.add(Method::get, "/api/me/mail", {Access::user, 0}, member_handler(this, &MailModule::get_preferences));
  router.add(Method::put, "/api/me/mail", {Access::user, 2048}, member_handler(this, &MailModule::put_preferences));
  router.add(Method::get, "/api/unsubscribe", {Access::anyone, 0},
             member_handler(this, &MailModule::describe_unsubscribe));
  // RFC 8058: mail providers POST `List-Unsubscribe=One-Click` as a form, with no cookie and no
  // Origin; the signed token in the URL is the credential.
  http::RouteOptions one_click{Access::anyone, 1024};
  one_click.credential = std::make_shared<UnsubscribeTokenCredential>(signer_, clock_);
  router.add(Method::post, "/api/unsubscribe", one_click,
             member_handler(this, &MailModule::unsubscribe));
  router.add(Method::get, "/api/admin/mail/outbox", {Access::user, 0}, member_handler(this, &MailModule::outbox));
  router.add(Method::post, "/api/admin/mail/outbox/{id}/retry", {Access::user, 64},
             member_handler(this, &MailModule::retry));
  router.add(Method::post, "/api/admin/mail/digests", {Access::user, 64},
             member_handler(this, &MailModule::digests_now));
}

boost::asio::awaitable<http::Response> MailModule::get_preferences(Request&, Context& ctx) {
  if (!can_manage_own_mail(auth::Actor::of(ctx.user())))
    co_return error_response(ApiError::forbidden());
  auto prefs_job = [id = ctx.user().user_id](Connection& c) { return load_preferences(c, id); };
  HUB_TRY(prefs, co_await db_.read(prefs_job));
  json out = prefs->to_json();
  out["enabled"] = options_.enabled;
  co_return json_response(200, out);
}

boost::asio::awaitable<http::Response> MailModule::put_preferences(Request& req, Context& ctx) {
  if (!can_manage_own_mail(auth::Actor::of(ctx.user())))
    co_return error_response(ApiError::forbidden());
  HUB_TRY(body, http::parse_json_object(req.body));
  const std::int64_t id = ctx.user().user_id, now = clock_.now();
  auto save_job = [b = *body, id, now](Connection& c) -> Result<Preferences> {
    auto p = load_preferences(c, id);
    if (!p) return p.error();
    if (auto s = apply_preferences(b, *p); !s) return s.error();
    if (auto s = save_preferences(c, id, *p, now); !s) return s.error();
    return p;
  };
  HUB_TRY(prefs, co_await db_.write(save_job));
  json out = prefs->to_json();
  out["enabled"] = options_.enabled;
  co_return json_response(200, out);
}

boost::asio::awaitable<http::Response> MailModule::describe_unsubscribe(Request& req, Context&) {
  HUB_TRY(claim, signer_.verify(req.query_param("token"), clock_.now()));
  auto used_job = [nonce = claim->nonce](Connection& c) -> Result<bool> {
    auto st = c.prepare("SELECT 1 FROM mail_unsubscribe_used WHERE nonce = ?");
    st.bind(1, std::string_view(nonce));
    return st.step();
  };
  HUB_TRY(used, co_await db_.read(used_job));
  co_return json_response(200, {{"kind", claim->kind}, {"used", *used}});
}

boost::asio::awaitable<http::Response> MailModule::unsubscribe(Request& req, Context&) {
  HUB_TRY(claim, signer_.verify(req.query_param("token"), clock_.now()));
  const std::int64_t now = clock_.now();
  auto off_job = [c = *claim, now](Connection& db) -> Result<bool> {
    if (auto s = use_unsubscribe_nonce(db, c.nonce, now); !s) return s.error();
    if (auto s = turn_off(db, c.user_id, c.kind, now); !s) return s.error();
    return true;
  };
  HUB_TRY(done, co_await db_.write(off_job));
  co_return json_response(200, {{"kind", claim->kind}, {"unsubscribed", *done}});
}

boost::asio::awaitable<http::Response> MailModule::outbox(Request&, Context& ctx) {
  if (!can_run_mail(auth::Actor::of(ctx.user()))) co_return error_response(ApiError::forbidden());
  auto summary_job = [](Connection& c) { return outbox_summary(c); };
  HUB_TRY(summary, co_await db_.read(summary_job));
  (*summary)["enabled"] = options_.enabled;
  co_return json_response(200, *summary);
}

boost::asio::awaitable<http::Response> MailModule::retry(Request& req, Context& ctx) {
  if (!can_run_mail(auth::Actor::of(ctx.user()))) co_return error_response(ApiError::forbidden());
  auto id = req.id_param("id");
  if (!id) co_return error_response(ApiError::not_found("No parked message with that id."));
  const std::int64_t now_ms = clock_.now() * 1000, actor = ctx.user().user_id, now = clock_.now();
  auto retry_job = [id = *id, now_ms, actor, now](Connection& c) -> Result<bool> {
    if (auto s = retry_parked(c, id, now_ms); !s) return s.error();
    if (auto s = auth::audit(c, actor, "mail.retry", "mail:" + std::to_string(id), json::object(), now); !s)
      return s.error();
    return true;
  };
  HUB_TRY(done, co_await db_.write(retry_job));
  if (sender_) sender_->wake();
  co_return json_response(200, {{"queued", *done}});
}

boost::asio::awaitable<http::Response> MailModule::digests_now(Request&, Context& ctx) {
  if (!can_run_mail(auth::Actor::of(ctx.user()))) co_return error_response(ApiError::forbidden());
  if (!options_.enabled) co_return error_response(mail_off());
  const std::int64_t now = clock_.now();
  // Every member who wants a digest gets one covering their period, whatever the schedule.
  // Blocking DB work: on the CPU pool, never the network thread.
  auto build_job = [this, now]() -> Result<int> {
    const std::string run = std::to_string(now) + ":" + auth::random_token(6);
    auto digests = digests_.build({"any", "manual:" + run, now - 7 * 86400});
    if (!digests) return digests.error();
    auto summaries = digests_.build({"mentees", "manual-mentees:" + run, now - 7 * 86400});
    if (!summaries) return summaries.error();
    return *digests + *summaries;
  };
  HUB_TRY(queued, co_await cpu_.run(build_job));
  if (sender_) sender_->wake();
  co_return json_response(202, {{"queued", *queued}});
}

http::Status MailModule::check(const std::string& email, const std::string& name) const {
  if (!options_.enabled) return mail_off();
  if (auto s = check_address(email, "email"); !s) return s;
  return check_header_text(name, "name", kMaxNameBytes);
}

Result<std::string> MailModule::queue(Connection& db, const auth::InviteLetter& letter, std::int64_t now) const {
  Draft d;
  d.kind = "invitation";
  d.to_address = letter.email;
  d.to_name = letter.name;
  d.subject = "You are invited to cohorthub";
  const std::string link = options_.link_origin + "/register?code=" + letter.code;
  d.markdown = letter.inviter_handle + " invites you to join the cohorthub of their cohort as a " + letter.role +
               ".\n\n[Create your account](<" + link + ">)\n\nOr open this address: " + link +
               "\n\nThe invitation works once and expires on " + format_date(letter.expires) +
               ". If you did not expect it, ignore this mail: nothing happens without you.\n";
  auto message = prepare_message(d, options_.identity, now);
  if (!message) return message.error();
  if (auto s = enqueue(db, *message, now * 1000); !s) return s.error();
  return message->message_id;
}

void MailModule::wake() const {
  if (sender_) sender_->wake();
}

}  // namespace hub::mail
