// The demo's conversations: a welcome thread, a rates channel and one channel per cohort, with
// replies in threads, reactions, @mentions and edits. The advice in them follows FACTS.md.
#include <algorithm>
#include <iterator>
#include <memory>
#include <string>

#include "hub/demo/demo_history.hpp"

namespace hub::demo {
namespace {

using nlohmann::json;

// A thread: the opening message, then replies. "{root}" becomes the opener's @handle.
struct Conversation {
  const char* opener;
  std::vector<const char*> replies;
};

const Conversation kCohortTalk[] = {
    {"Kick-off notes: we meet every other Thursday. Bring one prospect you are stuck on, and one question you "
     "were afraid to ask.",
     {"Thanks {root}! Is the call recorded for those of us in other time zones?",
      "Notes go in this channel after each call, no recording."}},
    {"My champion went quiet after I sent the quote. How long do you wait before following up?",
     {"{root} follow up, then follow up again. A polite nudge every two weeks is normal.",
      "Deals here closed in one to two months, or dragged on for half a year. Yours is still in the normal range.",
      "Ask your champion who holds the budget and whether you can send them a one-page summary."}},
    {"Procurement sent a forty-page vendor assessment form.",
     {"Answer it once and keep the answers in a document: the next company asks the same questions.",
      "The vendor onboarding playbook has the list of what they usually want (W-9 or equivalent, insurance, "
      "bank details for ACH)."}},
    {"Signed my first retainer today! Sustaining tier, twelve months.",
     {"Congratulations {root}!", "Well done. Now the real test: the renewal in a year."}},
    {"The draft contract has a full IP assignment clause. Is that a deal breaker?",
     {"{root} refuse it. With several clients you cannot give one of them the rights to everything.",
      "Offer a licence to what you deliver for them instead; the contract clauses playbook has wording."}},
    {"First renewal in six weeks. What do you send before the conversation?",
     {"A one-page summary of the year: advisories sent, reviews done, questions they asked.",
      "{root} and ask whether the tier still fits. One of mine moved up to reciprocal at renewal."}},
    {"I now send a short PDF after each release with my opinion on whether they need to patch. They read it.",
     {"Same here. It is the thing my champion forwards to their manager.",
      "Do you write it per client or one for everyone?", "{root} one text, with a paragraph per client on top."}},
    {"A client has not asked me a single question in four months. Should I worry?",
     {"{root} yes, a little: a client that never asks forgets why it pays. Remind them that they can.",
      "A monthly 'what I am looking at' digest helped me with exactly this."}},
};

const Conversation kRatesTalk[] = {
    {"How do you price a first sustaining retainer?",
     {"Compare it with what a fraction of a fully loaded engineer costs the client, not with donations.",
      "{root} ask how long it would take them to replace the project if it went unmaintained. If the answer is "
      "engineer-years, the price is easy to defend.",
      "The Rates page has the published medians by tier once a wave closes."}},
    {"Does anyone invoice US companies in EUR?",
     {"I do. Their accounts payable did not blink; the bank transfer took three days.",
      "{root} put the currency in the quote itself, so nobody converts it halfway."}},
    {"The Open Source Pledge asks members for at least $2,000 per developer on staff per year. A handy anchor "
     "when a company asks what is normal.",
     {"Good anchor for larger companies. For small ones I start from the tier instead.",
      "{root} noted, thanks."}},
};

// The reactions the Discussion page offers.
constexpr const char* kReactions[] = {"👍", "🎉", "❤️"};

struct Place {
  std::shared_ptr<std::int64_t> channel;    // set when the channel is created
  std::vector<const DemoPerson*> speakers;  // who may talk there
};

void plan_conversation(Timeline& t, const Place& place, const Conversation& c, std::int64_t day, DemoRandom& rng,
                       bool edit_one) {
  const auto& speakers = place.speakers;
  const auto n = static_cast<std::int64_t>(speakers.size());
  const std::int64_t o = rng.between(0, n - 1);
  const DemoPerson* opener = speakers[static_cast<std::size_t>(o)];
  auto root = std::make_shared<std::int64_t>(0);
  std::int64_t when = at_time(day, static_cast<int>(rng.between(8, 17)), static_cast<int>(rng.between(0, 59)));
  t.at(when, [root, channel = place.channel, opener, text = std::string(c.opener)](DemoSession& s) {
    *root = s.post(opener->user_id, "/api/channels/" + std::to_string(*channel) + "/messages", {{"body", text}})
                ["message"]["id"].get<std::int64_t>();
  });
  if (edit_one)
    t.at(when + 240, [root, opener, text = std::string(c.opener)](DemoSession& s) {
      s.patch(opener->user_id, "/api/messages/" + std::to_string(*root), {{"body", text + " (Edited to add: all welcome.)"}});
    });
  for (const char* reply : c.replies) {
    when += rng.between(600, 6 * 3600);
    std::int64_t a = rng.between(0, n - 2);  // anyone but the opener
    const DemoPerson* author = speakers[static_cast<std::size_t>(a >= o ? a + 1 : a)];
    std::string text = reply;
    if (auto at = text.find("{root}"); at != std::string::npos) text.replace(at, 6, "@" + opener->handle);
    t.at(when, [root, channel = place.channel, author, text](DemoSession& s) {
      s.post(author->user_id, "/api/channels/" + std::to_string(*channel) + "/messages",
             {{"body", text}, {"thread_root", *root}, {"reply_to", *root}});
    });
  }
  const int reactions = static_cast<int>(rng.between(1, 4));
  for (int r = 0; r < reactions; ++r) {
    const DemoPerson* who = speakers[static_cast<std::size_t>(rng.between(0, n - 1))];
    const char* emoji = kReactions[rng.between(0, static_cast<std::int64_t>(std::size(kReactions)) - 1)];
    t.at(when + 60 * (r + 1), [root, who, e = std::string(emoji)](DemoSession& s) {
      s.post(who->user_id, "/api/messages/" + std::to_string(*root) + "/reactions", {{"emoji", e}});
    });
  }
}

}  // namespace

void plan_discussion(Timeline& t, const DemoCast& cast, DemoRandom& rng) {
  const DemoPerson& ada = cast.by_handle("ada");
  // A channel's id is known once its creation has run; the actions that use it share it.
  auto general = std::make_shared<std::int64_t>(0), rates = std::make_shared<std::int64_t>(0);
  const std::int64_t open_day = cast.cohorts[0].starts_day;
  t.at(at_time(open_day, 9, 30), [general, rates, &ada](DemoSession& s) {
    *general = s.post(ada.user_id, "/api/channels",
                      {{"name", "general"}, {"topic", "Introductions, news and anything that fits nowhere else"}})
                   ["channel"]["id"].get<std::int64_t>();
    *rates = s.post(ada.user_id, "/api/channels",
                    {{"name", "rates-and-pricing"}, {"topic", "What retainers go for, and how to ask for more"}})
                 ["channel"]["id"].get<std::int64_t>();
  });
  std::vector<const DemoPerson*> everyone;
  for (const auto& p : cast.people) everyone.push_back(&p);
  // The welcome thread: the newest members introduce themselves too.
  {
    auto root = std::make_shared<std::int64_t>(0);
    t.at(at_time(open_day, 10), [root, general, &ada](DemoSession& s) {
      *root = s.post(ada.user_id, "/api/channels/" + std::to_string(*general) + "/messages",
                     {{"body", "Welcome! This is a **demo** hub: every person, client and figure in it is invented. "
                               "Introduce yourself in this thread: your project, and where you are with clients."}})
                  ["message"]["id"].get<std::int64_t>();
    });
    for (int c = 0; c < 3; ++c) {
      auto members = cast.of(c, "member");
      for (std::size_t i = 0; i < members.size() && i < 5; ++i) {
        const std::int64_t day = cast.cohorts[c].starts_day + 1 + static_cast<std::int64_t>(i);
        t.at(at_time(day, 11, static_cast<int>(i * 7)), [root, general, who = members[i]](DemoSession& s) {
          s.post(who->user_id, "/api/channels/" + std::to_string(*general) + "/messages",
                 {{"body", "Hello, I am " + who->display_name + ". I maintain an invented library and I am looking "
                                                                  "for my first retainer clients."},
                  {"thread_root", *root}});
        });
      }
    }
  }
  Place rates_place{rates, everyone};
  for (std::size_t i = 0; i < std::size(kRatesTalk); ++i)
    plan_conversation(t, rates_place, kRatesTalk[i], open_day + 30 + static_cast<std::int64_t>(i) * 170, rng, false);
  for (int c = 0; c < 3; ++c) {
    auto channel = std::make_shared<std::int64_t>(0);
    const DemoPerson* mentor = cast.of(c, "mentor").front();
    const DemoCohort* cohort = &cast.cohorts[c];
    t.at(at_time(cohort->starts_day, 9, 45), [channel, mentor, cohort, c](DemoSession& s) {
      *channel = s.post(mentor->user_id, "/api/channels",
                        {{"name", "cohort-" + std::to_string(c + 1)},
                         {"cohort_id", cohort->id},
                         {"topic", "Our cohort: calls, questions, wins"}})["channel"]["id"].get<std::int64_t>();
    });
    auto speakers = cast.of(c);
    const std::int64_t span = cast.last_day - 3 - cohort->starts_day;
    const auto talks = static_cast<std::int64_t>(std::size(kCohortTalk));
    for (std::int64_t i = 0; i < talks; ++i)
      plan_conversation(t, {channel, speakers}, kCohortTalk[i], cohort->starts_day + 2 + span * i / talks, rng, i == 0);
  }
}

}  // namespace hub::demo
