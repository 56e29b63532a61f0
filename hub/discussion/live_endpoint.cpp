#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "hub/discussion/live_endpoint.hpp"

#include <algorithm>
#include <charconv>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "hub/discussion/channel_store.hpp"
#include "hub/http/json_body.hpp"
#include "hub/http/pipeline.hpp"

namespace hub::discussion {

namespace {

using nlohmann::json;
constexpr std::size_t kMaxChannels = 500;

std::int64_t to_int(std::string_view v) {
  std::int64_t out = 0;
  std::from_chars(v.data(), v.data() + v.size(), out);
  return out;
}

// The headers that carry a credential, so it can be authenticated again later.
http::Request credential_of(const http::Request& upgrade) {
  http::Request r;
  for (const char* name : {"Cookie", "Authorization"})
    if (auto v = upgrade.headers.get(name); !v.empty()) r.headers.set(name, v);
  return r;
}

std::shared_ptr<const std::string> unsubscribed_frame(const std::vector<std::int64_t>& channels) {
  return std::make_shared<const std::string>(json{{"type", "unsubscribed"}, {"channels", channels}}.dump());
}

}  // namespace

LiveEndpoint::LiveEndpoint(store::Executor& db, http::Authenticator& auth, LiveStream& stream,
                           std::string public_origin)
    : db_(db), auth_(auth), stream_(stream), public_origin_(std::move(public_origin)) {}

boost::asio::awaitable<std::optional<http::Response>> LiveEndpoint::admit(http::Request& upgrade) {
  if (!stream_.attached())
    co_return http::error_response(http::ApiError::unavailable("Live updates are not available."));
  auto who = co_await auth_.authenticate(upgrade);
  if (!who) co_return http::error_response(who.error());
  if (!*who) co_return http::error_response(http::ApiError::unauthenticated());
  std::string_view origin = upgrade.headers.get("Origin");
  // Browsers always send Origin on an upgrade: a cookie without a same-origin one is cross-site.
  if ((!origin.empty() || (*who)->via_cookie) && !http::is_same_origin(upgrade, origin, public_origin_))
    co_return http::error_response(http::ApiError::forbidden("Cross-site WebSocket refused."));
  // The upgrade request travels on to on_open(); the principal rides along in its params (the
  // router never fills them for a WebSocket path, so a client cannot forge these).
  upgrade.params = {{"user_id", std::to_string((*who)->user_id)},
                    {"role", (*who)->role},
                    {"handle", (*who)->handle},
                    {"via_cookie", (*who)->via_cookie ? "1" : "0"},
                    {"session_key", (*who)->session_key}};
  co_return std::nullopt;
}

void LiveEndpoint::on_open(const std::shared_ptr<http::WebSocketPeer>& peer, const http::Request& upgrade) {
  Connection c;
  c.who.user_id = to_int(upgrade.param("user_id"));
  c.who.role = std::string(upgrade.param("role"));
  c.who.handle = std::string(upgrade.param("handle"));
  c.who.via_cookie = upgrade.param("via_cookie") == "1";
  c.who.session_key = std::string(upgrade.param("session_key"));
  c.peer = peer;
  c.credential = credential_of(upgrade);
  std::lock_guard lock(mutex_);
  connections_[peer->id()] = std::move(c);
  if (!rechecking_) {
    rechecking_ = true;
    boost::asio::co_spawn(stream_.executor(), recheck_while_open(), boost::asio::detached);
  }
}

void LiveEndpoint::credential_ended(auth::CredentialKind kind, const std::string& key) {
  const bool via_cookie = kind == auth::CredentialKind::session;
  std::vector<std::shared_ptr<http::WebSocketPeer>> ended;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, c] : connections_)
      if (c.who.via_cookie == via_cookie && c.who.session_key == key)
        if (auto peer = c.peer.lock()) ended.push_back(std::move(peer));
  }
  // Outside the lock: closing calls back into on_close().
  for (auto& peer : ended) refuse(*peer, "unauthenticated", "This session or token has ended; sign in again.");
}

void LiveEndpoint::membership_ended(std::int64_t user_id, std::int64_t) {
  if (!stream_.attached()) return;
  std::lock_guard lock(mutex_);
  for (auto& [id, c] : connections_) {
    if (c.who.user_id != user_id || !c.subscribed) continue;
    if (auto peer = c.peer.lock())
      boost::asio::co_spawn(stream_.executor(), drop_unreadable(std::move(peer), c.who), boost::asio::detached);
  }
}

boost::asio::awaitable<void> LiveEndpoint::drop_unreadable(std::shared_ptr<http::WebSocketPeer> peer,
                                                           http::Principal who) {
  // Asks the same question a subscribe asks, after the membership's removal committed.
  auto readable_job = [who](store::Connection& c) { return readable_channel_ids(c, who); };
  auto readable = co_await db_.read(readable_job);
  if (!readable) {
    refuse(*peer, "unavailable", "Your channels could not be checked; reconnect.");
    co_return;
  }
  std::sort(readable->begin(), readable->end());
  auto dropped = stream_.keep_only(peer->id(), *readable);
  if (!dropped.empty()) peer->send(unsubscribed_frame(dropped));
}

boost::asio::awaitable<void> LiveEndpoint::recheck_credentials() {
  std::vector<std::pair<std::shared_ptr<http::WebSocketPeer>, http::Request>> open;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, c] : connections_)
      if (auto peer = c.peer.lock()) open.emplace_back(std::move(peer), c.credential);
  }
  for (auto& [peer, credential] : open) {
    auto who = co_await auth_.authenticate(credential);
    if (who && !*who) refuse(*peer, "unauthenticated", "This session has ended; sign in again.");
  }
}

boost::asio::awaitable<void> LiveEndpoint::recheck_while_open() {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (;;) {
    timer.expires_after(kRecheckInterval);
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    {
      std::lock_guard lock(mutex_);
      if (ec || connections_.empty()) {
        rechecking_ = false;
        co_return;
      }
    }
    co_await recheck_credentials();
  }
}

void LiveEndpoint::on_close(const std::shared_ptr<http::WebSocketPeer>& peer) {
  {
    std::lock_guard lock(mutex_);
    connections_.erase(peer->id());  // first: check_and_subscribe() sees it gone, or subscribed already
  }
  stream_.remove(peer->id());
}

void LiveEndpoint::on_message(const std::shared_ptr<http::WebSocketPeer>& peer, std::string text) {
  auto body = http::parse_json_object(text);
  if (!body) return refuse(*peer, "bad_request", "Send a JSON object, e.g. {\"subscribe\":[1],\"since\":0}.");
  if (auto type = body->find("type"); type != body->end() && *type == "ping") {
    peer->send(std::make_shared<const std::string>(R"({"type":"pong"})"));
    return;
  }
  auto it = body->find("subscribe");
  if (it == body->end() || !it->is_array() || it->empty() || it->size() > kMaxChannels)
    return refuse(*peer, "invalid_field", "subscribe must be a list of 1 to 500 channel ids.");
  std::vector<std::int64_t> channels;
  for (const auto& id : *it) {
    if (!id.is_number_integer() || id.get<std::int64_t>() <= 0)
      return refuse(*peer, "invalid_field", "subscribe must hold channel ids (positive integers).");
    channels.push_back(id.get<std::int64_t>());
  }
  auto since = http::optional_int_field(*body, "since", 0, INT64_MAX);
  if (!since) return refuse(*peer, "invalid_field", "since must be a sequence number (an integer >= 0).");
  http::Principal who;
  {
    std::lock_guard lock(mutex_);
    auto c = connections_.find(peer->id());
    if (c == connections_.end()) return;  // closing
    if (c->second.subscribed)
      return refuse(*peer, "conflict", "This connection is subscribed already; open another to change channels.");
    c->second.subscribed = true;
    who = c->second.who;
  }
  boost::asio::co_spawn(stream_.executor(), check_and_subscribe(peer, who, std::move(channels), *since),
                        boost::asio::detached);
}

boost::asio::awaitable<void> LiveEndpoint::check_and_subscribe(std::shared_ptr<http::WebSocketPeer> peer,
                                                               http::Principal who, std::vector<std::int64_t> channels,
                                                               std::optional<std::int64_t> since) {
  auto readable_job = [who](store::Connection& c) { return readable_channel_ids(c, who); };
  auto readable = co_await db_.read(readable_job);
  if (!readable) {
    refuse(*peer, "unavailable", readable.error().message);
    co_return;
  }
  for (auto id : channels) {
    if (std::find(readable->begin(), readable->end(), id) == readable->end()) {
      refuse(*peer, "not_found", "No such channel: " + std::to_string(id) + ".");
      co_return;
    }
  }
  std::lock_guard lock(mutex_);  // held so that on_close() cannot slip in between
  if (!connections_.count(peer->id())) co_return;  // closed while we checked
  stream_.subscribe(peer, std::move(channels), since);
}

}  // namespace hub::discussion
