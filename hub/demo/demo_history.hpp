// Two years of a community's history, planned as timed actions and then played through the hub's
// routes in time order (the clock moves forward as they run).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "hub/demo/demo_cast.hpp"
#include "hub/demo/demo_session.hpp"

namespace hub::demo {

class Timeline {
 public:
  // `action` runs with the clock at `when` (Unix seconds). Actions at the same time keep the
  // order they were planned in.
  void at(std::int64_t when, std::function<void(DemoSession&)> action);
  void run(DemoSession& session);
  std::size_t size() const { return actions_.size(); }

 private:
  struct Timed {
    std::int64_t when;
    std::function<void(DemoSession&)> action;
  };
  std::vector<Timed> actions_;
};

// Unix seconds of `day` (days since 1970-01-01) at hh:mm UTC.
inline std::int64_t at_time(std::int64_t day, int hour, int minute = 0) {
  return day * 86400 + hour * 3600 + minute * 60;
}

// Pipelines of every member, following FACTS.md: tiers, amounts, regions, ecosystems, the one to
// two months a deal takes to sign (or a long drag), losses and first renewals.
void plan_pipelines(Timeline& t, const DemoCast& cast, DemoRandom& rng);
// Six waves, closed by an admin every six weeks up to the last day.
void plan_waves(Timeline& t, const DemoCast& cast);
// Channels, threads, replies, reactions, mentions and an edit or two.
void plan_discussion(Timeline& t, const DemoCast& cast, DemoRandom& rng);
// Cohort playbooks with revisions, a merged proposal and one awaiting review; mentoring pairs and
// checklists, some done, some part done, one overdue.
void plan_playbooks(Timeline& t, const DemoCast& cast, DemoRandom& rng);
// A member's template released twice, forked, rated and used, and saved documents filled from it.
void plan_templates(Timeline& t, const DemoCast& cast, DemoRandom& rng);

}  // namespace hub::demo
