// Benchmark: closing a wave over N shared engagements (20 per member, so N/20 members, all in one
// cohort), with noise on. Times the whole close: reading every sealed row, decrypting, building the
// shared copies, disclosure control and noise, and storing the wave. Prints one line per N.
// Usage: bench_sharing_wave_close 10000 100000 1000000
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "hub/app.hpp"
#include "hub/auth/account_store.hpp"
#include "hub/sharing/sharing_store.hpp"
#include "hub/sharing/wave_publisher.hpp"
#include "tests/unit/support/run_coro.hpp"

using namespace hub;
using Steady = std::chrono::steady_clock;

namespace {

double seconds_since(Steady::time_point t) { return std::chrono::duration<double>(Steady::now() - t).count(); }

void run(std::int64_t n) {
  testing::TempDir dir;
  DataDir data{dir.path + "/d"};
  init_data_dir(data);
  FakeClock clock(1'795'000'000);  // 2026-11-18
  store::Executor db(data.database(), all_migrations(), {.readers = 1});
  const sharing::RecordCipher cipher(sharing::load_key_file(data.keys() + "/records-aes256.key"));
  const sharing::Pseudonymizer pseudonyms(sharing::load_key_file(data.keys() + "/pseudonym-hmac.key"));
  static const char* tiers[] = {"sustaining", "reciprocal", "advisory"};
  static const char* regions[] = {"europe", "north_america", "asia", "oceania"};
  static const char* ecosystems[] = {"go", "rust", "python", "javascript", "c_cpp"};
  const std::int64_t members = std::max<std::int64_t>(1, n / 20);
  std::vector<std::int64_t> user_ids;
  auto t0 = Steady::now();
  auto setup = db.write_now([&](store::Connection& c) -> http::Result<int> {
    if (auto s = c.exec("INSERT INTO cohorts (name, starts_on, created_at) VALUES ('Bench', '2024-01-01', 0)"); !s) return s.error();
    for (std::int64_t m = 0; m < members; ++m) {
      auto u = auth::insert_user(c, "m" + std::to_string(m), "M", "member", "x", 0);
      if (!u) return u.error();
      user_ids.push_back(u->id);
      auto j = c.prepare("INSERT INTO cohort_members (cohort_id, user_id, joined_at) VALUES (1, ?1, ?2)");
      j.bind(1, u->id).bind(2, 1'704'067'200 + m % 700 * 86400);
      if (auto s = j.run(); !s) return s.error();
    }
    return 0;
  });
  if (!setup) std::abort();
  for (std::int64_t done = 0; done < n;) {
    const std::int64_t batch = std::min<std::int64_t>(20'000, n - done);
    auto insert = db.write_now([&](store::Connection& c) -> http::Result<int> {
      for (std::int64_t i = done; i < done + batch; ++i) {
        sharing::Engagement e;
        e.label = "client " + std::to_string(i);
        e.stage = i % 7 == 0 ? "churned" : "active";
        e.tier = tiers[i % 3];
        e.annual_amount = 20'000 + (i * 7919) % 180'000;
        e.currency = i % 2 ? "USD" : "EUR";
        e.ecosystem = ecosystems[i % 5];
        e.region = regions[(i / 20) % 4];
        e.channel = "champion";
        e.first_contact_on = "2024-01-10";
        e.signed_on = "2024-03-0" + std::to_string(1 + i % 9);
        e.shared = true;
        e.stage_since = "2024-03-01";
        if (i % 7 == 0) e.renewals.push_back({"churned", "2025-03-05"});
        else if (i % 3 == 0) e.renewals.push_back({"renewed", "2025-03-05"});
        auto id = sharing::insert_engagement(c, cipher, user_ids[i % members], e, 0);
        if (!id) return id.error();
      }
      return 0;
    });
    if (!insert) {
      std::fprintf(stderr, "insert failed: %s\n", insert.error().message.c_str());
      std::abort();
    }
    done += batch;
  }
  const double setup_s = seconds_since(t0);
  http::CpuPool cpu(1, 4);
  sharing::DisclosureOptions options;  // noise on
  sharing::WavePublisher publisher(db, cpu, clock, cipher, pseudonyms, options,
                                   std::make_unique<sharing::OpenSslRandomness>());
  auto t1 = Steady::now();
  auto closed = publisher.close_now("admin");
  const double close_s = seconds_since(t1);
  if (!closed) {
    std::fprintf(stderr, "close failed: %s\n", closed.error().message.c_str());
    std::abort();
  }
  std::printf("rows=%lld members=%lld close_s=%.3f rows_per_s=%.0f (setup %.1f s)\n", static_cast<long long>(n),
              static_cast<long long>(members), close_s, static_cast<double>(n) / close_s, setup_s);
  std::fflush(stdout);
  db.stop();
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) run(std::atoll(argv[i]));
  return 0;
}
