#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "bridge/slack/socket_mode.hpp"

#include <algorithm>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bridge/log.hpp"
#include "bridge/slack/slack_connector.hpp"

namespace hub::bridge::slack {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

void log_socket(std::string_view level, std::string_view event, std::string_view reason) {
  log_reason(level, "slack", event, reason);
}

std::string socket_text(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Points the owner at a coroutine's local (the connection to abort(), the timer to cancel) for as
// long as it lives, however the coroutine ends (its frame may be destroyed with the io_context).
template <class T>
struct lent_while_alive {
  T*& slot;
  lent_while_alive(T*& s, T* local) : slot(s) { slot = local; }
  ~lent_while_alive() { slot = nullptr; }
};

}  // namespace

SocketFrame parse_socket_frame(std::string_view text) {
  SocketFrame f;
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    f.reason = "a Socket Mode message that is not a JSON object";
    return f;
  }
  const std::string type = socket_text(doc, "type");
  if (type == "hello") {
    f.type = SocketFrame::Type::hello;
  } else if (type == "disconnect") {
    f.type = SocketFrame::Type::disconnect;
    f.reason = socket_text(doc, "reason");
  } else if (!type.empty()) {
    f.type = SocketFrame::Type::envelope;
    f.kind = type.substr(0, 64);
    f.envelope_id = socket_text(doc, "envelope_id");
    if (f.envelope_id.size() > 128) f.envelope_id.clear();  // not one Slack sends: unanswerable
    if (auto r = doc.find("retry_attempt"); r != doc.end() && r->is_number_integer()) f.retry_attempt = r->get<std::int64_t>();
    if (auto p = doc.find("payload"); p != doc.end()) f.payload = std::move(*p);
  } else {
    f.reason = "a Socket Mode message without a type";
  }
  return f;
}

std::chrono::milliseconds reconnect_delay(int failures, std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                          std::mt19937& random) {
  if (failures <= 0) return std::chrono::milliseconds(0);
  std::int64_t whole = base.count();
  for (int i = 1; i < failures && whole < cap.count(); ++i) whole *= 2;
  whole = std::min(whole, cap.count());
  std::uniform_int_distribution<std::int64_t> upper_half(whole / 2, whole);
  return std::chrono::milliseconds(upper_half(random));
}

SocketMode::SocketMode(http::HttpClient& http, http::WebSocketClient& sockets, SocketModeOptions options,
                       Accept accept, Wait wait)
    : http_(http), sockets_(sockets), options_(std::move(options)), accept_(std::move(accept)), wait_(std::move(wait)) {}

void SocketMode::stop() {
  stopping_ = true;
  if (current_) current_->abort();
  if (timer_) timer_->cancel();
}

void SocketMode::wake() {
  failures_ = 0;
  if (timer_) timer_->cancel();
}

asio::awaitable<void> SocketMode::pause(std::chrono::milliseconds delay) {
  if (wait_) {
    co_await wait_(delay);
    co_return;
  }
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  lent_while_alive<asio::steady_timer> lent(timer_, &timer);
  boost::system::error_code cancelled;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, cancelled));
}

asio::awaitable<void> SocketMode::run() {
  while (!stopping_) {
    const End end = co_await session();
    if (end == End::stopped || stopping_) break;
    if (end == End::disconnected) ++reconnects_disconnect_;
    if (end == End::dropped) ++reconnects_drop_;
    // A disconnect Slack asked for is answered at once (it said so ahead); a failure backs off.
    failures_ = end == End::disconnected ? 0 : failures_ + 1;
    const auto delay = reconnect_delay(failures_, options_.base_delay, options_.max_delay, random_);
    if (delay.count() > 0) co_await pause(delay);
  }
}

asio::awaitable<std::optional<std::string>> SocketMode::open_url() {
  const std::string token = options_.app_token ? options_.app_token() : std::string();
  if (token.empty()) {
    log_socket("warn", "socket mode waits", "no app-level token is set (PUT /api/bridge/slack/credentials app_token)");
    co_return std::nullopt;
  }
  http::ClientRequest req;
  req.method = http::Method::post;
  req.url = options_.api_url + "/apps.connections.open";
  req.headers.set("Content-Type", "application/x-www-form-urlencoded");
  req.headers.set("Authorization", "Bearer " + token);
  const http::ClientResponse r = co_await http_.send(std::move(req));
  const SendOutcome outcome = outcome_of(r, "apps.connections.open");
  if (outcome.kind != SendOutcome::Kind::sent) {
    log_socket("warn", "socket mode cannot connect", outcome.error);
    co_return std::nullopt;
  }
  const json doc = json::parse(r.body, nullptr, false);
  std::string url = socket_text(doc, "url");
  if (url.rfind("wss://", 0) != 0 && url.rfind("ws://", 0) != 0) {
    log_socket("warn", "socket mode cannot connect", "apps.connections.open gave no WebSocket URL");
    co_return std::nullopt;
  }
  co_return url;
}

asio::awaitable<SocketMode::End> SocketMode::session() {
  auto url = co_await open_url();
  if (stopping_) co_return End::stopped;
  if (!url) co_return End::refused;
  http::WebSocketRequest request;
  request.url = std::move(*url);
  request.idle_timeout = options_.idle_timeout;
  http::WebSocketOpen open = co_await sockets_.connect(std::move(request));
  if (!open.connection) {
    log_socket("warn", "socket mode cannot connect", open.message);  // never the URL: its ticket is a credential
    co_return stopping_ ? End::stopped : End::refused;
  }
  http::WebSocketConnection& c = *open.connection;
  lent_while_alive<http::WebSocketConnection> lent(current_, &c);
  if (stopping_) {
    c.abort();
    co_return End::stopped;
  }
  ++connections_;
  // Slack speaks first: nothing is acknowledged on a connection that did not say hello.
  auto first = co_await c.read();
  if (!first || parse_socket_frame(*first).type != SocketFrame::Type::hello) {
    c.abort();
    if (stopping_) co_return End::stopped;
    log_socket("warn", "socket mode connection failed", first ? "the first message was not hello" : c.ended());
    co_return End::refused;
  }
  failures_ = 0;
  log_socket("info", "socket mode connected", "hello");
  for (;;) {
    auto text = co_await c.read();
    if (!text) {
      if (stopping_) co_return End::stopped;
      log_socket("warn", "socket mode connection dropped", c.ended());
      co_return End::dropped;
    }
    if (auto end = co_await handle(c, parse_socket_frame(*text))) {
      c.abort();
      co_return stopping_ ? End::stopped : *end;
    }
  }
}

asio::awaitable<std::optional<SocketMode::End>> SocketMode::handle(http::WebSocketConnection& c,
                                                                   const SocketFrame& frame) {
  using Type = SocketFrame::Type;
  if (frame.type == Type::hello) co_return std::nullopt;
  if (frame.type == Type::unreadable) {
    ++skipped_;
    log_socket("info", "slack envelope skipped", frame.reason);
    co_return std::nullopt;
  }
  if (frame.type == Type::disconnect) {
    log_socket("info", "socket mode disconnect", frame.reason.empty() ? "no reason given" : frame.reason);
    // link_disabled: Socket Mode was turned off for the app; asking again at once would not help.
    co_return frame.reason == "link_disabled" ? End::refused : End::disconnected;
  }
  if (frame.envelope_id.empty()) {
    ++skipped_;
    log_socket("info", "slack envelope skipped", "a " + frame.kind + " envelope without an envelope_id (it cannot be acknowledged)");
    co_return std::nullopt;
  }
  if (frame.kind != "events_api") {
    ++skipped_;
    log_socket("info", "slack envelope skipped", "a " + frame.kind + " envelope is not bridged");
  } else if (auto envelope = read_envelope(frame.payload); !envelope) {
    ++skipped_;
    log_socket("info", "slack envelope skipped", envelope.error().message);
  } else if (envelope->type == Envelope::Type::event_callback) {
    // Written down first: an acknowledged envelope is never sent again, so it must not be lost.
    if (auto written = co_await accept_(std::move(*envelope)); !written) {
      log_socket("warn", "slack envelope not acknowledged", written.error().message);  // Slack sends it again
      co_return std::nullopt;
    }
  }
  // The acknowledgement is the envelope_id alone. Slack's ack takes an optional `payload` only
  // where the envelope says accepts_response_payload: true (slash commands, interactivity, menus:
  // an answer shown to the user); its events_api envelopes say false and are acknowledged with
  // {"envelope_id"} alone, as an Events API POST is with a bare 200. The hub bridges events_api
  // only, so it never needs a response payload (docs.slack.dev/apis/events-api/using-socket-mode,
  // "4. Receive events", "5. Acknowledge events"; docs/operations.md#slack).
  const std::string ack = json{{"envelope_id", frame.envelope_id}}.dump();
  if (!(co_await c.write(ack))) {
    log_socket("warn", "socket mode connection dropped", c.ended());
    co_return End::dropped;
  }
  ++acked_;
  co_return std::nullopt;
}

}  // namespace hub::bridge::slack
