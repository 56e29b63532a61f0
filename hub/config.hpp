// Settings: built-in defaults, then the TOML file, then COHORTHUB_<SECTION>_<KEY>, then flags.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace hub {

struct Config {
  struct Server {
    std::string listen = "127.0.0.1:8080";
    std::string public_origin;  // set when a proxy serves the hub under another origin
    std::string tls_cert;
    std::string tls_key;
    std::int64_t max_connections = 10000;
    std::int64_t max_connections_per_ip = 64;  // 0: no cap (behind a proxy every client is the proxy)
    std::int64_t max_live_per_user = 8;        // open /api/live sockets per user; 0: no cap
    std::int64_t max_outbound_bytes = std::int64_t{256} << 20;  // queued to send, all clients together
    std::int64_t shutdown_timeout_s = 10;      // how long SIGTERM waits for requests in flight
    std::int64_t read_timeout_s = 30;
    std::int64_t idle_timeout_s = 75;
    std::string web_root;       // empty: the web/ folder of the source tree
    std::string trusted_proxies;  // reverse proxies (addresses, CIDR blocks) whose X-Forwarded-For is believed
  } server;
  struct Store {
    std::int64_t readers = 2;
  } store;
  struct Auth {
    std::int64_t scrypt_log2_n = 17;  // refused below 17 unless COHORTHUB_TEST_INSECURE_SCRYPT=1
    std::int64_t session_ttl_hours = 14 * 24;
    std::int64_t login_burst_per_ip = 10;
    std::int64_t login_burst_per_handle = 5;
  } auth;
  struct Cpu {
    std::int64_t threads = 1;
    std::int64_t queue = 64;
  } cpu;
  struct Discussion {
    std::int64_t post_burst = 30;       // messages a user may post at once
    std::int64_t posts_per_minute = 60;  // sustained rate after the burst
  } discussion;
  struct Privacy {                 // sharing: disclosure control (docs/privacy.md)
    std::string noise = "on";       // "on" | "off": differential-privacy noise on published figures
    std::string epsilon = "1";      // ε per member per wave, split as docs/privacy.md says
    std::int64_t p_percent = 10;    // the p% rule's p for published sums; keep it private
  } privacy;
  struct Sharing {
    std::int64_t quiet_weeks = 6;   // flag a client not contacted for longer
    std::int64_t wave_days = 0;     // close a wave this often; 0: only when an admin closes it
    std::int64_t top_code = 500000; // amounts above this (reporting currency) are top-coded
  } sharing;
  struct Templates {                 // the template exchange's PDF worker (docs/templates.md)
    std::int64_t pdf_workers = 1;      // PDFs made at once; 0 turns PDF off
    std::int64_t pdf_queue = 4;        // PDFs waiting beyond those; more get 503 + Retry-After
    std::int64_t pdf_timeout_ms = 20000;
    std::int64_t pdf_memory_mb = 1024; // address space of each WeasyPrint worker
    std::string python = "/usr/bin/python3";
  } templates;
  struct Log {
    bool access = true;
  } log;
  struct Mail {                     // hub/mail; off while smtp_url is empty (docs/operations.md)
    std::string smtp_url;           // smtp://host:587 (STARTTLS) or smtps://host:465 (implicit TLS)
    std::string from;               // the sender address, e.g. hub@example.org
    std::string from_name = "cohorthub";
    std::string username;           // SMTP AUTH; empty: no AUTH
    std::string password_file;      // the SMTP password, read from this file (never from the config)
    bool starttls = true;           // smtp:// must upgrade with STARTTLS; false only for a loopback test server
    std::string link_origin;        // origin of links in mail; empty: server.public_origin, else the listen address
    std::int64_t timeout_ms = 30000;      // one SMTP delivery at most
    std::int64_t retry_base_ms = 60000;   // first retry after this; doubles per failure, at most an hour
    std::int64_t max_attempts = 8;        // then the message is parked and shown to admins
    std::int64_t poll_ms = 5000;          // the sender looks for due mail at least this often
    std::int64_t digest_hour_utc = 7;     // when daily and weekly (Mondays) digests are built
  } mail;
  struct Matrix {                   // the Matrix bridge (bridge/matrix); off while homeserver_url is empty
    std::string homeserver_url;     // the client-server API's base, e.g. https://matrix.example.org
    std::string server_name;        // the homeserver's server name, e.g. example.org
    std::string mode = "appservice";  // "appservice", or "bot" (one plain account; docs/operations.md)
    std::string user_prefix = "cohorthub";  // hub member ana is @cohorthub_ana:<server_name>
    std::string sender_localpart;   // the appservice's own user; empty: user_prefix
    std::string bot_user_id;        // bot mode: the account, e.g. @cohortbot:matrix.org
    std::string bot_token_file;     // bot mode: its access token, read from this file (never from the config)
    std::int64_t sync_timeout_ms = 30000;  // bot mode: how long one /sync long poll waits
  } matrix;
  struct Slack {                    // bridge/slack (docs/operations.md, "Slack")
    std::string mode = "events";    // "events": the Events API; "socket": Socket Mode
    std::string signing_secret_file;  // the signing secret, read from this file (or stored by an admin)
    std::string bot_token_file;       // the bot token, read from this file (or stored by an admin)
    std::string app_token_file;       // the app-level token, for Socket Mode
    std::string api_url = "https://slack.com/api";
    std::int64_t pace_ms = 1000;      // at least this long between two messages to one Slack channel
  } slack;
};

// Reads `file` (if not empty) over the defaults, then the environment. Throws std::runtime_error
// naming the setting on an unknown key, a wrong type or an out-of-range value, and on a scrypt
// cost below N=2^17 unless `environment` holds the test-only COHORTHUB_TEST_INSECURE_SCRYPT=1.
Config load_config(const std::string& file, const std::map<std::string, std::string>& environment);
// The environment of this process as a map (COHORTHUB_* only).
std::map<std::string, std::string> cohorthub_environment();
// A commented config file with every setting at its default, written by `init`.
std::string default_config_text();

}  // namespace hub
