#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "bridge/admin_routes.hpp"

#include <nlohmann/json.hpp>

#include "bridge/hub_link.hpp"
#include "bridge/mappings.hpp"
#include "bridge/outbox.hpp"
#include "bridge/policy.hpp"
#include "hub/auth/account_store.hpp"
#include "hub/discussion/channel_store.hpp"
#include "hub/http/error.hpp"
#include "hub/http/json_body.hpp"

namespace hub::bridge {

using http::Access;
using http::ApiError;
using http::Method;
using nlohmann::json;

namespace {

json optional_time(const std::optional<std::int64_t>& t) { return t ? json(format_rfc3339(*t)) : json(nullptr); }

// A mapping as the admin page lists it, with its channel's name and its outbox in numbers.
Result<json> describe(Connection& db, const Mapping& m, std::int64_t now) {
  json out;
  out["id"] = m.id;
  out["channel_id"] = m.channel_id;
  auto channel = discussion::visible_channel(db, auth::Actor{m.created_by, auth::Role::admin, {}}, m.channel_id);
  out["channel_name"] = channel ? json(channel->name) : json(nullptr);
  out["network"] = discussion::network_name(m.network);
  out["remote_id"] = m.remote_room;
  out["created_at"] = format_rfc3339(m.created_at);
  out["last_in"] = optional_time(m.last_in_at);
  out["last_out"] = optional_time(m.last_out_at);
  out["status"] = m.status;
  auto s = db.prepare(
      "SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'parked'), "
      "min(created_at) FILTER (WHERE state = 'pending') FROM bridge_outbox WHERE network = ?1 AND channel_id = ?2");
  s.bind(1, discussion::network_name(m.network)).bind(2, m.channel_id);
  auto row = s.step();
  if (!row) return row.error();
  out["pending"] = s.int64(0);
  out["parked_count"] = s.int64(1);
  // Lag: how long the oldest message still waiting has waited, in seconds (0 when none waits).
  out["lag"] = s.is_null(2) ? 0 : std::max<std::int64_t>(now - s.int64(2), 0);
  return out;
}

Result<json> status_of(Connection& db, const Mapping& m, std::int64_t now) {
  auto out = describe(db, m, now);
  if (!out) return out.error();
  json errors = json::array();
  if (!m.status.empty()) errors.push_back({{"seq", nullptr}, {"attempts", nullptr}, {"error", m.status}});
  auto failing = db.prepare(
      "SELECT seq, attempts, last_error FROM bridge_outbox WHERE network = ?1 AND channel_id = ?2 "
      "AND state = 'pending' AND attempts > 0 ORDER BY seq LIMIT 50");
  failing.bind(1, discussion::network_name(m.network)).bind(2, m.channel_id);
  auto rows = failing.each_row([&] {
    errors.push_back({{"seq", failing.int64(0)}, {"attempts", failing.int64(1)}, {"error", failing.text(2)}});
  });
  if (!rows) return rows.error();
  json parked = json::array();
  auto p = db.prepare(
      "SELECT id, seq, attempts, last_error FROM bridge_outbox WHERE network = ?1 AND channel_id = ?2 "
      "AND state = 'parked' ORDER BY seq LIMIT 200");
  p.bind(1, discussion::network_name(m.network)).bind(2, m.channel_id);
  auto parked_rows = p.each_row([&] {
    parked.push_back({{"id", p.text(0)}, {"seq", p.int64(1)}, {"attempts", p.int64(2)}, {"error", p.text(3)}});
  });
  if (!parked_rows) return parked_rows.error();
  (*out)["errors"] = std::move(errors);
  (*out)["parked"] = std::move(parked);
  return out;
}

Result<Mapping> existing(Connection& db, std::int64_t id) {
  auto m = find_mapping(db, id);
  if (!m) return m.error();
  if (!*m) return ApiError::not_found("No such mapping.");
  return std::move(**m);
}

}  // namespace

void AdminRoutes::add_to(http::Router& router) {
  using http::member_handler;
  router.add(Method::get, "/api/bridge/mappings", {Access::user, 0}, member_handler(this, &AdminRoutes::list));
  router.add(Method::post, "/api/bridge/mappings", {Access::user, 1024}, member_handler(this, &AdminRoutes::create));
  router.add(Method::delete_, "/api/bridge/mappings/{id}", {Access::user, 0},
             member_handler(this, &AdminRoutes::remove));
  router.add(Method::get, "/api/bridge/mappings/{id}/status", {Access::user, 0},
             member_handler(this, &AdminRoutes::status));
  router.add(Method::post, "/api/bridge/parked/{id}/retry", {Access::user, 64},
             member_handler(this, &AdminRoutes::retry));
}

nlohmann::json AdminRoutes::warnings() const {
  json out = json::array();
  if (!links_back_) out.push_back(kLinksBackWarning);
  return out;
}

boost::asio::awaitable<http::Response> AdminRoutes::list(Request&, Context& ctx) {
  if (!can_manage_bridges(auth::Actor::of(ctx.user()))) co_return error_response(ApiError::forbidden());
  auto list_job = [now = clock_.now()](Connection& c) -> Result<json> {
    auto all = list_mappings(c, std::nullopt);
    if (!all) return all.error();
    json items = json::array();
    for (const auto& m : *all) {
      auto one = describe(c, m, now);
      if (!one) return one.error();
      items.push_back(std::move(*one));
    }
    return json{{"items", std::move(items)}};
  };
  HUB_TRY(items, co_await db_.read(list_job));
  (*items)["warnings"] = warnings();
  co_return http::json_response(200, *items);
}

boost::asio::awaitable<http::Response> AdminRoutes::create(Request& req, Context& ctx) {
  const auth::Actor actor = auth::Actor::of(ctx.user());
  if (!can_manage_bridges(actor)) co_return error_response(ApiError::forbidden());
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(channel_id, http::int_field(*body, "channel_id", 1, INT64_MAX));
  HUB_TRY(network_name, http::string_field(*body, "network", 1, 16));
  const auto network = discussion::parse_network(*network_name);
  if (!network || *network == Network::hub)
    co_return error_response(ApiError::invalid_field("network", "Network must be \"matrix\" or \"slack\"."));
  HUB_TRY(remote_id, http::string_field(*body, "remote_id", 1, 255));
  // The remote's own id shapes: a Matrix room id "!opaque:server", a Slack channel id "C…"/"G…".
  const std::string& room = *remote_id;
  const bool shaped = *network == Network::matrix
                          ? room.size() > 3 && room[0] == '!' && room.find(':') != std::string::npos
                          : room.size() >= 2 && room.size() <= 32 && (room[0] == 'C' || room[0] == 'G') &&
                                room.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == std::string::npos;
  if (!shaped)
    co_return error_response(ApiError::invalid_field(
        "remote_id", *network == Network::matrix ? "A Matrix room id looks like !abc123:example.org."
                                                 : "A Slack channel id looks like C0123ABCD."));
  auto create_job = [actor, channel = *channel_id, network = *network, room, now = clock_.now()](
                        Connection& c) -> Result<json> {
    auto ch = discussion::visible_channel(c, actor, channel);
    if (!ch) return ApiError::invalid_field("channel_id", "No such channel.");
    auto m = add_mapping(c, channel, network, room, actor.user_id, now);
    if (!m) return m.error();
    if (auto s = auth::audit(c, actor.user_id, "bridge.map", "channel:" + std::to_string(channel),
                             {{"network", discussion::network_name(network)}, {"remote_id", room}}, now);
        !s)
      return s.error();
    return describe(c, *m, now);
  };
  HUB_TRY(made, co_await db_.write(create_job));
  if (wake_) wake_();
  if (!links_back_) warn_no_links_back_once();
  co_return http::json_response(201, {{"mapping", *made}});
}

boost::asio::awaitable<http::Response> AdminRoutes::remove(Request& req, Context& ctx) {
  const auth::Actor actor = auth::Actor::of(ctx.user());
  if (!can_manage_bridges(actor)) co_return error_response(ApiError::forbidden());
  auto id = req.id_param("id");
  if (!id) co_return error_response(ApiError::not_found("No such mapping."));
  auto remove_job = [actor, id = *id, now = clock_.now()](Connection& c) -> Result<bool> {
    auto m = existing(c, id);
    if (!m) return m.error();
    if (auto s = remove_mapping(c, id); !s) return s.error();
    // What was still waiting for that room is not sent: mirroring stopped. The id map stays.
    auto drop = c.prepare("DELETE FROM bridge_outbox WHERE network = ?1 AND channel_id = ?2 AND state != 'sent'");
    drop.bind(1, discussion::network_name(m->network)).bind(2, m->channel_id);
    if (auto s = drop.run(); !s) return s.error();
    if (auto s = auth::audit(c, actor.user_id, "bridge.unmap", "channel:" + std::to_string(m->channel_id),
                             {{"network", discussion::network_name(m->network)}, {"remote_id", m->remote_room}}, now);
        !s)
      return s.error();
    return true;
  };
  HUB_TRY(done, co_await db_.write(remove_job));
  co_return http::empty_response(204);
}

boost::asio::awaitable<http::Response> AdminRoutes::status(Request& req, Context& ctx) {
  if (!can_manage_bridges(auth::Actor::of(ctx.user()))) co_return error_response(ApiError::forbidden());
  auto id = req.id_param("id");
  if (!id) co_return error_response(ApiError::not_found("No such mapping."));
  auto status_job = [id = *id, now = clock_.now()](Connection& c) -> Result<json> {
    auto m = existing(c, id);
    if (!m) return m.error();
    return status_of(c, *m, now);
  };
  HUB_TRY(out, co_await db_.read(status_job));
  (*out)["warnings"] = warnings();
  co_return http::json_response(200, *out);
}

boost::asio::awaitable<http::Response> AdminRoutes::retry(Request& req, Context& ctx) {
  const auth::Actor actor = auth::Actor::of(ctx.user());
  if (!can_manage_bridges(actor)) co_return error_response(ApiError::forbidden());
  const std::string id(req.param("id"));
  if (id.empty() || id.size() > 64) co_return error_response(ApiError::not_found("No parked message with that id."));
  auto retry_job = [actor, id, now = clock_.now()](Connection& c) -> Result<bool> {
    if (auto s = retry_parked(c, id, now); !s) return s.error();
    if (auto s = auth::audit(c, actor.user_id, "bridge.retry", "outbox:" + id, json::object(), now); !s)
      return s.error();
    return true;
  };
  HUB_TRY(done, co_await db_.write(retry_job));
  if (wake_) wake_();
  co_return http::json_response(200, {{"queued", *done}});
}

}  // namespace hub::bridge
