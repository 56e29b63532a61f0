#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "bridge/slack/slack_connector.hpp"

#include <charconv>

#include "bridge/hub_link.hpp"
#include "bridge/loop_guard.hpp"
#include "bridge/slack/events.hpp"
#include "bridge/slack/mrkdwn.hpp"
#include "hub/discussion/message_store.hpp"

namespace hub::bridge::slack {
namespace {

using nlohmann::json;
using Kind = SendOutcome::Kind;

SendOutcome outcome(Kind kind, std::string error = {}, std::optional<std::int64_t> retry_after = std::nullopt) {
  SendOutcome o;
  o.kind = kind;
  o.error = std::move(error);
  o.retry_after_s = retry_after;
  return o;
}

std::optional<std::int64_t> seconds_header(std::string_view v) {
  std::int64_t s = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), s);
  if (ec != std::errc() || p != v.data() + v.size() || s < 0) return std::nullopt;
  return std::min<std::int64_t>(s, 3600);
}

// Slack's errors that a later try may cure; every other name will not work as is.
bool transient(std::string_view error) {
  for (std::string_view e : {"ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable",
                             "request_timeout", "team_added_to_org"})
    if (error == e) return true;
  return false;
}

// Slack's conversations.* reads: at most this many pages of 100 when looking for a lost post.
constexpr int kLookupPages = 10;

// The provenance a message the hub posted carries in its metadata, or empty.
std::string provenance_of(const json& m) {
  const json* meta = m.is_object() && m.contains("metadata") ? &m["metadata"] : nullptr;
  if (!meta || !meta->is_object() || meta->value("event_type", std::string()) != kMetadataEventType) return {};
  const json& payload = meta->contains("event_payload") ? (*meta)["event_payload"] : json();
  if (!payload.is_object()) return {};
  auto it = payload.find(std::string(kProvenanceKey));
  return it != payload.end() && it->is_string() ? it->get<std::string>() : std::string("?");
}

}  // namespace

boost::asio::awaitable<void> Pacer::turn(const std::string& channel) {
  const TimePoint now = now_();
  auto [it, fresh] = next_.try_emplace(channel, now);
  const TimePoint at = std::max(it->second, now);
  it->second = at + gap_;  // claimed before waiting, so turns queue up in order
  if (at > now) co_await wait_(std::chrono::duration_cast<std::chrono::milliseconds>(at - now));
}

void Pacer::done(const std::string& channel) {
  TimePoint& next = next_[channel];
  next = std::max(next, now_() + gap_);
}

SendOutcome outcome_of(const http::ClientResponse& r, std::string_view method) {
  const std::string what(method);
  if (!r.ok()) return outcome(Kind::retry, what + ": " + std::string(http::client_error_name(r.error)));
  if (r.status == 429)
    return outcome(Kind::retry, what + ": rate limited (HTTP 429)", seconds_header(r.headers.get("Retry-After")));
  if (r.status >= 500) return outcome(Kind::retry, what + ": HTTP " + std::to_string(r.status));
  json doc = json::parse(r.body, nullptr, false);
  if (r.status != 200 || !doc.is_object())
    return outcome(Kind::failed, what + ": HTTP " + std::to_string(r.status) + " without a Slack answer");
  if (doc.value("ok", false)) {
    SendOutcome sent;
    if (auto ts = doc.find("ts"); ts != doc.end() && ts->is_string()) sent.remote_id = ts->get<std::string>();
    return sent;
  }
  const std::string error = doc.value("error", std::string("unknown_error"));
  if (transient(error))
    return outcome(Kind::retry, what + ": " + error, seconds_header(r.headers.get("Retry-After")));
  return outcome(Kind::failed, what + ": " + error);
}

std::string slack_reaction_name(std::string_view e) {
  if (e.size() > 2 && e.front() == ':' && e.back() == ':') return std::string(e.substr(1, e.size() - 2));
  static const std::pair<std::string_view, std::string_view> kNames[] = {
      {"👍", "+1"}, {"👎", "-1"}, {"❤️", "heart"}, {"❤", "heart"}, {"🎉", "tada"}, {"😄", "smile"},
      {"😂", "joy"}, {"👀", "eyes"}, {"🚀", "rocket"}, {"🙏", "pray"}, {"✅", "white_check_mark"},
      {"🔥", "fire"}, {"💯", "100"}, {"😮", "open_mouth"}, {"😢", "cry"}, {"👏", "clap"}};
  for (auto [emoji, name] : kNames)
    if (e == emoji) return std::string(name);
  return {};
}

boost::asio::awaitable<http::ClientResponse> SlackConnector::call(std::string_view method, const json& body) {
  http::ClientRequest req;
  req.method = http::Method::post;
  req.url = api_.api_url + "/" + std::string(method);
  req.headers.set("Content-Type", "application/json; charset=utf-8");
  req.headers.set("Authorization", "Bearer " + (api_.bot_token ? api_.bot_token() : std::string()));
  req.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  co_return co_await client_.send(std::move(req));
}

boost::asio::awaitable<http::ClientResponse> SlackConnector::get(std::string_view method, std::string_view query) {
  http::ClientRequest req;
  req.method = http::Method::get;
  req.url = api_.api_url + "/" + std::string(method) + (query.empty() ? "" : "?") + std::string(query);
  req.headers.set("Authorization", "Bearer " + (api_.bot_token ? api_.bot_token() : std::string()));
  co_return co_await client_.send(std::move(req));
}

boost::asio::awaitable<std::string> SlackConnector::text_for(const json& message) {
  const std::string body = message.value("body", std::string());
  std::map<std::string, std::string> users;
  if (slack_users_of_) {
    auto handles = discussion::mentioned_handles(body);
    if (!handles.empty()) users = co_await slack_users_of_(std::move(handles));
  }
  const SlackUserOf user_of = [&users](std::string_view handle) -> std::optional<std::string> {
    auto it = users.find(std::string(handle));
    return it == users.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  std::string text = to_mrkdwn(body, user_of);
  if (text.size() <= kSlackTextLimit) co_return text;
  const std::int64_t channel_id = message.value("channel_id", std::int64_t{0});
  std::string name;  // not `x ? co_await … : …`: GCC 12 frees that temporary wrongly (ASan caught it)
  if (channel_name_of_) name = co_await channel_name_of_(channel_id);
  // A thread reply links to its thread's first message: the channel page lists only those.
  std::int64_t shown = message.value("id", std::int64_t{0});
  if (auto root = message.find("thread_root"); root != message.end() && root->is_number_integer())
    shown = root->get<std::int64_t>();
  const auto link = hub_link(api_.public_origin, message_path(channel_id, shown));
  co_return fit_mrkdwn(std::move(text), kSlackTextLimit, slack_cut_tail(link, name));
}

std::string slack_cut_tail(const std::optional<std::string>& link, std::string_view channel_name) {
  std::string where = "read it in full ";
  if (!channel_name.empty()) {
    where += "in #";
    for (char c : channel_name) {  // Slack escapes exactly & < >
      if (c == '&') where += "&amp;";
      else if (c == '<') where += "&lt;";
      else if (c == '>') where += "&gt;";
      else if (c == '\n' || c == '|') where += ' ';
      else where += c;
    }
    where += " on the hub";
  } else {
    where += "on the hub";
  }
  return link ? "… (cut short: <" + *link + "|" + where + ">)" : "… (cut short: " + where + ")";
}

boost::asio::awaitable<std::optional<SendOutcome>> SlackConnector::find_posted(const Outgoing& out) {
  const std::string& channel = out.mapping.remote_room;
  // A thread reply is among its thread's replies. A message in the channel is newer than every
  // message the hub posted there before it (a channel's changes go out one at a time, in order),
  // so the search, newest first, ends at the first message that carries any provenance.
  const bool in_thread = out.thread_root.has_value();
  const std::string method = in_thread ? "conversations.replies" : "conversations.history";
  std::string base = "channel=" + http::percent_encode(channel) + "&limit=100&include_all_metadata=true";
  if (in_thread) base += "&ts=" + http::percent_encode(out.thread_root->id);
  std::string cursor;
  for (int page = 0; page < kLookupPages; ++page) {
    const std::string query = cursor.empty() ? base : base + "&cursor=" + http::percent_encode(cursor);
    const http::ClientResponse r = co_await get(method, query);
    SendOutcome read = outcome_of(r, method);
    if (read.kind != Kind::sent) {
      read.error = "looking for an earlier post: " + read.error;
      if (read.kind == Kind::failed) read.kind = Kind::retry;  // the post itself may still work
      co_return read;
    }
    const json doc = json::parse(r.body, nullptr, false);
    const json& messages = doc.is_object() && doc.contains("messages") ? doc["messages"] : json();
    if (!messages.is_array()) co_return std::nullopt;
    for (const json& m : messages) {
      const std::string provenance = provenance_of(m);
      if (provenance == out.txn_id) {
        SendOutcome found;
        found.remote_id = m.value("ts", std::string());
        co_return found;
      }
      if (!provenance.empty() && !in_thread) co_return std::nullopt;
    }
    cursor = doc.value(json::json_pointer("/response_metadata/next_cursor"), std::string());
    if (cursor.empty()) break;
  }
  co_return std::nullopt;
}

boost::asio::awaitable<SendOutcome> SlackConnector::send(Outgoing out) {
  const std::string& kind = out.event.kind;
  const std::string& channel = out.mapping.remote_room;
  json message = json::parse(out.event.payload, nullptr, false);
  if (!message.is_object()) co_return outcome(Kind::failed, "the hub event has no message");
  if (api_.bot_token && api_.bot_token().empty())
    co_return outcome(Kind::retry, "no Slack bot token is set (PUT /api/bridge/slack/credentials)");
  json body = {{"channel", channel}};
  std::string method;
  if (kind == "message.posted" && out.lookup_only) {
    // Deleted before this post went out: never post it, but find the earlier try that reached
    // Slack with its answer lost, so the delete that follows removes it.
    if (auto earlier = co_await find_posted(out)) co_return *earlier;
    co_return outcome(Kind::skipped, "deleted before it was sent, and Slack never had it");
  }
  if (kind == "message.posted") {
    const json& author = message.contains("author") ? message["author"] : json::object();
    std::string name = author.value("display_name", std::string());
    if (name.empty()) name = author.value("handle", std::string("hub"));
    body["text"] = co_await text_for(message);
    body["username"] = name.substr(0, 80);
    body["unfurl_links"] = false;
    body["metadata"] = {{"event_type", kMetadataEventType},
                        {"event_payload", {{std::string(kProvenanceKey), out.txn_id}}}};
    if (out.thread_root) body["thread_ts"] = out.thread_root->id;
    method = "chat.postMessage";
    if (out.maybe_sent) {
      if (auto earlier = co_await find_posted(out)) co_return *earlier;
    }
  } else if (kind == "message.edited") {
    if (!out.self) co_return outcome(Kind::skipped, "an edit of a message Slack never had");
    body["ts"] = out.self->id;
    body["text"] = co_await text_for(message);
    method = "chat.update";
  } else if (kind == "message.deleted") {
    if (!out.self) co_return outcome(Kind::skipped, "a delete of a message Slack never had");
    body["ts"] = out.self->id;
    method = "chat.delete";
  } else if (kind == "message.reacted") {
    json delta = json::parse(out.event.delta, nullptr, false);
    if (!out.self || !delta.is_object()) co_return outcome(Kind::skipped, "no reaction change Slack can show");
    const std::string name = slack_reaction_name(delta.value("emoji", std::string()));
    if (name.empty()) co_return outcome(Kind::skipped, "Slack has no name for that reaction");
    // The bot reacts once per emoji (one reaction per name per token): its reaction stands for
    // "someone on the hub reacts with this", added on 0 -> 1 and removed on 1 -> 0.
    // Several hub emoji may have one Slack name ("👍" and ":+1:"): they count together.
    int hub_reactors = 0;
    for (const auto& [emoji, count] : out.hub_reactions)
      if (slack_reaction_name(emoji) == name) hub_reactors += count;
    const bool added = delta.value("added", false);
    if (added && hub_reactors > 1) co_return outcome(Kind::skipped, "Slack shows :" + name + ": from the hub already");
    if (!added && hub_reactors > 0)
      co_return outcome(Kind::skipped, "someone on the hub still reacts with :" + name + ":");
    body["timestamp"] = out.self->id;
    body["name"] = name;
    method = added ? "reactions.add" : "reactions.remove";
  } else {
    co_return outcome(Kind::skipped, "Slack shows no " + kind);
  }
  const bool paced = method != "reactions.add" && method != "reactions.remove";
  if (paced) co_await pacer_.turn(channel);
  const http::ClientResponse response = co_await call(method, body);
  if (paced) pacer_.done(channel);
  SendOutcome result = outcome_of(response, method);
  // A reaction already there (or already gone), a message already deleted: the goal is reached.
  // An edit of a message deleted in Slack meanwhile cannot be shown: not an error either.
  const auto failed_with = [&](std::string_view name) {
    return result.kind == Kind::failed && result.error == method + ": " + std::string(name);
  };
  if (failed_with("already_reacted") || failed_with("no_reaction") ||
      (method == "chat.delete" && failed_with("message_not_found")))
    co_return outcome(Kind::sent);
  if (method == "chat.update" && failed_with("message_not_found"))
    co_return outcome(Kind::skipped, "chat.update: the message is gone from Slack");
  if (method != "chat.postMessage") result.remote_id.clear();  // only a new message has a new ts
  co_return result;
}

}  // namespace hub::bridge::slack
