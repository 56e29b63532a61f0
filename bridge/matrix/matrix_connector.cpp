#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "bridge/matrix/matrix_connector.hpp"


#include "bridge/loop_guard.hpp"
#include "bridge/mappings.hpp"
#include "bridge/matrix/html_tokens.hpp"
#include "bridge/matrix/matrix_store.hpp"
#include "bridge/outbox.hpp"

namespace hub::bridge::matrix {

namespace {

using nlohmann::json;

std::string room_path(const std::string& room) { return "/_matrix/client/v3/rooms/" + http::percent_encode(room); }

std::optional<std::int64_t> retry_after_seconds(const MatrixReply& r) {
  if (r.body.is_object()) {
    const auto ms = r.body.find("retry_after_ms");
    if (ms != r.body.end() && ms->is_number_integer() && ms->get<std::int64_t>() >= 0)
      return std::max<std::int64_t>(1, (ms->get<std::int64_t>() + 999) / 1000);
  }
  const std::string header(r.response.headers.get("Retry-After"));
  if (!header.empty() && header.size() < 10 &&
      header.find_first_not_of("0123456789") == std::string::npos)
    return std::max<std::int64_t>(1, std::stoll(header));
  return std::nullopt;
}

SendOutcome skipped(std::string why) {
  SendOutcome o;
  o.kind = SendOutcome::Kind::skipped;
  o.error = std::move(why);
  return o;
}

SendOutcome sent(std::string remote_id = {}) {
  SendOutcome o;
  o.kind = SendOutcome::Kind::sent;
  o.remote_id = std::move(remote_id);
  return o;
}

// A local failure (the database): try again later.
SendOutcome retry_later(std::string why) {
  SendOutcome o;
  o.kind = SendOutcome::Kind::retry;
  o.error = std::move(why);
  return o;
}

// `object[key]`, or null when absent (const operator[] must not be used on a missing key).
const json& member(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  const auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

// The key on everything sent for `out`, which the look-up of an earlier try finds it by: its txnId,
// which holds the event's nonce. An event written before migration 16 has none: its seq, as then.
json provenance(const Outgoing& out) {
  if (out.txn_id == outbox_id(Network::matrix, out.event.seq)) return {{"seq", out.event.seq}};
  return {{"txn", out.txn_id}};
}

// The remote cursor (bridge/mappings.hpp) that keeps why the bot is out of `room`.
std::string removal_cursor(const std::string& room) { return "bot_removed " + room; }

}  // namespace

SendOutcome failure_of(const MatrixReply& r, std::string_view what) {
  SendOutcome o;
  std::string detail = std::string(what) + ": ";
  if (!r.response.ok()) {
    o.kind = SendOutcome::Kind::retry;
    o.error = detail + std::string(http::client_error_name(r.response.error));
    return o;
  }
  detail += "HTTP " + std::to_string(r.response.status);
  if (!r.errcode.empty()) detail += " " + r.errcode;
  const auto message = string_field(r.body, "error");
  if (!message.empty()) detail += ": " + std::string(utf8_prefix(message, 200));
  o.error = std::move(detail);
  if (r.bot_not_in_room) {
    o.kind = SendOutcome::Kind::retry;  // the sync loop joins newly mapped rooms; a removal parks (note_removed)
    o.error += " (the bot is not in the room)";
  } else if (r.response.status == 429 || r.errcode == "M_LIMIT_EXCEEDED") {
    o.kind = SendOutcome::Kind::retry;
    o.retry_after_s = retry_after_seconds(r);
    if (r.body.is_object()) {
      const auto ms = r.body.find("retry_after_ms");
      if (ms != r.body.end() && ms->is_number_integer() && ms->get<std::int64_t>() >= 0)
        o.retry_after_ms = ms->get<std::int64_t>();
    }
  } else if (r.response.status >= 500) {
    o.kind = SendOutcome::Kind::retry;
  } else {
    o.kind = SendOutcome::Kind::failed;
  }
  return o;
}

boost::asio::awaitable<MatrixReply> MatrixConnector::call(http::Method method, std::string path, std::string as_user,
                                                          json body) {
  http::ClientRequest req;
  req.method = method;
  req.url = options_.homeserver_url + path;
  if (!as_user.empty() && !options_.bot())
    req.url += (path.find('?') == std::string::npos ? "?user_id=" : "&user_id=") + http::percent_encode(as_user);
  if (method != http::Method::get) {
    req.headers.set("Content-Type", "application/json");
    req.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  co_return co_await exchange(std::move(req));
}

boost::asio::awaitable<MatrixReply> MatrixConnector::exchange(http::ClientRequest req) {
  req.headers.set("Authorization", "Bearer " + options_.as_token);
  MatrixReply reply;
  reply.response = co_await client_.send(std::move(req));
  if (reply.response.ok()) {
    reply.body = json::parse(reply.response.body, nullptr, false);
    if (reply.body.is_discarded()) reply.body = nullptr;
    reply.errcode = std::string(string_field(reply.body, "errcode"));
  }
  co_return reply;
}

boost::asio::awaitable<MatrixReply> MatrixConnector::call_in_room(http::Method method, std::string path,
                                                                  std::string room, std::string as_user, json body) {
  auto reply = co_await call(method, path, as_user, body);
  if (reply.response.status != 403 || reply.errcode != "M_FORBIDDEN") co_return reply;
  if (options_.bot()) {
    // The bot joins through the sync loop or an invite, never after a refusal: it may have been
    // kicked from a public room it could walk back into.
    reply.bot_not_in_room = true;
    co_return reply;
  }
  // Not in the room (or not allowed): join, then try once more.
  std::string join_path = room_path(room) + "/join";
  json no_body = json::object();
  auto joined = co_await call(http::Method::post, std::move(join_path), as_user, std::move(no_body));
  if (!joined.ok()) co_return joined;
  co_return co_await call(method, std::move(path), std::move(as_user), std::move(body));
}

boost::asio::awaitable<std::optional<SendOutcome>> MatrixConnector::ensure_ghost(std::string handle,
                                                                                 std::string display_name) {
  if (options_.bot()) co_return std::nullopt;  // one account sends for everyone
  const std::string user = options_.users.user_id(handle);
  if (!registered_.count(user)) {
    json body = {{"type", "m.login.application_service"},
                 {"username", options_.users.prefix + "_" + handle},
                 {"inhibit_login", true}};
    std::string path = "/_matrix/client/v3/register", no_user;
    auto reply = co_await call(http::Method::post, std::move(path), std::move(no_user), std::move(body));
    if (!reply.ok() && reply.errcode != "M_USER_IN_USE") co_return failure_of(reply, "registering " + user);
    registered_.insert(user);
  }
  if (!display_name.empty() && display_names_[user] != display_name) {
    std::string path = "/_matrix/client/v3/profile/" + http::percent_encode(user) + "/displayname";
    json body = {{"displayname", display_name}};
    auto reply = co_await call(http::Method::put, std::move(path), user, std::move(body));
    if (!reply.ok()) co_return failure_of(reply, "setting the display name of " + user);
    display_names_[user] = display_name;
  }
  co_return std::nullopt;
}

boost::asio::awaitable<http::Status> MatrixConnector::note_removed(std::int64_t mapping_id, std::string room,
                                                                   std::string why) {
  auto write = [&](store::Connection& c) -> Status {
    if (auto s = set_remote_cursor(c, Network::matrix, removal_cursor(room), why); !s) return s;
    return set_status(c, mapping_id, why);
  };
  if (auto s = co_await db_.write(write); !s) co_return s;
  removed_[room] = std::move(why);
  co_return http::Ok{};
}

boost::asio::awaitable<http::Status> MatrixConnector::note_back(std::int64_t mapping_id, std::string room) {
  auto known = co_await removed_from(room);
  if (!known) co_return known.error();
  if (known->empty()) co_return http::Ok{};
  // What was parked because the bot was out goes out now, in order (the relay is woken).
  auto write = [&](store::Connection& c) -> Result<int> {
    if (auto s = set_remote_cursor(c, Network::matrix, removal_cursor(room), ""); !s) return s.error();
    if (auto s = set_status(c, mapping_id, ""); !s) return s.error();
    auto mapping = find_mapping(c, mapping_id);
    if (!mapping) return mapping.error();
    if (!*mapping) return 0;  // unmapped meanwhile
    return retry_parked_with(c, Network::matrix, (*mapping)->channel_id, *known);
  };
  auto requeued = co_await db_.write(write);
  if (!requeued) co_return requeued.error();
  removed_[room].clear();
  if (*requeued > 0 && on_requeued_) on_requeued_();
  co_return http::Ok{};
}

boost::asio::awaitable<http::Result<std::string>> MatrixConnector::removed_from(std::string room) {
  if (auto it = removed_.find(room); it != removed_.end()) co_return it->second;
  auto load = [&room](store::Connection& c) { return remote_cursor(c, Network::matrix, removal_cursor(room)); };
  auto why = co_await db_.read(load);
  if (!why) co_return why.error();
  removed_[room] = *why;
  co_return *why;
}

boost::asio::awaitable<SendOutcome> MatrixConnector::send(Outgoing out) {
  const auto& kind = out.event.kind;
  auto removed = co_await removed_from(out.mapping.remote_room);
  if (!removed) co_return retry_later("looking up the bot's membership: " + removed.error().message);
  if (!removed->empty()) {
    SendOutcome parked;
    parked.kind = SendOutcome::Kind::failed;  // parked at once, with the reason the mapping shows
    parked.error = std::move(*removed);
    parked.unless_cleared = removal_cursor(out.mapping.remote_room);  // unless note_back() ran meanwhile
    co_return parked;
  }
  if (kind == "message.replied") co_return skipped("a thread's reply count is not a Matrix event");
  json message = json::parse(out.event.payload, nullptr, false);
  if (!message.is_object()) co_return skipped("the event has no message");
  if (kind == "message.posted") {
    if (message.value("deleted", false)) {
      if (!out.lookup_only) co_return skipped("deleted before it was sent");
      co_return co_await find_sent(out, message);
    }
    co_return co_await send_message(out, message, false);
  }
  if (kind == "message.edited") {
    if (!out.self) co_return skipped("an edit of a message Matrix never had");
    if (message.value("deleted", false)) co_return skipped("deleted before the edit was sent");
    co_return co_await send_message(out, message, true);
  }
  if (kind == "message.deleted") {
    if (!out.self) co_return skipped("a delete of a message Matrix never had");
    // The author's ghost redacts its own message; a moderator's delete goes out as the appservice.
    const json& author = member(message, "author");
    std::string as_user = options_.bot_user_id();
    if (author.is_object() && author.value("id", std::int64_t{0}) == out.event.origin.actor_id)
      as_user = options_.users.user_id(string_field(author, "handle"));
    co_return co_await send_redaction(out, out.self->id, std::move(as_user));
  }
  if (kind == "message.reacted") {
    if (!out.self) co_return skipped("a reaction to a message Matrix never had");
    json delta = json::parse(out.event.delta, nullptr, false);
    if (!delta.is_object()) co_return skipped("no reaction changed");
    co_return co_await send_reaction(out, delta);
  }
  co_return skipped("no Matrix event for " + kind);
}

boost::asio::awaitable<SendOutcome> MatrixConnector::send_message(const Outgoing& out, const json& message, bool edit) {
  const json& author = member(message, "author");
  const std::string handle(string_field(author, "handle"));
  if (handle.empty()) co_return skipped("the message has no author");
  std::string display(string_field(author, "display_name"));
  if (auto failed = co_await ensure_ghost(handle, std::move(display))) co_return *failed;

  std::vector<std::string> handles;
  if (const json& mentions = member(message, "mentions"); mentions.is_array())
    for (const auto& h : mentions)
      if (h.is_string()) handles.push_back(h.get<std::string>());
  auto lookup = [&](store::Connection& c) { return matrix_ids_of(c, handles, options_.users); };
  auto mentioned = co_await db_.read(lookup);
  if (!mentioned) co_return retry_later("looking up mentions: " + mentioned.error().message);
  if (options_.bot()) {
    // No appservice users exist: only Matrix people (the hub's ghosts of them) can be mentioned.
    std::erase_if(*mentioned, [this](const std::string& id) { return options_.users.handle_of(id).has_value(); });
  }

  json content = message_content(message, *mentioned);
  if (options_.bot()) {
    const auto name = string_field(author, "display_name");
    content = with_author(std::move(content), name.empty() ? std::string_view(handle) : name);
  }
  if (edit) {
    json replacement = content;
    content["body"] = "* " + content["body"].get<std::string>();
    if (content.contains("formatted_body")) content["formatted_body"] = "* " + content["formatted_body"].get<std::string>();
    content["m.new_content"] = std::move(replacement);
    content["m.relates_to"] = {{"rel_type", "m.replace"}, {"event_id", out.self->id}};
  } else if (out.thread_root) {
    // A thread reply; clients without threads see it as a reply (the fallback) to the last message
    // it answers, or to the root.
    content["m.relates_to"] = {{"rel_type", "m.thread"},
                               {"event_id", out.thread_root->id},
                               {"is_falling_back", !out.reply_to},
                               {"m.in_reply_to", {{"event_id", out.reply_to ? out.reply_to->id : out.thread_root->id}}}};
  } else if (out.reply_to) {
    content["m.relates_to"] = {{"m.in_reply_to", {{"event_id", out.reply_to->id}}}};
  }
  content[std::string(kProvenanceKey)] = provenance(out);

  if (!edit && out.maybe_sent) {
    std::string earlier;
    if (auto failed = co_await find_by_provenance(out, handle, earlier)) co_return *failed;
    if (!earlier.empty()) co_return sent(std::move(earlier));
  }
  co_return co_await put_message(out, handle, std::move(content), "sending to ", !edit);
}

boost::asio::awaitable<std::optional<SendOutcome>> MatrixConnector::find_by_provenance(const Outgoing& out,
                                                                                       const std::string& handle,
                                                                                       std::string& found) {
  // The room's newest messages by the ghost, newest first, at most kLookupPages pages.
  const std::string& room = out.mapping.remote_room;
  const std::string as_user = options_.bot() ? options_.bot_user_id() : options_.users.user_id(handle);
  const std::string filter = json{{"types", {"m.room.message"}}, {"senders", {as_user}}}.dump();
  const json wanted = provenance(out);
  std::string from;
  for (int page = 0; page < kLookupPages; ++page) {
    std::string path = room_path(room) + "/messages?dir=b&limit=100&filter=" + http::percent_encode(filter);
    if (!from.empty()) path += "&from=" + http::percent_encode(from);
    auto reply = co_await call_in_room(http::Method::get, std::move(path), room, as_user, json());
    if (!reply.ok()) co_return failure_of(reply, "looking for an earlier send in " + room);  // 429, 5xx, 4xx as a send's
    const json& chunk = member(reply.body, "chunk");
    if (!chunk.is_array()) co_return retry_later("the homeserver's /messages answer has no chunk");
    for (const auto& e : chunk) {
      if (member(member(e, "content"), kProvenanceKey.data()) == wanted) {
        found = string_field(e, "event_id");
        co_return std::nullopt;
      }
    }
    // Only a missing `end` ends the room's history: a page may be empty and still not the last.
    const auto end = string_field(reply.body, "end");
    if (end.empty() || end == from) break;
    from = std::string(end);
  }
  co_return std::nullopt;
}

boost::asio::awaitable<SendOutcome> MatrixConnector::put_message(const Outgoing& out, const std::string& handle,
                                                                 json content, const char* failing, bool new_event) {
  const std::string& room = out.mapping.remote_room;
  std::string path = room_path(room) + "/send/m.room.message/" + http::percent_encode(out.txn_id);
  std::string as_user = options_.users.user_id(handle);
  auto reply = co_await call_in_room(http::Method::put, std::move(path), room, std::move(as_user), std::move(content));
  if (!reply.ok()) co_return failure_of(reply, failing + room);
  const auto event_id = string_field(reply.body, "event_id");
  if (event_id.empty()) co_return failure_of(reply, "the homeserver returned no event_id");
  co_return sent(new_event ? std::string(event_id) : std::string());
}

boost::asio::awaitable<SendOutcome> MatrixConnector::find_sent(const Outgoing& out, const json& message) {
  // The send is idempotent per txnId (the homeserver answers a repeated PUT with the event it made
  // the first time), so the same PUT, as the same user, finds an earlier try that arrived. When
  // none did, it makes a placeholder without the deleted text, which the delete then redacts.
  const std::string handle(string_field(member(message, "author"), "handle"));
  if (handle.empty()) co_return skipped("the message has no author");
  if (auto failed = co_await ensure_ghost(handle, std::string())) co_return *failed;
  // First by its provenance in the room: the homeserver forgets txnIds after a while (Synapse's
  // transaction cache), and then the PUT below would only make the placeholder.
  std::string earlier;
  if (auto failed = co_await find_by_provenance(out, handle, earlier)) co_return *failed;
  if (!earlier.empty()) co_return sent(std::move(earlier));
  json content = {{"msgtype", "m.text"}, {"body", "(deleted)"}, {std::string(kProvenanceKey), provenance(out)}};
  co_return co_await put_message(out, handle, std::move(content), "looking for an earlier send in ", true);
}

boost::asio::awaitable<SendOutcome> MatrixConnector::send_redaction(const Outgoing& out, const std::string& event_id,
                                                                    std::string as_user) {
  const std::string& room = out.mapping.remote_room;
  json body = {{std::string(kProvenanceKey), provenance(out)}};
  std::string path = room_path(room) + "/redact/" + http::percent_encode(event_id) + "/" + http::percent_encode(out.txn_id);
  auto reply = co_await call_in_room(http::Method::put, std::move(path), room, std::move(as_user), std::move(body));
  if (!reply.ok()) co_return failure_of(reply, "redacting in " + room);
  co_return sent();
}

boost::asio::awaitable<SendOutcome> MatrixConnector::send_reaction(const Outgoing& out, const json& delta) {
  const std::string handle(string_field(delta, "handle")), emoji(string_field(delta, "emoji"));
  const std::int64_t user_id = delta.value("user_id", std::int64_t{0});
  const bool added = delta.value("added", false);
  if (handle.empty() || emoji.empty() || user_id == 0) co_return skipped("the reaction names no one");
  const std::string& room = out.mapping.remote_room;
  const std::string as_user = options_.users.user_id(handle);
  const std::int64_t message_id = out.event.message_id;
  if (options_.bot()) co_return co_await send_bot_reaction(out, delta);
  if (!added) {
    auto find = [&](store::Connection& c) { return reaction_of(c, message_id, user_id, emoji); };
    auto row = co_await db_.read(find);
    if (!row) co_return retry_later("looking up the reaction: " + row.error().message);
    if (!*row) co_return skipped("a removed reaction Matrix never had");
    const std::string reaction_event = (*row)->event_id;
    std::string redactor = as_user;
    auto outcome = co_await send_redaction(out, reaction_event, std::move(redactor));
    if (outcome.kind != SendOutcome::Kind::sent) co_return outcome;
    auto forget = [id = (*row)->event_id](store::Connection& c) { return forget_reaction(c, id); };
    if (auto s = co_await db_.write(forget); !s) co_return retry_later("forgetting the reaction: " + s.error().message);
    co_return outcome;
  }
  std::string no_display;
  if (auto failed = co_await ensure_ghost(handle, std::move(no_display))) co_return *failed;
  json content = {{"m.relates_to", {{"rel_type", "m.annotation"}, {"event_id", out.self->id}, {"key", emoji}}},
                  {std::string(kProvenanceKey), provenance(out)}};
  std::string path = room_path(room) + "/send/m.reaction/" + http::percent_encode(out.txn_id);
  std::string reactor = as_user;
  auto reply = co_await call_in_room(http::Method::put, std::move(path), room, std::move(reactor), std::move(content));
  if (!reply.ok()) co_return failure_of(reply, "reacting in " + room);
  const std::string event_id(string_field(reply.body, "event_id"));
  if (event_id.empty()) co_return failure_of(reply, "the homeserver returned no event_id");
  ReactionRow row{event_id, room, message_id, user_id, emoji};
  auto remember = [&row](store::Connection& c) { return remember_reaction(c, row); };
  if (auto s = co_await db_.write(remember); !s) co_return retry_later("recording the reaction: " + s.error().message);
  co_return sent();
}

boost::asio::awaitable<SendOutcome> MatrixConnector::send_bot_reaction(const Outgoing& out, const json& delta) {
  // The bot may annotate an event once per key (M_DUPLICATE_ANNOTATION otherwise): its reaction
  // stands for "someone on the hub reacted with this", and goes when nobody on the hub does.
  const std::string emoji(string_field(delta, "emoji"));
  const std::string& room = out.mapping.remote_room;
  const std::int64_t message_id = out.event.message_id;
  auto find = [&](store::Connection& c) { return hub_reaction_of(c, message_id, emoji); };
  auto row = co_await db_.read(find);
  if (!row) co_return retry_later("looking up the reaction: " + row.error().message);
  if (!delta.value("added", false)) {
    if (!*row) co_return skipped("a removed reaction Matrix never had");
    if (auto still = out.hub_reactions.find(emoji); still != out.hub_reactions.end() && still->second > 0) co_return skipped("someone on the hub still reacts with " + emoji);
    std::string bot;
    auto outcome = co_await send_redaction(out, (*row)->event_id, std::move(bot));
    if (outcome.kind != SendOutcome::Kind::sent) co_return outcome;
    auto forget = [id = (*row)->event_id](store::Connection& c) { return forget_reaction(c, id); };
    if (auto s = co_await db_.write(forget); !s) co_return retry_later("forgetting the reaction: " + s.error().message);
    co_return outcome;
  }
  if (*row) co_return skipped("the bot shows " + emoji + " on this message already");
  json content = {{"m.relates_to", {{"rel_type", "m.annotation"}, {"event_id", out.self->id}, {"key", emoji}}},
                  {std::string(kProvenanceKey), provenance(out)}};
  std::string path = room_path(room) + "/send/m.reaction/" + http::percent_encode(out.txn_id), bot;
  auto reply = co_await call_in_room(http::Method::put, std::move(path), room, std::move(bot), std::move(content));
  if (!reply.ok()) co_return failure_of(reply, "reacting in " + room);
  const std::string event_id(string_field(reply.body, "event_id"));
  if (event_id.empty()) co_return failure_of(reply, "the homeserver returned no event_id");
  ReactionRow stored{event_id, room, message_id, delta.value("user_id", std::int64_t{0}), emoji};
  auto remember = [&stored](store::Connection& c) { return remember_reaction(c, stored); };
  if (auto s = co_await db_.write(remember); !s) co_return retry_later("recording the reaction: " + s.error().message);
  co_return sent();
}

}  // namespace hub::bridge::matrix
