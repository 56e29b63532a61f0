#include "hub/sharing/wave_computation.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "hub/sharing/noisy_survival.hpp"
#include "hub/sharing/survival.hpp"
#include "hub/sharing/vocabulary.hpp"

namespace hub::sharing {
namespace {

using nlohmann::json;

// The ε split (docs/privacy.md): a quarter of the wave's budget for each rates table and a quarter
// for cohort success; within each, weights in tenths per measurement.
Epsilon share(const Epsilon& total, std::uint64_t tenths) { return total.scaled(tenths, 40); }

std::int64_t median_of(std::vector<std::int64_t> v) {
  std::sort(v.begin(), v.end());
  return v[(v.size() - 1) / 2];
}

std::int64_t round_to(double x, std::int64_t unit) {
  return static_cast<std::int64_t>(std::llround(x / static_cast<double>(unit))) * unit;
}

std::int64_t clamp0(std::int64_t x) { return std::max<std::int64_t>(0, x); }

std::string_view field_of(const SharedRecord& r, int dimension) {
  return dimension == 0 ? r.tier : dimension == 1 ? r.region : r.ecosystem;
}

// The records of each member, members in pseudonym order.
std::map<std::string, std::vector<const SharedRecord*>> by_member(const std::vector<SharedRecord>& records) {
  std::map<std::string, std::vector<const SharedRecord*>> m;
  for (const auto& r : records) m[r.pseudonym].push_back(&r);
  for (auto& [p, rs] : m)
    std::sort(rs.begin(), rs.end(), [](auto* a, auto* b) { return a->signed_day < b->signed_day; });
  return m;
}

// One member's single contribution to a rates cell.
struct Contribution {
  std::string pseudonym;
  std::int64_t amount = 0;  // the member's median amount in the cell
  std::int64_t days = 0;    // the member's median days to sign
  std::int64_t deals = 0;   // capped
};

// Applies the republication rule: keep the previous figures unless enough new members contributed.
void settle_cell(const std::string& name, json figures, std::vector<std::string> contributors,
                 const std::map<std::string, PublishedCell>& previous, std::int64_t min_new, WaveResult& out) {
  std::sort(contributors.begin(), contributors.end());
  auto prev = previous.find(name);
  if (prev != previous.end()) {
    std::vector<std::string> fresh;
    std::set_difference(contributors.begin(), contributors.end(), prev->second.contributors.begin(),
                        prev->second.contributors.end(), std::back_inserter(fresh));
    if (static_cast<std::int64_t>(fresh.size()) < min_new) {
      out.cells[name] = prev->second;
      return;
    }
  }
  out.cells[name] = PublishedCell{std::move(figures), std::move(contributors)};
  out.republished.push_back(name);
}

json rates_cell(const std::string& key, std::vector<Contribution>& cs, bool suppressed, bool sum_suppressed,
                const DisclosureOptions& o, Randomness& rng, Epsilon table_eps) {
  json cell = {{"key", key}};
  const auto m = static_cast<std::int64_t>(cs.size());
  if (suppressed) {
    cell["suppressed"] = true;
    return cell;
  }
  std::vector<std::int64_t> amounts, days;
  std::int64_t deals = 0, total = 0;
  for (const auto& c : cs) {
    amounts.push_back(c.amount);
    days.push_back(c.days);
    deals += c.deals;
    total += c.amount * c.deals;
  }
  std::sort(amounts.begin(), amounts.end());
  std::sort(days.begin(), days.end());
  json withheld = json::array();
  const auto grid = amount_grid(o.top_code);
  if (o.noise) {
    cell["members"] = clamp0(noisy_count(rng, m, 1, table_eps.scaled(2, 10)));
    cell["deals"] = clamp0(noisy_count(rng, deals, o.deals_per_member, table_eps.scaled(1, 10)));
  } else {
    cell["members"] = m;
    cell["deals"] = deals;
  }
  if (m >= o.min_median) {
    if (o.noise) {
      cell["median"] = private_quantile(rng, amounts, 0.5, grid, table_eps.scaled(2, 10));
      cell["median_days_to_sign"] = private_quantile(rng, days, 0.5, day_grid(), table_eps.scaled(2, 10));
    } else {
      cell["median"] = round_to(quantile_type7(amounts, 0.5), 1000);
      cell["median_days_to_sign"] = std::llround(quantile_type7(days, 0.5));
    }
  } else {
    withheld.push_back("median");
    withheld.push_back("median_days_to_sign");
  }
  if (m >= o.min_quartiles) {
    std::int64_t p25, p75;
    if (o.noise) {
      p25 = private_quantile(rng, amounts, 0.25, grid, table_eps.scaled(1, 10));
      p75 = private_quantile(rng, amounts, 0.75, grid, table_eps.scaled(1, 10));
      const std::int64_t med = cell["median"];
      p25 = std::min(p25, med);  // post-processing keeps the order
      p75 = std::max(p75, med);
    } else {
      p25 = round_to(quantile_type7(amounts, 0.25), 1000);
      p75 = round_to(quantile_type7(amounts, 0.75), 1000);
    }
    cell["p25"] = p25;
    cell["p75"] = p75;
  } else {
    withheld.push_back("p25");
    withheld.push_back("p75");
  }
  if (!sum_suppressed) {
    std::int64_t thousands = total / 1000;
    if (o.noise) thousands = clamp0(noisy_count(rng, thousands, o.top_code / 1000 * o.deals_per_member, table_eps.scaled(1, 10)));
    cell["annual_total"] = thousands * 1000;
  } else {
    withheld.push_back("annual_total");
  }
  if (!withheld.empty()) cell["withheld"] = withheld;
  return cell;
}

void add_rates_tables(const std::map<std::string, std::vector<const SharedRecord*>>& members,
                      const std::map<std::string, PublishedCell>& previous, const DisclosureOptions& o,
                      Randomness& rng, WaveResult& out) {
  static const char* names[] = {"tier", "region", "ecosystem"};
  const std::vector<std::string>* keys[] = {&tiers(), &regions(), &ecosystems()};
  for (int d = 0; d < 3; ++d) {
    std::map<std::string, std::vector<Contribution>> cells;
    for (const auto& [pseudonym, rs] : members) {
      // One member, one cell per table: the cell holding most of their deals (ties: first key).
      std::map<std::string_view, std::vector<const SharedRecord*>> mine;
      for (auto* r : rs) mine[field_of(*r, d)].push_back(r);
      auto main = std::max_element(mine.begin(), mine.end(),
                                   [](const auto& a, const auto& b) { return a.second.size() < b.second.size(); });
      Contribution c{pseudonym, 0, 0, std::min<std::int64_t>(o.deals_per_member, static_cast<std::int64_t>(main->second.size()))};
      std::vector<std::int64_t> amounts, days;
      for (auto* r : main->second) {
        amounts.push_back(r->amount);
        days.push_back(r->days_to_sign);
      }
      c.amount = median_of(amounts);
      c.days = median_of(days);
      cells[std::string(main->first)].push_back(c);
    }
    const auto& ks = *keys[d];
    std::vector<std::int64_t> counts, sums;
    std::vector<bool> suppressed, sum_suppressed;
    for (const auto& k : ks) {
      auto& cs = cells[k];
      const auto m = static_cast<std::int64_t>(cs.size());
      std::vector<std::int64_t> contributions;
      for (const auto& c : cs) contributions.push_back(c.amount * c.deals);
      counts.push_back(m);
      std::int64_t total = 0;
      for (auto x : contributions) total += x;
      sums.push_back(total);
      suppressed.push_back(m < o.min_count);
      sum_suppressed.push_back(m < o.min_count || !passes_p_percent(contributions, o.p_percent));
    }
    suppress_complements(counts, suppressed, o.min_count);
    for (std::size_t i = 0; i < ks.size(); ++i) sum_suppressed[i] = sum_suppressed[i] || suppressed[i];
    // A withheld sum is complemented like a count; the sum of withheld sums must not stand alone.
    {
      std::vector<bool> extra = sum_suppressed;
      std::vector<std::int64_t> holders;
      for (std::size_t i = 0; i < ks.size(); ++i) holders.push_back(sums[i] > 0 ? counts[i] : 0);
      suppress_complements(holders, extra, 1);
      sum_suppressed = extra;
    }
    json table = {{"dimension", names[d]}, {"cells", json::array()}};
    const Epsilon table_eps = share(o.epsilon, 10);
    for (std::size_t i = 0; i < ks.size(); ++i) {
      auto& cs = cells[ks[i]];
      std::vector<std::string> who;
      for (const auto& c : cs) who.push_back(c.pseudonym);
      const std::string name = std::string(names[d]) + "/" + ks[i];
      settle_cell(name, rates_cell(ks[i], cs, suppressed[i], sum_suppressed[i], o, rng, table_eps), who, previous,
                  o.min_new_members, out);
      table["cells"].push_back(out.cells[name].figures);
    }
    out.tables.push_back(table);
  }
}

json cohort_success(std::int64_t cohort_id, const std::vector<const SharedMembership*>& ms,
                    const std::map<std::string, std::vector<const SharedRecord*>>& members, const DisclosureOptions& o,
                    Randomness& rng) {
  const Epsilon eps = share(o.epsilon, 10);  // this cohort's success, for each of its members: split in tenths
  json body = {{"cohort_id", cohort_id}};
  // First renewal, with each member's deals capped (earliest signed first).
  std::int64_t renewed = 0, churned = 0;
  std::set<std::string> decided_m, renewed_m, churned_m;
  std::vector<SurvivalObservation> obs;
  std::map<double, std::int64_t> member_last_time;  // each member's longest time -> count
  for (auto* m : ms) {
    auto it = members.find(m->pseudonym);
    if (it == members.end()) continue;
    const auto& rs = it->second;
    double longest = -1;
    for (std::size_t i = 0; i < rs.size() && static_cast<std::int64_t>(i) < o.deals_per_member; ++i) {
      const auto* r = rs[i];
      if (r->first_renewed) {
        decided_m.insert(m->pseudonym);
        (*r->first_renewed ? renewed_m : churned_m).insert(m->pseudonym);
        ++(*r->first_renewed ? renewed : churned);
      }
      const double t = static_cast<double>(r->survival_days) / 30.4375;
      obs.push_back({t, r->churned});
      longest = std::max(longest, t);
    }
    if (longest >= 0) ++member_last_time[longest];
  }
  if (static_cast<std::int64_t>(decided_m.size()) >= o.min_denominator &&
      static_cast<std::int64_t>(renewed_m.size()) >= o.min_proportion_side &&
      static_cast<std::int64_t>(churned_m.size()) >= o.min_proportion_side) {
    if (o.noise) {
      renewed = clamp0(noisy_count(rng, renewed, o.deals_per_member, eps.scaled(2, 10)));
      churned = clamp0(noisy_count(rng, churned, o.deals_per_member, eps.scaled(2, 10)));
    }
    const std::int64_t decided = renewed + churned;
    body["first_renewal"] = {{"renewed", renewed},
                             {"decided", decided},
                             {"rate", decided ? json(static_cast<double>(renewed) / static_cast<double>(decided)) : json(nullptr)}};
  } else {
    body["first_renewal"] = {{"suppressed", true}};
  }
  // Survival, shown while at least min_at_risk distinct members are at risk. Under noise, a life
  // table of noised exit counts: at_risk and events are noised, so two waves differ by noise.
  auto members_at_risk = [&](double t) {
    std::int64_t n = 0;
    for (auto it = member_last_time.lower_bound(t); it != member_last_time.end(); ++it) n += it->second;
    return n;
  };
  json curve = json::array();
  const auto km = o.noise ? noisy_life_table(obs, rng, o.deals_per_member, eps.scaled(2, 10)) : kaplan_meier(obs);
  for (const auto& p : km) {
    if (members_at_risk(p.time) < o.min_at_risk) break;
    curve.push_back({{"month", p.time},
                     {"at_risk", p.at_risk},
                     {"events", p.events},
                     {"survival", p.survival},
                     {"lower", p.lower ? json(*p.lower) : json(nullptr)},
                     {"upper", p.upper ? json(*p.upper) : json(nullptr)}});
  }
  body["survival"] = curve;
  auto median = survival_median(km);
  body["median_survival_months"] = median && members_at_risk(*median) >= o.min_at_risk ? json(*median) : json(nullptr);
  // Joining to the first signed client.
  std::vector<std::int64_t> days;
  for (auto* m : ms)
    if (m->days_to_first_client) days.push_back(*m->days_to_first_client);
  std::sort(days.begin(), days.end());
  if (static_cast<std::int64_t>(days.size()) >= o.min_median)
    body["median_days_to_first_client"] = o.noise ? private_quantile(rng, days, 0.5, day_grid(), eps.scaled(2, 10))
                                                  : std::llround(quantile_type7(days, 0.5));
  else
    body["median_days_to_first_client"] = nullptr;
  // By join quarter.
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> quarters;  // members, with a client
  for (auto* m : ms) {
    auto& q = quarters[m->join_quarter];
    ++q.first;
    if (m->days_to_first_client) ++q.second;
  }
  std::vector<std::int64_t> counts;
  std::vector<bool> suppressed;
  for (const auto& [q, c] : quarters) {
    counts.push_back(c.first);
    suppressed.push_back(c.first < o.min_count);
  }
  suppress_complements(counts, suppressed, o.min_count);
  json rows = json::array();
  std::size_t i = 0;
  for (const auto& [q, c] : quarters) {
    json row = {{"quarter", q}};
    if (suppressed[i++]) {
      row["suppressed"] = true;
    } else if (o.noise) {
      row["members"] = clamp0(noisy_count(rng, c.first, 1, eps.scaled(1, 10)));
      row["with_client"] = clamp0(noisy_count(rng, c.second, 1, eps.scaled(1, 10)));
    } else {
      row["members"] = c.first;
      row["with_client"] = c.second;
    }
    rows.push_back(row);
  }
  body["join_quarters"] = rows;
  return body;
}

}  // namespace

bool passes_p_percent(std::vector<std::int64_t> contributions, std::int64_t p_percent) {
  if (contributions.empty()) return false;
  std::sort(contributions.rbegin(), contributions.rend());
  std::int64_t total = 0;
  for (auto x : contributions) total += x;
  const std::int64_t x1 = contributions[0], x2 = contributions.size() > 1 ? contributions[1] : 0;
  return (total - x1 - x2) * 100 >= p_percent * x1;
}

void suppress_complements(const std::vector<std::int64_t>& values, std::vector<bool>& suppressed, std::int64_t min_count) {
  for (;;) {
    std::int64_t holders = 0, held = 0;
    for (std::size_t i = 0; i < values.size(); ++i)
      if (suppressed[i] && values[i] > 0) ++holders, held += values[i];
    if (holders == 0 || (holders >= 2 && held >= min_count)) return;
    std::optional<std::size_t> smallest;
    for (std::size_t i = 0; i < values.size(); ++i)
      if (!suppressed[i] && values[i] > 0 && (!smallest || values[i] < values[*smallest])) smallest = i;
    if (!smallest) return;
    suppressed[*smallest] = true;
  }
}

WaveResult compute_wave(const std::vector<SharedRecord>& records, const std::vector<SharedMembership>& memberships,
                        const std::vector<std::int64_t>& cohort_ids,
                        const std::map<std::string, PublishedCell>& previous, const DisclosureOptions& options,
                        Randomness& rng) {
  WaveResult out;
  const auto members = by_member(records);
  add_rates_tables(members, previous, options, rng, out);
  for (std::int64_t id : cohort_ids) {
    std::vector<const SharedMembership*> ms;
    std::vector<std::string> who;  // only members whose signed deals enter the curve and the rate
    for (const auto& m : memberships) {
      if (m.cohort_id != id) continue;
      ms.push_back(&m);
      if (members.count(m.pseudonym)) who.push_back(m.pseudonym);
    }
    settle_cell("success/" + std::to_string(id), cohort_success(id, ms, members, options, rng), who, previous,
                options.min_new_members, out);
    out.success[id] = out.cells["success/" + std::to_string(id)].figures;
  }
  return out;
}

}  // namespace hub::sharing
