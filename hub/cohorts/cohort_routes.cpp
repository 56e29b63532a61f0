#include "hub/cohorts/cohort_routes.hpp"

#include "hub/auth/account_store.hpp"
#include "hub/cohorts/policy.hpp"
#include "hub/http/json_body.hpp"

namespace hub::cohorts {
namespace {

using http::error_response;
using http::json_response;
using nlohmann::json;

ApiError no_such_cohort() { return ApiError::not_found("No such cohort."); }

}  // namespace

auth::Actor actor_of(Connection& db, CohortMembership& membership, const http::Principal& who) {
  return auth::Actor::of(who, membership.cohorts_of(db, who.user_id));
}

Status check_visible(Connection& db, CohortMembership& membership, const http::Principal& who,
                     std::int64_t cohort_id) {
  if (!membership.cohort_exists(db, cohort_id)) return no_such_cohort();
  if (!can_see_cohort(actor_of(db, membership, who), cohort_id)) return no_such_cohort();
  return http::Ok{};
}

CohortRoutes::CohortRoutes(store::Executor& db, const Clock& clock, CohortMembership& membership,
                           auth::AccessWatcher& events)
    : db_(db), clock_(clock), membership_(membership), events_(events) {}

void CohortRoutes::add_to(http::Router& router) {
  using http::Access;
  using http::member_handler;
  using http::Method;
  router.add(Method::post, "/api/cohorts", {Access::user, 2048}, member_handler(this, &CohortRoutes::create));
  router.add(Method::get, "/api/cohorts", {Access::user, 0}, member_handler(this, &CohortRoutes::list));
  router.add(Method::get, "/api/cohorts/{id}", {Access::user, 0}, member_handler(this, &CohortRoutes::show));
  router.add(Method::get, "/api/cohorts/{id}/members", {Access::user, 0}, member_handler(this, &CohortRoutes::members));
  router.add(Method::post, "/api/cohorts/{id}/members", {Access::user, 1024},
             member_handler(this, &CohortRoutes::add_member));
  router.add(Method::delete_, "/api/cohorts/{id}/members/{user_id}", {Access::user, 0},
             member_handler(this, &CohortRoutes::remove_member));
}

boost::asio::awaitable<http::Response> CohortRoutes::create(Request& req, Context& ctx) {
  if (!can_create_cohort(auth::Actor::of(ctx.user())))
    co_return error_response(ApiError::forbidden("Only an admin may create cohorts."));
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(name, http::string_field(*body, "name", 1, 100));
  HUB_TRY(starts_on, http::string_field(*body, "starts_on", 10, 10));
  if (!http::is_valid_date(*starts_on))
    co_return error_response(ApiError::invalid_field("starts_on", "starts_on must be a date, YYYY-MM-DD."));
  const std::int64_t actor = ctx.user().user_id, now = clock_.now();
  auto cohort_job = [n = *name, d = *starts_on, actor, now](Connection& c) -> Result<json> {
    auto cohort = insert_cohort(c, n, d, actor, now);
    if (!cohort) return cohort.error();
    const std::string target = "cohort:" + std::to_string((*cohort)["id"].get<std::int64_t>());
    if (auto s = auth::audit(c, actor, "cohort.create", target, {{"name", n}}, now); !s) return s.error();
    return cohort;
  };
  HUB_TRY(cohort, co_await db_.write(cohort_job));
  co_return json_response(201, {{"cohort", *cohort}});
}

boost::asio::awaitable<http::Response> CohortRoutes::list(Request& req, Context& ctx) {
  HUB_TRY(page, http::read_page(req));
  std::optional<std::int64_t> member;
  if (!can_list_every_cohort(auth::Actor::of(ctx.user()))) member = ctx.user().user_id;
  auto items_job = [member, p = *page](Connection& c) { return list_cohorts(c, member, p); };
  HUB_TRY(items, co_await db_.read(items_job));
  co_return json_response(200, *items);
}

boost::asio::awaitable<http::Response> CohortRoutes::show(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_cohort());
  auto cohort_job = [this, who = ctx.user(), id = *id](Connection& c) -> Result<json> {
    if (auto s = check_visible(c, membership_, who, id); !s) return s.error();
    auto cohort = get_cohort(c, id);
    if (!cohort) return cohort.error();
    if (!*cohort) return no_such_cohort();
    return **cohort;
  };
  HUB_TRY(cohort, co_await db_.read(cohort_job));
  co_return json_response(200, {{"cohort", *cohort}});
}

boost::asio::awaitable<http::Response> CohortRoutes::members(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_cohort());
  HUB_TRY(page, http::read_page(req));
  auto items_job = [this, who = ctx.user(), id = *id, p = *page](Connection& c) -> Result<json> {
    if (auto s = check_visible(c, membership_, who, id); !s) return s.error();
    return list_members(c, id, p);
  };
  HUB_TRY(items, co_await db_.read(items_job));
  co_return json_response(200, *items);
}

boost::asio::awaitable<http::Response> CohortRoutes::add_member(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_cohort());
  if (!can_add_member(auth::Actor::of(ctx.user()), *id))
    co_return error_response(ApiError::forbidden("Only an admin may add members."));
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(handle_in, http::string_field(*body, "handle", 1, 64));
  HUB_TRY(handle, auth::normalize_handle(*handle_in));
  const std::int64_t actor = ctx.user().user_id, now = clock_.now();
  auto members_job = [this, id = *id, h = *handle, actor, now](Connection& c) -> Result<json> {
    if (!membership_.cohort_exists(c, id)) return no_such_cohort();
    auto login = auth::find_login(c, h);
    if (!login) return login.error();
    if (!*login) return ApiError::invalid_field("handle", "No user has that handle.");
    if (auto s = membership_.join(c, (*login)->user_id, id, now); !s) return s.error();
    if (auto s = auth::audit(c, actor, "cohort.add_member", "cohort:" + std::to_string(id), {{"handle", h}}, now); !s)
      return s.error();
    auto cohort = get_cohort(c, id);
    if (!cohort) return cohort.error();
    return **cohort;
  };
  HUB_TRY(members, co_await db_.write(members_job));
  co_return json_response(200, {{"cohort", *members}});
}

boost::asio::awaitable<http::Response> CohortRoutes::remove_member(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  auto user_id = req.id_param("user_id");
  if (!id || !user_id) co_return error_response(no_such_cohort());
  if (!can_remove_member(auth::Actor::of(ctx.user()), *id, *user_id))
    co_return error_response(ApiError::forbidden("Only an admin may remove members."));
  const std::int64_t actor = ctx.user().user_id, now = clock_.now();
  auto removed_job = [id = *id, user = *user_id, actor, now](Connection& c) -> Status {
    auto removed = cohorts::remove_member(c, id, user);
    if (!removed) return removed.error();
    if (!*removed) return ApiError::not_found("That user is not a member of this cohort.");
    return auth::audit(c, actor, "cohort.remove_member", "cohort:" + std::to_string(id), {{"user_id", user}}, now);
  };
  HUB_TRY(removed, co_await db_.write(removed_job));
  events_.membership_ended(*user_id, *id);
  co_return http::empty_response(204);
}

}  // namespace hub::cohorts
