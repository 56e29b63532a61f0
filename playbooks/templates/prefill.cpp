#include "playbooks/templates/prefill.hpp"

namespace hub::playbooks::templates {
namespace {

bool fits(const Field& f, const nlohmann::json& v) {
  switch (f.type) {
    case FieldType::text:
    case FieldType::multiline: return v.is_string();
    case FieldType::date: return v.is_string();
    case FieldType::money:
    case FieldType::number: return v.is_number_integer();
    case FieldType::choice:
      return v.is_string() && std::find(f.options.begin(), f.options.end(), v.get<std::string>()) != f.options.end();
    default: return false;
  }
}

}  // namespace

nlohmann::json prefill_from(const std::vector<Field>& fields, const sharing::Engagement& e) {
  auto next_renewal = e.next_renewal_on();
  const std::pair<std::vector<const char*>, nlohmann::json> facts[] = {
      {{"client", "client_label", "client_name"}, e.label},
      {{"tier"}, e.tier},
      {{"amount", "annual_amount", "annual_fee", "fee"}, e.annual_amount},
      {{"currency"}, e.currency},
      {{"signed_on", "start_on"}, e.signed_on ? nlohmann::json(*e.signed_on) : nlohmann::json(nullptr)},
      {{"first_contact_on"}, e.first_contact_on},
      {{"renewal_on", "next_renewal_on"}, next_renewal ? nlohmann::json(*next_renewal) : nlohmann::json(nullptr)},
      {{"term_months"}, e.term_months},
      {{"hours_per_month"}, e.hours_per_month},
  };
  auto out = nlohmann::json::object();
  for (const auto& [names, value] : facts) {
    if (value.is_null() || (value.is_string() && value.get<std::string>().empty())) continue;
    for (const char* name : names) {
      auto f = std::find_if(fields.begin(), fields.end(), [&](const Field& x) { return x.name == name; });
      if (f != fields.end() && f->sum.empty() && fits(*f, value)) {
        out[name] = value;
        break;
      }
    }
  }
  return out;
}

}  // namespace hub::playbooks::templates
