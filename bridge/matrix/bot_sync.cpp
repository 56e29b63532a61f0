#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "bridge/matrix/bot_sync.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bridge/log.hpp"
#include "bridge/mappings.hpp"

namespace hub::bridge::matrix {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

const json kBridgedTypes = {"m.room.message", "m.reaction", "m.room.redaction"};
// The timeline also carries memberships: display names, and the bot's own join, where mirroring
// a newly mapped room starts.
const json kTimelineTypes = {"m.room.message", "m.reaction", "m.room.redaction", "m.room.member"};
constexpr int kTimelineLimit = 50;         // events per room per sync; more makes the timeline `limited`
constexpr int kPageLimit = 100;            // events per /messages page of a gap fill
constexpr int kMaxGapPages = 100;          // a gap of more than 10,000 events is cut (and logged)
constexpr std::size_t kMaxSyncBytes = 32 << 20;
constexpr milliseconds kFirstBackoff{500};
constexpr milliseconds kMaxBackoff{60'000};

const json& bot_member(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  const auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

// The filter of a bot's sync: the bridged event types of `rooms`, with the members they need.
json sync_filter(const std::vector<std::string>& rooms) {
  const json nothing = {{"types", json::array()}};
  return {{"presence", nothing},
          {"account_data", nothing},
          {"room",
           {{"rooms", rooms},
            {"timeline", {{"types", kTimelineTypes}, {"limit", kTimelineLimit}, {"lazy_load_members", true}}},
            {"state", {{"types", {"m.room.member"}}, {"lazy_load_members", true}}},
            {"ephemeral", nothing},
            {"account_data", nothing}}}};
}

}  // namespace

void BotSync::start(boost::asio::any_io_executor executor) {
  wait_ = std::make_unique<boost::asio::steady_timer>(executor);
  boost::asio::co_spawn(executor, run(), boost::asio::detached);
}

void BotSync::stop() {
  stopping_ = true;
  if (wait_) wait_->cancel();
}

boost::asio::awaitable<void> BotSync::run() {
  while (!stopping_) {
    const SyncRound round = co_await sync_once();
    if (round.kind == SyncRound::Kind::halted) {
      log_reason("error", "matrix", "sync halted", round.error);
      break;
    }
    if (stopping_) break;
    if (round.kind == SyncRound::Kind::retry) {
      log_reason("warn", "matrix", "sync failed", round.error, {{"wait_ms", round.wait.count()}});
      wait_->expires_after(round.wait);
      boost::system::error_code ec;
      co_await wait_->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
  }
}

SyncRound BotSync::failed(const MatrixReply& reply, std::string_view what) {
  SyncRound round;
  if (reply.response.ok() && reply.response.status == 401) {
    round.kind = SyncRound::Kind::halted;
    round.error = "the homeserver refused the bot's access token (" +
                  (reply.errcode.empty() ? std::string("HTTP 401") : reply.errcode) +
                  "): put a new one in [matrix] bot_token_file and restart the hub";
    return round;
  }
  const SendOutcome outcome = failure_of(reply, what);
  round.kind = SyncRound::Kind::retry;
  round.error = outcome.error;
  ++failures_;
  if (outcome.retry_after_ms) round.wait = milliseconds(*outcome.retry_after_ms);
  else if (outcome.retry_after_s) round.wait = std::chrono::seconds(*outcome.retry_after_s);
  else round.wait = std::min(kMaxBackoff, kFirstBackoff * (1 << std::min(failures_ - 1, 7)));
  return round;
}

boost::asio::awaitable<void> BotSync::report(std::string error) {
  auto mark = [&error](store::Connection& c) -> Status {
    auto mappings = list_mappings(c, Network::matrix);
    if (!mappings) return mappings.error();
    for (const auto& m : *mappings)
      if (auto s = set_status(c, m.id, error); !s) return s;
    return http::Ok{};
  };
  if (auto s = co_await db_.write(mark); !s) log_reason("error", "matrix", "status", s.error().message);
}

boost::asio::awaitable<std::optional<SyncRound>> BotSync::refresh_filter() {
  if (!rooms_changed_ && !filter_id_.empty()) co_return std::nullopt;
  rooms_changed_ = false;
  auto list = [](store::Connection& c) { return list_mappings(c, Network::matrix); };
  auto mappings = co_await db_.read(list);
  if (!mappings) co_return SyncRound{SyncRound::Kind::retry, kFirstBackoff, 0, mappings.error().message};
  std::vector<std::string> rooms;
  for (const auto& m : *mappings) rooms.push_back(m.remote_room);
  std::sort(rooms.begin(), rooms.end());
  if (rooms == filter_rooms_ && !filter_id_.empty()) co_return std::nullopt;

  // The bot reads only the rooms it is in: join the new ones (an invite-only room needs an invite first).
  for (const auto& m : *mappings) {
    if (std::binary_search(filter_rooms_.begin(), filter_rooms_.end(), m.remote_room)) continue;
    new_rooms_.insert(m.remote_room);
    // Not back into a room it was removed from (an invite brings it back).
    auto removed = co_await connector_.removed_from(m.remote_room);
    if (!removed) {
      rooms_changed_ = true;
      co_return SyncRound{SyncRound::Kind::retry, kFirstBackoff, 0, removed.error().message};
    }
    if (!removed->empty()) continue;
    // Named: no temporaries inside co_await (g++ 12).
    std::string path = "/_matrix/client/v3/rooms/" + http::percent_encode(m.remote_room) + "/join", bot;
    json no_body = json::object();
    auto joined = co_await connector_.call(http::Method::post, std::move(path), std::move(bot), std::move(no_body));
    if (joined.ok()) continue;
    if (joined.response.status == 401) co_return failed(joined, "joining");
    const std::string error = failure_of(joined, "the bot could not join " + m.remote_room).error;
    log_reason("warn", "matrix", "join", error, {{"mapping", m.id}});
    auto mark = [id = m.id, &error](store::Connection& c) { return set_status(c, id, error); };
    if (auto s = co_await db_.write(mark); !s) log_reason("error", "matrix", "status", s.error().message);
  }
  std::string path = "/_matrix/client/v3/user/" + http::percent_encode(connector_.options().bot_user) + "/filter", bot;
  json filter = sync_filter(rooms);
  auto made = co_await connector_.call(http::Method::post, std::move(path), std::move(bot), std::move(filter));
  const auto id = string_field(made.body, "filter_id");
  if (!made.ok() || id.empty()) {
    rooms_changed_ = true;
    co_return failed(made, "uploading the sync filter");
  }
  filter_id_ = std::string(id);
  filter_rooms_ = std::move(rooms);
  co_return std::nullopt;
}

boost::asio::awaitable<http::Result<std::vector<json>>> BotSync::gap_fill(const std::string& room,
                                                                          const std::string& prev_batch,
                                                                          SyncRound& failure) {
  std::vector<json> events;  // newest first, as /messages pages backwards
  std::string from = prev_batch;
  const std::string filter = json{{"types", kTimelineTypes}, {"lazy_load_members", true}}.dump();
  for (int page = 0;; ++page) {
    if (page == kMaxGapPages) {
      log_reason("warn", "matrix", "gap cut", "more than 10000 events were missed in one room; the oldest are not bridged");
      break;
    }
    http::ClientRequest req;
    req.url = connector_.options().homeserver_url + "/_matrix/client/v3/rooms/" + http::percent_encode(room) +
              "/messages?dir=b&limit=" + std::to_string(kPageLimit) + "&from=" + http::percent_encode(from) +
              "&to=" + http::percent_encode(since_) + "&filter=" + http::percent_encode(filter);
    req.max_response_bytes = kMaxSyncBytes;
    auto reply = co_await connector_.exchange(std::move(req));
    const json& chunk = bot_member(reply.body, "chunk");
    if (!reply.ok() || !chunk.is_array()) {
      failure = failed(reply, "filling a gap in " + room);
      co_return http::ApiError{502, "gap", failure.error};
    }
    for (const auto& e : chunk) events.push_back(e);
    const auto end = string_field(reply.body, "end");
    if (chunk.empty() || end.empty() || end == from) break;
    from = std::string(end);
  }
  std::reverse(events.begin(), events.end());
  co_return events;
}

boost::asio::awaitable<SyncRound> BotSync::sync_once() {
  if (!since_loaded_) {
    auto load = [](store::Connection& c) { return remote_cursor(c, Network::matrix, kNextBatchCursor); };
    auto stored = co_await db_.read(load);
    if (!stored) co_return SyncRound{SyncRound::Kind::retry, kFirstBackoff, 0, stored.error().message};
    since_ = std::move(*stored);
    since_loaded_ = true;
  }
  if (auto failure = co_await refresh_filter()) {
    if (failure->kind == SyncRound::Kind::halted) {
      halted_ = true;
      co_await report(failure->error);
    }
    co_return *failure;
  }

  const auto& options = connector_.options();
  http::ClientRequest req;
  req.url = options.homeserver_url + "/_matrix/client/v3/sync?filter=" + http::percent_encode(filter_id_) +
            "&timeout=" + std::to_string(options.sync_timeout.count());
  if (!since_.empty()) req.url += "&since=" + http::percent_encode(since_);
  req.timeout = options.sync_timeout + std::chrono::seconds(30);
  req.cancel_on_shutdown = true;  // a SIGTERM does not wait out the long poll
  req.max_response_bytes = kMaxSyncBytes;
  auto reply = co_await connector_.exchange(std::move(req));
  const auto next_batch = std::string(string_field(reply.body, "next_batch"));
  if (!reply.ok() || next_batch.empty()) {
    SyncRound round = failed(reply, "syncing");
    if (round.kind == SyncRound::Kind::halted) {
      halted_ = true;
      co_await report(round.error);
    }
    co_return round;
  }

  SyncRound round;
  // The first sync only takes the position (rooms' history is not imported).
  const json& joined = bot_member(bot_member(reply.body, "rooms"), "join");
  if (!since_.empty() && joined.is_object()) {
    for (auto it = joined.begin(); it != joined.end(); ++it) {
      const std::string room = it.key();
      const json& state = it.value();
      std::vector<json> events;
      const json& timeline = bot_member(state, "timeline");
      if (bot_member(timeline, "limited") == true) {
        const std::string prev(string_field(timeline, "prev_batch"));
        if (!prev.empty()) {
          auto gap = co_await gap_fill(room, prev, round);
          if (!gap) co_return round;
          std::move(gap->begin(), gap->end(), std::back_inserter(events));
        }
      }
      for (const auto& e : bot_member(timeline, "events")) events.push_back(e);
      if (new_rooms_.count(room)) {
        // A room the bot has just joined: what was said before the join is the room's history.
        const std::string& bot = connector_.options().bot_user;
        auto join = std::find_if(events.rbegin(), events.rend(), [&bot](const json& e) {
          return string_field(e, "type") == "m.room.member" && string_field(e, "state_key") == bot &&
                 string_field(bot_member(e, "content"), "membership") == "join";
        });
        if (join != events.rend()) events.erase(events.begin(), join.base());
      }
      // The lazy-loaded members first: the senders' display names.
      const json& members = bot_member(bot_member(state, "state"), "events");
      if (members.is_array()) events.insert(events.begin(), members.begin(), members.end());
      for (auto& event : events) {
        if (!event.is_object()) continue;
        event["room_id"] = room;  // /sync leaves it out
        auto applied = co_await inbound_.apply_event(event);
        if (!applied) {
          ++failures_;
          co_return SyncRound{SyncRound::Kind::retry, kFirstBackoff, round.events, applied.error().message};
        }
        if (!applied->empty() && string_field(event, "type") != "m.room.member")
          log_reason("info", "matrix", "inbound event skipped", *applied);
        ++round.events;
      }
    }
  }
  const json& rooms = bot_member(reply.body, "rooms");
  // Rooms the bot was removed from: its membership event shows on the mapping and parks the sends.
  const json& left = bot_member(rooms, "leave");
  if (!since_.empty() && left.is_object()) {
    for (auto it = left.begin(); it != left.end(); ++it) {
      const json& events = bot_member(bot_member(it.value(), "timeline"), "events");
      if (!events.is_array()) continue;
      for (auto event : events) {
        if (!event.is_object() || string_field(event, "type") != "m.room.member") continue;
        event["room_id"] = it.key();
        auto applied = co_await inbound_.apply_event(event);
        if (!applied) {
          ++failures_;
          co_return SyncRound{SyncRound::Kind::retry, kFirstBackoff, round.events, applied.error().message};
        }
        ++round.events;
      }
    }
  }
  // Invites into mapped rooms (an admin inviting the bot back) are accepted; as in a newly mapped
  // room, only what follows the join is applied.
  std::vector<std::string> rejoined;
  const json& invited = bot_member(rooms, "invite");
  if (invited.is_object()) {
    for (auto it = invited.begin(); it != invited.end(); ++it) {
      auto accepted = co_await inbound_.accept_invite(it.key());
      if (!accepted) {
        ++failures_;
        co_return SyncRound{SyncRound::Kind::retry, kFirstBackoff, round.events, accepted.error().message};
      }
      if (accepted->empty()) rejoined.push_back(it.key());
      else log_reason("info", "matrix", "invite not accepted", *accepted);
    }
  }
  // Only now: every event of the batch is in, so a crash before this line repeats the batch.
  auto store = [&next_batch](store::Connection& c) {
    return set_remote_cursor(c, Network::matrix, kNextBatchCursor, next_batch);
  };
  if (auto s = co_await db_.write(store); !s)
    co_return SyncRound{SyncRound::Kind::retry, kFirstBackoff, round.events, s.error().message};
  since_ = next_batch;
  new_rooms_.clear();
  new_rooms_.insert(rejoined.begin(), rejoined.end());
  failures_ = 0;
  ++rounds_;
  co_return round;
}

}  // namespace hub::bridge::matrix
