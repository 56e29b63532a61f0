#include "hub/sharing/vocabulary.hpp"

#include <algorithm>
#include <cstdio>

namespace hub::sharing {

const std::vector<std::string>& stages() {
  static const std::vector<std::string> v{"prospect", "talking", "quoted", "signed",
                                          "active",   "renewed", "churned", "lost"};
  return v;
}
const std::vector<std::string>& tiers() {
  static const std::vector<std::string> v{"sustaining", "reciprocal", "advisory"};
  return v;
}
const std::vector<std::string>& regions() {
  static const std::vector<std::string> v{"africa", "asia", "europe", "latin_america", "middle_east", "north_america",
                                          "oceania"};
  return v;
}
const std::vector<std::string>& ecosystems() {
  static const std::vector<std::string> v{"c_cpp", "dotnet", "go", "java_jvm", "javascript",
                                          "php",   "python", "ruby", "rust",   "other"};
  return v;
}
const std::vector<std::string>& channels() {
  static const std::vector<std::string> v{"champion", "inbound", "conference", "referral", "other"};
  return v;
}

bool is_one_of(const std::vector<std::string>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

bool is_signed_stage(std::string_view stage) {
  return stage == "signed" || stage == "active" || stage == "renewed" || stage == "churned";
}

const std::map<std::string, std::int64_t>& currency_table() {
  // USD per 1,000,000 units; reference rates of 2026-01 rounded to 4 significant digits.
  static const std::map<std::string, std::int64_t> t{
      {"USD", 1'000'000}, {"EUR", 1'080'000}, {"GBP", 1'270'000}, {"CHF", 1'130'000}, {"CAD", 740'000},
      {"AUD", 660'000},   {"JPY", 6'700},     {"SEK", 95'000},    {"NOK", 93'000},    {"DKK", 145'000},
      {"PLN", 250'000},   {"INR", 12'000},    {"BRL", 200'000},   {"NZD", 610'000},   {"CNY", 138'000},
      {"MXN", 58'000},    {"CZK", 43'000},    {"ZAR", 54'000},    {"SGD", 740'000},   {"HKD", 128'000}};
  return t;
}

std::optional<std::int64_t> coarse_amount(std::int64_t amount, const std::string& currency, std::int64_t top_code) {
  auto it = currency_table().find(currency);
  if (it == currency_table().end()) return std::nullopt;
  // amount <= 1e9 and rate <= 2e6, so the product fits in 64 bits.
  const __int128 micros = static_cast<__int128>(amount) * it->second;  // reporting units * 1e6
  const std::int64_t thousands = static_cast<std::int64_t>((micros + 500'000'000) / 1'000'000'000);
  return std::min(thousands * 1000, top_code);
}

// Howard Hinnant's days_from_civil.
std::int64_t day_number(std::string_view date) {
  int y = std::stoi(std::string(date.substr(0, 4)));
  const unsigned m = static_cast<unsigned>(std::stoi(std::string(date.substr(5, 2))));
  const unsigned d = static_cast<unsigned>(std::stoi(std::string(date.substr(8, 2))));
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::string date_of_day(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y0 = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(y0 + (m <= 2)), m, d);
  return buf;
}

std::string quarter_of_day(std::int64_t day) {
  std::string d = date_of_day(day);
  int month = std::stoi(d.substr(5, 2));
  return d.substr(0, 4) + "-Q" + std::to_string((month - 1) / 3 + 1);
}

}  // namespace hub::sharing
