#include "hub/app.hpp"

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>

#include "bridge/bridge_schema.hpp"
#include "bridge/hub_link.hpp"
#include "bridge/mappings.hpp"
#include "bridge/matrix/matrix_bridge.hpp"
#include "bridge/matrix/matrix_store.hpp"
#include "bridge/matrix/registration.hpp"
#include "bridge/slack/slack_bridge.hpp"
#include "bridge/slack/slack_store.hpp"
#include "hub/auth/account_store.hpp"
#include "hub/auth/secrets.hpp"
#include "hub/cohorts/cohort_store.hpp"
#include "hub/demo_data.hpp"
#include "hub/discussion/channel_store.hpp"
#include "hub/http/json_body.hpp"
#include "playbooks/templates/template_schema.hpp"

namespace hub {
namespace fs = std::filesystem;

std::vector<store::Migration> all_migrations() {
  return {auth::accounts_migration(), cohorts::cohorts_migration(), discussion::discussion_migration(3),
          sharing::sharing_migration(4), playbooks::playbooks_migration(5),
          playbooks::playbook_settings_log_migration(6), playbooks::templates::templates_migration(7),
          mail::mail_migration(8), bridge::bridge_migration(9), bridge::mappings_migration(10),
          bridge::matrix::matrix_migration(11), bridge::slack::slack_migration(12),
          discussion::channel_archive_migration(13),
          mail::review_requests_migration(14), bridge::slack::slack_app_token_migration(15),
          discussion::event_nonce_migration(16)};
}

namespace {

// Writes `content` to a new file readable by the owner only; leaves an existing file alone.
void write_private_file_once(const std::string& path, const std::string& content) {
  if (fs::exists(path)) return;
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + tmp);
    out << content;
  }
  ::chmod(tmp.c_str(), 0600);
  fs::rename(tmp, path);
}

std::string random_key_file() {
  std::string raw = auth::random_token(32);  // 256 bits, base64url
  return raw + "\n";
}

// The base document's `paths` and `components.schemas`, extended by every later fragment.
std::string merge_openapi() {
  auto fragments = openapi_fragments();
  auto doc = nlohmann::json::parse(fragments.at(0));
  for (std::size_t i = 1; i < fragments.size(); ++i) {
    auto part = nlohmann::json::parse(fragments[i]);
    for (const char* section : {"/paths", "/components/schemas"}) {
      nlohmann::json::json_pointer ptr(section);
      if (!part.contains(ptr)) continue;
      for (auto& [name, value] : part[ptr].items()) {
        if (doc[ptr].contains(name)) throw std::logic_error("OpenAPI: " + name + " is defined twice");
        doc[ptr][name] = value;
      }
    }
  }
  return doc.dump(1);
}

}  // namespace

void init_data_dir(const DataDir& dir) {
  fs::create_directories(dir.root);
  ::chmod(dir.root.c_str(), 0700);
  fs::create_directories(dir.keys());
  ::chmod(dir.keys().c_str(), 0700);
  // Keys for the sharing module: the pseudonym HMAC key and the record encryption key (DESIGN.md).
  write_private_file_once(dir.keys() + "/pseudonym-hmac.key", random_key_file());
  write_private_file_once(dir.keys() + "/records-aes256.key", random_key_file());
  // The mail module's key for signing one-click unsubscribe links.
  write_private_file_once(dir.keys() + "/mail-unsubscribe.key", random_key_file());
  if (!fs::exists(dir.config())) {
    std::ofstream out(dir.config());
    out << default_config_text();
  }
  store::Executor db(dir.database(), all_migrations(), {.readers = 1});
  db.stop();
  ::chmod(dir.database().c_str(), 0600);
}

std::string_view openapi_document() {
  static const std::string merged = merge_openapi();
  return merged;
}

auth::AuthOptions auth_options_from(const Config& config) {
  auth::AuthOptions o;
  o.scrypt_log2_n = static_cast<int>(config.auth.scrypt_log2_n);
  o.session_ttl_s = config.auth.session_ttl_hours * 3600;
  o.secure_cookies = !config.server.tls_cert.empty() || config.server.public_origin.rfind("https://", 0) == 0;
  o.login_burst_per_ip = static_cast<int>(config.auth.login_burst_per_ip);
  o.login_burst_per_handle = static_cast<int>(config.auth.login_burst_per_handle);
  o.trusted_proxies = config.server.trusted_proxies;
  return o;
}

sharing::SharingOptions sharing_options_from(const Config& config, const DataDir& dir) {
  sharing::SharingOptions o;
  o.hmac_key_file = dir.keys() + "/pseudonym-hmac.key";
  o.records_key_file = dir.keys() + "/records-aes256.key";
  o.disclosure.noise = sharing::parse_switch(config.privacy.noise, "privacy.noise");
  o.disclosure.epsilon = sharing::parse_epsilon(config.privacy.epsilon);
  o.disclosure.p_percent = config.privacy.p_percent;
  o.disclosure.top_code = config.sharing.top_code;
  o.quiet_weeks = config.sharing.quiet_weeks;
  o.wave_days = config.sharing.wave_days;
  return o;
}

static std::unique_ptr<playbooks::templates::PdfRenderer> pdf_renderer_from(const Config& config) {
  if (config.templates.pdf_workers == 0) return nullptr;
  playbooks::templates::PdfOptions o;
  o.python = config.templates.python;
  o.workers = static_cast<int>(config.templates.pdf_workers);
  o.queue = static_cast<std::size_t>(config.templates.pdf_queue);
  o.timeout_ms = static_cast<int>(config.templates.pdf_timeout_ms);
  o.memory_mb = static_cast<std::size_t>(config.templates.pdf_memory_mb);
  return std::make_unique<playbooks::templates::PdfRenderer>(std::move(o));
}

mail::MailOptions mail_options_from(const Config& config, const DataDir& dir) {
  mail::MailOptions o;
  const auto& m = config.mail;
  o.enabled = !m.smtp_url.empty();
  if (o.enabled) {
    if (m.smtp_url.rfind("smtp://", 0) != 0 && m.smtp_url.rfind("smtps://", 0) != 0)
      throw std::runtime_error("mail.smtp_url must start with smtp:// (STARTTLS) or smtps:// (implicit TLS)");
    if (auto s = mail::check_address(m.from, "mail.from"); !s) throw std::runtime_error(s.error().message);
    if (auto s = mail::check_header_text(m.from_name, "mail.from_name", mail::kMaxNameBytes); !s)
      throw std::runtime_error(s.error().message);
  }
  o.identity = {m.from, m.from_name};
  o.smtp.url = m.smtp_url;
  o.smtp.username = m.username;
  if (!m.password_file.empty()) {
    std::ifstream in(m.password_file);
    if (!in) throw std::runtime_error("mail.password_file: cannot read " + m.password_file);
    std::getline(in, o.smtp.password);
  }
  o.smtp.require_starttls = m.starttls;
  o.smtp.timeout_ms = static_cast<long>(m.timeout_ms);
  o.retry.base_ms = m.retry_base_ms;
  o.retry.max_attempts = m.max_attempts;
  o.poll_ms = m.poll_ms;
  o.digest_hour_utc = static_cast<int>(m.digest_hour_utc);
  o.link_origin = !m.link_origin.empty() ? m.link_origin : config.server.public_origin;
  while (!o.link_origin.empty() && o.link_origin.back() == '/') o.link_origin.pop_back();
  o.unsubscribe_key = mail::load_or_create_key(dir.keys() + "/mail-unsubscribe.key");
  o.records_key = sharing::load_key_file(dir.keys() + "/records-aes256.key");  // members' own pipelines, in digests
  o.quiet_weeks = config.sharing.quiet_weeks;
  return o;
}

std::string appservice_url(const Config& config) {
  std::string url = config.server.public_origin;
  if (url.empty()) url = "http://" + config.server.listen;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

static std::string first_line_of(const std::string& path, const char* setting);

// Bot mode: one plain account, its access token read from a file (never from the config).
static bridge::matrix::MatrixOptions bot_options_from(const Config& config) {
  const auto& m = config.matrix;
  const auto colon = m.bot_user_id.find(':');
  if (m.bot_user_id.size() < 4 || m.bot_user_id[0] != '@' || colon == std::string::npos || colon < 2 ||
      colon + 1 == m.bot_user_id.size())
    throw std::runtime_error("matrix.bot_user_id must be a Matrix user id, e.g. @cohortbot:example.org");
  if (m.bot_token_file.empty()) throw std::runtime_error("matrix.bot_token_file is required in bot mode");
  bridge::matrix::MatrixOptions o;
  o.mode = bridge::matrix::MatrixMode::bot;
  o.homeserver_url = m.homeserver_url;
  while (!o.homeserver_url.empty() && o.homeserver_url.back() == '/') o.homeserver_url.pop_back();
  o.users = {m.user_prefix, m.server_name.empty() ? m.bot_user_id.substr(colon + 1) : m.server_name};
  o.bot_user = m.bot_user_id;
  o.as_token = first_line_of(m.bot_token_file, "matrix.bot_token_file");
  if (o.as_token.empty()) throw std::runtime_error("matrix.bot_token_file: the file is empty");
  o.sync_timeout = std::chrono::milliseconds(m.sync_timeout_ms);
  return o;
}

std::optional<bridge::matrix::MatrixOptions> matrix_options_from(const Config& config, const DataDir& dir) {
  const auto& m = config.matrix;
  if (m.homeserver_url.empty()) return std::nullopt;
  if (m.mode != "appservice" && m.mode != "bot") throw std::runtime_error("matrix.mode must be \"appservice\" or \"bot\"");
  if (!http::parse_url(m.homeserver_url)) throw std::runtime_error("matrix.homeserver_url must be an http(s) URL");
  if (m.mode == "bot") return bot_options_from(config);
  if (m.server_name.empty()) throw std::runtime_error("matrix.server_name is required with matrix.homeserver_url");
  if (m.user_prefix.empty() || m.user_prefix.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-_") != std::string::npos)
    throw std::runtime_error("matrix.user_prefix must be lowercase letters, digits, '.', '-' or '_'");
  bridge::matrix::MatrixOptions o;
  o.homeserver_url = m.homeserver_url;
  while (!o.homeserver_url.empty() && o.homeserver_url.back() == '/') o.homeserver_url.pop_back();
  o.users = {m.user_prefix, m.server_name};
  o.sender_localpart = m.sender_localpart.empty() ? m.user_prefix : m.sender_localpart;
  auto tokens = bridge::matrix::load_tokens(dir.keys());
  o.as_token = std::move(tokens.as_token);
  o.hs_token = std::move(tokens.hs_token);
  return o;
}

// The first line of `path`, or empty when no file is named. Throws when a named file is unreadable.
static std::string first_line_of(const std::string& path, const char* setting) {
  if (path.empty()) return {};
  std::ifstream in(path);
  if (!in) throw std::runtime_error(std::string(setting) + ": cannot read " + path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

bridge::slack::SlackOptions slack_options_from(const Config& config, const DataDir& dir) {
  const auto& s = config.slack;
  if (s.mode != "events" && s.mode != "socket")
    throw std::runtime_error("slack.mode must be \"events\" (the Events API) or \"socket\" (Socket Mode)");
  if (!http::parse_url(s.api_url)) throw std::runtime_error("slack.api_url must be an http(s) URL");
  bridge::slack::SlackOptions o;
  o.signing_secret = first_line_of(s.signing_secret_file, "slack.signing_secret_file");
  o.bot_token = first_line_of(s.bot_token_file, "slack.bot_token_file");
  o.app_token = first_line_of(s.app_token_file, "slack.app_token_file");
  o.socket_mode = s.mode == "socket";
  o.api_url = s.api_url;
  o.pace = std::chrono::milliseconds(s.pace_ms);
  while (!o.api_url.empty() && o.api_url.back() == '/') o.api_url.pop_back();
  o.hub_origin = appservice_url(config);          // where Slack reaches the hub
  o.public_origin = config.server.public_origin;  // links back to hub pages: only from it (bridge/hub_link.hpp)
  o.records_key = sharing::load_key_file(dir.keys() + "/records-aes256.key");
  return o;
}

static std::unique_ptr<http::StaticFiles> load_web_root(const Config& config) {
  std::string root = config.server.web_root.empty() ? COHORTHUB_DEFAULT_WEB_ROOT : config.server.web_root;
  if (!fs::is_directory(root)) return nullptr;
  return std::make_unique<http::StaticFiles>(root);
}

void Hub::poke_relays() {
  for (auto& relay : relays_) relay->poke();
  matrix_->poke();  // bot mode: a new sync filter for the new set of rooms
  slack_->poke();
}

void Hub::attach(boost::asio::any_io_executor executor) {
  discussion_.attach(executor);
  for (auto& relay : relays_) relay->start(executor);
  matrix_->start(executor);  // bot mode's /sync loop
}

void Hub::stop_live() {
  for (auto& relay : relays_) relay->stop();
  matrix_->stop();
  slack_->stop();
  discussion_.stream().stop();
}

void Hub::add_relay(std::unique_ptr<bridge::Relay> relay) {
  const bridge::Relay* r = relay.get();
  add_relay_counters(std::string(discussion::network_name(r->network())), [r] { return r; });
  relays_.push_back(std::move(relay));
}

void Hub::add_relay_counters(const std::string& network, std::function<const bridge::Relay*()> relay) {
  metrics_.add_counter("cohorthub_bridge_" + network + "_sent_total", "Changes the bridge delivered to " + network + ".",
                       [relay] { return relay() ? double(relay()->sent()) : 0.0; });
  metrics_.add_counter("cohorthub_bridge_" + network + "_failures_total",
                       "Sends to " + network + " that failed (each retry counts).",
                       [relay] { return relay() ? double(relay()->failures()) : 0.0; });
}

void Hub::add_socket_counters(std::function<const bridge::slack::SocketMode*()> socket) {
  using Read = std::uint64_t (bridge::slack::SocketMode::*)() const;
  const auto add = [&](const char* name, const char* help, Read read) {
    metrics_.add_counter(std::string("cohorthub_bridge_slack_socket_") + name, help,
                         [socket, read] { return socket() ? double((socket()->*read)()) : 0.0; });
  };
  add("connections_total", "Socket Mode connections opened to Slack.", &bridge::slack::SocketMode::connections);
  add("reconnects_disconnect_total", "Socket Mode reconnects because Slack sent disconnect.",
      &bridge::slack::SocketMode::reconnects_after_disconnect);
  add("reconnects_drop_total", "Socket Mode reconnects because the connection dropped.",
      &bridge::slack::SocketMode::reconnects_after_drop);
  add("acked_total", "Socket Mode envelopes acknowledged.", &bridge::slack::SocketMode::acked);
  add("skipped_total", "Socket Mode messages skipped (no envelope_id, unreadable, or not bridged).",
      &bridge::slack::SocketMode::skipped);
}

Hub::Hub(const Config& config, const DataDir& dir, const Clock& clock)
    : config_(config),
      clock_(clock),
      demo_(is_demo(dir)),
      db_(dir.database(), all_migrations(), {.readers = static_cast<int>(config.store.readers)}),
      cpu_(static_cast<int>(config.cpu.threads), static_cast<std::size_t>(config.cpu.queue)),
      access_log_(config.log.access ? stderr : nullptr),
      files_(load_web_root(config)),
      auth_options_(auth_options_from(config)),
      authenticator_(db_, clock_, auth_options_, &access_events_),
      accounts_(db_, cpu_, clock_, membership_, authenticator_, auth_options_),
      cohorts_(db_, clock_, membership_, access_events_),
      discussion_(db_, cpu_, clock_, membership_, authenticator_,
                  {static_cast<int>(config.discussion.post_burst), 60.0 / double(config.discussion.posts_per_minute)},
                  config.server.public_origin),
      sharing_(db_, cpu_, clock_, membership_, sharing_options_from(config, dir)),
      playbooks_(db_, cpu_, clock_),
      pdf_(pdf_renderer_from(config)),
      templates_(db_, cpu_, clock_, sharing::load_key_file(dir.keys() + "/records-aes256.key"), pdf_.get()),
      mail_(db_, cpu_, clock_, membership_, mail_options_from(config, dir)),
      bridge_admin_(db_, clock_, [this] { poke_relays(); }, bridge::hub_link(config.server.public_origin, "/").has_value()),
      slack_(std::make_unique<bridge::slack::SlackBridge>(db_, discussion_.bridge_seam(), clock_,
                                                          slack_options_from(config, dir))),
      pipeline_(router_, authenticator_, files_.get(), metrics_, access_log_,
                http::PipelineOptions{config.server.public_origin}) {
  add_platform_routes();
  accounts_.mail_invites_through(&mail_);  // POST /api/invites with `email`
  playbooks_.mail_review_requests_through(&mail_.review_requests());  // proposals awaiting review
  accounts_.add_to(router_);
  cohorts_.add_to(router_);
  discussion_.add_to(router_);
  sharing_.add_to(router_);
  playbooks_.add_to(router_);
  templates_.add_to(router_);
  mail_.add_to(router_);
  bridge_admin_.add_to(router_);
  // The appservice routes always exist; without [matrix] they refuse every request.
  matrix_ = std::make_unique<bridge::matrix::MatrixBridge>(db_, discussion_.bridge_seam(), clock_,
                                                           matrix_options_from(config, dir));
  matrix_->add_to(router_);
  slack_->add_to(router_);
  add_relay_counters("slack", [this] { return slack_->relay(); });  // its relay is made by start()
  add_socket_counters([this] { return slack_->socket(); });          // so is its Socket Mode
  pipeline_.add_websocket("/api/live", discussion_.live_endpoint());
  // The one /api/live endpoint is a LiveEndpoint; it closes what ended credentials opened.
  access_events_.add(static_cast<discussion::LiveEndpoint&>(discussion_.live_endpoint()));
  static std::atomic<bool> warned{false};  // once per process: test suites start many hubs
  if (config.auth.scrypt_log2_n < auth::kMinScryptLog2N && !warned.exchange(true))
    std::fprintf(stderr, "{\"level\":\"warn\",\"what\":\"COHORTHUB_TEST_INSECURE_SCRYPT: passwords hashed below "
                         "N=2^17; never do this outside a test suite\"}\n");
  if (!bridge::hub_link(config.server.public_origin, "/")) {
    auto mapped = db_.read_now([](store::Connection& c) { return bridge::list_mappings(c, std::nullopt); });
    if (mapped && !mapped->empty()) bridge::warn_no_links_back_once();  // else when the first mapping is made
  }
  metrics_.add_gauge("cohorthub_db_queue_depth", "DB jobs waiting.", [this] { return double(db_.queue_depth()); });
  metrics_.add_gauge("cohorthub_cpu_queue_depth", "CPU jobs waiting.", [this] { return double(cpu_.queue_depth()); });
  metrics_.add_gauge("cohorthub_pdf_queue_depth", "PDFs waiting.",
                     [this] { return pdf_ ? double(pdf_->queue_depth()) : 0.0; });
  metrics_.add_gauge("cohorthub_access_log_dropped", "Access-log lines dropped.",
                     [this] { return double(access_log_.dropped()); });
  const auto& store_timings = db_.timings();
  auto& change_timings = discussion_.stream().timings();
  metrics_.add_histogram("cohorthub_change_stage_seconds",
                         "A message change's way from its request to the wire, by stage (docs/benchmarks.md).", "stage",
                         {{"render", &change_timings.render},
                          {"write", &change_timings.write},
                          {"write_wait", &store_timings.write_wait},
                          {"write_group", &store_timings.write_group},
                          {"commit", &store_timings.commit},
                          {"write_resume", &store_timings.write_resume},
                          {"fanout_queue", &change_timings.fanout_queue},
                          {"frames_written", change_timings.frames_written.get()},
                          {"checkpoint", &store_timings.checkpoint}});
}

Hub::~Hub() {
  slack_->stop();
  if (pdf_) pdf_->stop();
  db_.stop();
}

void Hub::connect_bridges(http::HttpClient& outbound) {
  if (auto* connector = matrix_->attach(outbound)) {
    add_relay(std::make_unique<bridge::Relay>(db_, discussion_.bridge_seam(), clock_, *connector));
    connector->on_requeued([relay = relays_.back().get()] { relay->poke(); });
  }
  if (const auto* sync = matrix_->bot_sync())
    metrics_.add_counter("cohorthub_bridge_matrix_sync_rounds_total", "Matrix /sync batches the bot applied (bot mode).",
                         [sync] { return double(sync->rounds()); });
}

void Hub::detach_bridges() {
  relays_.clear();
  matrix_->detach();
  slack_->detach();
}

void Hub::add_platform_routes() {
  using http::Access;
  using http::Method;
  router_.add(Method::get, "/healthz", {Access::anyone, 0},
              [](http::Request&, http::Context&) -> boost::asio::awaitable<http::Response> {
                co_return http::json_response(200, {{"status", "ok"}});
              });
  // Admins only: behind the documented proxy every request comes from loopback (docs/operations.md).
  router_.add(Method::get, "/metrics", {Access::admin, 0},
              [this](http::Request&, http::Context&) -> boost::asio::awaitable<http::Response> {
                http::Response r;
                r.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                r.body = metrics_.render();
                co_return r;
              });
  // Read before sign-in too: the login page shows the demo banner.
  router_.add(Method::get, "/api/hub", {Access::anyone, 0},
              [this](http::Request&, http::Context&) -> boost::asio::awaitable<http::Response> {
                co_return http::json_response(200, {{"demo", demo_}});
              });
  router_.add(Method::get, "/api/openapi.json", {Access::anyone, 0},
              [](http::Request&, http::Context&) -> boost::asio::awaitable<http::Response> {
                http::Response r;
                r.headers.set("Content-Type", "application/json; charset=utf-8");
                r.headers.set("Cache-Control", "no-cache");
                r.body = std::string(openapi_document());
                co_return r;
              });
}

}  // namespace hub
