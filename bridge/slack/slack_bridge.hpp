// The Slack connector as the hub runs it: the Events API route (signed, answered once the event is
// written down, applied after) or Socket Mode (socket_mode.hpp: acknowledged once written down,
// the same way), the write-only credentials route, and the relay that sends hub events to Slack
// through SlackConnector.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "bridge/relay.hpp"
#include "bridge/slack/events.hpp"
#include "bridge/slack/slack_connector.hpp"
#include "bridge/slack/slack_store.hpp"
#include "bridge/slack/socket_mode.hpp"
#include "hub/discussion/bridge_seam.hpp"
#include "hub/http/router.hpp"
#include "hub/sharing/record_keys.hpp"

namespace hub::bridge::slack {

struct SlackOptions {
  std::string signing_secret;  // from [slack] signing_secret_file; a stored one wins
  std::string bot_token;       // from [slack] bot_token_file; a stored one wins
  std::string app_token;       // from [slack] app_token_file; a stored one wins (Socket Mode)
  bool socket_mode = false;    // [slack] mode = "socket": connect to Slack instead of being pushed to
  std::string api_url = "https://slack.com/api";
  std::chrono::milliseconds pace{1000};  // between two messages to one channel
  std::string hub_origin;      // where Slack reaches the hub (the manifest's request URL)
  std::string public_origin;   // [server] public_origin: links back to hub pages; empty: none (hub_link.hpp)
  std::string records_key;     // raw 32 bytes: seals the stored secrets
};

class SlackBridge {
 public:
  // Reads the stored secrets. Throws (start-up only) when they do not open.
  SlackBridge(store::Executor& db, discussion::BridgeSeam& seam, const Clock& clock, SlackOptions options);
  ~SlackBridge();

  void add_to(http::Router& router);

  // Makes Slack calls through `client` from now on. REQUIRES: `client` outlives this.
  void connect(http::HttpClient& client);
  // connect(), then starts the relay to Slack, applies events left queued by a crash and catches
  // up on what Slack channels said while the hub was down; in Socket Mode, connects to Slack
  // through `sockets`. REQUIRES: the live stream is attached on `executor`; `client` and
  // `sockets` outlive stop().
  void start(boost::asio::any_io_executor executor, http::HttpClient& client,
             http::WebSocketClient* sockets = nullptr);
  void stop();
  // After the io_context stopped and before it goes: the relay's timers belong to it.
  void detach() { relay_.reset(); }
  // Wakes the relay's send loop (a new mapping, an admin's retry) and a Socket Mode reconnect
  // wait; nothing before start().
  void poke();

  // Writes a signed (or Socket Mode) event_callback down and has it applied after: false when
  // Slack sent it before. The Events API route and Socket Mode both take this one path.
  boost::asio::awaitable<http::Result<bool>> accept(Envelope envelope);
  // Socket Mode over `sockets` (start() calls it in socket mode; tests call it with fakes).
  // REQUIRES: connect().
  SocketMode& socket_mode(http::WebSocketClient& sockets, SocketModeOptions options = {}, SocketMode::Wait wait = {});
  // The relay, once start() made it (its counters are on /metrics).
  const Relay* relay() const { return relay_.get(); }
  // Socket Mode, once start() (or socket_mode()) made it (its counters are on /metrics).
  const SocketMode* socket() const { return socket_mode_.get(); }

  // Applies every queued inbound event (tests call it; the events route and start() spawn it).
  boost::asio::awaitable<void> drain();
  // Queues what each mapped Slack channel said after its history cursor (conversations.history,
  // and conversations.replies for threads with new replies), then drains; then compares a window
  // of recent messages with the hub's (reconcile_channel) for edits, deletes and reactions made
  // meanwhile, and drains again. What cannot be read or lies outside the window is reported on the
  // mapping's status. A new mapping starts at Slack's newest message.
  // REQUIRES: connect().
  boost::asio::awaitable<void> catch_up();

  // Whether a bot token is set (file or stored), with a signing secret for the Events API or an
  // app-level token for Socket Mode.
  bool configured() const;

 private:
  boost::asio::awaitable<http::Response> events(http::Request& req, http::Context& ctx);
  boost::asio::awaitable<http::Response> put_credentials(http::Request& req, http::Context& ctx);

  // Applies one queued event and removes it from the queue; false when it must wait (a 5xx).
  boost::asio::awaitable<bool> apply(const std::string& event_id, const std::string& event_json);
  boost::asio::awaitable<http::Result<discussion::BridgeResult>> apply_change(const Inbound& in,
                                                                               const Mapping& mapping,
                                                                               discussion::BridgeWrite w);
  // The hub Markdown of `in`'s text; one too long for the hub is cut, with a link to it in Slack.
  boost::asio::awaitable<std::string> markdown_of(const Inbound& in);
  // The Slack link to message `ts` of `channel`: from the workspace's URL when known, else
  // chat.getPermalink; empty when neither gives one.
  boost::asio::awaitable<std::string> permalink(const std::string& channel, const std::string& ts);
  boost::asio::awaitable<std::string> display_name(const std::string& user, const std::string& fallback);
  boost::asio::awaitable<void> learn_own_identity();
  // Queues what channel `mapping` said after its history cursor; false for a new mapping (no
  // cursor yet). `status` gets what could not be read.
  boost::asio::awaitable<bool> catch_up_channel(const Mapping& mapping, std::string& status);
  // Re-reads the channel's newest messages and threads (a bounded window) and queues the edits,
  // deletes and reactions made in Slack that the hub does not have; what lies outside the window
  // is reported on the mapping's status, after `status` (catch_up_channel's).
  boost::asio::awaitable<void> reconcile_channel(const Mapping& mapping, const std::string& status);
  // A reading Web API call's answer when ok; otherwise nullopt and `error` says why. Paced, and
  // waits out a 429's Retry-After a few times.
  boost::asio::awaitable<std::optional<nlohmann::json>> read_api(std::string_view method, std::string query,
                                                                 std::string& error);
  boost::asio::awaitable<void> drop(const std::string& event_id, std::string_view reason);
  std::string secret(const char* which) const;
  // The member holding secret `which`. REQUIRES: secrets_mutex_ held, or construction.
  template <class Self>
  static auto& slot(Self& self, const char* which) {
    return which == kSigningSecret ? self.signing_secret_ : which == kBotToken ? self.bot_token_ : self.app_token_;
  }

  store::Executor& db_;
  discussion::BridgeSeam& seam_;
  const Clock& clock_;
  SlackOptions options_;
  const sharing::RecordCipher cipher_;
  mutable std::mutex secrets_mutex_;  // guards signing_secret_, bot_token_ and app_token_ (read by the route credential)
  std::string signing_secret_;
  std::string bot_token_;
  std::string app_token_;
  OwnApp own_;  // from auth.test; network thread only
  std::map<std::string, std::string> names_;  // Slack user id -> display name, from users.info
  bool draining_ = false;    // a drain() is running; network thread only
  bool drain_again_ = false; // an event arrived while it ran
  http::HttpClient* client_ = nullptr;  // set by connect()
  std::unique_ptr<Pacer> pacer_;
  std::unique_ptr<SlackConnector> connector_;
  std::unique_ptr<Relay> relay_;
  std::unique_ptr<SocketMode> socket_mode_;  // in socket mode, from start(); lives as long as this (its frames point here)
};

}  // namespace hub::bridge::slack
