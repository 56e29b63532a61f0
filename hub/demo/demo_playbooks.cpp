// The demo's own playbooks and mentoring: a rates playbook edited directly by several people, a
// reviewed first-month checklist with one merged proposal and one awaiting review, and mentors
// assigning that checklist (done, part done, and one overdue).
#include <algorithm>
#include <memory>
#include <string>

#include "hub/demo/demo_history.hpp"
#include "hub/sharing/vocabulary.hpp"

namespace hub::demo {
namespace {

using nlohmann::json;

const char* const kRatesVersions[] = {
    "# Talking about rates\n\nNotes from our calls on pricing a retainer. Demo content.\n\n"
    "## Anchor on the engineer, not the donation\n\nA retainer costs a company a fraction of a fully loaded "
    "engineer. Say so.\n",
    "# Talking about rates\n\nNotes from our calls on pricing a retainer. Demo content.\n\n"
    "## Anchor on the engineer, not the donation\n\nA retainer costs a company a fraction of a fully loaded "
    "engineer. Say so.\n\n## Qualify first\n\nAsk: how long would it take to replace this if it went "
    "unmaintained? Engineer-years means a fit.\n",
    "# Talking about rates\n\nNotes from our calls on pricing a retainer. Demo content.\n\n"
    "## Anchor on the engineer, not the donation\n\nA retainer costs a company a fraction of a fully loaded "
    "engineer. Say so.\n\n## Qualify first\n\nAsk: how long would it take to replace this if it went "
    "unmaintained? Engineer-years means a fit.\n\n## Tiers\n\n- **Sustaining**: keeps the project maintained.\n"
    "- **Reciprocal**: adds a direct line for their needs, steered to public venues.\n"
    "- **Advisory**: adds expert advice in your field.\n",
    "# Talking about rates\n\nNotes from our calls on pricing a retainer. Demo content.\n\n"
    "## Anchor on the engineer, not the donation\n\nA retainer costs a company a fraction of a fully loaded "
    "engineer. Say so.\n\n## Qualify first\n\nAsk: how long would it take to replace this if it went "
    "unmaintained? Engineer-years means a fit.\n\n## Tiers\n\n- **Sustaining**: keeps the project maintained.\n"
    "- **Reciprocal**: adds a direct line for their needs, steered to public venues.\n"
    "- **Advisory**: adds expert advice in your field.\n\n## Check the Rates page\n\nBefore quoting, look up "
    "where your figure stands among the published medians for its tier.\n",
};
constexpr const char* kRatesEditors[] = {"mira", "noor", "rhea", "sam"};
constexpr const char* kRatesSummaries[] = {"Started the page from our first call.", "Added the qualifying question.",
                                           "Described the three tiers.", "Pointed to the Rates page."};

const std::string kChecklistBase =
    "# Your first month in a cohort\n\nWhat a new member does in their first weeks. Demo content.\n\n"
    "- [ ] Introduce yourself in the general channel\n"
    "- [ ] Add every company you are talking to in your pipeline\n"
    "- [ ] Read the playbook on finding a champion\n"
    "- [ ] Write down who would feel the pain if your project went unmaintained\n"
    "- [ ] Draft your first quote and ask your mentor to read it\n";
const std::string kChecklistMerged = kChecklistBase + "- [ ] Prepare your answers to a vendor assessment form\n";
const std::string kChecklistProposed =
    kChecklistMerged + "- [ ] Book a call with your mentor after your first client call\n";

constexpr int kMaxItems = 7;
constexpr const char* kNotes[kMaxItems] = {"Done on the first day.", "Three companies so far.", "", "", "", "", ""};

}  // namespace

void plan_playbooks(Timeline& t, const DemoCast& cast, DemoRandom& rng) {
  const std::int64_t start = cast.cohorts[0].starts_day;
  const DemoCast* c = &cast;
  // The rates playbook: no review needed, edited directly by four people over the two years.
  auto rates_revision = std::make_shared<int>(0);
  for (int i = 0; i < 4; ++i) {
    const std::int64_t day = start + 30 + i * 160;
    t.at(at_time(day, 15), [=](DemoSession& s) {
      const std::int64_t who = c->by_handle(kRatesEditors[i]).user_id;
      json r = i == 0 ? s.post(who, "/api/playbooks",
                               {{"slug", "talking-about-rates"}, {"title", "Talking about rates"},
                                {"content", kRatesVersions[0]}, {"tags", {"sales", "rates", "demo"}},
                                {"summary", kRatesSummaries[0]}})
                      : s.put(who, "/api/playbooks/talking-about-rates",
                              {{"base_revision", *rates_revision}, {"content", kRatesVersions[i]},
                               {"summary", kRatesSummaries[i]}});
      *rates_revision = r["revision"].get<int>();
    });
  }
  // The checklist needs one approval; a merged proposal and an open one.
  t.at(at_time(start, 14), [c](DemoSession& s) {
    s.post(c->by_handle("ada").user_id, "/api/playbooks",
           {{"slug", "first-month"}, {"title", "Your first month in a cohort"}, {"content", kChecklistBase},
            {"tags", {"onboarding", "demo"}}, {"required_approvals", 1}});
  });
  auto proposal = std::make_shared<std::int64_t>(0);
  t.at(at_time(start + 120, 10), [c, proposal](DemoSession& s) {
    *proposal = s.post(c->by_handle("sam").user_id, "/api/playbooks/first-month/proposals",
                       {{"base_revision", 1}, {"content", kChecklistMerged},
                        {"summary", "Vendor forms come sooner than you think."}})["proposal"]["id"].get<std::int64_t>();
  });
  t.at(at_time(start + 121, 16), [c, proposal](DemoSession& s) {
    s.post(c->by_handle("mira").user_id, "/api/proposals/" + std::to_string(*proposal) + "/reviews",
           {{"verdict", "approve"}, {"comment", "Yes, this caught two of us by surprise."}});
  });
  t.at(at_time(start + 122, 9), [c, proposal](DemoSession& s) {
    s.post(c->by_handle("sam").user_id, "/api/proposals/" + std::to_string(*proposal) + "/merge", json::object());
  });
  t.at(at_time(cast.last_day - 4, 11), [c](DemoSession& s) {
    s.post(c->by_handle("lee").user_id, "/api/playbooks/first-month/proposals",
           {{"base_revision", 2}, {"content", kChecklistProposed},
            {"summary", "A debrief after the first client call helped me a lot."}});
  });
  // Mentoring: every mentor takes two members of their cohort and assigns the checklist.
  for (int cohort = 0; cohort < 3; ++cohort) {
    auto mentors = cast.of(cohort, "mentor");
    auto members = cast.of(cohort, "member");
    std::size_t next = 0;
    for (const DemoPerson* mentor : mentors)
      for (int k = 0; k < 2 && next < members.size(); ++k, ++next) {
        const DemoPerson* mentee = members[next];
        const std::int64_t paired = cast.cohorts[cohort].starts_day + 10 + k;
        // The first mentee of each mentor finished long ago; the second is part way through a recent
        // checklist; jonas, the newest login, is behind on his and it is overdue.
        const bool overdue = mentee->handle == "jonas", finished = k == 0 && !overdue;
        const std::int64_t assigned =
            finished ? paired + 1 : overdue ? cast.last_day - 40 : std::max(paired + 1, cast.last_day - 25);
        const std::int64_t due = finished ? assigned + 30 : overdue ? cast.last_day - 9 : cast.last_day + 21;
        const int done = finished ? kMaxItems : overdue ? 2 : static_cast<int>(rng.between(2, 4));
        t.at(at_time(paired, 13), [mentor, mentee](DemoSession& s) {
          s.post(mentor->user_id, "/api/mentorships", {{"mentor_id", mentor->user_id}, {"mentee_id", mentee->user_id}});
        });
        auto id = std::make_shared<std::int64_t>(0);
        t.at(at_time(assigned, 13, 30), [mentor, mentee, id, due](DemoSession& s) {
          *id = s.post(mentor->user_id, "/api/assignments",
                       {{"mentee_id", mentee->user_id}, {"playbook", "first-month"},
                        {"due_on", sharing::date_of_day(due)}})["id"].get<std::int64_t>();
        });
        for (int n = 1; n <= done; ++n)
          t.at(at_time(assigned + n * 4, 18), [mentee, id, n](DemoSession& s) {
            json body = {{"done", true}};
            if (*kNotes[n - 1]) body["note"] = kNotes[n - 1];
            // A checklist pinned before the merge has five items, after it six: tick what there is.
            auto items = s.get(mentee->user_id, "/api/assignments/" + std::to_string(*id))["items"];
            if (n <= static_cast<int>(items.size()))
              s.patch(mentee->user_id, "/api/assignments/" + std::to_string(*id) + "/items/" + std::to_string(n), body);
          });
      }
  }
}

}  // namespace hub::demo
