#include "hub/demo_data.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "hub/auth/account_store.hpp"
#include "hub/auth/password.hpp"
#include "hub/auth/secrets.hpp"
#include "hub/demo/demo_history.hpp"
#include "hub/store/backup.hpp"
#include "hub/sharing/vocabulary.hpp"

namespace hub {
namespace {

constexpr std::uint64_t kDemoSeed = 20'261'130;  // fixed: every demo is the same community

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Accounts come from the administrator (as `admin create-admin` makes them), each on the day its
// cohort starts. They share one password hash, so scrypt runs once.
void create_people(Hub& hub, demo::DemoCast& cast, const std::string& hash) {
  auto created = hub.db().write_now([&](store::Connection& c) -> http::Status {
    for (auto& p : cast.people) {
      const std::int64_t day = p.cohort < 0 ? cast.first_day : cast.cohorts[p.cohort].starts_day;
      auto user = auth::insert_user(c, p.handle, p.display_name, p.role, hash, demo::at_time(day, 8));
      if (!user) return user.error();
      p.user_id = user->id;
    }
    return http::Ok{};
  });
  if (!created) throw std::runtime_error("could not create the demo people: " + created.error().message);
}

// The admin opens each cohort on its first day and adds its people (ada and mira join the
// cohorts they look after, as the demo's logins always did).
void plan_cohorts(demo::Timeline& t, demo::DemoCast& cast) {
  const std::int64_t ada = cast.by_handle("ada").user_id;
  for (std::size_t i = 0; i < cast.cohorts.size(); ++i) {
    demo::DemoCohort* cohort = &cast.cohorts[i];
    std::vector<std::string> handles = {"ada"};
    if (i == 2) handles.push_back("mira");
    for (const auto* p : cast.of(static_cast<int>(i))) handles.push_back(p->handle);
    t.at(demo::at_time(cohort->starts_day, 9), [cohort, ada, handles](demo::DemoSession& s) {
      cohort->id = s.post(ada, "/api/cohorts", {{"name", cohort->name}, {"starts_on", sharing::date_of_day(cohort->starts_day)}})
                       ["cohort"]["id"].get<std::int64_t>();
      for (const auto& h : handles)
        s.post(ada, "/api/cohorts/" + std::to_string(cohort->id) + "/members", {{"handle", h}});
    });
  }
}

// Two years of history is about two thousand small transactions, each durable on its own. They are
// played into a copy of the database in memory (when /dev/shm is there) and copied back once:
// the same writes, one fsync instead of thousands. The copy uses the data directory's own keys.
class StagedDatabase {
 public:
  explicit StagedDatabase(const DataDir& dir) : real_(dir) {
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm") ? std::filesystem::path("/dev/shm") : std::filesystem::path(dir.root);
    std::string tmpl = (base / "cohorthub-demo-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a directory for the demo in " + base.string());
    staged_.root = tmpl;
    std::filesystem::create_directory_symlink(std::filesystem::absolute(dir.keys()), staged_.keys());
    if (auto s = store::backup_database(dir.database(), staged_.database()); !s)
      throw std::runtime_error("cannot copy the database for the demo: " + s.error().message);
  }
  ~StagedDatabase() {
    std::error_code ignored;
    std::filesystem::remove_all(staged_.root, ignored);
  }
  const DataDir& dir() const { return staged_; }
  // REQUIRES: nothing has the staged database open. Replaces the real database with it.
  void commit() {
    const std::string copy = real_.database() + ".demo";
    std::filesystem::remove(copy);
    if (auto s = store::backup_database(staged_.database(), copy); !s)
      throw std::runtime_error("cannot write the demo database: " + s.error().message);
    ::chmod(copy.c_str(), 0600);
    for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(real_.database() + suffix);
    std::filesystem::rename(copy, real_.database());
  }

 private:
  const DataDir& real_;
  DataDir staged_;
};

}  // namespace

bool is_demo(const DataDir& dir) { return std::filesystem::exists(dir.demo_logins()); }

std::string load_demo(const DataDir& dir, const Config& config, const Clock& clock) {
  if (is_demo(dir)) return read_text(dir.demo_logins());
  // One generated password for every demo account: easy to type, never the same on two machines.
  const std::string password = "demo-" + auth::random_token(9);
  const std::string hash = auth::hash_password(password, static_cast<int>(config.auth.scrypt_log2_n));
  demo::DemoCast cast = demo::make_cast(clock.now() / 86400 - 1);
  demo::DemoRandom rng(kDemoSeed);
  Config quiet = config;
  quiet.log.access = false;
  quiet.sharing.wave_days = 0;  // the demo closes its own six waves
  // Invented people have nothing to hide: the demo's waves publish without differential-privacy
  // noise, so its charts match its data. A real hub's waves use [privacy] as configured.
  quiet.privacy.noise = "off";
  FakeClock history(demo::at_time(cast.first_day, 8));
  StagedDatabase staged(dir);
  {
    Hub hub(quiet, staged.dir(), history);
    create_people(hub, cast, hash);
    demo::Timeline t;
    plan_cohorts(t, cast);
    demo::plan_pipelines(t, cast, rng);
    demo::plan_waves(t, cast);
    demo::plan_discussion(t, cast, rng);
    demo::plan_playbooks(t, cast, rng);
    demo::plan_templates(t, cast, rng);
    demo::DemoSession session(hub, history, clock.now() + 3600);
    t.run(session);
    auto noted = hub.db().write_now([&](store::Connection& c) {
      return auth::audit(c, 0, "demo.load", "hub", {{"people", cast.people.size()}}, history.now());
    });
    if (!noted) throw std::runtime_error("could not load the demo: " + noted.error().message);
  }
  staged.commit();
  std::ostringstream text;
  text << "Demo logins (every account has the password " << password << "):\n";
  for (const auto& p : cast.people)
    if (p.original) text << "  " << p.handle << "  (" << p.role << ", " << p.display_name << ")\n";
  text << "  and " << cast.people.size() - 6 << " more invented people; `cohorthub admin list-users` lists them.\n";
  std::ofstream out(dir.demo_logins());
  out << text.str();
  out.close();
  ::chmod(dir.demo_logins().c_str(), 0600);
  return text.str();
}

}  // namespace hub
