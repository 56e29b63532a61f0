#include <catch2/catch.hpp>

#include "hub/sharing/engagement.hpp"
#include "hub/sharing/vocabulary.hpp"

using namespace hub::sharing;
using nlohmann::json;

namespace {
json valid() {
  return {{"label", "Acme"},        {"stage", "signed"},      {"tier", "sustaining"},
          {"annual_amount", 48000}, {"currency", "EUR"},      {"ecosystem", "go"},
          {"region", "europe"},     {"hours_per_month", 8},   {"channel", "champion"},
          {"first_contact_on", "2026-01-10"}, {"signed_on", "2026-03-01"}, {"shared", true}};
}
std::string field_of(const json& body) {
  auto r = engagement_from_json(body, nullptr, "2026-06-01");
  return r ? "" : r.error().field;
}
}  // namespace

TEST_CASE("engagements: bad input names the field") {
  CHECK(field_of(valid()).empty());
  auto with = [](const char* k, json v) {
    json b = valid();
    b[k] = v;
    return b;
  };
  CHECK(field_of(with("tier", "platinum")) == "tier");
  CHECK(field_of(with("annual_amount", -5)) == "annual_amount");
  CHECK(field_of(with("annual_amount", 1'000'000'000'000)) == "annual_amount");
  CHECK(field_of(with("currency", "XXX")) == "currency");
  CHECK(field_of(with("region", "mars")) == "region");
  CHECK(field_of(with("ecosystem", "cobol")) == "ecosystem");
  CHECK(field_of(with("channel", "spam")) == "channel");
  CHECK(field_of(with("stage", "won")) == "stage");
  CHECK(field_of(with("signed_on", "2025-12-01")) == "signed_on");  // before first contact
  CHECK(field_of(with("first_contact_on", "2026-02-30")) == "first_contact_on");
  CHECK(field_of(with("hours_per_month", 1000)) == "hours_per_month");
  CHECK(field_of(with("colour", "red")) == "colour");
  json unsigned_deal = valid();
  unsigned_deal.erase("signed_on");
  CHECK(field_of(unsigned_deal) == "signed_on");  // a signed stage needs the date
  json missing = valid();
  missing.erase("label");
  CHECK(field_of(missing) == "label");
}

TEST_CASE("engagements: renewals come after signature and move the stage") {
  auto e = engagement_from_json(valid(), nullptr, "2026-06-01");
  REQUIRE(e);
  CHECK(add_renewal(*e, {{"outcome", "renewed"}, {"decided_on", "2026-02-01"}}).error().field == "decided_on");
  CHECK(add_renewal(*e, {{"outcome", "maybe"}, {"decided_on", "2027-02-01"}}).error().field == "outcome");
  REQUIRE(add_renewal(*e, {{"outcome", "renewed"}, {"decided_on", "2027-02-20"}}));
  CHECK(e->stage == "renewed");
  CHECK(e->next_renewal_on() == "2028-03-01");
  REQUIRE(add_renewal(*e, {{"outcome", "churned"}, {"decided_on", "2028-02-20"}}));
  CHECK(add_renewal(*e, {{"outcome", "renewed"}, {"decided_on", "2028-03-20"}}).error().status == 409);
  CHECK_FALSE(e->next_renewal_on());
}

TEST_CASE("engagements: the sealed text round-trips every field, the view shows days in stage and quiet") {
  auto e = engagement_from_json(valid(), nullptr, "2026-03-01");
  REQUIRE(e);
  e->notes = "met at FOSDEM";
  auto back = from_sealed_text(to_sealed_text(*e));
  REQUIRE(back);
  CHECK(to_sealed_text(*back) == to_sealed_text(*e));
  auto view = engagement_view(*e, 7, "2026-04-30", 6);
  CHECK(view["days_in_stage"] == 60);
  CHECK(view["quiet"] == true);  // last contact 2026-01-10, more than 6 weeks ago
  auto patched = engagement_from_json({{"last_contact_on", "2026-04-20"}}, &*e, "2026-04-30");
  REQUIRE(patched);
  CHECK(engagement_view(*patched, 7, "2026-04-30", 6)["quiet"] == false);
  CHECK(engagement_view(*patched, 7, "2026-04-30", 6)["days_in_stage"] == 60);  // stage unchanged
}

TEST_CASE("vocabulary: amounts are converted, rounded to 1,000 and top-coded, dates are exact") {
  CHECK(coarse_amount(48'000, "USD", 500'000) == 48'000);
  CHECK(coarse_amount(48'499, "USD", 500'000) == 48'000);
  CHECK(coarse_amount(10'000, "EUR", 500'000) == 11'000);  // 10,800
  CHECK(coarse_amount(2'000'000, "USD", 500'000) == 500'000);
  CHECK_FALSE(coarse_amount(1, "XXX", 500'000));
  CHECK(day_number("1970-01-01") == 0);
  CHECK(date_of_day(day_number("2028-02-29")) == "2028-02-29");
  CHECK(quarter_of_day(day_number("2026-08-15")) == "2026-Q3");
}
