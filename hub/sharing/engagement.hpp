// One private pipeline record: what a member enters about a client engagement, its validation,
// and the plaintext that is sealed at rest.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/http/error.hpp"

namespace hub::sharing {

struct Renewal {
  std::string outcome;     // "renewed" | "churned"
  std::string decided_on;  // YYYY-MM-DD
};

struct Engagement {
  std::string label;  // private: never shared, aggregated or shown to anyone else
  std::string stage;
  std::string tier;
  std::int64_t annual_amount = 0;
  std::string currency;
  std::string ecosystem;
  std::string region;
  std::int64_t hours_per_month = 0;
  std::string channel;
  std::string first_contact_on;
  std::optional<std::string> signed_on;
  std::int64_t term_months = 12;
  bool shared = false;
  std::optional<std::string> last_contact_on;
  std::string notes;
  std::string stage_since;  // the date the stage last changed, for "days in stage"
  std::vector<Renewal> renewals;

  // The date the next renewal is due: signature plus one term per decided renewal.
  std::optional<std::string> next_renewal_on() const;
  // The first renewal's due date, signature plus one term.
  std::optional<std::int64_t> first_renewal_day() const;
  std::optional<std::string> churned_on() const;
};

inline constexpr std::int64_t kMaxAnnualAmount = 100'000'000;

// Builds an engagement from a POST body (create) or applies a PATCH body over `base`, then checks
// the whole record. `today` fills stage_since when the stage is new or changes.
// Errors are invalid_field naming the field.
http::Result<Engagement> engagement_from_json(const nlohmann::json& body, const Engagement* base,
                                              const std::string& today);
// Checks a renewal decision against the engagement and appends it, moving the stage.
http::Status add_renewal(Engagement& e, const nlohmann::json& body);

// The plaintext that is sealed (every field), and back. nullopt on a malformed plaintext.
std::string to_sealed_text(const Engagement& e);
std::optional<Engagement> from_sealed_text(const std::string& text);

// What the author sees: every field, plus id, days in stage, next renewal and the quiet flag.
nlohmann::json engagement_view(const Engagement& e, std::int64_t id, const std::string& today, std::int64_t quiet_weeks);

}  // namespace hub::sharing
