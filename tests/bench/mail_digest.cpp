// The weekly digest benchmark (tests/bench/mail_digest.sh): 10,000 members over a week of 50,000
// messages. Builds and queues every digest on this thread while another thread calls GET /api/me
// through the hub's service in a loop; prints the build time and /api/me latency before and during.
// Target (issue 15): < 30 s, with GET /api/me p99 < 10 ms meanwhile.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "hub/app.hpp"
#include "hub/auth/account_store.hpp"
#include "hub/auth/secrets.hpp"
#include "hub/auth/session_authenticator.hpp"
#include "tests/unit/support/run_coro.hpp"

using namespace hub;
using Clock_ = std::chrono::steady_clock;

namespace {

constexpr int kMembers = 10'000, kMessages = 50'000, kCohorts = 10, kChannelsPerCohort = 4, kHubChannels = 5;

double ms_since(Clock_::time_point t) { return std::chrono::duration<double, std::milli>(Clock_::now() - t).count(); }

struct Latency {
  std::vector<double> samples;
  double pct(double p) {
    if (samples.empty()) return 0;
    std::sort(samples.begin(), samples.end());
    return samples[std::min(samples.size() - 1, static_cast<std::size_t>(p * samples.size()))];
  }
};

// GET /api/me in a loop until `stop`; one sample per request.
Latency measure_me(Hub& hub, const std::string& token, std::atomic<bool>& stop, int max_requests) {
  Latency l;
  for (int i = 0; i < max_requests && !stop; ++i) {
    http::Request req;
    req.method = http::Method::get;
    req.target = req.path = "/api/me";
    req.remote_ip = "127.0.0.1";
    req.headers.set("Host", "bench.test");
    req.headers.set("Authorization", "Bearer " + token);
    auto t = Clock_::now();
    auto res = testing::run_coro(hub.service().handle(std::move(req)));
    l.samples.push_back(ms_since(t));
    if (res.status != 200) {
      std::fprintf(stderr, "GET /api/me answered %d\n", res.status);
      std::exit(1);
    }
  }
  return l;
}

}  // namespace

int main() {
  testing::TempDir dir;
  DataDir data{dir.path + "/data"};
  init_data_dir(data);
  Config config = load_config("", {{"COHORTHUB_MAIL_SMTP_URL", "smtp://127.0.0.1:1"},
                                   {"COHORTHUB_MAIL_FROM", "hub@example.org"},
                                   {"COHORTHUB_MAIL_LINK_ORIGIN", "https://hub.example.org"},
                                   {"COHORTHUB_LOG_ACCESS", "false"}});
  SystemClock clock;
  Hub hub(config, data, clock);
  const std::int64_t now = clock.now();
  const std::string token = std::string(auth::kTokenPrefix) + auth::random_token(24);

  auto seed_t = Clock_::now();
  auto seeded = hub.db().write_now([&](store::Connection& c) -> http::Result<bool> {
    if (auto s = c.exec("INSERT INTO users (handle, display_name, role, password_hash, created_at) "
                        "VALUES ('admin', 'Admin', 'admin', 'x', 0)");
        !s)
      return s.error();
    if (auto t = auth::insert_token(c, 1, "bench", auth::sha256_hex(token), now); !t) return t.error();
    auto cohort = c.prepare("INSERT INTO cohorts (name, starts_on, created_at) VALUES (?, '2026-01-05', 0)");
    for (int k = 0; k < kCohorts; ++k) {
      cohort.bind(1, std::string_view("cohort " + std::to_string(k)));
      if (auto s = cohort.run(); !s) return s.error();
    }
    auto user = c.prepare("INSERT INTO users (handle, display_name, role, password_hash, created_at) VALUES (?, ?, 'member', 'x', 0)");
    auto member = c.prepare("INSERT INTO cohort_members (cohort_id, user_id, joined_at) VALUES (?, ?, 0)");
    auto prefs = c.prepare("INSERT INTO mail_preferences (user_id, address, digest, updated_at) VALUES (?, ?, 'weekly', 0)");
    for (int i = 0; i < kMembers; ++i) {
      const std::string handle = "m" + std::to_string(i);
      user.bind(1, std::string_view(handle)).bind(2, std::string_view(handle));
      if (auto s = user.run(); !s) return s.error();
      const std::int64_t id = c.last_insert_id();
      member.bind(1, std::int64_t{1 + i % kCohorts}).bind(2, id);
      if (auto s = member.run(); !s) return s.error();
      prefs.bind(1, id).bind(2, std::string_view(handle + "@example.org"));
      if (auto s = prefs.run(); !s) return s.error();
    }
    auto channel = c.prepare("INSERT INTO channels (cohort_id, name, created_at) VALUES (?, ?, 0)");
    std::vector<std::int64_t> channels;
    for (int k = 0; k < kCohorts * kChannelsPerCohort + kHubChannels; ++k) {
      std::optional<std::int64_t> cohort_id;
      if (k < kCohorts * kChannelsPerCohort) cohort_id = 1 + k % kCohorts;
      channel.bind(1, cohort_id).bind(2, std::string_view("channel-" + std::to_string(k)));
      if (auto s = channel.run(); !s) return s.error();
      channels.push_back(c.last_insert_id());
    }
    auto msg = c.prepare("INSERT INTO messages (channel_id, author_id, body, html, thread_root, created_at) VALUES (?, ?, ?, '', ?, ?)");
    auto mention = c.prepare("INSERT OR IGNORE INTO message_mentions (message_id, user_id) VALUES (?, ?)");
    std::vector<std::int64_t> roots(channels.size(), 0);
    for (int i = 0; i < kMessages; ++i) {
      const std::size_t ch = static_cast<std::size_t>(i) % channels.size();
      const std::int64_t author = 2 + (i * 7919) % kMembers;
      std::optional<std::int64_t> root;
      if (roots[ch] && i % 4 != 0) root = roots[ch];
      msg.bind(1, channels[ch]).bind(2, author).bind(3, std::string_view("message " + std::to_string(i) + " about retainers"));
      msg.bind(4, root).bind(5, now - 7 * 86400 + 1 + std::int64_t{i} * (7 * 86400 - 10) / kMessages);
      if (auto s = msg.run(); !s) return s.error();
      const std::int64_t id = c.last_insert_id();
      if (!root) roots[ch] = id;
      if (i % 10 == 0) {  // 5,000 mentions
        mention.bind(1, id).bind(2, std::int64_t{2 + (i * 31) % kMembers});
        if (auto s = mention.run(); !s) return s.error();
      }
    }
    return true;
  });
  if (!seeded) {
    std::fprintf(stderr, "seeding failed: %s\n", seeded.error().message.c_str());
    return 1;
  }
  std::printf("seeded %d members, %d messages in %.1f s\n", kMembers, kMessages, ms_since(seed_t) / 1000);

  std::atomic<bool> stop{false};
  Latency idle = measure_me(hub, token, stop, 2000);
  std::printf("GET /api/me alone:            p50 %.2f ms, p99 %.2f ms (%zu requests)\n", idle.pct(0.5), idle.pct(0.99),
              idle.samples.size());

  Latency busy;
  std::thread me([&] { busy = measure_me(hub, token, stop, 1'000'000); });
  auto t = Clock_::now();
  auto queued = hub.mail().digests().build({"weekly", "weekly:bench", now - 7 * 86400});
  const double build_s = ms_since(t) / 1000;
  stop = true;
  me.join();
  if (!queued) {
    std::fprintf(stderr, "digest failed: %s\n", queued.error().message.c_str());
    return 1;
  }
  std::printf("weekly digest: %d messages queued in %.2f s (target < 30 s)\n", *queued, build_s);
  std::printf("GET /api/me during the build: p50 %.2f ms, p99 %.2f ms (%zu requests; target p99 < 10 ms)\n",
              busy.pct(0.5), busy.pct(0.99), busy.samples.size());
  return (build_s < 30 && busy.pct(0.99) < 10) ? 0 : 2;
}
