#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "bridge/slack/slack_bridge.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bridge/id_map.hpp"
#include "bridge/mappings.hpp"
#include "bridge/slack/mrkdwn.hpp"
#include "bridge/slack/policy.hpp"
#include "bridge/slack/signature.hpp"
#include "bridge/slack/slack_store.hpp"
#include "hub/auth/account_store.hpp"
#include "hub/discussion/channel_store.hpp"
#include "hub/discussion/message_store.hpp"
#include "hub/http/json_body.hpp"

namespace hub::bridge::slack {

using http::ApiError;
using http::error_response;
using http::json_response;
using nlohmann::json;
namespace asio = boost::asio;

namespace {

constexpr int kDrainBatch = 50;
constexpr std::size_t kMaxSecretBytes = 255;
constexpr int kCatchUpPages = 25;  // of 200 messages: beyond, the gap is reported, not fetched
constexpr int kReadAttempts = 3;
// The window catch-up re-reads for changes to messages the hub already has: the channel's newest
// 100 messages (one conversations.history page, or up to 5 when Slack answers with fewer) and the
// newest 10 threads among them with replies. Slack has no "changed since" query, so any window
// costs reads at Tier 3 rates (about 50 a minute); these bound it to 15 reads per channel,
// whatever the downtime, and cover what people still look at. Older changes are reported on the mapping's status, not fetched.
constexpr std::size_t kReconcileMessages = 100;
constexpr int kReconcilePages = 5;
constexpr std::size_t kReconcileThreads = 10;

// One JSON line on stderr; `reason` never holds a secret (events carry none).
void log_slack(std::string_view level, std::string_view what, const std::string& event_id, const std::string& reason) {
  json line = {{"level", level}, {"what", what}, {"event_id", event_id}, {"reason", reason}};
  std::fprintf(stderr, "%s\n", line.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
}

// A warning about one mapped channel (a catch-up's gap), as one JSON line on stderr.
void warn_channel(std::string_view what, const std::string& channel, const std::string& reason) {
  json line = {{"level", "warn"}, {"what", what}, {"channel", channel}, {"reason", reason}};
  std::fprintf(stderr, "%s\n", line.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
}

std::string idempotency_key(const Inbound& in, const std::string& event_id) {
  // A new message is keyed by where it lives, so the same message is posted once even when it
  // reaches us under two event ids (a retry after a reinstall, a catch-up); every later change
  // by its own event id.
  if (in.kind == Inbound::Kind::post) return "post:" + in.channel + ":" + in.ts;
  return "event:" + event_id;
}

// A secret as the credentials route accepts it: printable ASCII without spaces.
http::Result<std::optional<std::string>> secret_field(const json& body, const char* name, std::string_view prefix) {
  auto v = http::optional_string_field(body, name, kMaxSecretBytes);
  if (!v) return v.error();
  if (!*v) return std::optional<std::string>();
  const std::string& s = **v;
  const bool printable = std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 127; });
  if (s.size() < 16 || !printable || s.rfind(prefix, 0) != 0)
    return ApiError::invalid_field(name, std::string(name) + " must be the value Slack shows" +
                                             (prefix.empty() ? "" : ", starting with " + std::string(prefix)) + ".");
  return *v;
}

// Slack's field `key` of `o` when it is a count (else 0), a flag (else false), as text_of() for
// text: what a remote sends is read without trusting its types.
std::size_t count_field(const json& o, const char* key) {
  auto it = o.is_object() ? o.find(key) : o.end();
  return o.is_object() && it != o.end() && it->is_number_unsigned() ? it->get<std::size_t>() : 0;
}
bool flag_field(const json& o, const char* key) {
  auto it = o.is_object() ? o.find(key) : o.end();
  return o.is_object() && it != o.end() && it->is_boolean() && it->get<bool>();
}

// A Slack ts ("1700000000.000100") as a date for people, or as it is when it is not one.
std::string ts_date(const std::string& ts) {
  std::int64_t seconds = 0;
  const char* end = ts.data() + ts.size();
  auto [p, ec] = std::from_chars(ts.data(), end, seconds);
  if (ec != std::errc() || (p != end && *p != '.')) return ts;
  return format_rfc3339(seconds);
}

}  // namespace

SlackBridge::SlackBridge(store::Executor& db, discussion::BridgeSeam& seam, const Clock& clock, SlackOptions options)
    : db_(db),
      seam_(seam),
      clock_(clock),
      options_(std::move(options)),
      cipher_(options_.records_key),
      signing_secret_(options_.signing_secret),
      bot_token_(options_.bot_token),
      app_token_(options_.app_token) {
  for (const char* name : {kSigningSecret, kBotToken, kAppToken}) {
    auto stored = db_.read_now([&](Connection& c) { return load_secret(c, cipher_, name); });
    if (!stored) throw std::runtime_error(stored.error().message);
    if (*stored) slot(*this, name) = **stored;
  }
}

SlackBridge::~SlackBridge() { stop(); }

std::string SlackBridge::secret(const char* which) const {
  std::lock_guard lock(secrets_mutex_);
  return slot(*this, which);
}

bool SlackBridge::configured() const {
  return !secret(options_.socket_mode ? kAppToken : kSigningSecret).empty() && !secret(kBotToken).empty();
}

void SlackBridge::add_to(http::Router& router) {
  using http::Access;
  using http::member_handler;
  using http::Method;
  http::RouteOptions signed_route{Access::anyone, 256 * 1024};
  signed_route.credential = events_credential([this] { return secret(kSigningSecret); }, clock_);
  router.add(Method::post, "/api/bridge/slack/events", signed_route, member_handler(this, &SlackBridge::events));
  router.add(Method::put, "/api/bridge/slack/credentials", {Access::user, 4096},
             member_handler(this, &SlackBridge::put_credentials));
}

void SlackBridge::connect(http::HttpClient& client) {
  client_ = &client;
  const auto wait = [](std::chrono::milliseconds delay) -> asio::awaitable<void> {
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
  };
  pacer_ = std::make_unique<Pacer>(options_.pace, [] { return std::chrono::steady_clock::now(); }, wait);
  SlackApi api{options_.api_url, [this] { return secret(kBotToken); }, options_.public_origin};
  auto users_of = [this](std::vector<std::string> handles) -> asio::awaitable<std::map<std::string, std::string>> {
    auto job = [h = std::move(handles)](Connection& c) { return slack_users_of(c, h); };
    auto found = co_await db_.read(job);
    co_return found ? std::move(*found) : std::map<std::string, std::string>();
  };
  auto name_of = [this](std::int64_t channel) -> asio::awaitable<std::string> {
    auto job = [channel](Connection& c) { return discussion::find_channel(c, channel); };
    auto found = co_await db_.read(job);
    co_return found ? found->name : std::string();
  };
  connector_ = std::make_unique<SlackConnector>(client, std::move(api), *pacer_, std::move(users_of), std::move(name_of));
}

void SlackBridge::start(asio::any_io_executor executor, http::HttpClient& client, http::WebSocketClient* sockets) {
  connect(client);
  relay_ = std::make_unique<Relay>(db_, seam_, clock_, *connector_);
  relay_->start(executor);
  asio::co_spawn(executor, catch_up(), asio::detached);  // drains the queue too
  if (options_.socket_mode && sockets) asio::co_spawn(executor, socket_mode(*sockets).run(), asio::detached);
}

SocketMode& SlackBridge::socket_mode(http::WebSocketClient& sockets, SocketModeOptions options, SocketMode::Wait wait) {
  options.api_url = options_.api_url;
  options.app_token = [this] { return secret(kAppToken); };
  auto accept_one = [this](Envelope envelope) -> asio::awaitable<http::Status> {
    auto written = co_await accept(std::move(envelope));
    if (!written) co_return written.error();
    co_return http::Ok{};
  };
  socket_mode_ = std::make_unique<SocketMode>(*client_, sockets, std::move(options), std::move(accept_one), std::move(wait));
  return *socket_mode_;
}

void SlackBridge::stop() {
  if (relay_) relay_->stop();
  if (socket_mode_) socket_mode_->stop();
}

void SlackBridge::poke() {
  if (relay_) relay_->poke();
  if (socket_mode_) socket_mode_->wake();
}

asio::awaitable<http::Response> SlackBridge::events(http::Request& req, http::Context&) {
  // The signature was checked before this runs (events_credential); url_verification included.
  HUB_TRY(envelope, parse_envelope(req.body));
  if (envelope->type == Envelope::Type::url_verification)
    co_return json_response(200, {{"challenge", envelope->challenge}});
  if (envelope->type != Envelope::Type::event_callback) co_return json_response(200, {{"ok", true}});
  HUB_TRY(fresh, co_await accept(std::move(*envelope)));
  co_return json_response(200, {{"ok", true}});
}

asio::awaitable<http::Result<bool>> SlackBridge::accept(Envelope envelope) {
  const std::string event = envelope.event.dump(-1, ' ', false, json::error_handler_t::replace);
  auto queue_job = [id = envelope.event_id, event, now = clock_.now()](Connection& c) {
    return queue_event(c, id, event, now);
  };
  auto fresh = co_await db_.write(queue_job);
  if (!fresh) co_return fresh.error();
  if (!*fresh) log_slack("info", "slack event repeated", envelope.event_id, "applied once already");
  // Written down: Slack gets its answer now, and the change is applied after.
  asio::co_spawn(co_await asio::this_coro::executor, drain(), asio::detached);
  co_return *fresh;
}

asio::awaitable<void> SlackBridge::drain() {
  if (draining_) {
    drain_again_ = true;
    co_return;
  }
  draining_ = true;
  do {
    drain_again_ = false;
    auto list_job = [](Connection& c) { return queued_events(c, kDrainBatch); };
    auto queued = co_await db_.read(list_job);
    if (!queued) break;
    bool blocked = false;
    for (const QueuedEvent& e : *queued)
      if (!(co_await apply(e.event_id, e.event_json))) {
        blocked = true;
        break;
      }
    if (blocked) break;  // a 5xx: the event stays queued for the next drain
    if (static_cast<int>(queued->size()) == kDrainBatch) drain_again_ = true;
  } while (drain_again_);
  draining_ = false;
}

asio::awaitable<void> SlackBridge::drop(const std::string& event_id, std::string_view reason) {
  if (!reason.empty()) log_slack("info", "slack event skipped", event_id, std::string(reason));
  auto job = [event_id](Connection& c) { return drop_event(c, event_id); };
  co_await db_.write(job);
}

asio::awaitable<void> SlackBridge::learn_own_identity() {
  if (!own_.bot_id.empty() || !connector_ || secret(kBotToken).empty()) co_return;
  const auto r = co_await connector_->get("auth.test", "");
  json doc = json::parse(r.body, nullptr, false);
  if (!r.ok() || r.status != 200 || !doc.is_object() || !doc.value("ok", false)) co_return;
  own_.bot_id = doc.value("bot_id", std::string());
  own_.bot_user_id = doc.value("user_id", std::string());
  own_.app_id = doc.value("app_id", std::string());
  own_.team_url = doc.value("url", std::string());
}

asio::awaitable<std::string> SlackBridge::display_name(const std::string& user, const std::string& fallback) {
  if (auto it = names_.find(user); it != names_.end()) co_return it->second;
  std::string name = fallback.empty() ? user : fallback;
  if (connector_ && fallback.empty() && !user.empty() && user[0] != 'B') {
    const std::string query = "user=" + http::percent_encode(user);
    const auto r = co_await connector_->get("users.info", query);
    json doc = json::parse(r.body, nullptr, false);
    if (r.ok() && r.status == 200 && doc.is_object() && doc.value("ok", false) && doc["user"].is_object()) {
      const json& u = doc["user"];
      const json& p = u.contains("profile") && u["profile"].is_object() ? u["profile"] : json::object();
      for (std::string candidate : {p.value("display_name", std::string()), p.value("real_name", std::string()),
                                    u.value("name", std::string())})
        if (!candidate.empty()) {
          name = candidate;
          break;
        }
      names_[user] = name;
    }
  }
  co_return name.substr(0, 100);
}

asio::awaitable<std::optional<json>> SlackBridge::read_api(std::string_view method, std::string query,
                                                           std::string& error) {
  for (int attempt = 1;; ++attempt) {
    co_await pacer_->turn("read");
    const http::ClientResponse r = co_await connector_->get(method, query);
    pacer_->done("read");
    const SendOutcome outcome = outcome_of(r, method);
    if (outcome.kind == SendOutcome::Kind::sent) co_return json::parse(r.body, nullptr, false);
    error = outcome.error;
    if (outcome.kind != SendOutcome::Kind::retry || attempt == kReadAttempts) co_return std::nullopt;
    const auto wait = std::chrono::seconds(outcome.retry_after_s.value_or(attempt));
    asio::steady_timer timer(co_await asio::this_coro::executor, wait);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<void> SlackBridge::catch_up() {
  if (!connector_ || secret(kBotToken).empty()) co_return;
  co_await learn_own_identity();
  auto list_job = [](Connection& c) { return list_mappings(c, Network::slack); };
  auto mappings = co_await db_.read(list_job);
  if (!mappings) co_return;
  std::vector<std::pair<const Mapping*, std::string>> known;  // mappings with a cursor, and their status
  for (const Mapping& m : *mappings) {
    std::string status;
    if (co_await catch_up_channel(m, status)) known.emplace_back(&m, std::move(status));
  }
  // The new messages are in (and mapped) before later changes are compared with Slack's.
  co_await drain();
  for (const auto& [m, status] : known) co_await reconcile_channel(*m, status);
  co_await drain();
}

asio::awaitable<bool> SlackBridge::catch_up_channel(const Mapping& mapping, std::string& status_out) {
  const std::string& room = mapping.remote_room;
  auto cursor_job = [room](Connection& c) { return history_cursor(c, room); };
  auto cursor = co_await db_.read(cursor_job);
  if (!cursor) co_return false;
  std::string error;
  if (cursor->empty()) {  // a new mapping: from Slack's newest message on, not the channel's past
    std::string query = "channel=" + http::percent_encode(room) + "&limit=1";
    auto newest = co_await read_api("conversations.history", std::move(query), error);
    if (newest && (*newest)["messages"].is_array() && !(*newest)["messages"].empty()) {
      const std::string ts = (*newest)["messages"][0].value("ts", std::string());
      auto start_job = [room, ts](Connection& c) { return advance_history_cursor(c, room, ts); };
      co_await db_.write(start_job);
    }
    co_return false;
  }
  std::vector<json> missed;
  std::string page;
  int pages = 0;
  for (; pages < kCatchUpPages; ++pages) {
    std::string query = "channel=" + http::percent_encode(room) + "&oldest=" + http::percent_encode(*cursor) + "&limit=200";
    if (!page.empty()) query += "&cursor=" + http::percent_encode(page);
    auto answer = co_await read_api("conversations.history", std::move(query), error);
    if (!answer || !(*answer)["messages"].is_array()) break;
    for (json& m : (*answer)["messages"])
      if (m.is_object()) missed.push_back(std::move(m));
    page = answer->value(json::json_pointer("/response_metadata/next_cursor"), std::string());
    if (page.empty()) break;
  }
  if (pages == kCatchUpPages) error = "more than " + std::to_string(kCatchUpPages * 200) + " messages";
  // Replies written while the hub was away, in threads whose root it can see.
  const std::size_t roots = missed.size();
  for (std::size_t i = 0; i < roots && error.empty(); ++i) {
    if (!later_ts(missed[i].value("latest_reply", std::string()), *cursor)) continue;
    std::string query = "channel=" + http::percent_encode(room) + "&ts=" + http::percent_encode(missed[i].value("ts", std::string())) +
                        "&oldest=" + http::percent_encode(*cursor);
    auto thread = co_await read_api("conversations.replies", std::move(query), error);
    if (!thread || !(*thread)["messages"].is_array()) break;
    for (json& m : (*thread)["messages"])
      if (m.is_object() && m.value("ts", std::string()) != m.value("thread_ts", std::string()) && later_ts(m.value("ts", ""), *cursor))
        missed.push_back(std::move(m));
  }
  std::sort(missed.begin(), missed.end(), [](const json& a, const json& b) {
    return later_ts(b.value("ts", std::string()), a.value("ts", std::string()));
  });
  const std::int64_t now = clock_.now();
  const std::string status =
      error.empty() ? std::string()
                    : "catch-up stopped (" + error + "): Slack messages after " + *cursor + " may be missing";
  auto queue_job = [room, &missed, now, status, id = mapping.id](Connection& c) -> http::Status {
    for (json& m : missed) {
      m["channel"] = room;
      if (!m.contains("type")) m["type"] = "message";
      const std::string key = "catchup:" + room + ":" + m.value("ts", std::string());
      auto queued = queue_event(c, key, m.dump(-1, ' ', false, json::error_handler_t::replace), now);
      if (!queued) return queued.error();
    }
    return status.empty() ? http::Status(http::Ok{}) : set_status(c, id, status);
  };
  co_await db_.write(queue_job);
  if (!status.empty()) warn_channel("slack catch-up incomplete", room, status);
  status_out = status;
  co_return true;
}

asio::awaitable<void> SlackBridge::reconcile_channel(const Mapping& mapping, const std::string& status) {
  const std::string& room = mapping.remote_room;
  std::string error;
  std::map<std::string, json> seen;    // ts -> Slack's message: the window's roots and the replies read
  std::set<std::string> whole_threads;  // roots whose replies were all read
  std::string from;                     // the window's oldest root; empty: the whole channel was read
  std::vector<std::string> threads;
  std::size_t threads_left = 0;         // threads in the window not re-read
  // What the hub had mapped before Slack was read: a message mapped later is newer than this (a
  // channel's ts only grow) and may be missing from what was read without being deleted.
  auto bound_job = [room](Connection& c) { return newest_mapped(c, room); };
  auto bound = co_await db_.read(bound_job);
  if (!bound) co_return;
  // Slack may answer with fewer messages than asked for: its cursor is followed, a few pages at most.
  bool read = true;   // the window was read (else `error` says why)
  bool more = false;  // Slack has older messages than the window
  std::string cursor;
  for (int pages = 0; pages < kReconcilePages && seen.size() < kReconcileMessages; ++pages) {
    std::string window_query = "channel=" + http::percent_encode(room) + "&limit=" + std::to_string(kReconcileMessages);
    if (!cursor.empty()) window_query += "&cursor=" + http::percent_encode(cursor);
    auto page = co_await read_api("conversations.history", std::move(window_query), error);
    if (!page || !page->is_object() || !(*page)["messages"].is_array()) {
      read = false;
      break;
    }
    for (json& m : (*page)["messages"]) {
      const std::string ts = text_of(m, "ts");
      if (ts.empty()) continue;
      if (from.empty() || later_ts(from, ts)) from = ts;
      if (count_field(m, "reply_count") == 0) whole_threads.insert(ts);  // no replies (any more): nothing else to read
      else if (threads.size() < kReconcileThreads) threads.push_back(ts);
      else ++threads_left;
      seen[ts] = std::move(m);
    }
    more = flag_field(*page, "has_more");
    cursor = text_of(page->contains("response_metadata") ? (*page)["response_metadata"] : json(), "next_cursor");
    if (!more || cursor.empty()) break;
  }
  if (read && !more) from.clear();  // the whole channel was read
  for (const std::string& root : threads) {
    if (!read) break;
    std::string thread_query = "channel=" + http::percent_encode(room) + "&ts=" + http::percent_encode(root) + "&limit=200";
    auto thread = co_await read_api("conversations.replies", std::move(thread_query), error);
    if (!thread || !thread->is_object() || !(*thread)["messages"].is_array()) {
      ++threads_left;
      continue;
    }
    for (json& m : (*thread)["messages"]) {
      const std::string ts = text_of(m, "ts");
      if (ts.empty() || ts == root) continue;
      seen[ts] = std::move(m);
    }
    if (flag_field(*thread, "has_more")) ++threads_left;
    else whole_threads.insert(root);
  }

  std::vector<std::pair<std::string, json>> changes;  // (event id, the event Slack would have sent)
  bool older = false;
  std::size_t replies_left = 0;  // replies in the window to threads that began before it
  if (read) {
    auto mapped_job = [room, from](Connection& c) { return mapped_slack_messages(c, room, from); };
    auto mapped = co_await db_.read(mapped_job);
    if (!mapped) co_return;
    if (!from.empty()) {
      auto older_job = [room, from](Connection& c) { return mapped_before(c, room, from); };
      auto before = co_await db_.read(older_job);
      if (!before) co_return;
      older = *before;
    }
    const std::string run = "reconcile:" + std::to_string(clock_.now()) + ":" + room + ":";
    // The message_deleted event Slack would have sent (the hub's own posts are the hub's to
    // delete, as with a live message_deleted: callers check h.author).
    const auto deleted_in_slack = [&](const MappedSlackMessage& h) {
      changes.emplace_back(run + "deleted:" + h.ts,
                           json{{"type", "message"}, {"subtype", "message_deleted"}, {"channel", room},
                                {"deleted_ts", h.ts}, {"previous_message", {{"user", h.author}, {"ts", h.ts}}}});
    };
    for (const MappedSlackMessage& h : *mapped) {
      if (h.deleted || later_ts(h.ts, *bound)) continue;
      auto it = seen.find(h.ts);
      if (it == seen.end()) {
        // Gone from a fully read part of the window: deleted in Slack.
        const bool read_whole = h.thread_ts.empty() || whole_threads.contains(h.thread_ts);
        if (!read_whole && !h.author.empty() && !seen.contains(h.thread_ts)) ++replies_left;
        if (read_whole && !h.author.empty()) deleted_in_slack(h);
        continue;
      }
      json& m = it->second;
      if (text_of(m, "subtype") == kTombstone) {  // a thread's first message, deleted in Slack
        if (!h.author.empty()) deleted_in_slack(h);
        continue;
      }
      m["channel"] = room;
      if (!h.author.empty() && m.contains("edited")) {
        const Inbound now = classify(m, own_);
        std::string markdown;
        if (now.kind == Inbound::Kind::post) markdown = co_await markdown_of(now);
        if (now.kind == Inbound::Kind::post && markdown != h.body) {
          std::string edited_ts = text_of(m["edited"], "ts");
          if (edited_ts.empty()) edited_ts = h.ts;
          changes.emplace_back(run + "edited:" + h.ts,
                               json{{"type", "message"}, {"subtype", "message_changed"}, {"channel", room},
                                    {"ts", edited_ts}, {"message", m}});
        }
      }
      // Reactions, per Slack user; a name whose user list Slack cut short is only added to.
      std::set<std::pair<std::string, std::string>> in_slack;
      std::set<std::string> cut_short;
      if (const json& reactions = m.contains("reactions") ? m["reactions"] : json(); reactions.is_array())
        for (const json& r : reactions) {
          if (!r.is_object() || !r.contains("users") || !r["users"].is_array()) continue;
          const std::string name = text_of(r, "name");
          if (name.empty()) continue;
          const std::string emoji = ":" + name + ":";
          if (count_field(r, "count") > r["users"].size()) cut_short.insert(emoji);
          for (const json& u : r["users"])
            if (u.is_string() && u.get<std::string>() != own_.bot_user_id) in_slack.emplace(u.get<std::string>(), emoji);
        }
      const auto reaction = [&](const std::string& user, const std::string& emoji, bool add) {
        changes.emplace_back(run + (add ? "reacted:" : "unreacted:") + h.ts + ":" + user + ":" + emoji,
                             json{{"type", add ? "reaction_added" : "reaction_removed"}, {"user", user},
                                  {"reaction", emoji.substr(1, emoji.size() - 2)},
                                  {"item", {{"type", "message"}, {"channel", room}, {"ts", h.ts}}}});
      };
      for (const auto& [user, emoji] : in_slack)
        if (!h.reactions.contains({user, emoji})) reaction(user, emoji, true);
      for (const auto& [user, emoji] : h.reactions)
        if (!in_slack.contains({user, emoji}) && !cut_short.contains(emoji)) reaction(user, emoji, false);
    }
  }

  std::string note;
  if (!read) {
    note = "changes made in Slack while the hub was down were not checked (" + error + ")";
  } else if (older || threads_left > 0 || replies_left > 0) {
    note = "changes in Slack made while the hub was down were not checked";
    std::vector<std::string> where;
    if (older) where.push_back("for messages older than " + ts_date(from));
    if (threads_left > 0) where.push_back("in " + std::to_string(threads_left) + " thread(s) not re-read");
    if (replies_left > 0) where.push_back("for " + std::to_string(replies_left) + " reply(ies) to older threads");
    for (std::size_t i = 0; i < where.size(); ++i) note += (i == 0 ? " " : ", nor ") + where[i];
  }
  const std::string full = status.empty() ? note : note.empty() ? status : status + "; " + note;
  const std::int64_t now = clock_.now();
  auto queue_job = [&changes, &full, &note, now, id = mapping.id](Connection& c) -> http::Status {
    for (const auto& [event_id, event] : changes) {
      auto queued = queue_event(c, event_id, event.dump(-1, ' ', false, json::error_handler_t::replace), now);
      if (!queued) return queued.error();
    }
    return note.empty() ? http::Status(http::Ok{}) : set_status(c, id, full);
  };
  co_await db_.write(queue_job);
  if (!note.empty()) warn_channel("slack changes unchecked", room, note);
}

asio::awaitable<std::string> SlackBridge::permalink(const std::string& channel, const std::string& ts) {
  if (std::string link = message_permalink(own_.team_url, channel, ts); !link.empty()) co_return link;
  if (!connector_) co_return std::string();
  std::string error;
  auto answer = co_await read_api("chat.getPermalink", "channel=" + http::percent_encode(channel) + "&message_ts=" + http::percent_encode(ts), error);
  const std::string link = answer && answer->is_object() ? answer->value("permalink", std::string()) : std::string();
  co_return linkable_url(link) ? link : std::string();
}

asio::awaitable<std::string> SlackBridge::markdown_of(const Inbound& in) {
  const std::string& mrkdwn = in.text;
  auto lookup_job = [users = mentioned_users(mrkdwn)](Connection& c) { return handles_of(c, users); };
  auto handles = co_await db_.read(lookup_job);
  const std::map<std::string, std::string> found = handles ? std::move(*handles) : std::map<std::string, std::string>();
  const HandleOf handle_of = [&found](std::string_view user) -> std::optional<std::string> {
    auto it = found.find(std::string(user));
    return it == found.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  std::string markdown = to_markdown(mrkdwn, handle_of);
  if (markdown.size() <= discussion::kMaxBodyBytes) co_return markdown;
  const std::string link = co_await permalink(in.channel, in.ts);
  const std::string note = "*(cut short: the whole message is in Slack)*";
  co_return fit_text(std::move(markdown), discussion::kMaxBodyBytes,
                     link.empty() ? "… " + note : "… [" + note + "](<" + link + ">)");
}

asio::awaitable<bool> SlackBridge::apply(const std::string& event_id, const std::string& event_json) {
  co_await learn_own_identity();
  const json event = json::parse(event_json, nullptr, false);
  const Inbound in = classify(event, own_);
  if (in.kind == Inbound::Kind::skip) {
    co_await drop(event_id, in.reason);
    co_return true;
  }
  auto mapping_job = [channel = in.channel](Connection& c) { return mapping_for_room(c, Network::slack, channel); };
  auto mapping = co_await db_.read(mapping_job);
  if (!mapping) co_return false;
  if (!*mapping) {
    const std::string unmapped = "Slack channel " + in.channel + " is not mapped to a hub channel";
    co_await drop(event_id, unmapped);
    co_return true;
  }
  if (in.user.empty()) {
    co_await drop(event_id, "a change without its Slack author");
    co_return true;
  }
  // Named first: g++ 12 destroys a braced temporary written inside a co_await twice.
  std::string name = co_await display_name(in.user, in.name);
  discussion::Ghost ghost;
  ghost.network = Network::slack;
  ghost.remote_id = in.user;
  ghost.display_name = std::move(name);
  auto actor = co_await seam_.ghost(std::move(ghost));
  if (!actor) {
    if (actor.error().status >= 500) co_return false;
    co_await drop(event_id, actor.error().message);
    co_return true;
  }
  discussion::BridgeWrite w;
  w.network = Network::slack;
  w.idempotency_key = idempotency_key(in, event_id);
  w.actor_id = *actor;
  const Mapping m = **mapping;
  const std::int64_t now = clock_.now();
  w.map_row = [in, m, event_id, now](Connection& c, const discussion::Change& change) -> http::Status {
    if (in.kind == Inbound::Kind::post) {
      const auto id = change.message.value("id", std::int64_t{0});
      if (auto s = map_ids(c, id, Network::slack, {in.channel, in.ts}); !s) return s;
      if (auto s = advance_history_cursor(c, in.channel, in.ts); !s) return s;
    }
    if (auto s = note_traffic(c, m.id, Direction::in, now); !s) return s;
    return drop_event(c, event_id);  // applied and dequeued in one transaction
  };
  auto result = co_await apply_change(in, m, std::move(w));
  if (!result) {
    if (result.error().status >= 500) co_return false;
    co_await drop(event_id, result.error().message);
  } else if (result->repeated) {
    co_await drop(event_id, "applied once already");
  }
  co_return true;
}

asio::awaitable<http::Result<discussion::BridgeResult>> SlackBridge::apply_change(const Inbound& in,
                                                                                   const Mapping& mapping,
                                                                                   discussion::BridgeWrite w) {
  // The hub message an edit, delete, reaction or thread reply is about.
  auto hub_id = [this](const std::string& ts) -> asio::awaitable<http::Result<std::optional<std::int64_t>>> {
    auto job = [ts](Connection& c) { return hub_message_for(c, Network::slack, ts); };
    co_return co_await db_.read(job);
  };
  if (in.kind == Inbound::Kind::post) {
    std::optional<std::int64_t> root;
    if (!in.thread_ts.empty()) {
      auto found = co_await hub_id(in.thread_ts);
      if (!found) co_return found.error();
      root = *found;  // a thread the hub never saw: the reply stands alone
    }
    std::string markdown = co_await markdown_of(in);
    if (markdown.empty()) co_return ApiError::bad_request("an empty message");
    co_return co_await seam_.post(mapping.channel_id, std::move(w), std::move(markdown), std::nullopt, root);
  }
  auto target = co_await hub_id(in.ts);
  if (!target) co_return target.error();
  if (!*target) co_return ApiError::not_found("a change to a Slack message the hub never had");
  if (in.kind == Inbound::Kind::edit) {
    std::string markdown = co_await markdown_of(in);
    if (markdown.empty()) co_return ApiError::bad_request("an edit to an empty message");
    co_return co_await seam_.edit(**target, std::move(w), std::move(markdown));
  }
  if (in.kind == Inbound::Kind::remove) co_return co_await seam_.remove(**target, std::move(w));
  co_return co_await seam_.react(**target, std::move(w), in.emoji, in.add);
}

asio::awaitable<http::Response> SlackBridge::put_credentials(http::Request& req, http::Context& ctx) {
  if (!can_set_slack_credentials(auth::Actor::of(ctx.user()))) co_return error_response(ApiError::forbidden());
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(token, secret_field(*body, kBotToken, "xoxb-"));
  HUB_TRY(signing, secret_field(*body, kSigningSecret, ""));
  HUB_TRY(app, secret_field(*body, kAppToken, "xapp-"));
  if (!*token && !*signing && !*app)
    co_return error_response(ApiError::bad_request("Give bot_token, signing_secret, app_token or several."));
  const std::int64_t by = ctx.user().user_id, now = clock_.now();
  auto save_job = [this, t = *token, s = *signing, a = *app, by, now](Connection& c) -> http::Result<json> {
    json stored = json::array();
    for (auto [name, value] : {std::pair{kBotToken, &t}, std::pair{kSigningSecret, &s}, std::pair{kAppToken, &a}}) {
      if (!*value) continue;
      if (auto r = store_secret(c, cipher_, name, **value, by, now); !r) return r.error();
      stored.push_back(name);
    }
    if (auto r = auth::audit(c, by, "slack.credentials", "slack", {{"stored", stored}}, now); !r) return r.error();
    return stored;
  };
  HUB_TRY(stored, co_await db_.write(save_job));
  {
    std::lock_guard lock(secrets_mutex_);
    if (*token) bot_token_ = **token;
    if (*signing) signing_secret_ = **signing;
    if (*app) app_token_ = **app;
  }
  own_ = {};  // another token may be another app
  poke();
  co_return json_response(200, {{"stored", *stored}});
}

}  // namespace hub::bridge::slack
