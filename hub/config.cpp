#include "hub/config.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <stdexcept>
#include <variant>
#include <vector>

#include <toml++/toml.h>

#include "hub/auth/options.hpp"

extern char** environ;

namespace hub {
namespace {

struct Setting {
  const char* section;
  const char* key;
  std::variant<std::string*, std::int64_t*, bool*> target;
  std::int64_t min = 0, max = 0;  // for integers
  const char* help;
};

std::vector<Setting> settings(Config& c) {
  return {
      {"server", "listen", &c.server.listen, 0, 0, "HOST:PORT to listen on; port 0 picks a free one"},
      {"server", "public_origin", &c.server.public_origin, 0, 0, "the origin browsers use, behind a proxy"},
      {"server", "tls_cert", &c.server.tls_cert, 0, 0, "PEM certificate chain; with tls_key, serve HTTPS"},
      {"server", "tls_key", &c.server.tls_key, 0, 0, "PEM private key"},
      {"server", "max_connections", &c.server.max_connections, 1, 1'000'000, "open connections at most"},
      {"server", "max_connections_per_ip", &c.server.max_connections_per_ip, 0, 1'000'000,
       "open connections from one client address at most; 0: no cap (set 0 behind a proxy)"},
      {"server", "max_live_per_user", &c.server.max_live_per_user, 0, 10'000, "open /api/live sockets per user at most; 0: no cap"},
      {"server", "max_outbound_bytes", &c.server.max_outbound_bytes, 1 << 20, std::int64_t{1} << 40,
       "bytes queued to send, all clients together; a connection that would pass it is closed"},
      {"server", "shutdown_timeout_s", &c.server.shutdown_timeout_s, 1, 600, "seconds SIGTERM waits for requests in flight"},
      {"server", "read_timeout_s", &c.server.read_timeout_s, 1, 3600, "seconds to receive one request"},
      {"server", "idle_timeout_s", &c.server.idle_timeout_s, 1, 3600, "seconds a keep-alive connection may idle"},
      {"server", "web_root", &c.server.web_root, 0, 0, "folder of the web front end"},
      {"server", "trusted_proxies", &c.server.trusted_proxies, 0, 0,
       "reverse proxies whose X-Forwarded-For names the client, e.g. \"127.0.0.1, 10.0.0.0/8\""},
      {"store", "readers", &c.store.readers, 1, 16, "reader connections (threads)"},
      {"auth", "scrypt_log2_n", &c.auth.scrypt_log2_n, 10, 20, "scrypt cost: N = 2^this; at least 17"},
      {"auth", "session_ttl_hours", &c.auth.session_ttl_hours, 1, 24 * 365, "session lifetime"},
      {"auth", "login_burst_per_ip", &c.auth.login_burst_per_ip, 1, 10000, "login attempts per address, refilled 1 per 6 s"},
      {"auth", "login_burst_per_handle", &c.auth.login_burst_per_handle, 1, 10000, "failed logins per handle and client, refilled 1 per minute"},
      {"cpu", "threads", &c.cpu.threads, 1, 64, "threads for scrypt and other CPU-heavy work"},
      {"cpu", "queue", &c.cpu.queue, 1, 100000, "CPU jobs waiting at most; beyond it requests get 503"},
      {"discussion", "post_burst", &c.discussion.post_burst, 1, 1'000'000, "messages a user may post at once (then 429)"},
      {"discussion", "posts_per_minute", &c.discussion.posts_per_minute, 1, 60'000'000, "messages a user may post per minute after the burst"},
      {"privacy", "noise", &c.privacy.noise, 0, 0, "\"on\" or \"off\": differential-privacy noise on published figures"},
      {"privacy", "epsilon", &c.privacy.epsilon, 0, 0, "epsilon per member per wave, a decimal (split in docs/privacy.md)"},
      {"privacy", "p_percent", &c.privacy.p_percent, 1, 100, "p of the p% rule for published sums; keep it private"},
      {"sharing", "quiet_weeks", &c.sharing.quiet_weeks, 1, 520, "flag a client not contacted for this many weeks"},
      {"sharing", "wave_days", &c.sharing.wave_days, 0, 3660, "close a wave every this many days; 0: only an admin closes"},
      {"sharing", "top_code", &c.sharing.top_code, 10000, 100000000, "top-code for shared amounts, in the reporting currency"},
      {"templates", "pdf_workers", &c.templates.pdf_workers, 0, 8, "PDFs made at once (WeasyPrint workers); 0: PDF off"},
      {"templates", "pdf_queue", &c.templates.pdf_queue, 0, 1000, "PDFs waiting at most; beyond it requests get 503"},
      {"templates", "pdf_timeout_ms", &c.templates.pdf_timeout_ms, 100, 600000, "time limit of one PDF"},
      {"templates", "pdf_memory_mb", &c.templates.pdf_memory_mb, 128, 65536, "memory limit of each PDF worker"},
      {"templates", "python", &c.templates.python, 0, 0, "the Python that runs WeasyPrint (Debian's)"},
      {"log", "access", &c.log.access, 0, 0, "write one JSON access-log line per request to stderr"},
      {"mail", "smtp_url", &c.mail.smtp_url, 0, 0, "smtp://host:587 (STARTTLS) or smtps://host:465; empty: mail is off"},
      {"mail", "from", &c.mail.from, 0, 0, "sender address of the hub's mail, e.g. hub@example.org"},
      {"mail", "from_name", &c.mail.from_name, 0, 0, "sender display name"},
      {"mail", "username", &c.mail.username, 0, 0, "SMTP AUTH user; empty: no AUTH"},
      {"mail", "password_file", &c.mail.password_file, 0, 0, "file holding the SMTP password (first line)"},
      {"mail", "starttls", &c.mail.starttls, 0, 0, "require STARTTLS on smtp:// URLs; false only for a loopback test server"},
      {"mail", "link_origin", &c.mail.link_origin, 0, 0, "origin of links in mail; empty: server.public_origin"},
      {"mail", "timeout_ms", &c.mail.timeout_ms, 100, 600000, "milliseconds one SMTP delivery may take"},
      {"mail", "retry_base_ms", &c.mail.retry_base_ms, 10, 3600000, "first retry delay; doubles per failure up to an hour"},
      {"mail", "max_attempts", &c.mail.max_attempts, 1, 100, "attempts before a message is parked for admins"},
      {"mail", "poll_ms", &c.mail.poll_ms, 10, 600000, "how often the sender looks for due mail"},
      {"mail", "digest_hour_utc", &c.mail.digest_hour_utc, 0, 23, "hour (UTC) when daily and weekly digests are built"},
      {"matrix", "homeserver_url", &c.matrix.homeserver_url, 0, 0,
       "the homeserver's client-server API, e.g. https://matrix.example.org; empty: the Matrix bridge is off"},
      {"matrix", "server_name", &c.matrix.server_name, 0, 0, "the homeserver's server name, e.g. example.org"},
      {"matrix", "mode", &c.matrix.mode, 0, 0,
       "\"appservice\" (run `cohorthub bridge matrix-registration` first) or \"bot\" (a plain account: bot_user_id, bot_token_file)"},
      {"matrix", "user_prefix", &c.matrix.user_prefix, 0, 0, "hub member ana appears as @<prefix>_ana:<server_name>"},
      {"matrix", "sender_localpart", &c.matrix.sender_localpart, 0, 0, "the appservice's own user; empty: user_prefix"},
      {"matrix", "bot_user_id", &c.matrix.bot_user_id, 0, 0, "bot mode: the bot account's user id, e.g. @cohortbot:matrix.org"},
      {"matrix", "bot_token_file", &c.matrix.bot_token_file, 0, 0, "bot mode: file holding the bot's access token (first line)"},
      {"matrix", "sync_timeout_ms", &c.matrix.sync_timeout_ms, 100, 300000, "bot mode: how long one /sync long poll waits"},
      {"slack", "mode", &c.slack.mode, 0, 0, "\"events\": Slack pushes to /api/bridge/slack/events; \"socket\": the hub connects to Slack (Socket Mode, docs/operations.md)"},
      {"slack", "signing_secret_file", &c.slack.signing_secret_file, 0, 0, "file holding the Slack app's signing secret; one stored by an admin wins"},
      {"slack", "bot_token_file", &c.slack.bot_token_file, 0, 0, "file holding the bot token (xoxb-...); one stored by an admin wins"},
      {"slack", "app_token_file", &c.slack.app_token_file, 0, 0, "file holding the app-level token (xapp-...), for Socket Mode; one stored by an admin wins"},
      {"slack", "api_url", &c.slack.api_url, 0, 0, "Slack's Web API; tests point it at a fake"},
      {"slack", "pace_ms", &c.slack.pace_ms, 0, 60000, "milliseconds between two messages to one Slack channel (Slack allows about 1/s)"},
  };
}

std::string env_name(const Setting& s) {
  std::string n = std::string("COHORTHUB_") + s.section + "_" + s.key;
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char ch) { return std::toupper(ch); });
  return n;
}

std::string where(const Setting& s) { return std::string(s.section) + "." + s.key; }

void set_int(const Setting& s, std::int64_t v, const std::string& origin) {
  if (v < s.min || v > s.max)
    throw std::runtime_error(origin + ": " + where(s) + " must be between " + std::to_string(s.min) + " and " +
                             std::to_string(s.max));
  *std::get<std::int64_t*>(s.target) = v;
}

void apply_text(const Setting& s, const std::string& text, const std::string& origin) {
  if (auto p = std::get_if<std::string*>(&s.target)) {
    **p = text;
  } else if (auto b = std::get_if<bool*>(&s.target)) {
    if (text == "true" || text == "1" || text == "on") **b = true;
    else if (text == "false" || text == "0" || text == "off") **b = false;
    else throw std::runtime_error(origin + ": " + where(s) + " must be true or false");
  } else {
    std::size_t used = 0;
    std::int64_t v = 0;
    try {
      v = std::stoll(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != text.size()) throw std::runtime_error(origin + ": " + where(s) + " must be an integer");
    set_int(s, v, origin);
  }
}

void apply_toml(const std::vector<Setting>& all, const std::string& file) {
  toml::table doc;
  try {
    doc = toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << file << ": " << e.description() << " at line " << e.source().begin.line;
    throw std::runtime_error(msg.str());
  }
  for (auto&& [section, node] : doc) {
    const auto* table = node.as_table();
    if (!table) throw std::runtime_error(file + ": `" + std::string(section.str()) + "` must be a [section]");
    for (auto&& [key, value] : *table) {
      auto it = std::find_if(all.begin(), all.end(),
                             [&](const Setting& s) { return section.str() == s.section && key.str() == s.key; });
      if (it == all.end())
        throw std::runtime_error(file + ": unknown setting " + std::string(section.str()) + "." + std::string(key.str()));
      const Setting& s = *it;
      if (auto p = std::get_if<std::string*>(&s.target)) {
        if (!value.is_string()) throw std::runtime_error(file + ": " + where(s) + " must be a string");
        **p = *value.value<std::string>();
      } else if (auto b = std::get_if<bool*>(&s.target)) {
        if (!value.is_boolean()) throw std::runtime_error(file + ": " + where(s) + " must be true or false");
        **b = *value.value<bool>();
      } else {
        if (!value.is_integer()) throw std::runtime_error(file + ": " + where(s) + " must be an integer");
        set_int(s, *value.value<std::int64_t>(), file);
      }
    }
  }
}

}  // namespace

Config load_config(const std::string& file, const std::map<std::string, std::string>& environment) {
  Config c;
  auto all = settings(c);
  if (!file.empty()) apply_toml(all, file);
  for (const auto& s : all) {
    auto it = environment.find(env_name(s));
    if (it != environment.end()) apply_text(s, it->second, it->first);
  }
  // Test suites hash thousands of passwords; only the environment (never a config file an
  // operator edits) can lower the cost, under a name that says what it is.
  auto insecure = environment.find("COHORTHUB_TEST_INSECURE_SCRYPT");
  const bool test_escape = insecure != environment.end() && insecure->second == "1";
  if (c.auth.scrypt_log2_n < auth::kMinScryptLog2N && !test_escape)
    throw std::runtime_error("auth.scrypt_log2_n must be at least " + std::to_string(auth::kMinScryptLog2N) +
                             " (N = 2^17, OWASP's minimum for scrypt); test suites may set "
                             "COHORTHUB_TEST_INSECURE_SCRYPT=1 to go lower");
  return c;
}

std::map<std::string, std::string> cohorthub_environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; *e; ++e) {
    std::string_view kv(*e);
    if (kv.substr(0, 10) != "COHORTHUB_") continue;
    auto eq = kv.find('=');
    if (eq != std::string_view::npos) out.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return out;
}

std::string default_config_text() {
  Config c;
  std::ostringstream out;
  out << "# cohorthub settings. Every one can also be set as COHORTHUB_<SECTION>_<KEY>.\n"
         "# Uncomment a line to change it.\n";
  std::string section;
  for (const auto& s : settings(c)) {
    if (section != s.section) {
      section = s.section;
      out << "\n[" << section << "]\n";
    }
    out << "# " << s.help << "\n# " << s.key << " = ";
    std::visit(
        [&](auto* p) {
          using T = std::remove_pointer_t<decltype(p)>;
          if constexpr (std::is_same_v<T, std::string>) out << '"' << *p << '"';
          else if constexpr (std::is_same_v<T, bool>) out << (*p ? "true" : "false");
          else out << *p;
        },
        s.target);
    out << "\n";
  }
  return out.str();
}

}  // namespace hub
