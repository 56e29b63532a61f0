#include "hub/demo_data.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "hub/auth/account_store.hpp"
#include "hub/auth/password.hpp"
#include "hub/auth/secrets.hpp"
#include "hub/cohorts/cohort_store.hpp"

namespace hub {
namespace {

struct DemoPerson {
  const char* handle;
  const char* display_name;
  const char* role;
};

// Invented people; any likeness is chance.
constexpr DemoPerson kPeople[] = {
    {"ada", "Ada Okafor", "admin"},        {"mira", "Mira Lindqvist", "mentor"},
    {"sam", "Sam Ferreira", "member"},     {"lee", "Lee Nakamura", "member"},
    {"noor", "Noor Haddad", "member"},     {"jonas", "Jonas Weber", "member"},
};
constexpr const char* kCohortName = "Demo cohort: spring 2026";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string load_demo(const DataDir& dir, int scrypt_log2_n, const Clock& clock) {
  if (std::filesystem::exists(dir.demo_logins())) return read_file(dir.demo_logins());
  // One generated password for every demo account: easy to type, never the same on two machines.
  const std::string password = "demo-" + auth::random_token(9);
  const std::string hash = auth::hash_password(password, scrypt_log2_n);
  store::Executor db(dir.database(), all_migrations(), {.readers = 1});
  cohorts::CohortMembership membership;
  const std::int64_t now = clock.now();
  auto done = db.write_now([&](store::Connection& c) -> http::Result<http::Ok> {
    auto cohort = cohorts::insert_cohort(c, kCohortName, "2026-03-02", 0, now);
    if (!cohort) return cohort.error();
    const std::int64_t cohort_id = (*cohort)["id"].get<std::int64_t>();
    for (const auto& p : kPeople) {
      auto user = auth::insert_user(c, p.handle, p.display_name, p.role, hash, now);
      if (!user) return user.error();
      if (auto s = membership.join(c, user->id, cohort_id, now); !s) return s.error();
    }
    return auth::audit(c, 0, "demo.load", "cohort:" + std::to_string(cohort_id), nlohmann::json::object(), now);
  });
  db.stop();
  if (!done) throw std::runtime_error("could not load the demo cohort: " + done.error().message);
  std::ostringstream text;
  text << "Demo logins (every account has the password " << password << "):\n";
  for (const auto& p : kPeople) text << "  " << p.handle << "  (" << p.role << ", " << p.display_name << ")\n";
  std::ofstream out(dir.demo_logins());
  out << text.str();
  out.close();
  ::chmod(dir.demo_logins().c_str(), 0600);
  return text.str();
}

}  // namespace hub
