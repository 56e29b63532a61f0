#include <catch2/catch.hpp>

#include "hub/sharing/wave_computation.hpp"

using namespace hub::sharing;
using nlohmann::json;

namespace {

std::string member(int i) {
  std::string p(32, 'm');
  p[28] = static_cast<char>(i >> 24), p[29] = static_cast<char>(i >> 16);
  p[30] = static_cast<char>(i >> 8), p[31] = static_cast<char>(i);
  return p;
}

SharedRecord deal(int who, const std::string& tier, std::int64_t amount, std::int64_t days = 30) {
  SharedRecord r;
  r.pseudonym = member(who);
  r.tier = tier;
  r.region = "europe";
  r.ecosystem = "go";
  r.amount = amount;
  r.days_to_sign = days;
  r.signed_day = 20000 + who;
  r.survival_days = 400;
  return r;
}

DisclosureOptions no_noise() {
  DisclosureOptions o;
  o.noise = false;
  return o;
}

const json& cell(const WaveResult& w, const std::string& dimension, const std::string& key) {
  for (const auto& t : w.tables)
    if (t["dimension"] == dimension)
      for (const auto& c : t["cells"])
        if (c["key"] == key) return c;
  FAIL("no cell " << dimension << "/" << key);
  static json none;
  return none;
}

WaveResult wave(const std::vector<SharedRecord>& records, const DisclosureOptions& o = no_noise(),
                const std::map<std::string, PublishedCell>& previous = {}) {
  SeededRandomness rng("wave");
  return compute_wave(records, {}, {}, previous, o, rng);
}

}  // namespace

TEST_CASE("waves: a cell with 4 members is suppressed, and so is a complement, so no margin reveals it") {
  std::vector<SharedRecord> rs;
  int id = 0;
  for (int i = 0; i < 12; ++i) rs.push_back(deal(++id, "sustaining", 40'000));
  for (int i = 0; i < 9; ++i) rs.push_back(deal(++id, "reciprocal", 60'000));
  for (int i = 0; i < 4; ++i) rs.push_back(deal(++id, "advisory", 150'000));
  auto w = wave(rs);
  CHECK(cell(w, "tier", "advisory")["suppressed"] == true);
  CHECK_FALSE(cell(w, "tier", "advisory").contains("members"));
  // The region table publishes all 25 members: 25 - 12 = 13 covers two suppressed cells, not one.
  CHECK(cell(w, "region", "europe")["members"] == 25);
  CHECK(cell(w, "tier", "reciprocal")["suppressed"] == true);
  CHECK(cell(w, "tier", "sustaining")["members"] == 12);
}

TEST_CASE("waves: thresholds in distinct members: counts 5, medians 10, quartiles 20") {
  std::vector<SharedRecord> rs;
  int id = 0;
  for (int i = 0; i < 5; ++i) rs.push_back(deal(++id, "sustaining", 10'000 * (i + 1)));
  for (int i = 0; i < 10; ++i) rs.push_back(deal(++id, "reciprocal", 10'000 * (i + 1)));
  for (int i = 0; i < 20; ++i) rs.push_back(deal(++id, "advisory", 10'000 * (i + 1), i));
  auto w = wave(rs);
  const auto& five = cell(w, "tier", "sustaining");
  CHECK(five["members"] == 5);
  CHECK_FALSE(five.contains("median"));
  CHECK_FALSE(five.contains("suppressed"));
  const auto& ten = cell(w, "tier", "reciprocal");
  CHECK(ten["median"] == 55'000);  // type 7: halfway between 50,000 and 60,000
  CHECK_FALSE(ten.contains("p25"));
  const auto& twenty = cell(w, "tier", "advisory");
  CHECK(twenty["p25"] == 58'000);  // 57,500 rounded to 1,000
  CHECK(twenty["median"] == 105'000);
  CHECK(twenty["p75"] == 153'000);
  CHECK(twenty["median_days_to_sign"] == 10);  // days 0..19: 9.5 rounds to 10
}

TEST_CASE("waves: one member cannot count as several, whatever they submit") {
  std::vector<SharedRecord> rs;
  for (int i = 1; i <= 9; ++i) rs.push_back(deal(i, "sustaining", 50'000));
  for (int k = 0; k < 50; ++k) rs.push_back(deal(100, "sustaining", 400'000));
  auto w = wave(rs);
  const auto& c = cell(w, "tier", "sustaining");
  CHECK(c["members"] == 10);
  CHECK(c["deals"] == 9 + 3);  // the spammer's deals are capped at 3
  CHECK(c["median"] == 50'000);  // one value per member, not fifty
  // Alone, fifty deals are one member: everything is suppressed.
  std::vector<SharedRecord> alone;
  for (int k = 0; k < 50; ++k) alone.push_back(deal(7, k % 2 ? "advisory" : "sustaining", 100'000));
  auto w2 = wave(alone);
  for (const auto& t : w2.tables)
    for (const auto& c2 : t["cells"]) CHECK_FALSE(c2.contains("members"));
}

TEST_CASE("waves: a cell is republished only when 3 new members contributed, otherwise it stands") {
  std::vector<SharedRecord> rs;
  for (int i = 1; i <= 10; ++i) rs.push_back(deal(i, "sustaining", 50'000));
  auto first = wave(rs);
  const json before = cell(first, "tier", "sustaining");
  // Two new members with very different amounts: the figure must not move.
  auto more = rs;
  more.push_back(deal(11, "sustaining", 300'000));
  more.push_back(deal(12, "sustaining", 300'000));
  auto second = wave(more, no_noise(), first.cells);
  CHECK(cell(second, "tier", "sustaining") == before);
  // A third new member: republished.
  more.push_back(deal(13, "sustaining", 300'000));
  auto third = wave(more, no_noise(), second.cells);
  CHECK(cell(third, "tier", "sustaining")["members"] == 13);
}

TEST_CASE("waves: with noise on, counts are perturbed but the thresholds still apply") {
  std::vector<SharedRecord> rs;
  int id = 0;
  for (int i = 0; i < 30; ++i) rs.push_back(deal(++id, "sustaining", 40'000 + 1000 * i));
  for (int i = 0; i < 4; ++i) rs.push_back(deal(++id, "advisory", 150'000));
  for (int i = 0; i < 6; ++i) rs.push_back(deal(++id, "reciprocal", 90'000));  // the complement
  DisclosureOptions o;  // noise on
  o.epsilon = {1, 1};
  int differs = 0;
  for (int run = 0; run < 10; ++run) {
    SeededRandomness rng("run" + std::to_string(run));
    auto w = compute_wave(rs, {}, {}, {}, o, rng);
    CHECK(cell(w, "tier", "advisory")["suppressed"] == true);
    CHECK(cell(w, "tier", "reciprocal")["suppressed"] == true);
    const auto& c = cell(w, "tier", "sustaining");
    REQUIRE(c.contains("p25"));
    differs += c["members"] != 30 ? 1 : 0;
    CHECK(c["p25"].get<std::int64_t>() <= c["median"].get<std::int64_t>());
    CHECK(c["median"].get<std::int64_t>() <= c["p75"].get<std::int64_t>());
  }
  CHECK(differs >= 5);
}

TEST_CASE("waves: sums pass the p% rule or are withheld, no mean of money is ever published") {
  CHECK_FALSE(passes_p_percent({1'000'000, 10'000, 10'000, 10'000, 10'000}, 10));
  CHECK(passes_p_percent({50'000, 50'000, 50'000, 50'000, 50'000}, 10));
  CHECK_FALSE(passes_p_percent({}, 10));
  std::vector<SharedRecord> rs;
  for (int i = 1; i <= 6; ++i) rs.push_back(deal(i, "sustaining", i == 1 ? 500'000 : 1000));
  for (int i = 7; i <= 12; ++i) rs.push_back(deal(i, "advisory", 80'000));
  auto w = wave(rs);
  CHECK_FALSE(cell(w, "tier", "sustaining").contains("annual_total"));
  CHECK(cell(w, "tier", "advisory").contains("annual_total") == false);  // complemented
  for (const auto& t : w.tables)
    for (const auto& c : t["cells"]) {
      CHECK_FALSE(c.contains("mean"));
      CHECK_FALSE(c.contains("average"));
    }
}

TEST_CASE("waves: complementary suppression stops once two holders and the threshold are covered") {
  std::vector<bool> s{true, false, false, true};
  suppress_complements({4, 30, 7, 0}, s, 5);
  CHECK(s == std::vector<bool>{true, false, true, true});
  std::vector<bool> none{false, false};
  suppress_complements({8, 9}, none, 5);
  CHECK(none == std::vector<bool>{false, false});
}

TEST_CASE("success: first-renewal rate, survival truncated below 10 at risk, join quarters") {
  std::vector<SharedRecord> rs;
  std::vector<SharedMembership> ms;
  for (int i = 1; i <= 12; ++i) {
    auto r = deal(i, "sustaining", 50'000);
    r.first_renewed = i % 2 == 0;
    r.churned = i % 2 == 1;
    r.survival_days = 365 + 30 * i;
    rs.push_back(r);
    ms.push_back({member(i), 9, i <= 6 ? "2026-Q1" : "2026-Q2", 20 + i});
  }
  SeededRandomness rng("success");
  auto w = compute_wave(rs, ms, {9}, {}, no_noise(), rng);
  const json s = w.success.at(9);
  CHECK(s["first_renewal"]["renewed"] == 6);
  CHECK(s["first_renewal"]["decided"] == 12);
  CHECK(s["first_renewal"]["rate"] == Approx(0.5));
  // Churn at the 1st, 3rd, 5th... shortest times: 12, then 10, then 8 at risk, so two points.
  REQUIRE(s["survival"].size() == 2);
  CHECK(s["survival"][0]["at_risk"] == 12);
  CHECK(s["survival"][1]["survival"] == Approx(11.0 / 12 * 9 / 10));
  CHECK(s["median_days_to_first_client"] == 27);  // 21..32: 26.5 rounds to 27
  CHECK(s["join_quarters"][0]["members"] == 6);
  // Two renewed members only: the proportion is suppressed.
  for (auto& r : rs) r.first_renewed = r.pseudonym == member(1) || r.pseudonym == member(2);
  auto w2 = compute_wave(rs, ms, {9}, {}, no_noise(), rng);
  CHECK(w2.success.at(9)["first_renewal"]["suppressed"] == true);
}

namespace {

// A cohort of `n` members, one signed deal each, the odd ones churned: enough for a survival curve.
void success_cohort(int n, std::vector<SharedRecord>& rs, std::vector<SharedMembership>& ms) {
  for (int i = 1; i <= n; ++i) {
    auto r = deal(i, "sustaining", 50'000);
    r.churned = i % 2 == 1;
    r.first_renewed = i % 2 == 0;
    r.survival_days = 200 + 40 * i;
    rs.push_back(r);
    ms.push_back({member(i), 9, "2026-Q1", 20 + i});
  }
}

}  // namespace

TEST_CASE("success: members who share only a prospect are not new contributors, one churn cannot be differenced") {
  std::vector<SharedRecord> rs;
  std::vector<SharedMembership> ms;
  success_cohort(14, rs, ms);
  SeededRandomness rng("differencing");
  auto first = compute_wave(rs, ms, {9}, {}, no_noise(), rng);
  REQUIRE(first.success.at(9)["survival"].size() >= 2);
  // The attack: member 4 (censored so far) churns early, and three accounts that share only a
  // prospect join the cohort (shared copies: a membership, no signed record).
  for (auto& r : rs)
    if (r.pseudonym == member(4)) r.churned = true, r.survival_days = 230;
  for (int i = 101; i <= 103; ++i) ms.push_back({member(i), 9, "2026-Q3", std::nullopt});
  auto second = compute_wave(rs, ms, {9}, first.cells, no_noise(), rng);
  CHECK(second.success.at(9) == first.success.at(9));
  CHECK(std::count(second.republished.begin(), second.republished.end(), "success/9") == 0);
  CHECK(second.cells.at("success/9").contributors.size() == 14);
  // Three members whose signed deals do enter the curve: republished.
  for (int i = 201; i <= 203; ++i) {
    auto r = deal(i, "sustaining", 50'000);
    r.survival_days = 500;
    rs.push_back(r);
    ms.push_back({member(i), 9, "2026-Q3", 30});
  }
  auto third = compute_wave(rs, ms, {9}, second.cells, no_noise(), rng);
  CHECK(std::count(third.republished.begin(), third.republished.end(), "success/9") == 1);
  CHECK(third.success.at(9) != first.success.at(9));
}

TEST_CASE("success: with noise on, the survival points are noised counts on a 3-month grid, and the curve derives from them") {
  std::vector<SharedRecord> rs;
  std::vector<SharedMembership> ms;
  success_cohort(40, rs, ms);
  DisclosureOptions o;  // noise on
  o.epsilon = {40, 1};  // small noise, so the curve is not empty; the properties hold at any ε
  int differs = 0;
  for (int run = 0; run < 10; ++run) {
    SeededRandomness rng("survival" + std::to_string(run));
    const json curve = compute_wave(rs, ms, {9}, {}, o, rng).success.at(9)["survival"];
    REQUIRE_FALSE(curve.empty());
    double s = 1, previous_s = 1;
    std::int64_t previous_at_risk = -1;
    for (const auto& p : curve) {
      REQUIRE(p.contains("events"));
      const std::int64_t at_risk = p["at_risk"], events = p["events"];
      CHECK(p["month"].get<double>() == Approx(std::round(p["month"].get<double>() / 3) * 3));
      CHECK(0 <= events);
      CHECK(events <= at_risk);
      if (previous_at_risk >= 0) CHECK(at_risk <= previous_at_risk);
      s *= 1 - static_cast<double>(events) / static_cast<double>(at_risk);
      CHECK(p["survival"].get<double>() == Approx(s));
      CHECK(p["survival"].get<double>() <= previous_s);
      previous_s = p["survival"], previous_at_risk = at_risk;
    }
    // The first point's true at-risk count is all 40 deals (none exits in the first 3 months).
    differs += curve[0]["at_risk"] != 40 ? 1 : 0;
  }
  CHECK(differs >= 5);
}
