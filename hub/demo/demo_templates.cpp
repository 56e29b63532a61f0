// The demo's own templates: a call recap a member wrote, released twice (a new optional field is a
// minor release), forked by another member, rated, used by several people, and saved documents
// filled from it (sam's among them, so the Documents page of the demo login has some).
#include <memory>
#include <string>

#include "hub/demo/demo_history.hpp"
#include "hub/sharing/vocabulary.hpp"

namespace hub::demo {
namespace {

using nlohmann::json;

const std::string kRecapFront =
    "---\ntitle: Client call recap\nkind: letter\nlicense: CC-BY-4.0\ntags: [clients, demo]\nfields:\n"
    "  - {name: client, type: text, label: Client, required: true}\n"
    "  - {name: call_date, type: date, label: Date of the call, required: true}\n"
    "  - {name: heard, type: multiline, label: What we heard, required: true}\n"
    "  - {name: next, type: multiline, label: What happens next, required: true}\n";
const std::string kRecapBody =
    "---\n# Our call of {{call_date}}\n\nThank you for the time, {{client}}. Demo content.\n\n"
    "## What we heard\n{{heard}}\n\n## What happens next\n{{next}}\n";
// Release 1.1.0 adds an optional field: a minor change.
const std::string kRecapV1 = kRecapFront + kRecapBody;
const std::string kRecapV2 = kRecapFront +
                             "  - {name: renewal_on, type: date, label: Renewal date (optional)}\n" + kRecapBody +
                             "{{#renewal_on}}\nThe retainer comes up for renewal on {{renewal_on}}.\n{{/renewal_on}}\n";

struct Recap {
  const char* handle;
  const char* client;
  const char* heard;
  const char* next;
};
// Saved documents; the first two are sam's. Clients are invented.
constexpr Recap kRecaps[] = {
    {"sam", "Initrode Systems", "Their security team wants a named contact for advisories.",
     "A quote for the reciprocal tier, by Friday."},
    {"sam", "Vandelay Logistics", "The build breaks on their ARM runners twice a quarter.",
     "I look at their CI logs and write back what a retainer would cover."},
    {"lee", "Globex Analytics", "Procurement needs a vendor form before anything else.",
     "I send the vendor-onboarding answers from the template gallery."},
    {"noor", "Acme Rockets", "They would like a quarterly call about the roadmap.",
     "A proposal for the advisory tier."},
};
constexpr const char* kRaters[] = {"sam", "lee", "mira", "rhea", "jonas"};
constexpr int kStars[] = {5, 4, 5, 4, 3};

}  // namespace

void plan_templates(Timeline& t, const DemoCast& cast, DemoRandom& rng) {
  const DemoCast* c = &cast;
  const std::int64_t start = cast.cohorts[0].starts_day + 200;
  const auto uid = [c](const char* handle) { return c->by_handle(handle).user_id; };
  t.at(at_time(start, 11), [uid](DemoSession& s) {
    s.post(uid("noor"), "/api/templates", {{"slug", "client-call-recap"}, {"content", kRecapV1}, {"license", "CC-BY-4.0"}});
    s.post(uid("noor"), "/api/templates/client-call-recap/releases",
           {{"version", "1.0.0"}, {"summary", "The recap I send after every first call."}});
  });
  t.at(at_time(start + 90, 16), [uid](DemoSession& s) {
    s.put(uid("noor"), "/api/templates/client-call-recap",
          {{"base_revision", 1}, {"content", kRecapV2}, {"summary", "Mention the renewal date when there is one."}});
    s.post(uid("noor"), "/api/templates/client-call-recap/releases",
           {{"version", "1.1.0"}, {"summary", "An optional renewal date."}});
  });
  t.at(at_time(start + 120, 10), [uid](DemoSession& s) {
    s.post(uid("rhea"), "/api/templates/client-call-recap/fork", {{"new_slug", "mentor-call-recap"}});
  });
  for (std::size_t i = 0; i < std::size(kRaters); ++i) {
    const std::int64_t day = start + 100 + static_cast<std::int64_t>(i) * 20 + rng.between(0, 9);
    t.at(at_time(day, 17), [uid, i](DemoSession& s) {
      s.post(uid(kRaters[i]), "/api/templates/client-call-recap/ratings", {{"stars", kStars[i]}});
    });
  }
  for (std::size_t i = 0; i < std::size(kRecaps); ++i) {
    const Recap* r = &kRecaps[i];
    const std::int64_t day = cast.last_day - 60 + static_cast<std::int64_t>(i) * 12;
    t.at(at_time(day, 15, 30), [uid, r, day](DemoSession& s) {
      json fields = {{"client", r->client}, {"call_date", sharing::date_of_day(day)}, {"heard", r->heard}, {"next", r->next}};
      // As the Fill in page does: a preview, then the saved document.
      s.post(uid(r->handle), "/api/templates/client-call-recap/render", {{"fields", fields}, {"format", "json"}});
      s.post(uid(r->handle), "/api/documents",
             {{"template", "client-call-recap"}, {"fields", fields}, {"title", std::string("Call recap: ") + r->client}});
    });
  }
}

}  // namespace hub::demo
