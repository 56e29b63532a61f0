// The Slack connector as the hub runs it: the Events API route (signed, answered once the event is
// written down, applied after), the write-only credentials route, and the relay that sends hub
// events to Slack through SlackConnector.
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
#include "hub/discussion/bridge_seam.hpp"
#include "hub/http/router.hpp"
#include "hub/sharing/record_keys.hpp"

namespace hub::bridge::slack {

struct SlackOptions {
  std::string signing_secret;  // from [slack] signing_secret_file; a stored one wins
  std::string bot_token;       // from [slack] bot_token_file; a stored one wins
  std::string api_url = "https://slack.com/api";
  std::chrono::milliseconds pace{1000};  // between two messages to one channel
  std::string hub_origin;      // links back to the hub
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
  // up on what Slack channels said while the hub was down. REQUIRES: the live stream is attached
  // on `executor`; `client` outlives stop().
  void start(boost::asio::any_io_executor executor, http::HttpClient& client);
  void stop();
  // After the io_context stopped and before it goes: the relay's timers belong to it.
  void detach() { relay_.reset(); }
  // Wakes the relay's send loop (a new mapping, an admin's retry); nothing before start().
  void poke();

  // Applies every queued inbound event (tests call it; the events route and start() spawn it).
  boost::asio::awaitable<void> drain();
  // Queues what each mapped Slack channel said after its history cursor (conversations.history,
  // and conversations.replies for threads with new replies), then drains. What cannot be read is
  // reported on the mapping's status. A new mapping starts at Slack's newest message.
  // REQUIRES: connect().
  boost::asio::awaitable<void> catch_up();

  // Whether a signing secret and a bot token are set (file or stored).
  bool configured() const;

 private:
  boost::asio::awaitable<http::Response> events(http::Request& req, http::Context& ctx);
  boost::asio::awaitable<http::Response> put_credentials(http::Request& req, http::Context& ctx);

  // Applies one queued event and removes it from the queue; false when it must wait (a 5xx).
  boost::asio::awaitable<bool> apply(const std::string& event_id, const std::string& event_json);
  boost::asio::awaitable<http::Result<discussion::BridgeResult>> apply_change(const Inbound& in,
                                                                               const Mapping& mapping,
                                                                               discussion::BridgeWrite w);
  boost::asio::awaitable<std::string> markdown_of(const std::string& mrkdwn);
  boost::asio::awaitable<std::string> display_name(const std::string& user, const std::string& fallback);
  boost::asio::awaitable<void> learn_own_identity();
  boost::asio::awaitable<void> catch_up_channel(const Mapping& mapping);
  // A reading Web API call's answer when ok; otherwise nullopt and `error` says why. Paced, and
  // waits out a 429's Retry-After a few times.
  boost::asio::awaitable<std::optional<nlohmann::json>> read_api(std::string_view method, std::string query,
                                                                 std::string& error);
  boost::asio::awaitable<void> drop(const std::string& event_id, std::string_view reason);
  std::string secret(const char* which) const;

  store::Executor& db_;
  discussion::BridgeSeam& seam_;
  const Clock& clock_;
  SlackOptions options_;
  const sharing::RecordCipher cipher_;
  mutable std::mutex secrets_mutex_;  // guards signing_secret_ and bot_token_ (read by the route credential)
  std::string signing_secret_;
  std::string bot_token_;
  OwnApp own_;  // from auth.test; network thread only
  std::map<std::string, std::string> names_;  // Slack user id -> display name, from users.info
  bool draining_ = false;    // a drain() is running; network thread only
  bool drain_again_ = false; // an event arrived while it ran
  http::HttpClient* client_ = nullptr;  // set by start()
  std::unique_ptr<Pacer> pacer_;
  std::unique_ptr<SlackConnector> connector_;
  std::unique_ptr<Relay> relay_;
};

}  // namespace hub::bridge::slack
