// The members' pipelines and the waves that publish them. Figures follow /work/shared/FACTS.md:
// retainers priced against a senior engineer's pay spread over a handful of clients, deals that
// close in one to two months or drag on, and first renewals at about the B2B retention rate.
#include <algorithm>
#include <cmath>
#include <iterator>
#include <memory>
#include <string>

#include "hub/demo/demo_history.hpp"
#include "hub/sharing/vocabulary.hpp"

namespace hub::demo {
namespace {

using nlohmann::json;

struct Currency {
  const char* code;
  double per_usd;  // a round, plausible rate: the demo's amounts, not a market quote
  int weight;
};
constexpr Currency kCurrencies[] = {{"USD", 1.0, 45},  {"EUR", 0.92, 25}, {"GBP", 0.79, 10}, {"CHF", 0.88, 4},
                                    {"CAD", 1.36, 5},  {"SEK", 10.5, 3},  {"AUD", 1.5, 3},   {"JPY", 150.0, 2},
                                    {"BRL", 5.0, 2},   {"INR", 83.0, 1}};
// Most clients are in North America and Europe, some in Asia; no demo client is elsewhere, so
// those cells are suppressed (empty) while the rest publish.
constexpr const char* kRegions[] = {"north_america", "europe", "asia"};
const std::vector<int> kRegionWeights = {40, 35, 25};
// A maintainer's clients depend on the maintainer's project: one ecosystem per member, taken in
// turn, so that each has enough members to publish.
constexpr const char* kEcosystems[] = {"go", "rust", "python", "javascript", "c_cpp"};
constexpr const char* kChannels[] = {"champion", "referral", "inbound", "conference", "other"};
const std::vector<int> kChannelWeights = {45, 20, 18, 12, 5};
// Private labels, for the member's eyes only.
constexpr const char* kClientNames[] = {
    "Northwind Logistics", "Bluefin Payments", "Kestrel Cloud",   "Orchard Health",  "Tallgrass Data",
    "Harbor Robotics",     "Lumen Analytics",  "Copperleaf Bank", "Driftwood Games", "Sable Security",
    "Meridian Telecom",    "Quarry Systems",   "Pinecone AI",     "Atlas Freight",   "Juniper Retail",
    "Beacon Insurance",    "Cobalt Devices",   "Fjord Energy",    "Granite Labs",    "Saffron Media"};

struct Plan {
  std::int64_t first_contact = 0;
  std::string tier, currency, region, channel;
  std::int64_t amount = 0, hours = 0;
  bool shared = true, lost = false;
  std::int64_t days_to_sign = 0;  // 0: never signs (still open, or lost)
};

// `sure` deals always sign within two months and are shared (a cohort's first clients, so its
// first renewals can be published).
Plan plan_one(DemoRandom& rng, std::int64_t from_day, std::int64_t last_day, bool sure) {
  Plan p;
  p.first_contact = from_day + rng.between(0, std::max<std::int64_t>(0, last_day - from_day - 3));
  const std::size_t tier = rng.pick({55, 28, 17});
  p.tier = sharing::tiers()[tier];
  // Annual amounts in USD: a sustaining retainer costs a fraction of an engineer; advisory more.
  const std::int64_t usd = tier == 0 ? rng.between(18, 60) : tier == 1 ? rng.between(45, 110) : rng.between(90, 200);
  std::vector<int> weights;
  for (const auto& c : kCurrencies) weights.push_back(c.weight);
  const Currency& cur = kCurrencies[rng.pick(weights)];
  p.currency = cur.code;
  const double step = cur.per_usd >= 50 ? 100'000 : 500;
  p.amount = static_cast<std::int64_t>(std::llround(usd * 1000 * cur.per_usd / step) * step);
  p.hours = tier == 0 ? rng.between(6, 16) : tier == 1 ? rng.between(10, 24) : rng.between(16, 40);
  p.region = kRegions[rng.pick(kRegionWeights)];
  p.channel = kChannels[rng.pick(kChannelWeights)];
  p.shared = sure || rng.chance(88);
  const int fate = sure ? 50 : static_cast<int>(rng.between(1, 100));
  if (fate <= 18) p.lost = true;
  else if (fate <= 70) p.days_to_sign = rng.between(25, 65);  // one to two months
  else if (fate <= 95) p.days_to_sign = rng.between(90, 220); // or it drags
  return p;
}

std::string date(std::int64_t day) { return sharing::date_of_day(day); }

// One engagement's life, as its owner records it.
// `churns`: the first renewal is a churn; otherwise most renew.
void plan_life(Timeline& t, std::int64_t owner, const Plan& p, const std::string& label, const std::string& ecosystem,
               bool churns, DemoRandom& rng, std::int64_t last_day) {
  auto id = std::make_shared<std::int64_t>(0);
  const std::int64_t f = p.first_contact;
  const int hour = static_cast<int>(rng.between(8, 18));
  t.at(at_time(f, hour, 5), [=](DemoSession& s) {
    json body = {{"label", label},           {"stage", p.channel == "inbound" ? "talking" : "prospect"},
                 {"tier", p.tier},           {"annual_amount", p.amount},
                 {"currency", p.currency},   {"ecosystem", ecosystem},
                 {"region", p.region},       {"hours_per_month", p.hours},
                 {"channel", p.channel},     {"first_contact_on", date(f)},
                 {"shared", p.shared},       {"last_contact_on", date(f)}};
    *id = s.post(owner, "/api/engagements", body)["engagement"]["id"].get<std::int64_t>();
  });
  auto change = [&t, id, owner, hour](std::int64_t day, json body) {
    body["last_contact_on"] = date(day);
    t.at(at_time(day, hour, 30), [id, owner, body](DemoSession& s) {
      s.patch(owner, "/api/engagements/" + std::to_string(*id), body);
    });
  };
  const std::int64_t span = p.days_to_sign ? p.days_to_sign : rng.between(40, 120);
  const std::int64_t quoted = f + std::max<std::int64_t>(7, span * 2 / 3);
  if (quoted <= last_day) change(quoted, {{"stage", "quoted"}});
  if (p.lost) {
    const std::int64_t lost = quoted + rng.between(20, 60);
    if (lost <= last_day) change(lost, {{"stage", "lost"}, {"notes", "Budget went to another vendor this year."}});
    return;
  }
  if (!p.days_to_sign) return;  // still talking, as some deals do for months
  const std::int64_t signed_day = f + p.days_to_sign;
  if (signed_day > last_day) return;
  change(signed_day, {{"stage", "signed"}, {"signed_on", date(signed_day)}});
  const std::int64_t active = signed_day + rng.between(10, 30);
  if (active <= last_day) change(active, {{"stage", "active"}});
  const std::int64_t checkin = active + rng.between(60, 200);
  if (checkin <= last_day) change(checkin, {{"notes", "Sent the release note PDF; they asked about the next major."}});
  // The first renewal is decided around its due date (one 12-month term after signing).
  const std::int64_t decided = signed_day + 365 - rng.between(0, 21);
  if (decided > last_day) return;
  const bool renewed = !churns && rng.chance(92);
  t.at(at_time(decided, hour, 45), [id, owner, renewed, decided](DemoSession& s) {
    s.post(owner, "/api/engagements/" + std::to_string(*id) + "/renewals",
           {{"outcome", renewed ? "renewed" : "churned"}, {"decided_on", date(decided)}});
  });
}

}  // namespace

void plan_pipelines(Timeline& t, const DemoCast& cast, DemoRandom& rng) {
  std::size_t client = 0, member = 0;
  int in_cohort[3] = {0, 0, 0};
  for (const auto& person : cast.people) {
    if (person.role != "member") continue;
    const std::int64_t joined = cast.cohorts[person.cohort].starts_day;
    const std::string ecosystem = kEcosystems[member++ % std::size(kEcosystems)];
    // The oldest cohort's first deals all sign; one member in five loses that client at renewal.
    const int nth = in_cohort[person.cohort]++;
    const bool first_cohort = person.cohort == 0, churner = first_cohort && nth % 5 == 2;
    // Older cohorts have had time for more clients; the newest login has just begun.
    const int n = person.handle == "jonas" ? 2 : person.original ? 4 : static_cast<int>(rng.between(2, 3 + (2 - person.cohort)));
    for (int k = 0; k < n; ++k) {
      // Spread first contacts over the member's time in the cohort, earliest first.
      const std::int64_t window = (cast.last_day - joined) / n;
      const bool first = k == 0;
      const bool sure = first && first_cohort;  // first contact in the cohort's first months
      Plan p = plan_one(rng, joined + 5 + k * window,
                        std::min(cast.last_day, joined + 5 + (sure ? std::min<std::int64_t>(60, window) : (k + 1) * window)),
                        sure);
      plan_life(t, person.user_id, p, kClientNames[client++ % std::size(kClientNames)], ecosystem, first && churner, rng,
                cast.last_day);
    }
  }
}

void plan_waves(Timeline& t, const DemoCast& cast) {
  const auto& admin = cast.by_handle("ada");
  // Every six weeks over the last eight months: by the first, the oldest cohort's first renewals
  // are decided. A cell is republished only when new members contribute (DESIGN.md), so a wave
  // closed before any renewal would keep its success empty.
  for (int k = 5; k >= 0; --k)
    t.at(at_time(cast.last_day - 1 - 42 * k, 17), [id = admin.user_id](DemoSession& s) {
      s.post(id, "/api/waves/close", json::object());
    });
}

}  // namespace hub::demo
