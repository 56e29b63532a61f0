// What a closing wave publishes, computed from the shared copies alone: the rates tables and each
// cohort's success, under the disclosure rules of DESIGN.md (thresholds in distinct members,
// complementary suppression, the p% rule, republication only with enough new members) and the
// differential-privacy noise. Pure: no database, randomness through the seam.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/sharing/noise.hpp"
#include "hub/sharing/randomness.hpp"

namespace hub::sharing {

// The shared copy of one engagement: coarse fields only, keyed by the member's pseudonym.
struct SharedRecord {
  std::string pseudonym;  // HMAC-SHA256(K, member id), 32 raw bytes
  std::string tier, region, ecosystem;
  std::int64_t amount = 0;                  // reporting currency, rounded to 1,000, top-coded
  std::int64_t days_to_sign = 0;            // first contact to signature
  std::int64_t signed_day = 0;              // for the per-member cap (earliest first)
  std::int64_t survival_days = 0;           // signature to churn, or to the closing day
  bool churned = false;
  std::optional<bool> first_renewed;        // set when the first renewal is due and decided
};

// A member's place in a cohort, as shared: the join quarter and the days from joining to the
// first signed shared engagement.
struct SharedMembership {
  std::string pseudonym;
  std::int64_t cohort_id = 0;
  std::string join_quarter;
  std::optional<std::int64_t> days_to_first_client;
};

struct DisclosureOptions {
  bool noise = true;
  Epsilon epsilon{1, 1};           // per member per wave
  std::int64_t p_percent = 10;     // the p% rule's p; not published
  std::int64_t top_code = 500'000;
  std::int64_t min_count = 5, min_median = 10, min_quartiles = 20;
  std::int64_t min_denominator = 10, min_proportion_side = 3;
  std::int64_t min_at_risk = 10;
  std::int64_t min_new_members = 3;  // before a cell is republished
  std::int64_t deals_per_member = 3; // the cap on one member's deals in any count
};

// A cell as last published, and who had contributed to it then.
struct PublishedCell {
  nlohmann::json figures;
  std::vector<std::string> contributors;  // sorted pseudonyms
};

struct WaveResult {
  nlohmann::json tables = nlohmann::json::array();  // the rates document's "tables"
  std::map<std::int64_t, nlohmann::json> success;   // by cohort id
  std::map<std::string, PublishedCell> cells;       // every cell as it now stands
  std::vector<std::string> republished;             // cells whose figures are new in this wave
};

WaveResult compute_wave(const std::vector<SharedRecord>& records, const std::vector<SharedMembership>& memberships,
                        const std::vector<std::int64_t>& cohort_ids,
                        const std::map<std::string, PublishedCell>& previous, const DisclosureOptions& options,
                        Randomness& rng);

// The p% rule: a sum of member contributions may be published when the total minus the two largest
// contributions is at least p% of the largest.
bool passes_p_percent(std::vector<std::int64_t> contributions, std::int64_t p_percent);

// Complementary suppression on one column of a table: while the suppressed cells that hold anyone
// are exactly one, or hold fewer than `min_count` in total, suppress the smallest published cell too.
// `values[i]` is the true count and `suppressed[i]` the primary decision; updated in place.
void suppress_complements(const std::vector<std::int64_t>& values, std::vector<bool>& suppressed, std::int64_t min_count);

}  // namespace hub::sharing
