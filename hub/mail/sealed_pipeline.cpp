#include "hub/mail/own_pipeline.hpp"

#include <algorithm>

#include "hub/sharing/sharing_store.hpp"
#include "hub/sharing/vocabulary.hpp"

namespace hub::mail {
namespace {

bool closed_stage(const std::string& stage) { return stage == "lost" || stage == "churned"; }
bool signed_stage(const std::string& stage) { return stage == "signed" || stage == "active" || stage == "renewed"; }

}  // namespace

http::Result<OwnPipeline> SealedPipelineReader::own_pipeline(store::Connection& db, std::int64_t owner,
                                                             const std::string& today) const {
  const std::int64_t day = sharing::day_number(today), quiet_days = quiet_weeks_ * 7;
  OwnPipeline out;
  http::Page page;
  page.limit = 200;
  for (;;) {
    auto rows = sharing::list_engagements(db, cipher_, owner, page);
    if (!rows) return rows.error();
    const bool more = rows->size() > static_cast<std::size_t>(page.limit);
    if (more) rows->pop_back();
    for (const auto& [id, e] : *rows) {
      if (closed_stage(e.stage)) continue;
      if (auto due = e.next_renewal_on(); due && signed_stage(e.stage)) {
        const std::int64_t in = sharing::day_number(*due) - day;
        if (in >= 0 && in <= kRenewalWindowDays) out.renewals.push_back({e.label, *due});
      }
      // As the Pipeline page flags it: no contact for quiet_weeks, unless the deal was just signed
      // (a signature is a contact).
      const std::string last = e.last_contact_on.value_or(e.first_contact_on);
      const bool just_signed = signed_stage(e.stage) && day - sharing::day_number(e.stage_since) < quiet_days;
      if (day - sharing::day_number(last) > quiet_days && !just_signed) out.quiet.push_back({e.label, last});
    }
    if (!more || rows->empty()) break;
    page.after = rows->back().first;
  }
  std::sort(out.renewals.begin(), out.renewals.end(), [](auto& a, auto& b) { return a.date < b.date; });
  std::sort(out.quiet.begin(), out.quiet.end(), [](auto& a, auto& b) { return a.date < b.date; });
  return out;
}

}  // namespace hub::mail
