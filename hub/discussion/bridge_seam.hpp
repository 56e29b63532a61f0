// The bridge seam: everything bridge/ may use of discussion, and nothing else.
//
// - Ghosts: a remote author (a Matrix or Slack user) is a hub user who can author messages, shows
//   with "via": "matrix" on the author, and can never log in (the account has no password hash).
// - Writes with an idempotency key: post, edit, delete and react as a ghost, in one transaction
//   with the bridge's own id-map row; a repeated key returns the first result and writes nothing.
// - Every event carries its origin (actor and network), and reactions carry their delta, so a
//   bridge never sends back what it received.
// - next_events(): an in-process subscription from a seq, woken by new events (no polling).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "hub/discussion/event_log.hpp"
#include "hub/discussion/live_stream.hpp"
#include "hub/discussion/message_store.hpp"
#include "hub/http/clock.hpp"
#include "hub/http/cpu_pool.hpp"

namespace hub::discussion {

struct Ghost {
  Network network = Network::matrix;  // never Network::hub
  std::string remote_id;              // e.g. "@ana:matrix.example.org" or a Slack user id
  std::string display_name;           // kept current on every use
};

// The hub user standing for `g`, created on first use with a handle such as "matrix_ana" (a
// number appended when taken). REQUIRES: inside a write job.
Result<std::int64_t> ghost_user(Connection& db, const Ghost& g, std::int64_t now);
// The network a ghost user comes through, or nullopt for an ordinary hub user.
Result<std::optional<Network>> ghost_network(Connection& db, std::int64_t user_id);

// One bridged change.
struct BridgeWrite {
  Network network = Network::matrix;  // where the change came from
  std::string idempotency_key;        // e.g. the Matrix event id; unique per network
  std::int64_t actor_id = 0;          // a ghost from ghost_user()
  // The bridge's own id-map row, written after the change in the same transaction; an error
  // rolls the change back too. May be empty.
  std::function<Status(Connection&, const Change&)> map_row;
};

struct BridgeResult {
  Change change;          // for a repeat: the message as it now is, and the first seq
  bool repeated = false;  // the key was applied before: nothing was written
};

// The write functions, each to run inside one write job (store::Executor::write). The target
// message must be in a channel; a deleted message is conflict for edit and react.
Result<BridgeResult> bridge_post(Connection& db, std::int64_t channel_id, const BridgeWrite& w, const NewMessage& m,
                                 std::int64_t now);
Result<BridgeResult> bridge_edit(Connection& db, std::int64_t message_id, const BridgeWrite& w,
                                 const std::string& body, const std::string& html, std::int64_t now);
Result<BridgeResult> bridge_delete(Connection& db, std::int64_t message_id, const BridgeWrite& w, std::int64_t now);
Result<BridgeResult> bridge_react(Connection& db, std::int64_t message_id, const BridgeWrite& w,
                                  const std::string& emoji, bool add, std::int64_t now);

// The seam as coroutines: renders Markdown, runs the write job, and hands the events to live
// subscribers. Used by bridge/ on the network thread.
class BridgeSeam {
 public:
  BridgeSeam(store::Executor& db, http::CpuPool& cpu, const Clock& clock, LiveStream& live)
      : db_(db), cpu_(cpu), clock_(clock), live_(live) {}

  boost::asio::awaitable<Result<std::int64_t>> ghost(Ghost g);
  boost::asio::awaitable<Result<BridgeResult>> post(std::int64_t channel_id, BridgeWrite w, std::string markdown,
                                                    std::optional<std::int64_t> reply_to = std::nullopt,
                                                    std::optional<std::int64_t> thread_root = std::nullopt);
  boost::asio::awaitable<Result<BridgeResult>> edit(std::int64_t message_id, BridgeWrite w, std::string markdown);
  boost::asio::awaitable<Result<BridgeResult>> remove(std::int64_t message_id, BridgeWrite w);
  boost::asio::awaitable<Result<BridgeResult>> react(std::int64_t message_id, BridgeWrite w, std::string emoji,
                                                     bool add);

  // The events after `after` in `channels` (every channel when empty), at most `limit`; waits
  // until there is at least one. The caller stores the last seq it handled and resumes from it.
  // REQUIRES: the live stream is attached; called on its executor.
  boost::asio::awaitable<Result<std::vector<Event>>> next_events(std::int64_t after,
                                                                 std::vector<std::int64_t> channels, int limit);
  // The hub is shutting down: next_events() will only ever fail from now on.
  bool stopping() const { return live_.stopped(); }

 private:
  template <class Job>
  boost::asio::awaitable<Result<BridgeResult>> commit(Job& job);

  store::Executor& db_;
  http::CpuPool& cpu_;
  const Clock& clock_;
  LiveStream& live_;
};

}  // namespace hub::discussion
