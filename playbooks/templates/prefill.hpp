// Starting a quote or invoice from one of my pipeline engagements: the engagement's client label,
// tier, amount, currency and dates become the values of the fields that declare them by name.
#pragma once

#include <nlohmann/json.hpp>

#include "hub/sharing/engagement.hpp"
#include "playbooks/templates/field_schema.hpp"

namespace hub::playbooks::templates {

// Field names each engagement fact fills (first match of a compatible type):
//   client, client_label, client_name ← label     tier ← tier
//   amount, annual_amount, annual_fee, fee ← annual amount (money)     currency ← currency
//   signed_on, start_on ← signed on     first_contact_on ← first contact
//   renewal_on, next_renewal_on ← next renewal     term_months ← term     hours_per_month ← hours
// A choice is filled only with one of its options. Returns {name: value} for what was filled.
nlohmann::json prefill_from(const std::vector<Field>& fields, const sharing::Engagement& e);

}  // namespace hub::playbooks::templates
