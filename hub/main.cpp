// The `cohorthub` command: init, serve, admin, backup. The composition root: the only place that
// puts hub/net in front of the hub.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "bridge/matrix/registration.hpp"
#include "bridge/slack/manifest.hpp"
#include "bridge/slack/slack_bridge.hpp"
#include "hub/app.hpp"
#include "hub/auth/account_store.hpp"
#include "hub/auth/password.hpp"
#include "hub/auth/secrets.hpp"
#include "hub/demo_data.hpp"
#include "hub/net/open_files.hpp"
#include "hub/net/https_client.hpp"
#include "hub/net/wss_client.hpp"
#include "hub/net/server.hpp"
#include "hub/store/backup.hpp"
#include "playbooks/starter.hpp"
#include "playbooks/templates/starter_templates.hpp"

namespace {

using namespace hub;

struct Listen {
  std::string host;
  std::uint16_t port;
};

Listen parse_listen(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("--listen must be HOST:PORT, e.g. 127.0.0.1:8080");
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = -1;
  try {
    port = std::stoi(text.substr(colon + 1));
  } catch (const std::exception&) {
  }
  if (port < 0 || port > 65535) throw std::runtime_error("--listen has a bad port: " + text);
  return {host, static_cast<std::uint16_t>(port)};
}

Config config_for(const DataDir& dir, const std::string& config_file) {
  std::string file = config_file;
  if (file.empty() && std::filesystem::exists(dir.config())) file = dir.config();
  return load_config(file, cohorthub_environment());
}

void require_initialised(const DataDir& dir) {
  if (!std::filesystem::exists(dir.database()))
    throw std::runtime_error(dir.root + " is not a cohorthub data directory; run `cohorthub init --data-dir " +
                             dir.root + "` first");
}

std::string read_password(const std::string& prompt) {
  if (const char* env = std::getenv("COHORTHUB_ADMIN_PASSWORD")) return env;
  if (!isatty(STDIN_FILENO)) {
    std::string line;
    std::getline(std::cin, line);
    return line;
  }
  std::cerr << prompt << std::flush;
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string line;
  std::getline(std::cin, line);
  tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::cerr << "\n";
  return line;
}

int serve(const DataDir& dir, const std::string& config_file, const std::string& listen_flag,
          const std::string& tls_cert, const std::string& tls_key) {
  require_initialised(dir);
  Config config = config_for(dir, config_file);
  if (!listen_flag.empty()) config.server.listen = listen_flag;
  if (!tls_cert.empty()) config.server.tls_cert = tls_cert;
  if (!tls_key.empty()) config.server.tls_key = tls_key;
  if (config.server.tls_cert.empty() != config.server.tls_key.empty())
    throw std::runtime_error("give both a TLS certificate and a key, or neither");
  const Listen listen = parse_listen(config.server.listen);

  SystemClock clock;
  Hub hub(config, dir, clock);
  boost::asio::io_context ioc(1);
  net::ServerOptions options;
  options.host = listen.host;
  options.port = listen.port;
  options.max_connections = static_cast<std::size_t>(config.server.max_connections);
  options.max_connections_per_ip = static_cast<std::size_t>(config.server.max_connections_per_ip);
  options.max_live_per_user = static_cast<std::size_t>(config.server.max_live_per_user);
  options.max_outbound_bytes = static_cast<std::size_t>(config.server.max_outbound_bytes);
  options.read_timeout = std::chrono::seconds(config.server.read_timeout_s);
  options.idle_timeout = std::chrono::seconds(config.server.idle_timeout_s);
  options.tls_cert_file = config.server.tls_cert;
  options.tls_key_file = config.server.tls_key;
  net::raise_open_files_limit(options);
  hub.db().complete_on(ioc.get_executor());      // a batch of DB results reaches it in one post
  // Outbound HTTPS (the bridge's calls to Matrix and Slack), verified against the system store.
  net::HttpsClient outbound(ioc.get_executor(), {});
  hub.connect_bridges(outbound);   // the bridges' connectors send through it
  hub.attach(ioc.get_executor());  // live updates and bridge relays run on the network thread
  net::WssClient sockets(ioc.get_executor(), {});  // Slack's Socket Mode, verified like `outbound`
  hub.slack().start(ioc.get_executor(), outbound, &sockets);  // the Slack relay, and events left queued
  net::Server server(ioc, hub.service(), options);
  // Installed before "listening on" is printed: a supervisor may signal as soon as it reads it.
  boost::asio::signal_set signals(ioc, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    std::fprintf(stderr, "{\"level\":\"info\",\"what\":\"shutting down\"}\n");
    // Sessions first, then outbound calls in flight (each bounded by its own timeout).
    server.shutdown(std::chrono::seconds(config.server.shutdown_timeout_s), [&] {
      hub.stop_live();  // the bridge relays and other in-process subscribers stop waiting
      outbound.shutdown([&] { ioc.stop(); });
    });
  });
  server.start();

  std::string host = listen.host.find(':') != std::string::npos ? "[" + listen.host + "]" : listen.host;
  if (hub.mail().enabled()) {
    if (hub.mail().options().link_origin.empty())
      hub.mail().set_link_origin(std::string(server.tls() ? "https://" : "http://") + host + ":" +
                                 std::to_string(server.port()));
    hub.mail().start_sender();  // its own thread: SMTP never runs on the network thread
  }
  std::printf("listening on %s://%s:%u\n", server.tls() ? "https" : "http", host.c_str(), server.port());
  std::fflush(stdout);

  ioc.run();
  hub.detach_bridges();  // the relays' timers belong to ioc
  // CPU and DB jobs post their results to ioc: finish them while it still exists (it is
  // destroyed before `hub`), and the coroutines they would resume are destroyed with it.
  hub.cpu().stop();
  hub.mail().stop_sender();  // finishes the delivery in progress (bounded by mail.timeout_ms)
  hub.db().stop();  // drains queued writes before exit
  std::fprintf(stderr, "{\"level\":\"info\",\"what\":\"stopped\"}\n");
  return 0;
}

int create_admin(const DataDir& dir, const std::string& handle_in, const std::string& display_name) {
  require_initialised(dir);
  Config config = config_for(dir, "");
  auto handle = auth::normalize_handle(handle_in);
  if (!handle) throw std::runtime_error(handle.error().message);
  std::string password = read_password("Password for " + *handle + ": ");
  if (auto policy = auth::check_password_policy(password, *handle); !policy)
    throw std::runtime_error(policy.error().message);
  std::string hash = auth::hash_password(password, static_cast<int>(config.auth.scrypt_log2_n));
  SystemClock clock;
  store::Executor db(dir.database(), all_migrations(), {.readers = 1});
  auto user = db.write_now([&](store::Connection& c) -> http::Result<auth::User> {
    auto u = auth::insert_user(c, *handle, display_name.empty() ? *handle : display_name, "admin", hash, clock.now());
    if (!u) return u.error();
    if (auto s = auth::audit(c, 0, "user.create_admin", "user:" + std::to_string(u->id), {{"handle", *handle}},
                             clock.now());
        !s)
      return s.error();
    return u;
  });
  if (!user) throw std::runtime_error(user.error().message);
  std::printf("created admin %s (id %lld)\n", user->handle.c_str(), static_cast<long long>(user->id));
  return 0;
}

int create_invite(const DataDir& dir, const std::string& role, std::int64_t cohort_id, int days) {
  require_initialised(dir);
  if (!auth::is_valid_role(role)) throw std::runtime_error("--role must be member, mentor or admin");
  SystemClock clock;
  store::Executor db(dir.database(), all_migrations(), {.readers = 1});
  cohorts::CohortMembership membership;
  const std::string code = auth::random_token(18);
  const std::int64_t now = clock.now(), expires = now + std::int64_t{days} * 86400;
  auto id = db.write_now([&](store::Connection& c) -> http::Result<std::int64_t> {
    std::optional<std::int64_t> cohort;
    if (cohort_id > 0) {
      if (!membership.cohort_exists(c, cohort_id)) return http::ApiError::not_found("no cohort with id " + std::to_string(cohort_id));
      cohort = cohort_id;
    }
    auto id = auth::insert_invite(c, auth::sha256_hex(code), role, cohort, 0, now, expires);
    if (!id) return id.error();
    if (auto s = auth::audit(c, 0, "invite.create", "invite:" + std::to_string(*id), {{"role", role}}, now); !s)
      return s.error();
    return id;
  });
  if (!id) throw std::runtime_error(id.error().message);
  std::printf("invite %lld for a %s, expires %s; the code (shown once):\n%s\n", static_cast<long long>(*id),
              role.c_str(), format_rfc3339(expires).c_str(), code.c_str());
  return 0;
}

// Sends one message through [mail] at once, bypassing the outbox, and says what the server answered.
int send_test_mail(const DataDir& dir, const std::string& to) {
  require_initialised(dir);
  Config config = config_for(dir, "");
  mail::MailOptions options = mail_options_from(config, dir);
  if (!options.enabled) throw std::runtime_error("mail is off: set [mail] smtp_url and from in " + dir.config());
  SystemClock clock;
  mail::Draft d;
  d.kind = "test";
  d.to_address = to;
  d.subject = "cohorthub test mail";
  d.markdown = "This is a test message from `cohorthub admin send-test-mail`.\n\nIf you can read it, the hub's "
               "mail settings work.\n";
  auto message = mail::prepare_message(d, options.identity, clock.now());
  if (!message) throw std::runtime_error(message.error().message);
  mail::SmtpTransport transport(options.smtp);
  if (auto s = transport.send(options.identity.from_address, message->recipient, message->mime); !s)
    throw std::runtime_error(s.error().message);
  std::printf("sent a test message to %s (Message-ID <%s>)\n", to.c_str(), message->message_id.c_str());
  return 0;
}

// Prints the Matrix appservice registration and writes it, with the token files, to the data
// directory; running it again prints the same tokens.
int matrix_registration(const DataDir& dir) {
  require_initialised(dir);
  Config config = config_for(dir, "");
  if (config.matrix.server_name.empty())
    throw std::runtime_error("set [matrix] server_name (and homeserver_url) in " + dir.config() + " first");
  bridge::matrix::RegistrationFacts facts;
  facts.url = appservice_url(config);
  facts.server_name = config.matrix.server_name;
  facts.user_prefix = config.matrix.user_prefix;
  facts.sender_localpart = config.matrix.sender_localpart.empty() ? config.matrix.user_prefix : config.matrix.sender_localpart;
  facts.tokens = bridge::matrix::load_or_create_tokens(dir.keys());
  const std::string yaml = bridge::matrix::registration_yaml(facts);
  const std::string path = dir.root + "/matrix-registration.yaml";
  {
    std::ofstream out(path + ".tmp", std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + path);
    ::chmod((path + ".tmp").c_str(), 0600);  // it holds both tokens
    out << yaml;
  }
  std::filesystem::rename(path + ".tmp", path);
  std::fputs(yaml.c_str(), stdout);
  std::fprintf(stderr, "wrote %s; give it to the homeserver (docs/operations.md)\n", path.c_str());
  return 0;
}

int list_users(const DataDir& dir) {
  require_initialised(dir);
  store::Executor db(dir.database(), all_migrations(), {.readers = 1});
  auto users = db.read_now([](store::Connection& c) { return auth::list_users(c); });
  if (!users) throw std::runtime_error(users.error().message);
  std::printf("%-6s %-32s %-8s %s\n", "id", "handle", "role", "display name");
  for (const auto& u : *users)
    std::printf("%-6lld %-32s %-8s %s\n", static_cast<long long>(u.id), u.handle.c_str(), u.role.c_str(),
                u.display_name.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cohorthub: a hub for cohorts of professional open source maintainers"};
  app.require_subcommand(1);
  std::string data_dir = "./data";

  auto* init = app.add_subcommand("init", "Create a data directory (database, key files, config); idempotent");
  bool demo = false;
  init->add_option("--data-dir", data_dir, "Data directory")->capture_default_str();
  init->add_flag("--demo", demo, "Load the demo cohort and demo users");

  auto* serve_cmd = app.add_subcommand("serve", "Serve the hub until SIGTERM");
  std::string listen, config_file, tls_cert, tls_key;
  serve_cmd->add_option("--data-dir", data_dir, "Data directory")->capture_default_str();
  serve_cmd->add_option("--listen", listen, "HOST:PORT (default 127.0.0.1:8080; port 0 picks one)");
  serve_cmd->add_option("--config", config_file, "TOML config file (default DATA_DIR/cohorthub.toml)");
  serve_cmd->add_option("--tls-cert", tls_cert, "PEM certificate chain: serve HTTPS (TLS 1.2 or later)");
  serve_cmd->add_option("--tls-key", tls_key, "PEM private key");

  auto* admin = app.add_subcommand("admin", "Administration");
  admin->require_subcommand(1);
  std::string handle, display_name, role = "member";
  std::int64_t cohort = 0;
  int days = 14;
  auto* create_admin_cmd = admin->add_subcommand(
      "create-admin", "Create an admin; the password comes from COHORTHUB_ADMIN_PASSWORD or is asked for");
  create_admin_cmd->add_option("--data-dir", data_dir, "Data directory")->capture_default_str();
  create_admin_cmd->add_option("--handle", handle, "The admin's handle")->required();
  create_admin_cmd->add_option("--display-name", display_name, "Shown to others (default: the handle)");
  auto* invite_cmd = admin->add_subcommand("create-invite", "Create an invite code and print it");
  invite_cmd->add_option("--data-dir", data_dir, "Data directory")->capture_default_str();
  invite_cmd->add_option("--role", role, "member, mentor or admin")->capture_default_str();
  invite_cmd->add_option("--cohort", cohort, "Cohort id the invitee joins");
  invite_cmd->add_option("--days", days, "Days until it expires")->check(CLI::Range(1, 90))->capture_default_str();
  std::string mail_to;
  auto* test_mail_cmd = admin->add_subcommand("send-test-mail", "Send one message through [mail] to check it");
  test_mail_cmd->add_option("--data-dir", data_dir, "Data directory")->capture_default_str();
  test_mail_cmd->add_option("--to", mail_to, "The address to send it to")->required();
  auto* list_cmd = admin->add_subcommand("list-users", "List every account");
  list_cmd->add_option("--data-dir", data_dir, "Data directory")->capture_default_str();

  auto* bridge = app.add_subcommand("bridge", "The Matrix and Slack bridges");
  bridge->require_subcommand(1);
  auto* matrix_reg_cmd = bridge->add_subcommand(
      "matrix-registration", "Print the Matrix appservice registration (and store its tokens); idempotent");
  matrix_reg_cmd->add_option("--data-dir", data_dir, "Data directory")->capture_default_str();
  auto* slack_manifest_cmd =
      bridge->add_subcommand("slack-manifest", "Print the Slack app manifest (YAML) with the scopes the hub needs");
  slack_manifest_cmd->add_option("--data-dir", data_dir, "Data directory")->capture_default_str();
  bool socket_mode = false;
  slack_manifest_cmd->add_flag("--socket-mode", socket_mode,
                               "Socket Mode: no request URL (also when [slack] mode = \"socket\")");

  auto* backup_cmd = app.add_subcommand("backup", "Write an online, consistent copy of the database to FILE");
  std::string backup_file;
  backup_cmd->add_option("--data-dir", data_dir, "Data directory")->capture_default_str();
  backup_cmd->add_option("file", backup_file, "Where to write the copy (must not exist)")->required();


  CLI11_PARSE(app, argc, argv);
  const DataDir dir{data_dir};
  try {
    if (*init) {
      init_data_dir(dir);
      // Starter playbooks whose slug is free; never overwrites a cohort's edits (idempotent).
      playbooks::import_starter_playbooks(dir.database(), all_migrations(), SystemClock().now());
      playbooks::templates::import_starter_templates(dir.database(), all_migrations(), SystemClock().now());
      std::printf("initialised %s\n", dir.root.c_str());
      if (demo) {
        Config config = config_for(dir, "");
        SystemClock clock;
        std::fputs(load_demo(dir, config, clock).c_str(), stdout);
      }
      return 0;
    }
    if (*serve_cmd) return serve(dir, config_file, listen, tls_cert, tls_key);
    if (*create_admin_cmd) return create_admin(dir, handle, display_name);
    if (*invite_cmd) return create_invite(dir, role, cohort, days);
    if (*list_cmd) return list_users(dir);
    if (*test_mail_cmd) return send_test_mail(dir, mail_to);
    if (*matrix_reg_cmd) return matrix_registration(dir);
    if (*slack_manifest_cmd) {
      Config config = config_for(dir, "");
      const auto slack = slack_options_from(config, dir);
      std::fputs(bridge::slack::app_manifest(slack.hub_origin, slack.socket_mode || socket_mode).c_str(), stdout);
      return 0;
    }
    if (*backup_cmd) {
      require_initialised(dir);
      if (auto s = store::backup_database(dir.database(), backup_file); !s)
        throw std::runtime_error("backup failed: " + s.error().message);
      std::printf("backed up %s to %s\n", dir.database().c_str(), backup_file.c_str());
      return 0;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cohorthub: %s\n", e.what());
    return 1;
  }
  return 0;
}
