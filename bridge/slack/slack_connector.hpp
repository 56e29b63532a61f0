// Hub events -> Slack's Web API: chat.postMessage (as the hub author, in threads, with the
// provenance in `metadata`), chat.update, chat.delete and reactions.add/remove. HTTP 429 and
// `ok:false` answers are read by name into retry or failed; messages are paced per channel.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "bridge/relay.hpp"
#include "hub/http/client.hpp"

namespace hub::bridge::slack {

// About one message per second per channel (Slack's chat.postMessage limit). `wait` is the
// injectable sleep, so tests drive time instead of sleeping.
class Pacer {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Now = std::function<TimePoint()>;
  using Wait = std::function<boost::asio::awaitable<void>(std::chrono::milliseconds)>;

  Pacer(std::chrono::milliseconds gap, Now now, Wait wait)
      : gap_(gap), now_(std::move(now)), wait_(std::move(wait)) {}
  // Returns when `channel` may take its next message: `gap` after the previous turn ended.
  boost::asio::awaitable<void> turn(const std::string& channel);
  // The message of this turn got its answer: the next turn waits `gap` from now, so messages
  // arrive at least `gap` apart however long each took on the way.
  void done(const std::string& channel);

 private:
  const std::chrono::milliseconds gap_;
  const Now now_;
  const Wait wait_;
  std::map<std::string, TimePoint> next_;  // per channel, the earliest next turn; network thread only
};

struct SlackApi {
  std::string api_url = "https://slack.com/api";  // tests point it at a fake
  std::function<std::string()> bot_token;          // "xoxb-…"; empty: every send fails visibly
  // [server] public_origin, for the link to a message too long for Slack (bridge/hub_link.hpp);
  // empty: the cut message says where it is, without a link.
  std::string public_origin;
};

// A Slack call's outcome in the relay's terms: 429 (Retry-After) and 5xx retry; ok:false by name.
SendOutcome outcome_of(const http::ClientResponse& response, std::string_view method);

// What ends a hub message cut to fit Slack: where the whole one is, "#channel on the hub", as a
// link to it when `link` is set (hub_link()), else in words. `channel_name` empty: "on the hub".
std::string slack_cut_tail(const std::optional<std::string>& link, std::string_view channel_name);

// The Slack reaction name of a hub reaction (":+1:" or "👍" -> "+1"), or empty when it has none.
std::string slack_reaction_name(std::string_view hub_emoji);

class SlackConnector final : public Connector {
 public:
  // `slack_users_of` maps the hub handles a message mentions to Slack user ids (the Slack ghosts).
  using SlackUsersOf =
      std::function<boost::asio::awaitable<std::map<std::string, std::string>>(std::vector<std::string>)>;
  // A hub channel's name (for a cut message's "read it in full in #name"); empty when unknown.
  using ChannelNameOf = std::function<boost::asio::awaitable<std::string>(std::int64_t)>;

  SlackConnector(http::HttpClient& client, SlackApi api, Pacer& pacer, SlackUsersOf slack_users_of = {},
                 ChannelNameOf channel_name_of = {})
      : client_(client), api_(std::move(api)), pacer_(pacer), slack_users_of_(std::move(slack_users_of)),
        channel_name_of_(std::move(channel_name_of)) {}

  Network network() const override { return Network::slack; }
  boost::asio::awaitable<SendOutcome> send(Outgoing out) override;

  // One Web API call (JSON body, bearer token).
  boost::asio::awaitable<http::ClientResponse> call(std::string_view method, const nlohmann::json& body);
  // A reading Web API call, which takes its arguments in the query (users.info, auth.test).
  // REQUIRES: `query` is already URL-encoded.
  boost::asio::awaitable<http::ClientResponse> get(std::string_view method, std::string_view query);

 private:
  boost::asio::awaitable<std::string> text_for(const nlohmann::json& message);
  // Whether an earlier chat.postMessage of `out` reached Slack with its answer lost (Slack has no
  // idempotency key): the channel's newest messages, or the thread's, searched for its provenance.
  // A "sent" outcome with the message's ts when found; a failure when Slack could not be asked;
  // nullopt when it is not there.
  boost::asio::awaitable<std::optional<SendOutcome>> find_posted(const Outgoing& out);

  http::HttpClient& client_;
  const SlackApi api_;
  Pacer& pacer_;
  const SlackUsersOf slack_users_of_;
  const ChannelNameOf channel_name_of_;
};

}  // namespace hub::bridge::slack
