// bench_playbooks [--quick]: latencies of the playbook routes, measured in process through
// Hub::service() (the whole stack above the sockets: router, auth, DB executor with group commit,
// CPU pool), on a fresh data directory. tests/bench/playbooks_run.sh runs it next to the HTTP
// view benchmark. Prints a markdown table; exits 1 when a target is missed.
//   save:   PUT a 50 KB playbook, one changed line each time        target p99 < 20 ms
//   diff:   GET /diff of two 50 KB revisions                        target p99 < 20 ms
//   search: GET /api/search over 10,000 playbooks                   target p99 < 20 ms
// Diagnostics: BENCH_VERBOSE=1 names searches over 10 ms; BENCH_KEEP=1 keeps the data directory;
// BENCH_NO_CHECKPOINT=1 turns SQLite's WAL auto-checkpoint off for the saves, to show its share
// of the tail.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/app.hpp"
#include "hub/auth/account_store.hpp"
#include "hub/auth/secrets.hpp"
#include "playbooks/playbook_store.hpp"
#include "tests/unit/support/run_coro.hpp"

namespace {

using namespace hub;
using nlohmann::json;
using Steady = std::chrono::steady_clock;

struct Stats {
  double p50 = 0, p99 = 0, max = 0;
};

Stats stats(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * double(ms.size())))]; };
  return {at(0.50), at(0.99), ms.back()};
}

// Words with a Zipf-like spread: a few very common, many rare.
class Vocabulary {
 public:
  explicit Vocabulary(std::mt19937& rng) : rng_(rng) {
    const char* common[] = {"the", "client", "retainer", "maintainer", "project", "invoice", "renewal", "contract",
                            "champion", "release", "advisory", "quote", "order", "security", "budget", "team"};
    for (auto w : common) words_.push_back(w);
    const char* syllables[] = {"ka", "lo", "mi", "ren", "tor", "vel", "sa", "qui", "dor", "pen", "lu", "zam"};
    for (int i = 0; words_.size() < 5000; ++i) {
      std::string w;
      for (int s = 0; s < 2 + i % 3; ++s) w += syllables[(i * 7 + s * 5 + i / 12) % 12];
      words_.push_back(w + std::to_string(i % 97));
    }
  }
  const std::string& word() {
    // rank ~ 1/u: rank r is drawn with probability ~ 1/r.
    std::uniform_real_distribution<double> u(0.0, std::log(double(words_.size())));
    return words_[std::min(words_.size() - 1, static_cast<std::size_t>(std::exp(u(rng_))) - 1)];
  }
  const std::string& at(std::size_t rank) const { return words_.at(rank); }
  std::string sentence(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += (i ? " " : "") + word();
    return s + ".";
  }
  // A Markdown document of about `bytes`, with headings, paragraphs and task lists.
  std::string document(std::size_t bytes) {
    std::string doc = "# " + sentence(4) + "\n\n";
    int section = 0;
    while (doc.size() < bytes) {
      doc += "## Section " + std::to_string(++section) + "\n\n";
      for (int p = 0; p < 3; ++p) doc += sentence(12) + " " + sentence(10) + "\n" + sentence(14) + "\n\n";
      for (int t = 0; t < 4; ++t) doc += "- [ ] " + sentence(6) + "\n";
      doc += "\n";
    }
    return doc;
  }

 private:
  std::mt19937& rng_;
  std::vector<std::string> words_;
};

class BenchHub {
 public:
  BenchHub() {
    char tmpl[] = "/tmp/cohorthub-bench-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    root_ = tmpl;
    DataDir dir{root_ + "/data"};
    init_data_dir(dir);
    Config config = load_config("", {{"COHORTHUB_AUTH_SCRYPT_LOG2_N", "10"}, {"COHORTHUB_TEST_INSECURE_SCRYPT", "1"},
                                     {"COHORTHUB_LOG_ACCESS", "false"}});
    hub_ = std::make_unique<Hub>(config, dir, clock_);
    token_ = "chp_" + auth::random_token(24);
    auto made = hub_->db().write_now([&](store::Connection& c) -> http::Result<std::int64_t> {
      auto u = auth::insert_user(c, "bench", "Bench", "admin", "x", clock_.now());
      if (!u) return u.error();
      return auth::insert_token(c, u->id, "bench", auth::sha256_hex(token_), clock_.now());
    });
    if (!made) throw std::runtime_error("could not create the bench user");
  }
  ~BenchHub() {
    hub_.reset();
    if (std::getenv("BENCH_KEEP")) std::fprintf(stderr, "bench: kept %s\n", root_.c_str());
    else std::filesystem::remove_all(root_);
  }

  http::Response call(http::Method method, const std::string& target, const std::string& body = "") {
    http::Request req;
    req.method = method;
    req.target = target;
    auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    req.remote_ip = "127.0.0.1";
    req.headers.set("Host", "bench.test");
    req.headers.set("Authorization", "Bearer " + token_);
    if (method != http::Method::get) req.headers.set("Content-Type", "application/json");
    req.body = body;
    return testing::run_coro(hub_->service().handle(std::move(req)));
  }
  // Milliseconds taken by one call; exits if the status is not `expected`.
  double timed(http::Method method, const std::string& target, const std::string& body, int expected) {
    auto t0 = Steady::now();
    auto r = call(method, target, body);
    double ms = std::chrono::duration<double, std::milli>(Steady::now() - t0).count();
    if (r.status != expected) {
      std::fprintf(stderr, "bench: %s gave %d: %.300s\n", target.c_str(), r.status, r.body.c_str());
      std::exit(2);
    }
    return ms;
  }
  Hub& hub() { return *hub_; }
  std::int64_t now() const { return clock_.now(); }

 private:
  std::string root_;
  SystemClock clock_;
  std::unique_ptr<Hub> hub_;
  std::string token_;
};

std::string row(const char* what, const Stats& s, const char* target, bool ok) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "| %s | %.2f ms | %.2f ms | %.2f ms | %s | %s |\n", what, s.p50, s.p99, s.max, target,
                ok ? "pass" : "FAIL");
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const int saves = quick ? 50 : 500, diffs = quick ? 30 : 300, corpus = quick ? 1000 : 10000,
            searches = quick ? 100 : 1000;
  std::mt19937 rng(2024);
  Vocabulary vocab(rng);
  BenchHub bench;
  std::string report =
      "| operation | p50 | p99 | max | target | |\n|---|---:|---:|---:|---|---|\n";
  bool all_ok = true;

  // 1. Saving a revision of a 50 KB playbook: each save changes one line.
  std::string doc = vocab.document(50 * 1024);
  bench.timed(http::Method::post, "/api/playbooks",
              json{{"slug", "big"}, {"title", "Big"}, {"content", doc}}.dump(), 201);
  std::vector<std::string> lines;
  for (std::size_t start = 0; start < doc.size();) {
    auto nl = doc.find('\n', start);
    lines.push_back(doc.substr(start, nl - start + 1));
    start = nl + 1;
  }
  if (std::getenv("BENCH_NO_CHECKPOINT"))
    (void)bench.hub().db().write_now([](store::Connection& c) { return c.exec("PRAGMA wal_autocheckpoint=0"); });
  std::vector<double> save_ms;
  for (int i = 0; i < saves; ++i) {
    std::size_t line = std::uniform_int_distribution<std::size_t>(0, lines.size() - 1)(rng);
    lines[line] = vocab.sentence(8) + "\n";
    std::string text;
    for (const auto& l : lines) text += l;
    json body = {{"base_revision", i + 1}, {"content", text}, {"summary", "bench"}};
    save_ms.push_back(bench.timed(http::Method::put, "/api/playbooks/big", body.dump(), 200));
  }
  Stats save = stats(save_ms);
  all_ok &= save.p99 < 20;
  report += row("save a revision of a 50 KB playbook", save, "p99 < 20 ms", save.p99 < 20);

  // 2. Diffs of 50 KB revisions: far apart in history (every edit so far between them), and a
  //    rewrite of every third line.
  std::vector<double> diff_ms;
  for (int i = 0; i < diffs; ++i) {
    int from = 1 + i % 10, to = saves + 1 - i % 10;
    diff_ms.push_back(bench.timed(http::Method::get, "/api/playbooks/big/diff?from=" + std::to_string(from) +
                                                         "&to=" + std::to_string(to), "", 200));
  }
  Stats diff = stats(diff_ms);
  all_ok &= diff.p99 < 20;
  report += row("diff two 50 KB revisions (hundreds of edits apart)", diff, "p99 < 20 ms", diff.p99 < 20);
  {
    std::string rewritten;
    for (std::size_t i = 0; i < lines.size(); ++i) rewritten += i % 3 == 0 ? vocab.sentence(9) + "\n" : lines[i];
    bench.timed(http::Method::put, "/api/playbooks/big",
                json{{"base_revision", saves + 1}, {"content", rewritten}}.dump(), 200);
    std::vector<double> heavy_ms;
    for (int i = 0; i < diffs / 3; ++i)
      heavy_ms.push_back(bench.timed(http::Method::get, "/api/playbooks/big/diff?from=" + std::to_string(saves + 1) +
                                                            "&to=" + std::to_string(saves + 2), "", 200));
    Stats heavy = stats(heavy_ms);
    all_ok &= heavy.p99 < 20;
    report += row("diff two 50 KB revisions (a third of the lines rewritten)", heavy, "p99 < 20 ms", heavy.p99 < 20);
  }

  // 3. Search over 10,000 playbooks, stored in one transaction through the same store code.
  auto t0 = Steady::now();
  for (int batch = 0; batch < corpus; batch += 1000) {
    std::vector<playbooks::PreparedContent> docs;
    for (int i = batch; i < std::min(corpus, batch + 1000); ++i) {
      auto p = playbooks::prepare_content(vocab.document(1500 + (i % 7) * 400));
      if (!p) return 2;
      docs.push_back(std::move(*p));
    }
    auto stored = bench.hub().db().write_now([&](store::Connection& c) -> http::Result<http::Ok> {
      for (std::size_t k = 0; k < docs.size(); ++k) {
        const std::string slug = "corpus-" + std::to_string(batch + int(k));
        auto pb = playbooks::insert_playbook(c, slug, "Corpus " + std::to_string(batch + int(k)), {"bench"}, 0, docs[k],
                                             {"", "create", std::nullopt, std::nullopt}, bench.now());
        if (!pb) return pb.error();
      }
      return http::Ok{};
    });
    if (!stored) {
      std::fprintf(stderr, "bench: corpus: %s\n", stored.error().message.c_str());
      return 2;
    }
  }
  const double load_s = std::chrono::duration<double>(Steady::now() - t0).count();
  std::vector<std::string> queries;
  for (int i = 0; i < 10; ++i) queries.push_back(vocab.at(std::size_t(i)));           // in most documents
  for (int i = 0; i < 10; ++i) queries.push_back(vocab.at(std::size_t(100 + i * 37)));  // in some
  for (int i = 0; i < 10; ++i) queries.push_back(vocab.at(std::size_t(3000 + i * 91)));  // in few
  for (int i = 0; i < 10; ++i) queries.push_back(vocab.at(std::size_t(i)) + " " + vocab.at(std::size_t(200 + i)));
  for (int i = 0; i < 10; ++i) queries.push_back(vocab.at(std::size_t(50 + i)).substr(0, 3));  // typing a prefix
  std::vector<double> search_ms;
  for (int i = 0; i < searches; ++i) {
    std::string q = queries[std::size_t(i) % queries.size()];
    for (auto& c : q)
      if (c == ' ') c = '+';
    search_ms.push_back(bench.timed(http::Method::get, "/api/search?q=" + q, "", 200));
    if (std::getenv("BENCH_VERBOSE") && search_ms.back() > 10)
      std::fprintf(stderr, "bench: search %s took %.1f ms\n", q.c_str(), search_ms.back());
  }
  Stats search = stats(search_ms);
  all_ok &= search.p99 < 20;
  char what[96];
  std::snprintf(what, sizeof what, "search over %d playbooks (common, rare, two words, prefix)", corpus + 1);
  report += row(what, search, "p99 < 20 ms", search.p99 < 20);

  std::printf("%s\n%d saves, %d + %d diffs, %d searches; corpus of %d playbooks stored in %.1f s.\n", report.c_str(),
              saves, diffs, diffs / 3, searches, corpus, load_s);
  return all_ok ? 0 : 1;
}
