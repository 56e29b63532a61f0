// The fixed vocabularies of API.md, the reporting currency's rate table and date arithmetic.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hub::sharing {

const std::vector<std::string>& stages();
const std::vector<std::string>& tiers();
const std::vector<std::string>& regions();     // macro-regions
const std::vector<std::string>& ecosystems();  // families
const std::vector<std::string>& channels();
bool is_one_of(const std::vector<std::string>& words, std::string_view word);
// Stages at which a deal has been signed (signed_on is then required).
bool is_signed_stage(std::string_view stage);

inline constexpr const char* kReportingCurrency = "USD";
// Units of the reporting currency per 1,000,000 units of each accepted currency, as published
// with each wave. Integers, so conversion is exact and reproducible.
const std::map<std::string, std::int64_t>& currency_table();
// `amount` of `currency` in the reporting currency, rounded to the nearest 1,000 and top-coded at
// `top_code`. nullopt for an unknown currency.
std::optional<std::int64_t> coarse_amount(std::int64_t amount, const std::string& currency, std::int64_t top_code);

// Days since 1970-01-01 of a valid YYYY-MM-DD date (see http::is_valid_date).
std::int64_t day_number(std::string_view date);
std::string date_of_day(std::int64_t day);
// "2026-Q3".
std::string quarter_of_day(std::int64_t day);

}  // namespace hub::sharing
