#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "hub/discussion/bridge_seam.hpp"

#include <algorithm>
#include <cctype>

#include "hub/discussion/policy.hpp"
#include "hub/markdown/renderer.hpp"

namespace hub::discussion {

using http::ApiError;

namespace {

// Not a stored scrypt hash: verify_password() refuses every password against it.
constexpr const char* kGhostPasswordHash = "!ghost: a bridged identity never logs in";
constexpr std::size_t kHandleMax = 32;

// "matrix_" + the remote id's local part in handle characters, e.g. "@Ana.B:hs.org" -> "matrix_ana.b".
std::string ghost_handle_base(const Ghost& g) {
  std::string name;
  for (char c : g.remote_id) {
    if (c == ':' && !name.empty()) break;  // a Matrix id's server part
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '_' || c == '.' || c == '-') name += static_cast<char>(std::tolower(u));
  }
  if (name.empty()) name = "user";
  std::string handle = std::string(network_name(g.network)) + "_" + name;
  if (handle.size() > kHandleMax - 4) handle.resize(kHandleMax - 4);  // room for "_999"
  return handle;
}

Status remember(Connection& db, const BridgeWrite& w, const Change& change) {
  auto s = db.prepare(
      "INSERT INTO bridge_writes (network, idempotency_key, message_id, seq) VALUES (?1, ?2, ?3, ?4)");
  s.bind(1, network_name(w.network)).bind(2, std::string_view(w.idempotency_key));
  s.bind(3, change.message.value("id", std::int64_t{0})).bind(4, change.seq);
  if (auto r = s.run(); !r) return r.error();
  return w.map_row ? w.map_row(db, change) : Status(http::Ok{});
}

// The first result of `w`'s key, when it was applied before.
Result<std::optional<BridgeResult>> earlier(Connection& db, const BridgeWrite& w) {
  if (w.network == Network::hub) return ApiError::bad_request("A bridged change comes from another network.");
  if (w.idempotency_key.empty() || w.idempotency_key.size() > 255)
    return ApiError::invalid_field("idempotency_key", "An idempotency key of 1 to 255 bytes is required.");
  auto s = db.prepare("SELECT message_id, seq FROM bridge_writes WHERE network = ?1 AND idempotency_key = ?2");
  s.bind(1, network_name(w.network)).bind(2, std::string_view(w.idempotency_key));
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<BridgeResult>();
  const std::int64_t message_id = s.int64(0), seq = s.int64(1);
  auto message = message_json(db, message_id);
  if (!message) return message.error();
  const std::int64_t channel = message->value("channel_id", std::int64_t{0});
  return std::optional<BridgeResult>(BridgeResult{Change{std::move(*message), seq, channel, {}}, true});
}

// Runs `apply` once per key, when the policy allows the ghost `action` on `target` (0 for a
// post): a repeat returns the first result.
// `target` is the channel for a post, the message otherwise.
template <class Apply>
Result<BridgeResult> once(Connection& db, const BridgeWrite& w, policy::BridgedAction action, std::int64_t target,
                          Apply apply) {
  auto before = earlier(db, w);
  if (!before) return before.error();
  if (*before) return std::move(**before);
  auto ghost = ghost_network(db, w.actor_id);
  if (!ghost) return ghost.error();
  MessageFacts facts;
  std::int64_t channel_id = target;
  if (action != policy::BridgedAction::post) {
    auto ref = message_ref(db, target);
    if (!ref) return ref.error();
    facts = ref->facts;
    channel_id = ref->channel_id;
  }
  auto channel = find_channel(db, channel_id);
  if (!channel) return channel.error();
  const policy::BridgedActor actor{w.actor_id, *ghost == w.network};
  const Verdict verdict = policy::bridged_change(actor, action, facts, channel->facts());
  if (verdict == Verdict::archived) return ApiError::conflict("This channel is archived: it takes no changes.");
  if (verdict != Verdict::allowed) return ApiError::forbidden("That ghost may not make this change.");
  Result<Change> change = apply();
  if (!change) return change.error();
  if (auto s = remember(db, w, *change); !s) return s.error();
  return BridgeResult{std::move(*change), false};
}

}  // namespace

Result<std::int64_t> ghost_user(Connection& db, const Ghost& g, std::int64_t now) {
  if (g.network == Network::hub) return ApiError::bad_request("A ghost comes from another network.");
  if (g.remote_id.empty() || g.remote_id.size() > 255)
    return ApiError::invalid_field("remote_id", "A remote id of 1 to 255 bytes is required.");
  std::string display = g.display_name.empty() ? g.remote_id : g.display_name;
  if (display.size() > 100) display.resize(100);
  auto find = db.prepare("SELECT user_id FROM ghosts WHERE network = ?1 AND remote_id = ?2");
  find.bind(1, network_name(g.network)).bind(2, std::string_view(g.remote_id));
  auto row = find.step();
  if (!row) return row.error();
  if (*row) {
    const std::int64_t id = find.int64(0);
    auto rename = db.prepare("UPDATE users SET display_name = ?2 WHERE id = ?1 AND display_name != ?2");
    rename.bind(1, id).bind(2, std::string_view(display));
    if (auto r = rename.run(); !r) return r.error();
    return id;
  }
  const std::string base = ghost_handle_base(g);
  auto insert = db.prepare(
      "INSERT INTO users (handle, display_name, role, password_hash, created_at) VALUES (?1, ?2, 'member', ?3, ?4) "
      "ON CONFLICT (handle) DO NOTHING");
  for (int n = 1; n < 1000; ++n) {
    const std::string handle = n == 1 ? base : base + "_" + std::to_string(n);
    insert.bind(1, std::string_view(handle)).bind(2, std::string_view(display));
    insert.bind(3, std::string_view(kGhostPasswordHash)).bind(4, now);
    if (auto r = insert.run(); !r) return r.error();
    if (db.changes() == 0) continue;  // the handle is someone else's
    const std::int64_t id = db.last_insert_id();
    auto ghost = db.prepare("INSERT INTO ghosts (user_id, network, remote_id) VALUES (?1, ?2, ?3)");
    ghost.bind(1, id).bind(2, network_name(g.network)).bind(3, std::string_view(g.remote_id));
    if (auto r = ghost.run(); !r) return r.error();
    return id;
  }
  return ApiError::conflict("No free handle for this ghost.");
}

Result<std::optional<Network>> ghost_network(Connection& db, std::int64_t user_id) {
  auto s = db.prepare("SELECT network FROM ghosts WHERE user_id = ?1");
  s.bind(1, user_id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<Network>();
  return parse_network(s.text(0));
}

Result<BridgeResult> bridge_post(Connection& db, std::int64_t channel_id, const BridgeWrite& w, const NewMessage& m,
                                 std::int64_t now) {
  return once(db, w, policy::BridgedAction::post, channel_id, [&]() -> Result<Change> {
    auto ch = find_channel(db, channel_id);
    if (!ch) return ch.error();
    return post_message(db, *ch, w.actor_id, m, now, w.network);
  });
}

Result<BridgeResult> bridge_edit(Connection& db, std::int64_t message_id, const BridgeWrite& w,
                                 const std::string& body, const std::string& html, std::int64_t now) {
  return once(db, w, policy::BridgedAction::edit, message_id,
              [&] { return edit_message(db, message_id, w.actor_id, body, html, now, w.network); });
}

Result<BridgeResult> bridge_delete(Connection& db, std::int64_t message_id, const BridgeWrite& w, std::int64_t now) {
  return once(db, w, policy::BridgedAction::remove, message_id,
              [&] { return delete_message(db, message_id, w.actor_id, now, w.network); });
}

Result<BridgeResult> bridge_react(Connection& db, std::int64_t message_id, const BridgeWrite& w,
                                  const std::string& emoji, bool add, std::int64_t now) {
  if (emoji.empty() || emoji.size() > 64) return ApiError::invalid_field("emoji", "An emoji of 1 to 64 bytes is required.");
  return once(db, w, policy::BridgedAction::react, message_id,
              [&] { return set_reaction(db, message_id, w.actor_id, emoji, add, now, w.network); });
}

boost::asio::awaitable<Result<std::int64_t>> BridgeSeam::ghost(Ghost g) {
  auto job = [g = std::move(g), now = clock_.now()](Connection& c) { return ghost_user(c, g, now); };
  co_return co_await db_.write(job);
}

template <class Job>
boost::asio::awaitable<Result<BridgeResult>> BridgeSeam::commit(Job& job) {
  auto result = co_await db_.write(job);
  if (result && !result->repeated) live_.publish(result->change.events);
  co_return result;
}

boost::asio::awaitable<Result<BridgeResult>> BridgeSeam::post(std::int64_t channel_id, BridgeWrite w,
                                                              std::string markdown,
                                                              std::optional<std::int64_t> reply_to,
                                                              std::optional<std::int64_t> thread_root) {
  if (markdown.empty() || markdown.size() > kMaxBodyBytes)
    co_return ApiError::invalid_field("body", "A message of 1 to 10,000 bytes is required.");
  auto render_job = [&markdown]() -> Result<std::string> { return markdown::render_html(markdown, markdown::Flavor::chat); };
  auto html = co_await cpu_.run(render_job);
  if (!html) co_return html.error();
  NewMessage m{std::move(markdown), std::move(*html), reply_to, thread_root};
  auto job = [&, now = clock_.now()](Connection& c) { return bridge_post(c, channel_id, w, m, now); };
  co_return co_await commit(job);
}

boost::asio::awaitable<Result<BridgeResult>> BridgeSeam::edit(std::int64_t message_id, BridgeWrite w,
                                                              std::string markdown) {
  if (markdown.empty() || markdown.size() > kMaxBodyBytes)
    co_return ApiError::invalid_field("body", "A message of 1 to 10,000 bytes is required.");
  auto render_job = [&markdown]() -> Result<std::string> { return markdown::render_html(markdown, markdown::Flavor::chat); };
  auto html = co_await cpu_.run(render_job);
  if (!html) co_return html.error();
  auto job = [&, now = clock_.now()](Connection& c) { return bridge_edit(c, message_id, w, markdown, *html, now); };
  co_return co_await commit(job);
}

boost::asio::awaitable<Result<BridgeResult>> BridgeSeam::remove(std::int64_t message_id, BridgeWrite w) {
  auto job = [&, now = clock_.now()](Connection& c) { return bridge_delete(c, message_id, w, now); };
  co_return co_await commit(job);
}

boost::asio::awaitable<Result<BridgeResult>> BridgeSeam::react(std::int64_t message_id, BridgeWrite w,
                                                               std::string emoji, bool add) {
  auto job = [&, now = clock_.now()](Connection& c) { return bridge_react(c, message_id, w, emoji, add, now); };
  co_return co_await commit(job);
}

boost::asio::awaitable<Result<std::vector<Event>>> BridgeSeam::next_events(std::int64_t after,
                                                                          std::vector<std::int64_t> channels,
                                                                          int limit) {
  struct Window {
    std::int64_t head = 0;
    std::vector<Event> events;
  };
  for (;;) {
    // The head and the events up to it in one snapshot, so nothing committed between is skipped.
    auto read_job = [&](Connection& c) -> Result<Window> {
      auto head = head_seq(c);
      if (!head) return head.error();
      auto events = read_events(c, channels, after, *head, limit);
      if (!events) return events.error();
      return Window{*head, std::move(*events)};
    };
    auto window = co_await db_.read(read_job);
    if (!window) co_return window.error();
    if (!window->events.empty()) co_return std::move(window->events);
    after = std::max(after, window->head);  // nothing in these channels up to the head
    if (!co_await live_.wait_beyond(after)) co_return ApiError::unavailable("The hub is stopping.");
  }
}

}  // namespace hub::discussion
