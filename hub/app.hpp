// The hub without sockets: storage, modules, router and pipeline, wired together. main.cpp puts
// hub/net in front of it; tests call its service() directly.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "bridge/admin_routes.hpp"
#include "bridge/relay.hpp"
#include "hub/auth/account_routes.hpp"
#include "hub/auth/session_authenticator.hpp"
#include "hub/cohorts/cohort_routes.hpp"
#include "hub/config.hpp"
#include "hub/discussion/discussion.hpp"
#include "hub/http/access_log.hpp"
#include "hub/http/clock.hpp"
#include "hub/http/cpu_pool.hpp"
#include "hub/http/metrics.hpp"
#include "hub/http/pipeline.hpp"
#include "hub/http/router.hpp"
#include "hub/http/static_files.hpp"
#include "hub/mail/mail_module.hpp"
#include "hub/sharing/sharing_routes.hpp"
#include "hub/store/executor.hpp"
#include "playbooks/module.hpp"
#include "playbooks/templates/pdf_renderer.hpp"
#include "playbooks/templates/template_routes.hpp"

namespace hub::bridge::matrix {
class MatrixBridge;
struct MatrixOptions;
}  // namespace hub::bridge::matrix

namespace hub::http {
class HttpClient;
}  // namespace hub::http
namespace hub::bridge::slack {
class SlackBridge;  // bridge/slack/slack_bridge.hpp
class SocketMode;   // bridge/slack/socket_mode.hpp
struct SlackOptions;
}  // namespace hub::bridge::slack

namespace hub {

// Paths inside a data directory.
struct DataDir {
  std::string root;
  std::string database() const { return root + "/cohorthub.db"; }
  std::string config() const { return root + "/cohorthub.toml"; }
  std::string keys() const { return root + "/keys"; }
  std::string demo_logins() const { return root + "/demo-logins.txt"; }
};

// Every schema migration, in order.
std::vector<store::Migration> all_migrations();

// Creates the directory, key files, config file and database; idempotent. Throws on failure.
void init_data_dir(const DataDir& dir);

// docs/openapi/*.json as embedded at build time, in name order; the first is the base.
std::vector<std::string_view> openapi_fragments();
// The OpenAPI document: the fragments merged. Throws std::logic_error on a path defined twice.
std::string_view openapi_document();

class Hub {
 public:
  // REQUIRES: init_data_dir(dir) has run. Throws on start-up failure.
  Hub(const Config& config, const DataDir& dir, const Clock& clock);
  ~Hub();

  http::Service& service() { return pipeline_; }
  http::Router& router() { return router_; }
  store::Executor& db() { return db_; }
  http::CpuPool& cpu() { return cpu_; }
  cohorts::CohortMembership& membership() { return membership_; }
  const auth::AuthOptions& auth_options() const { return auth_options_; }
  discussion::Discussion& discussion() { return discussion_; }
  mail::MailModule& mail() { return mail_; }
  bridge::slack::SlackBridge& slack() { return *slack_; }  // bridge/slack
  // Runs live updates and the bridge relays on `executor` (the network thread).
  void attach(boost::asio::any_io_executor executor);
  // Shutdown: the relays stop at their next wait and in-process subscribers stop waiting.
  void stop_live();
  // Keeps `relay` and publishes its counters in /metrics; attach() starts it.
  // REQUIRES: before attach().
  void add_relay(std::unique_ptr<bridge::Relay> relay);
  // The Matrix bridge (its connector and relay run only when [matrix] is configured).
  bridge::matrix::MatrixBridge* matrix() { return matrix_.get(); }
  // Makes the configured bridges' connectors over `outbound` and adds their relays.
  // REQUIRES: before attach(); `outbound` outlives detach_bridges().
  void connect_bridges(http::HttpClient& outbound);
  // Destroys the relays. REQUIRES: after stop_live(), while the io_context given to attach()
  // still exists (main.cpp calls it after run() returns): their timers belong to it.
  void detach_bridges();

 private:
  void add_platform_routes();
  // The /metrics counters of the relay to `network` that `relay()` gives (none yet: zero).
  void add_relay_counters(const std::string& network, std::function<const bridge::Relay*()> relay);
  // The /metrics counters of the Slack Socket Mode connection `socket()` gives (none yet: zero).
  void add_socket_counters(std::function<const bridge::slack::SocketMode*()> socket);
  // Wakes every relay's send loop (a new mapping, an admin's retry).
  void poke_relays();

  const Config config_;
  const Clock& clock_;
  const bool demo_;  // the data directory holds the demo community
  store::Executor db_;
  http::CpuPool cpu_;
  http::Metrics metrics_;
  http::AccessLog access_log_;
  std::unique_ptr<http::StaticFiles> files_;  // null when there is no web root
  cohorts::CohortMembership membership_;
  const auth::AuthOptions auth_options_;
  auth::AccessEvents access_events_;  // ended credentials and memberships, heard by the live endpoint
  auth::SessionAuthenticator authenticator_;
  auth::AccountRoutes accounts_;
  cohorts::CohortRoutes cohorts_;
  discussion::Discussion discussion_;  // serves /api/live once main.cpp attaches an executor
  sharing::SharingRoutes sharing_;  // engagements, waves, rates and cohort success
  playbooks::PlaybookModule playbooks_;  // playbooks, proposals, search and mentoring
  std::unique_ptr<playbooks::templates::PdfRenderer> pdf_;  // null when [templates] pdf_workers = 0
  playbooks::templates::TemplateRoutes templates_;  // templates, releases, forks, filling, documents
  mail::MailModule mail_;  // preferences, unsubscribe, mailed invites, the outbox and its sender
  std::unique_ptr<bridge::matrix::MatrixBridge> matrix_;  // off (routes refusing all) unless [matrix] is set
  std::vector<std::unique_ptr<bridge::Relay>> relays_;  // one per configured bridge connector
  bridge::AdminRoutes bridge_admin_;  // channel <-> room mappings, their status, parked retries
  std::unique_ptr<bridge::slack::SlackBridge> slack_;  // the Slack connector; its relay starts in main.cpp
  http::Router router_;  // complete before the pipeline serves
  http::Pipeline pipeline_;
};

auth::AuthOptions auth_options_from(const Config& config);
// [privacy] and [sharing], with the key files of `dir`. Throws on a bad setting.
sharing::SharingOptions sharing_options_from(const Config& config, const DataDir& dir);
// [mail], with the password file and the unsubscribe key of `dir`. Throws on a bad setting.
mail::MailOptions mail_options_from(const Config& config, const DataDir& dir);
// [matrix], with the appservice tokens of `dir`; nullopt when the bridge is off. Throws on a bad
// setting or missing tokens.
std::optional<bridge::matrix::MatrixOptions> matrix_options_from(const Config& config, const DataDir& dir);
// The URL the homeserver reaches the hub at: server.public_origin, else the listen address.
std::string appservice_url(const Config& config);
// [slack], with the secret files it names and the records key of `dir`. Throws on a bad setting.
bridge::slack::SlackOptions slack_options_from(const Config& config, const DataDir& dir);

}  // namespace hub
