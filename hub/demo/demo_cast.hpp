// Who is in the demo community and when things happen to them: invented people in three cohorts,
// drawn from a fixed seed so that every `init --demo` builds the same hub.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hub::demo {

// A reproducible generator (SplitMix64): the same seed gives the same demo on every machine.
class DemoRandom {
 public:
  explicit DemoRandom(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  // Uniform on [lo, hi]. REQUIRES: lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi);
  // True with probability percent/100.
  bool chance(int percent) { return between(1, 100) <= percent; }
  // One of `weights.size()` choices, by weight.
  std::size_t pick(const std::vector<int>& weights);

 private:
  std::uint64_t state_;
};

struct DemoPerson {
  std::string handle, display_name, role;
  int cohort = 0;               // 0, 1 or 2 (the member's cohort; admins have none of their own)
  bool original = false;        // one of the six logins the demo always had
  std::int64_t user_id = 0;     // set once created
};

struct DemoCohort {
  std::string name;
  std::int64_t starts_day = 0;  // days since 1970-01-01
  std::int64_t id = 0;          // set once created
};

struct DemoCast {
  std::vector<DemoPerson> people;
  std::vector<DemoCohort> cohorts;
  std::int64_t first_day = 0, last_day = 0;  // the two years the history spans

  // The people of `cohort` with `role` ("" for any), in a fixed order.
  std::vector<const DemoPerson*> of(int cohort, const std::string& role = "") const;
  const DemoPerson& by_handle(const std::string& handle) const;
};

// About 60 people: two admins, five mentors, the rest members; three cohorts starting roughly
// eight months apart, the last two years ending on `today_day`.
DemoCast make_cast(std::int64_t today_day);

}  // namespace hub::demo
