#include "hub/sharing/sharing_routes.hpp"

#include <charconv>
#include <cstdio>

#include "hub/http/json_body.hpp"
#include "hub/sharing/policy.hpp"
#include "hub/sharing/vocabulary.hpp"

namespace hub::sharing {
namespace {

using http::ApiError;
using http::error_response;
using http::json_response;
using nlohmann::json;

ApiError no_such_engagement() { return ApiError::not_found("No such engagement."); }
ApiError no_such_cohort() { return ApiError::not_found("No such cohort."); }

Actor actor_of(const http::Principal& who, std::vector<std::int64_t> cohort_ids = {}) {
  return Actor::of(who, std::move(cohort_ids));
}

// The owner of engagement `id` when the policy lets `actor` do `action` to it; for anyone else the
// row does not exist (admins included).
http::Result<std::int64_t> permitted_owner(store::Connection& c, const Actor& actor, Action action, std::int64_t id) {
  auto owner = engagement_owner(c, id);
  if (!owner) return owner.error();
  if (!*owner || !allows(actor, action, {**owner, 0})) return no_such_engagement();
  return **owner;
}

// Refuses `action` unless the policy allows it; for targets that are not stored rows.
http::Status check(const http::Principal& who, Action action, Target target = {},
                   const char* refusal = "You may not do that.") {
  if (!allows(actor_of(who), action, target)) return ApiError::forbidden(refusal);
  return http::Ok{};
}

std::unique_ptr<Randomness> or_openssl(std::unique_ptr<Randomness> rng) {
  return rng ? std::move(rng) : std::make_unique<OpenSslRandomness>();
}

}  // namespace

SharingRoutes::SharingRoutes(store::Executor& db, http::CpuPool& cpu, const Clock& clock,
                             cohorts::CohortMembership& membership, const SharingOptions& options,
                             std::unique_ptr<Randomness> rng)
    : db_(db),
      clock_(clock),
      membership_(membership),
      options_(options),
      cipher_(load_key_file(options.records_key_file)),
      pseudonyms_(load_key_file(options.hmac_key_file)),
      publisher_(db, cpu, clock, cipher_, pseudonyms_, options.disclosure, or_openssl(std::move(rng))) {
  publisher_.start_schedule(options.wave_days);
}

void SharingRoutes::add_to(http::Router& router) {
  using http::Access;
  using http::Method;
  auto bind = [this](auto member) { return http::member_handler(this, member); };
  router.add(Method::post, "/api/engagements", {Access::user, 8192}, bind(&SharingRoutes::create));
  router.add(Method::get, "/api/engagements", {Access::user, 0}, bind(&SharingRoutes::list));
  router.add(Method::get, "/api/engagements/{id}", {Access::user, 0}, bind(&SharingRoutes::show));
  router.add(Method::patch, "/api/engagements/{id}", {Access::user, 8192}, bind(&SharingRoutes::update));
  router.add(Method::delete_, "/api/engagements/{id}", {Access::user, 0}, bind(&SharingRoutes::remove));
  router.add(Method::post, "/api/engagements/{id}/renewals", {Access::user, 1024}, bind(&SharingRoutes::renew));
  router.add(Method::get, "/api/rates", {Access::user, 0}, bind(&SharingRoutes::rates));
  router.add(Method::get, "/api/rates/position", {Access::user, 0}, bind(&SharingRoutes::position));
  // Admins only, decided by the policy (Action::close_wave), not by the router.
  router.add(Method::post, "/api/waves/close", {Access::user, 64}, bind(&SharingRoutes::close_wave));
  router.add(Method::get, "/api/cohorts/{id}/success", {Access::user, 0}, bind(&SharingRoutes::success));
}

std::string SharingRoutes::today() const { return format_date(clock_.now()); }

boost::asio::awaitable<http::Response> SharingRoutes::create(Request& req, Context& ctx) {
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(engagement, engagement_from_json(*body, nullptr, today()));
  const std::int64_t owner = ctx.user().user_id, now = clock_.now();
  if (auto s = check(ctx.user(), Action::create_engagement, {owner, 0}); !s) co_return error_response(s.error());
  auto insert_job = [this, e = *engagement, owner, now](store::Connection& c) {
    return insert_engagement(c, cipher_, owner, e, now);
  };
  HUB_TRY(id, co_await db_.write(insert_job));
  co_return json_response(201, {{"engagement", engagement_view(*engagement, *id, today(), options_.quiet_weeks)}});
}

boost::asio::awaitable<http::Response> SharingRoutes::list(Request& req, Context& ctx) {
  HUB_TRY(page, http::read_page(req));
  if (auto s = check(ctx.user(), Action::list_engagements, {ctx.user().user_id, 0}); !s) co_return error_response(s.error());
  auto list_job = [this, owner = ctx.user().user_id, p = *page](store::Connection& c) {
    return list_engagements(c, cipher_, owner, p);
  };
  HUB_TRY(rows, co_await db_.read(list_job));
  json items = json::array();
  const std::string day = today();
  for (const auto& [id, e] : *rows) items.push_back(engagement_view(e, id, day, options_.quiet_weeks));
  co_return json_response(200, http::page_body(std::move(items), *page));
}

boost::asio::awaitable<http::Response> SharingRoutes::show(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_engagement());
  auto find_job = [this, actor = actor_of(ctx.user()), id = *id](store::Connection& c) -> http::Result<std::optional<Engagement>> {
    auto owner = permitted_owner(c, actor, Action::read_engagement, id);
    if (!owner) return owner.error();
    return find_engagement(c, cipher_, *owner, id);
  };
  HUB_TRY(found, co_await db_.read(find_job));
  if (!*found) co_return error_response(no_such_engagement());
  co_return json_response(200, {{"engagement", engagement_view(**found, *id, today(), options_.quiet_weeks)}});
}

boost::asio::awaitable<http::Response> SharingRoutes::update(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_engagement());
  HUB_TRY(body, http::parse_json_object(req.body));
  const std::int64_t now = clock_.now();
  auto update_job = [this, b = *body, actor = actor_of(ctx.user()), now, id = *id,
                     day = today()](store::Connection& c) -> http::Result<Engagement> {
    auto owner = permitted_owner(c, actor, Action::update_engagement, id);
    if (!owner) return owner.error();
    auto found = find_engagement(c, cipher_, *owner, id);
    if (!found) return found.error();
    if (!*found) return no_such_engagement();
    auto changed = engagement_from_json(b, &**found, day);
    if (!changed) return changed.error();
    if (auto s = update_engagement(c, cipher_, *owner, id, *changed, now); !s) return s.error();
    return *changed;
  };
  HUB_TRY(engagement, co_await db_.write(update_job));
  co_return json_response(200, {{"engagement", engagement_view(*engagement, *id, today(), options_.quiet_weeks)}});
}

boost::asio::awaitable<http::Response> SharingRoutes::remove(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_engagement());
  auto delete_job = [actor = actor_of(ctx.user()), id = *id](store::Connection& c) -> http::Result<bool> {
    auto owner = permitted_owner(c, actor, Action::delete_engagement, id);
    if (!owner) return owner.error();
    return delete_engagement(c, *owner, id);
  };
  HUB_TRY(deleted, co_await db_.write(delete_job));
  if (!*deleted) co_return error_response(no_such_engagement());
  co_return http::empty_response(204);
}

boost::asio::awaitable<http::Response> SharingRoutes::renew(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_engagement());
  HUB_TRY(body, http::parse_json_object(req.body));
  const std::int64_t now = clock_.now();
  auto renew_job = [this, b = *body, actor = actor_of(ctx.user()), now, id = *id](store::Connection& c) -> http::Result<Engagement> {
    auto owner = permitted_owner(c, actor, Action::record_renewal, id);
    if (!owner) return owner.error();
    auto found = find_engagement(c, cipher_, *owner, id);
    if (!found) return found.error();
    if (!*found) return no_such_engagement();
    Engagement e = **found;
    if (auto s = add_renewal(e, b); !s) return s.error();
    if (auto s = update_engagement(c, cipher_, *owner, id, e, now); !s) return s.error();
    return e;
  };
  HUB_TRY(engagement, co_await db_.write(renew_job));
  co_return json_response(201, {{"engagement", engagement_view(*engagement, *id, today(), options_.quiet_weeks)}});
}

boost::asio::awaitable<http::Result<std::shared_ptr<const std::string>>> SharingRoutes::rates_document() {
  if (auto cached = publisher_.cached_rates()) co_return cached;
  auto load_job = [](store::Connection& c) { return last_rates_document(c); };
  auto doc = co_await db_.read(load_job);
  if (!doc) co_return doc.error();
  if (!*doc) co_return std::make_shared<const std::string>(R"({"wave":null,"tables":[]})");
  publisher_.cache_rates(**doc);
  co_return publisher_.cached_rates();
}

boost::asio::awaitable<http::Response> SharingRoutes::rates(Request&, Context& ctx) {
  if (auto s = check(ctx.user(), Action::read_rates); !s) co_return error_response(s.error());
  HUB_TRY(doc, co_await rates_document());
  http::Response r;
  r.headers.set("Content-Type", "application/json; charset=utf-8");
  r.body = **doc;
  co_return r;
}

boost::asio::awaitable<http::Response> SharingRoutes::position(Request& req, Context& ctx) {
  if (auto s = check(ctx.user(), Action::read_position); !s) co_return error_response(s.error());
  const std::string tier = req.query_param("tier"), currency = req.query_param("currency");
  const std::string amount_text = req.query_param("annual_amount");
  if (!is_one_of(tiers(), tier)) co_return error_response(ApiError::invalid_field("tier", "tier is not one of the allowed values."));
  std::int64_t amount = 0;
  auto [p, ec] = std::from_chars(amount_text.data(), amount_text.data() + amount_text.size(), amount);
  if (ec != std::errc() || p != amount_text.data() + amount_text.size() || amount < 1 || amount > kMaxAnnualAmount)
    co_return error_response(ApiError::invalid_field("annual_amount", "annual_amount must be a whole amount between 1 and 100,000,000."));
  if (!currency_table().count(currency))
    co_return error_response(ApiError::invalid_field("currency", "currency must be one of the accepted ISO 4217 codes."));
  HUB_TRY(doc, co_await rates_document());
  // Computed from the published document only: its rate table and its tier cell.
  const json published = json::parse(**doc);
  json out = {{"wave", published["wave"]}, {"tier", tier}};
  if (published["wave"].is_null()) {
    out["position"] = nullptr;
    out["reason"] = "No wave has been published yet.";
    co_return json_response(200, out);
  }
  const double rate = published["currency_table"].value(currency, 0.0);
  const double converted = static_cast<double>(amount) * rate;
  out["amount"] = std::llround(converted / 1000) * 1000;
  out["reporting_currency"] = published["reporting_currency"];
  json cell;
  for (const auto& t : published["tables"])
    if (t["dimension"] == "tier")
      for (const auto& c : t["cells"])
        if (c["key"] == tier) cell = c;
  out["cell"] = cell;
  if (!cell.contains("median")) {
    out["position"] = nullptr;
    out["reason"] = "Too few members share figures for this tier to place an amount.";
    co_return json_response(200, out);
  }
  const double med = cell["median"];
  if (cell.contains("p25") && cell.contains("p75")) {
    const double p25 = cell["p25"], p75 = cell["p75"];
    // Piecewise linear through (0,0), (p25,25), (median,50), (p75,75), (2·p75,100).
    auto lerp = [](double x, double x0, double x1, double y0, double y1) {
      return x1 > x0 ? y0 + (y1 - y0) * (x - x0) / (x1 - x0) : y1;
    };
    double pct = converted <= p25 ? lerp(converted, 0, p25, 0, 25)
                 : converted <= med ? lerp(converted, p25, med, 25, 50)
                 : converted <= p75 ? lerp(converted, med, p75, 50, 75)
                                    : std::min(99.0, lerp(converted, p75, 2 * p75, 75, 100));
    out["approx_percentile"] = std::llround(std::max(1.0, pct));
    out["position"] = converted < p25 ? "below_p25" : converted < med ? "p25_to_median" : converted < p75 ? "median_to_p75" : "above_p75";
  } else {
    out["position"] = converted < med ? "below_median" : "above_median";
  }
  co_return json_response(200, out);
}

boost::asio::awaitable<http::Response> SharingRoutes::close_wave(Request&, Context& ctx) {
  if (auto s = check(ctx.user(), Action::close_wave, {}, "Only an admin may do that."); !s) co_return error_response(s.error());
  HUB_TRY(closed, co_await publisher_.close("admin"));
  co_return json_response(201, {{"wave", {{"id", closed->id}, {"closed_at", format_rfc3339(closed->closed_at)}}}});
}

boost::asio::awaitable<http::Response> SharingRoutes::success(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_cohort());
  auto success_job = [this, who = ctx.user(), id = *id](store::Connection& c) -> http::Result<json> {
    // Outsiders are told the cohort does not exist, as for a cohort that does not.
    if (!membership_.cohort_exists(c, id)) return no_such_cohort();
    if (!allows(actor_of(who, membership_.cohorts_of(c, who.user_id)), Action::read_success, {0, id})) return no_such_cohort();
    auto body = last_success(c, id);
    if (!body) return body.error();
    if (!*body) return json{{"wave", nullptr}, {"cohort_id", id}, {"first_renewal", {{"suppressed", true}}},
                            {"survival", json::array()}, {"join_quarters", json::array()}};
    return **body;
  };
  HUB_TRY(body, co_await db_.read(success_job));
  co_return json_response(200, *body);
}

}  // namespace hub::sharing
