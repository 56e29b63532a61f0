#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "bridge/matrix/appservice_routes.hpp"

#include "bridge/id_map.hpp"
#include "bridge/log.hpp"
#include "bridge/loop_guard.hpp"
#include "bridge/mappings.hpp"
#include "bridge/matrix/html_tokens.hpp"
#include "bridge/matrix/matrix_store.hpp"
#include "hub/auth/account_store.hpp"
#include "hub/discussion/message_store.hpp"
#include "hub/http/json_body.hpp"

namespace hub::bridge::matrix {
namespace {

using http::Result;
using nlohmann::json;

constexpr std::size_t kMaxIdBytes = 255;
constexpr std::size_t kMaxTransactionBytes = 8 << 20;  // 100 events of up to 64 KiB, and room to spare
constexpr std::size_t kMaxEvents = 1000;

const json& field(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  const auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

bool valid_id(std::string_view id) { return !id.empty() && id.size() <= kMaxIdBytes; }


// A refusal of the seam (a policy or a bad field) is a reason to skip; a hub failure is an error.
Result<std::string> skip_or_fail(const http::ApiError& e, std::string_view what) {
  if (e.status >= 500) return e;
  return std::string(what) + ": " + e.message;
}

// The hub message an event id was bridged to, if any.
template <class Db>
boost::asio::awaitable<Result<std::optional<std::int64_t>>> hub_message(Db& db, std::string event_id) {
  auto job = [&event_id](store::Connection& c) { return hub_message_for(c, Network::matrix, event_id); };
  co_return co_await db.read(job);
}

}  // namespace

http::Response matrix_error(int status, std::string_view errcode, std::string_view error) {
  return http::json_response(status, {{"errcode", errcode}, {"error", error}});
}

void AppserviceRoutes::add_to(http::Router& router) {
  http::BearerTokenOptions token;
  token.expected = [this] { return options_.hs_token; };
  token.missing = [] { return matrix_error(401, "M_UNAUTHORIZED", "The homeserver's hs_token is required."); };
  token.wrong = [] { return matrix_error(403, "M_FORBIDDEN", "That is not this appservice's hs_token."); };
  auto credential = http::bearer_token(std::move(token));
  using http::Access;
  using http::Method;
  router.add(Method::put, "/_matrix/app/v1/transactions/{txnId}", {Access::anyone, kMaxTransactionBytes, credential},
             http::member_handler(this, &AppserviceRoutes::put_transaction));
  router.add(Method::get, "/_matrix/app/v1/users/{userId}", {Access::anyone, 0, credential},
             http::member_handler(this, &AppserviceRoutes::get_user));
  router.add(Method::get, "/_matrix/app/v1/rooms/{roomAlias}", {Access::anyone, 0, credential},
             http::member_handler(this, &AppserviceRoutes::get_room));
  router.add(Method::post, "/_matrix/app/v1/ping", {Access::anyone, 1024, credential},
             http::member_handler(this, &AppserviceRoutes::ping));
}

boost::asio::awaitable<http::Response> AppserviceRoutes::put_transaction(http::Request& req, http::Context&) {
  const std::string txn(req.param("txnId"));
  if (!valid_id(txn)) co_return matrix_error(400, "M_INVALID_PARAM", "A transaction id of 1 to 255 bytes is required.");
  auto body = http::parse_json_object(req.body);
  if (!body) co_return matrix_error(400, "M_NOT_JSON", body.error().message);
  const json& events = field(*body, "events");
  if (!events.is_array()) co_return matrix_error(400, "M_BAD_JSON", "A transaction needs an events array.");
  if (events.size() > kMaxEvents) co_return matrix_error(400, "M_BAD_JSON", "Too many events in one transaction.");

  auto seen_job = [&txn](store::Connection& c) { return delivered(c, txn); };
  auto seen = co_await db_.read(seen_job);
  if (!seen) co_return matrix_error(500, "M_UNKNOWN", "The hub could not check the transaction.");
  if (*seen) co_return http::json_response(200, json::object());  // applied before: acknowledge only

  // Each event is idempotent by its event id, so a transaction cut short and retried applies
  // every event once; the txnId is recorded when all of them are in.
  for (const auto& event : events) {
    auto applied = co_await apply_event(event);
    if (!applied) co_return matrix_error(500, "M_UNKNOWN", "The hub could not apply the transaction; retry it.");
    if (!applied->empty()) log_reason("info", "matrix", "inbound event skipped", *applied);
  }
  auto record = [&txn, now = clock_.now()](store::Connection& c) { return first_delivery(c, Network::matrix, txn, now); };
  if (auto r = co_await db_.write(record); !r)
    co_return matrix_error(500, "M_UNKNOWN", "The hub could not record the transaction; retry it.");
  co_return http::json_response(200, json::object());
}

boost::asio::awaitable<Result<std::string>> AppserviceRoutes::apply_event(const json& event) {
  const auto type = string_field(event, "type"), event_id = string_field(event, "event_id"),
             room = string_field(event, "room_id"), sender = string_field(event, "sender");
  const json& content = field(event, "content");
  if (!valid_id(type) || !valid_id(event_id) || !valid_id(room) || !valid_id(sender) || !content.is_object())
    co_return std::string("a malformed event (type, event_id, room_id, sender and content are required)");
  if (event.contains("state_key")) {
    if (type == "m.room.member" && string_field(event, "state_key") == options_.bot_user_id())
      co_return co_await note_bot_membership(event);
    if (type == "m.room.member") co_return co_await note_member(event);
    co_return std::string("a state event");
  }
  const InboundFacts facts{std::string(sender), content.contains(kProvenanceKey)};
  const OwnIdentities own = options_.own_identities();
  if (auto echo = echo_reason(facts, own)) co_return "an echo: " + *echo;
  if (type != "m.room.message" && type != "m.reaction" && type != "m.room.redaction")
    co_return "an event type the bridge does not carry (" + std::string(utf8_prefix(type, 64)) + ")";

  auto mapping_job = [room = std::string(room)](store::Connection& c) {
    return mapping_for_room(c, Network::matrix, room);
  };
  auto mapping = co_await db_.read(mapping_job);
  if (!mapping) co_return mapping.error();
  if (!*mapping) co_return std::string("a room mapped to no channel");

  const std::string sender_id(sender);
  auto actor = co_await ghost_of(sender_id);
  if (!actor) co_return skip_or_fail(actor.error(), "no ghost for the sender");

  Result<std::string> outcome;
  if (type == "m.room.message") outcome = co_await apply_message(event, (*mapping)->channel_id, *actor);
  else if (type == "m.reaction") outcome = co_await apply_reaction(event, *actor);
  else outcome = co_await apply_redaction(event, *actor);
  if (outcome && outcome->empty()) {
    // Traffic clears the status, except the bot's removal: that stays until it is back.
    std::string removed;
    if (MatrixConnector* connector = connector_()) {
      std::string room_id(room);
      auto why = co_await connector->removed_from(std::move(room_id));
      if (!why) co_return why.error();
      removed = std::move(*why);
    }
    auto traffic = [id = (*mapping)->id, now = clock_.now(), &removed](store::Connection& c) -> http::Status {
      if (auto s = note_traffic(c, id, Direction::in, now); !s) return s;
      if (!removed.empty()) return set_status(c, id, removed);
      return http::Ok{};
    };
    if (auto s = co_await db_.write(traffic); !s) co_return s.error();
  }
  co_return outcome;
}

boost::asio::awaitable<Result<std::int64_t>> AppserviceRoutes::ghost_of(const std::string& sender) {
  auto known_job = [&sender](store::Connection& c) { return find_user(c, sender); };
  auto known = co_await db_.read(known_job);
  if (!known) co_return known.error();
  if (*known && (*known)->ghost_id) co_return *(*known)->ghost_id;
  // A display name from a membership event, else the local part: "@ana:hs.example" -> "ana".
  std::string display = *known ? (*known)->display_name : std::string();
  if (display.empty()) display = sender.substr(1, sender.find(':') == std::string::npos ? std::string::npos : sender.find(':') - 1);
  discussion::Ghost ghost{Network::matrix, sender, display};
  auto id = co_await seam_.ghost(std::move(ghost));
  if (!id) co_return id.error();
  auto remember = [&sender, id = *id](store::Connection& c) -> Status {
    auto user = auth::get_user(c, id);
    if (!user) return user.error();
    return remember_user(c, {sender, id, user->handle, ""});
  };
  if (auto s = co_await db_.write(remember); !s) co_return s.error();
  co_return *id;
}

boost::asio::awaitable<Result<std::string>> AppserviceRoutes::note_member(const json& event) {
  const std::string user(string_field(event, "state_key"));
  const std::string display(utf8_prefix(string_field(field(event, "content"), "displayname"), 100));
  if (!valid_id(user) || display.empty()) co_return std::string("a membership without a display name");
  const OwnIdentities own = options_.own_identities();
  if (echo_reason({user, false}, own)) co_return std::string("one of our own users' membership");
  auto remember = [&](store::Connection& c) { return remember_user(c, {user, std::nullopt, "", display}); };
  if (auto s = co_await db_.write(remember); !s) co_return s.error();
  // A ghost that exists takes the new name at once.
  auto known_job = [&user](store::Connection& c) { return find_user(c, user); };
  auto known = co_await db_.read(known_job);
  if (!known) co_return known.error();
  if (*known && (*known)->ghost_id) {
    discussion::Ghost ghost{Network::matrix, user, display};
    auto renamed = co_await seam_.ghost(std::move(ghost));
    if (!renamed) co_return skip_or_fail(renamed.error(), "renaming the ghost");
  }
  co_return std::string("a membership (display name noted)");
}

boost::asio::awaitable<Result<std::string>> AppserviceRoutes::note_bot_membership(const json& event) {
  const std::string room(string_field(event, "room_id")), sender(string_field(event, "sender"));
  const json& content = field(event, "content");
  const std::string membership(utf8_prefix(string_field(content, "membership"), 32));
  auto mapping_job = [&room](store::Connection& c) { return mapping_for_room(c, Network::matrix, room); };
  auto mapping = co_await db_.read(mapping_job);
  if (!mapping) co_return mapping.error();
  if (!*mapping) co_return std::string("the bot's membership in a room mapped to no channel");
  MatrixConnector* connector = connector_();
  if (!connector) co_return std::string("the bot's membership, before the bridge started");
  const std::int64_t id = (*mapping)->id;
  if (membership == "leave" || membership == "ban") {
    std::string why = membership == "ban" ? "the bot was banned from the room by " + sender
                      : sender == options_.bot_user_id() ? std::string("the bot left the room")
                                                         : "the bot was removed from the room by " + sender;
    const auto reason = string_field(content, "reason");
    if (!reason.empty()) why += " (\"" + std::string(utf8_prefix(reason, 200)) + "\")";
    why += membership == "ban" ? ": unban it and invite it back" : ": invite it back";
    why += ": its parked messages then go out";
    if (auto s = co_await connector->note_removed(id, room, why); !s) co_return s.error();
    log_reason("warn", "matrix", "bot removed", why, {{"mapping", id}});
    co_return std::string();
  }
  if (membership == "invite") co_return co_await accept_invite(room);
  if (membership == "join") {
    if (auto s = co_await connector->note_back(id, room); !s) co_return s.error();
    co_return std::string();
  }
  co_return "the bot's membership is now " + membership;
}

boost::asio::awaitable<Result<std::string>> AppserviceRoutes::accept_invite(const std::string& room) {
  auto mapping_job = [&room](store::Connection& c) { return mapping_for_room(c, Network::matrix, room); };
  auto mapping = co_await db_.read(mapping_job);
  if (!mapping) co_return mapping.error();
  if (!*mapping) co_return std::string("an invite into a room mapped to no channel");
  MatrixConnector* connector = connector_();
  if (!connector) co_return std::string("an invite, before the bridge started");
  // Named: no temporaries inside co_await (g++ 12).
  std::string path = "/_matrix/client/v3/rooms/" + http::percent_encode(room) + "/join", as_bot;
  json no_body = json::object();
  auto joined = co_await connector->call(http::Method::post, std::move(path), std::move(as_bot), std::move(no_body));
  if (!joined.ok()) co_return failure_of(joined, "the bot could not accept the invite into " + room).error;
  if (auto s = co_await connector->note_back((*mapping)->id, room); !s) co_return s.error();
  log_reason("info", "matrix", "bot invited back", "joined the room", {{"mapping", (*mapping)->id}});
  co_return std::string();
}

boost::asio::awaitable<Result<std::string>> AppserviceRoutes::apply_message(const json& event, std::int64_t channel_id,
                                                                            std::int64_t actor) {
  const std::string event_id(string_field(event, "event_id")), room(string_field(event, "room_id"));
  const json& content = field(event, "content");
  const json& relates = field(content, "m.relates_to");
  const auto rel_type = string_field(relates, "rel_type");
  discussion::BridgeWrite w{Network::matrix, event_id, actor, nullptr};

  if (rel_type == "m.replace") {
    std::string replaced(string_field(relates, "event_id"));
    auto target = co_await hub_message(db_, std::move(replaced));
    if (!target) co_return target.error();
    if (!*target) co_return std::string("an edit of an event never bridged");
    auto text = hub_markdown(field(content, "m.new_content"), options_.users, discussion::kMaxBodyBytes);
    if (!text) co_return std::string("an edit without text in m.new_content");
    auto edited = co_await seam_.edit(**target, std::move(w), std::move(*text));
    if (!edited) co_return skip_or_fail(edited.error(), "the edit was refused");
    co_return std::string();
  }

  auto text = hub_markdown(content, options_.users, discussion::kMaxBodyBytes);
  if (!text) co_return std::string("a message without text");
  std::optional<std::int64_t> reply_to, thread_root;
  const bool falling_back = field(relates, "is_falling_back") == true;
  if (rel_type == "m.thread") {
    std::string root_event(string_field(relates, "event_id"));
    auto root = co_await hub_message(db_, std::move(root_event));
    if (!root) co_return root.error();
    thread_root = *root;  // a thread whose root was never bridged lands in the channel itself
  }
  const auto in_reply_to = string_field(field(relates, "m.in_reply_to"), "event_id");
  if (!in_reply_to.empty() && !(rel_type == "m.thread" && falling_back)) {
    std::string replied(in_reply_to);
    auto target = co_await hub_message(db_, std::move(replied));
    if (!target) co_return target.error();
    reply_to = *target;
  }
  w.map_row = [event_id, room](store::Connection& c, const discussion::Change& change) {
    return map_ids(c, change.message.value("id", std::int64_t{0}), Network::matrix, {room, event_id});
  };
  auto posted = co_await seam_.post(channel_id, std::move(w), std::move(*text), reply_to, thread_root);
  if (!posted) co_return skip_or_fail(posted.error(), "the message was refused");
  co_return std::string();
}

boost::asio::awaitable<Result<std::string>> AppserviceRoutes::apply_reaction(const json& event, std::int64_t actor) {
  const std::string event_id(string_field(event, "event_id")), room(string_field(event, "room_id"));
  const json& relates = field(field(event, "content"), "m.relates_to");
  const std::string key(string_field(relates, "key"));
  if (string_field(relates, "rel_type") != "m.annotation" || key.empty())
    co_return std::string("a reaction without an m.annotation key");
  std::string annotated(string_field(relates, "event_id"));
  auto target = co_await hub_message(db_, std::move(annotated));
  if (!target) co_return target.error();
  if (!*target) co_return std::string("a reaction to an event never bridged");
  const std::int64_t message_id = **target;
  discussion::BridgeWrite w{Network::matrix, event_id, actor, nullptr};
  w.map_row = [event_id, room, message_id, actor, key](store::Connection& c, const discussion::Change&) {
    return remember_reaction(c, {event_id, room, message_id, actor, key});
  };
  auto reacted = co_await seam_.react(message_id, std::move(w), key, true);
  if (!reacted) co_return skip_or_fail(reacted.error(), "the reaction was refused");
  co_return std::string();
}

boost::asio::awaitable<Result<std::string>> AppserviceRoutes::apply_redaction(const json& event, std::int64_t actor) {
  const std::string event_id(string_field(event, "event_id"));
  // Room versions up to 10 name the redacted event at the top level, version 11 in the content.
  std::string redacts(string_field(event, "redacts"));
  if (redacts.empty()) redacts = string_field(field(event, "content"), "redacts");
  if (!valid_id(redacts)) co_return std::string("a redaction that names no event");

  auto reaction_job = [&redacts](store::Connection& c) { return reaction_by_event(c, redacts); };
  auto reaction = co_await db_.read(reaction_job);
  if (!reaction) co_return reaction.error();
  if (*reaction) {
    const ReactionRow row = **reaction;
    // The reaction is taken back by whoever made it (a ghost), whoever redacted it.
    discussion::BridgeWrite w{Network::matrix, event_id, row.user_id, nullptr};
    w.map_row = [redacts](store::Connection& c, const discussion::Change&) { return forget_reaction(c, redacts); };
    auto removed = co_await seam_.react(row.message_id, std::move(w), row.emoji, false);
    if (!removed) co_return skip_or_fail(removed.error(), "the reaction's removal was refused");
    co_return std::string();
  }
  std::string redacted = redacts;
  auto target = co_await hub_message(db_, std::move(redacted));
  if (!target) co_return target.error();
  if (!*target) co_return std::string("a redaction of an event never bridged");
  discussion::BridgeWrite w{Network::matrix, event_id, actor, nullptr};
  auto removed = co_await seam_.remove(**target, std::move(w));
  if (!removed) co_return skip_or_fail(removed.error(), "the delete was refused");
  co_return std::string();
}

boost::asio::awaitable<http::Response> AppserviceRoutes::get_user(http::Request& req, http::Context&) {
  const std::string user(req.param("userId"));
  const auto handle = options_.users.handle_of(user);
  if (!handle) co_return matrix_error(404, "M_NOT_FOUND", "That user is not in this appservice's namespace.");
  struct Member {
    bool exists = false;
    std::string display_name;
  };
  auto lookup = [&handle](store::Connection& c) -> Result<Member> {
    auto login = auth::find_login(c, *handle);
    if (!login) return login.error();
    if (!*login) return Member{};
    auto ghost = discussion::ghost_network(c, (*login)->user_id);  // a ghost is someone else's user already
    if (!ghost) return ghost.error();
    if (*ghost) return Member{};
    auto u = auth::get_user(c, (*login)->user_id);
    if (!u) return u.error();
    return Member{true, u->display_name};
  };
  auto member = co_await db_.read(lookup);
  if (!member) co_return matrix_error(500, "M_UNKNOWN", "The hub could not look the user up.");
  if (!member->exists) co_return matrix_error(404, "M_NOT_FOUND", "No hub member has that handle.");
  MatrixConnector* connector = connector_();
  if (!connector) co_return matrix_error(503, "M_UNKNOWN", "The bridge is starting.");
  if (auto failed = co_await connector->ensure_ghost(*handle, member->display_name))
    co_return matrix_error(503, "M_UNKNOWN", "The user could not be registered yet.");
  co_return http::json_response(200, json::object());
}

boost::asio::awaitable<http::Response> AppserviceRoutes::ping(http::Request&, http::Context&) {
  co_return http::json_response(200, json::object());
}

boost::asio::awaitable<http::Response> AppserviceRoutes::get_room(http::Request&, http::Context&) {
  co_return matrix_error(404, "M_NOT_FOUND", "Rooms are mapped to channels by the hub's admins, not made on demand.");
}

}  // namespace hub::bridge::matrix
