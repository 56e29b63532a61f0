#include "hub/demo/demo_cast.hpp"

#include <iterator>
#include <stdexcept>

#include "hub/sharing/vocabulary.hpp"

namespace hub::demo {

std::uint64_t DemoRandom::next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::int64_t DemoRandom::between(std::int64_t lo, std::int64_t hi) {
  return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
}

std::size_t DemoRandom::pick(const std::vector<int>& weights) {
  int total = 0;
  for (int w : weights) total += w;
  std::int64_t r = between(1, total);
  for (std::size_t i = 0; i < weights.size(); ++i)
    if ((r -= weights[i]) <= 0) return i;
  return weights.size() - 1;
}

namespace {

// Invented people; any likeness is chance. The six first ones are the logins the demo always had.
struct Named {
  const char* handle;
  const char* display_name;
};
constexpr Named kMembers[] = {
    {"sam", "Sam Ferreira"},        {"lee", "Lee Nakamura"},         {"noor", "Noor Haddad"},
    {"jonas", "Jonas Weber"},       {"aiko", "Aiko Brandt"},         {"bruno", "Bruno Achterberg"},
    {"chiara", "Chiara Delmonte"},  {"dmitri", "Dmitri Halvorsen"},  {"efua", "Efua Mensah-Lund"},
    {"farid", "Farid Oyelaran"},    {"greta", "Greta Solberg"},      {"hugo", "Hugo Castellanos"},
    {"ines", "Ines Varga"},         {"jamal", "Jamal Whitcombe"},    {"kaito", "Kaito Ferrand"},
    {"lucia", "Lucia Amundsen"},    {"mateo", "Mateo Quispe"},       {"nadia", "Nadia Kowalczyk"},
    {"oren", "Oren Balogun"},       {"priya", "Priya Lindahl"},      {"quentin", "Quentin Abara"},
    {"rosa", "Rosa Tanaka-Hill"},   {"soren", "Soren Mwangi"},       {"tala", "Tala Rasmussen"},
    {"umar", "Umar Fitzgerald"},    {"vera", "Vera Okonkwo"},        {"wen", "Wen Albrecht"},
    {"ximena", "Ximena Holt"},      {"yusuf", "Yusuf Lindqvist"},    {"zofia", "Zofia Carvalho"},
    {"anton", "Anton Ngata"},       {"beatriz", "Beatriz Sorensen"}, {"cyrus", "Cyrus Adeyemi"},
    {"dalia", "Dalia Markovic"},    {"emeka", "Emeka Johansson"},    {"freya", "Freya Matsuda"},
    {"gael", "Gael Oduya"},         {"hana", "Hana Petrovic"},       {"ivo", "Ivo Nakashima"},
    {"jade", "Jade Okafor-Berg"},   {"kofi", "Kofi Lindgren"},       {"lena", "Lena Barros"},
    {"milan", "Milan Achebe"},      {"nina", "Nina Kristiansen"},    {"omar", "Omar Salvatierra"},
    {"pia", "Pia Mbeki-Strand"},    {"rafael", "Rafael Iwata"},      {"sina", "Sina Ekström"},
    {"tomas", "Tomas Adebayo"},     {"uma", "Uma Falkenberg"},       {"viktor", "Viktor Nwosu"},
    {"wanjiru", "Wanjiru Castell"}, {"yara", "Yara Holmqvist"},
};
constexpr Named kMentors[] = {
    {"mira", "Mira Lindqvist"}, {"rhea", "Rhea Okoro"}, {"tobias", "Tobias Marangoni"},
    {"keiko", "Keiko Abernathy"}, {"dario", "Dario Fonseca"},
};
constexpr Named kAdmins[] = {{"ada", "Ada Okafor"}, {"olu", "Olu Brennan"}};

// Cohort sizes: the oldest cohort is the largest, so its success figures can be published.
constexpr int kCohortMembers[] = {22, 18, 13};
static_assert(std::size(kMembers) == 22 + 18 + 13);
constexpr int kMentorCohort[] = {0, 0, 1, 1, 2};

std::string cohort_name(int n, std::int64_t day) {
  const std::string date = sharing::date_of_day(day);
  const int month = std::stoi(date.substr(5, 2));
  const char* season = month <= 2 || month == 12 ? "winter" : month <= 5 ? "spring" : month <= 8 ? "summer" : "autumn";
  return "Demo cohort " + std::to_string(n + 1) + ": " + season + " " + date.substr(0, 4);
}

}  // namespace

std::vector<const DemoPerson*> DemoCast::of(int cohort, const std::string& role) const {
  std::vector<const DemoPerson*> out;
  for (const auto& p : people)
    if (p.cohort == cohort && (role.empty() || p.role == role)) out.push_back(&p);
  return out;
}

const DemoPerson& DemoCast::by_handle(const std::string& handle) const {
  for (const auto& p : people)
    if (p.handle == handle) return p;
  throw std::logic_error("demo: no person " + handle);
}

DemoCast make_cast(std::int64_t today_day) {
  DemoCast cast;
  cast.last_day = today_day;
  cast.first_day = today_day - 730;
  const std::int64_t starts[] = {cast.first_day + 7, cast.first_day + 250, cast.first_day + 490};
  for (int i = 0; i < 3; ++i) cast.cohorts.push_back({cohort_name(i, starts[i]), starts[i]});
  for (const auto& a : kAdmins) cast.people.push_back({a.handle, a.display_name, "admin", -1, false});
  for (int i = 0; i < 5; ++i) cast.people.push_back({kMentors[i].handle, kMentors[i].display_name, "mentor", kMentorCohort[i]});
  // The original logins: sam and noor in the oldest cohort, lee in the second, jonas a newcomer.
  const int original_cohort[] = {0, 1, 0, 2};
  std::size_t next = 0;
  for (int i = 0; i < 4; ++i, ++next)
    cast.people.push_back({kMembers[next].handle, kMembers[next].display_name, "member", original_cohort[i], true});
  int filled[3] = {2, 1, 1};
  for (int c = 0; c < 3; ++c)
    for (; filled[c] < kCohortMembers[c]; ++filled[c], ++next)
      cast.people.push_back({kMembers[next].handle, kMembers[next].display_name, "member", c});
  for (auto& p : cast.people)
    if (p.handle == "ada" || p.handle == "mira") p.original = true;
  return cast;
}

}  // namespace hub::demo
