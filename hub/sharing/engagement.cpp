#include "hub/sharing/engagement.hpp"

#include "hub/http/json_body.hpp"
#include "hub/sharing/vocabulary.hpp"

namespace hub::sharing {
namespace {

using http::ApiError;
using nlohmann::json;

http::Status word_field(const json& body, const char* name, const std::vector<std::string>& words, std::string& out) {
  if (!body.contains(name)) return http::Ok{};
  auto v = http::string_field(body, name, 1, 40);
  if (!v) return v.error();
  if (!is_one_of(words, *v)) return ApiError::invalid_field(name, std::string(name) + " is not one of the allowed values.");
  out = *v;
  return http::Ok{};
}

http::Status date_field(const json& body, const char* name, std::string& out) {
  if (!body.contains(name)) return http::Ok{};
  auto v = http::string_field(body, name, 10, 10);
  if (!v || !http::is_valid_date(*v)) return ApiError::invalid_field(name, std::string(name) + " must be a date, YYYY-MM-DD.");
  out = *v;
  return http::Ok{};
}

http::Status optional_date_field(const json& body, const char* name, std::optional<std::string>& out) {
  if (!body.contains(name)) return http::Ok{};
  if (body[name].is_null()) {
    out.reset();
    return http::Ok{};
  }
  std::string v;
  if (auto s = date_field(body, name, v); !s) return s;
  out = v;
  return http::Ok{};
}

http::Status int_into(const json& body, const char* name, std::int64_t min, std::int64_t max, std::int64_t& out) {
  if (!body.contains(name)) return http::Ok{};
  auto v = http::int_field(body, name, min, max);
  if (!v) return v.error();
  out = *v;
  return http::Ok{};
}

// Fields a create must carry.
constexpr const char* kRequired[] = {"label",    "stage",  "tier",            "annual_amount", "currency",
                                     "ecosystem", "region", "hours_per_month", "channel",       "first_contact_on"};

http::Status check_record(const Engagement& e) {
  if (e.signed_on && *e.signed_on < e.first_contact_on)
    return ApiError::invalid_field("signed_on", "signed_on is before first_contact_on.");
  if (is_signed_stage(e.stage) && !e.signed_on)
    return ApiError::invalid_field("signed_on", "A signed engagement needs signed_on.");
  if (e.last_contact_on && *e.last_contact_on < e.first_contact_on)
    return ApiError::invalid_field("last_contact_on", "last_contact_on is before first_contact_on.");
  if (!e.renewals.empty() && (!e.signed_on || e.renewals.front().decided_on < *e.signed_on))
    return ApiError::invalid_field("signed_on", "signed_on is after a recorded renewal decision.");
  return http::Ok{};
}

}  // namespace

std::optional<std::int64_t> Engagement::first_renewal_day() const {
  if (!signed_on) return std::nullopt;
  // Whole months: the same day of month, term_months later (approximated as 30.4375 days each).
  return day_number(*signed_on) + static_cast<std::int64_t>(term_months * 30.4375 + 0.5);
}

std::optional<std::string> Engagement::next_renewal_on() const {
  if (!signed_on || churned_on()) return std::nullopt;
  const std::int64_t terms = static_cast<std::int64_t>(renewals.size()) + 1;
  return date_of_day(day_number(*signed_on) + static_cast<std::int64_t>(terms * term_months * 30.4375 + 0.5));
}

std::optional<std::string> Engagement::churned_on() const {
  for (const auto& r : renewals)
    if (r.outcome == "churned") return r.decided_on;
  return std::nullopt;
}

http::Result<Engagement> engagement_from_json(const json& body, const Engagement* base, const std::string& today) {
  Engagement e = base ? *base : Engagement{};
  if (!base) {
    for (const char* name : kRequired)
      if (!body.contains(name)) return ApiError::invalid_field(name, std::string(name) + " is required.");
    if (!body.contains("shared")) return ApiError::invalid_field("shared", "shared is required.");
  }
  static const char* known[] = {"label",   "stage",      "tier",        "annual_amount", "currency",
                                "ecosystem", "region",   "hours_per_month", "channel", "first_contact_on",
                                "signed_on", "term_months", "shared",   "last_contact_on", "notes"};
  for (auto& [key, value] : body.items()) {
    bool ok = false;
    for (const char* k : known) ok = ok || key == k;
    if (!ok) return ApiError::invalid_field(key, key + " is not a field of an engagement.");
  }
  if (body.contains("label")) {
    auto v = http::string_field(body, "label", 1, 200);
    if (!v) return v.error();
    e.label = *v;
  }
  if (body.contains("notes")) {
    auto v = http::string_field(body, "notes", 0, 4000);
    if (!v) return v.error();
    e.notes = *v;
  }
  const std::string old_stage = e.stage;
  for (auto s : {word_field(body, "stage", stages(), e.stage), word_field(body, "tier", tiers(), e.tier),
                 word_field(body, "ecosystem", ecosystems(), e.ecosystem),
                 word_field(body, "region", regions(), e.region), word_field(body, "channel", channels(), e.channel)})
    if (!s) return s.error();
  if (body.contains("currency")) {
    auto v = http::string_field(body, "currency", 3, 3);
    if (!v || !currency_table().count(*v))
      return ApiError::invalid_field("currency", "currency must be one of the accepted ISO 4217 codes.");
    e.currency = *v;
  }
  for (auto s : {int_into(body, "annual_amount", 1, kMaxAnnualAmount, e.annual_amount),
                 int_into(body, "hours_per_month", 0, 744, e.hours_per_month),
                 int_into(body, "term_months", 1, 60, e.term_months), date_field(body, "first_contact_on", e.first_contact_on),
                 optional_date_field(body, "signed_on", e.signed_on),
                 optional_date_field(body, "last_contact_on", e.last_contact_on)})
    if (!s) return s.error();
  if (body.contains("shared")) {
    auto v = http::bool_field(body, "shared");
    if (!v) return v.error();
    e.shared = *v;
  }
  if (e.stage != old_stage || e.stage_since.empty()) e.stage_since = today;
  if (auto s = check_record(e); !s) return s.error();
  return e;
}

http::Status add_renewal(Engagement& e, const json& body) {
  auto outcome = http::string_field(body, "outcome", 1, 20);
  if (!outcome) return outcome.error();
  if (*outcome != "renewed" && *outcome != "churned")
    return ApiError::invalid_field("outcome", "outcome must be renewed or churned.");
  std::string decided_on;
  if (!body.contains("decided_on")) return ApiError::invalid_field("decided_on", "decided_on is required.");
  if (auto s = date_field(body, "decided_on", decided_on); !s) return s;
  if (!e.signed_on) return ApiError::invalid_field("decided_on", "The engagement has not been signed.");
  if (decided_on < *e.signed_on) return ApiError::invalid_field("decided_on", "decided_on is before signed_on.");
  if (!e.renewals.empty() && decided_on < e.renewals.back().decided_on)
    return ApiError::invalid_field("decided_on", "decided_on is before the previous renewal decision.");
  if (e.churned_on()) return ApiError::conflict("The client has churned; no further renewal can be recorded.");
  e.renewals.push_back({*outcome, decided_on});
  e.stage = *outcome;
  e.stage_since = decided_on;
  return http::Ok{};
}

std::string to_sealed_text(const Engagement& e) {
  json renewals = json::array();
  for (const auto& r : e.renewals) renewals.push_back(json::array({r.outcome, r.decided_on}));
  json j = {{"l", e.label},  {"st", e.stage},      {"t", e.tier},     {"a", e.annual_amount},
            {"c", e.currency}, {"e", e.ecosystem}, {"r", e.region},   {"h", e.hours_per_month},
            {"ch", e.channel}, {"f", e.first_contact_on}, {"tm", e.term_months}, {"sh", e.shared},
            {"n", e.notes},    {"ss", e.stage_since}, {"rn", renewals}};
  if (e.signed_on) j["s"] = *e.signed_on;
  if (e.last_contact_on) j["lc"] = *e.last_contact_on;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<Engagement> from_sealed_text(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    Engagement e;
    e.label = j.at("l");
    e.stage = j.at("st");
    e.tier = j.at("t");
    e.annual_amount = j.at("a");
    e.currency = j.at("c");
    e.ecosystem = j.at("e");
    e.region = j.at("r");
    e.hours_per_month = j.at("h");
    e.channel = j.at("ch");
    e.first_contact_on = j.at("f");
    e.term_months = j.at("tm");
    e.shared = j.at("sh");
    e.notes = j.at("n");
    e.stage_since = j.at("ss");
    if (j.contains("s")) e.signed_on = j["s"].get<std::string>();
    if (j.contains("lc")) e.last_contact_on = j["lc"].get<std::string>();
    for (const auto& r : j.at("rn")) e.renewals.push_back({r.at(0), r.at(1)});
    return e;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

json engagement_view(const Engagement& e, std::int64_t id, const std::string& today, std::int64_t quiet_weeks) {
  json renewals = json::array();
  for (const auto& r : e.renewals) renewals.push_back({{"outcome", r.outcome}, {"decided_on", r.decided_on}});
  const std::string last_contact = e.last_contact_on.value_or(e.first_contact_on);
  const bool open = e.stage != "lost" && e.stage != "churned";
  json j = {{"id", id},
            {"label", e.label},
            {"stage", e.stage},
            {"tier", e.tier},
            {"annual_amount", e.annual_amount},
            {"currency", e.currency},
            {"ecosystem", e.ecosystem},
            {"region", e.region},
            {"hours_per_month", e.hours_per_month},
            {"channel", e.channel},
            {"first_contact_on", e.first_contact_on},
            {"signed_on", e.signed_on ? json(*e.signed_on) : json(nullptr)},
            {"term_months", e.term_months},
            {"shared", e.shared},
            {"last_contact_on", e.last_contact_on ? json(*e.last_contact_on) : json(nullptr)},
            {"notes", e.notes},
            {"stage_since", e.stage_since},
            {"days_in_stage", std::max<std::int64_t>(0, day_number(today) - day_number(e.stage_since))},
            {"renewals", renewals},
            {"next_renewal_on", e.next_renewal_on() ? json(*e.next_renewal_on()) : json(nullptr)},
            {"quiet", open && day_number(today) - day_number(last_contact) > quiet_weeks * 7}};
  return j;
}

}  // namespace hub::sharing
