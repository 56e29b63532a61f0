#include "hub/mail/review_mailer.hpp"

#include <cstdio>
#include <vector>

#include "hub/mail/mail_module.hpp"
#include "hub/mail/outbox.hpp"
#include "playbooks/policy.hpp"
#include "playbooks/proposal_store.hpp"

namespace hub::mail {
namespace {

constexpr std::size_t kSummaryQuoteBytes = 1500;

struct Candidate {
  http::Principal who;
  std::string address;
};

// Members who asked for this mail, can receive it, and have not reviewed `version` yet. Whether
// they may review it at all is the policy's to say, not this query's.
Result<std::vector<Candidate>> opted_in(Connection& c, std::int64_t proposal_id, int version) {
  auto st = c.prepare(
      "SELECT u.id, u.role, p.address FROM mail_preferences p JOIN users u ON u.id = p.user_id "
      "WHERE p.review_requests = 1 AND p.address != '' AND u.disabled = 0 AND NOT EXISTS (SELECT 1 FROM "
      "playbook_reviews r WHERE r.proposal_id = ? AND r.proposal_version = ? AND r.reviewer_id = u.id) ORDER BY u.id");
  st.bind(1, proposal_id).bind(2, static_cast<std::int64_t>(version));
  std::vector<Candidate> out;
  auto s = st.each_row([&] {
    Candidate m;
    m.who.user_id = st.int64(0);
    m.who.role = st.text(1);
    m.address = st.text(2);
    out.push_back(std::move(m));
  });
  if (!s) return s.error();
  return out;
}

// What the proposal page shows every member who may review it: the playbook, the author, the
// summary, and how many approvals it needs.
std::string review_markdown(const playbooks::Proposal& p, const playbooks::Playbook& pb, const std::string& link) {
  const std::string author = p.author.value("handle", "");
  std::string out = "**@" + author + "** asks for your review of a change to **" + plain_line(pb.title, 150) + "**";
  out += p.version > 1 ? " (version " + std::to_string(p.version) + ": earlier approvals no longer count).\n\n"
                       : ".\n\n";
  if (!p.summary.empty()) out += markdown_quote(p.summary, kSummaryQuoteBytes) + "\n\n";
  const int needed = playbooks::approvals_needed(pb.required_approvals);
  out += "It is merged once it has " + std::to_string(needed) + " approval" + (needed == 1 ? "" : "s") +
         " of this version.\n\n[Review the proposal](<" + link + ">)\n";
  return out;
}

}  // namespace

http::Result<int> ReviewMailer::queue(Connection& c, std::int64_t proposal_id, int version, std::int64_t now) const {
  if (!mail_.enabled()) return 0;
  auto proposal = playbooks::get_proposal(c, proposal_id);
  if (!proposal) return proposal.error();
  if (!*proposal || (*proposal)->state != "open" || (*proposal)->version != version) return 0;
  const playbooks::Proposal& p = **proposal;
  auto pb = playbooks::get_playbook_by_id(c, p.playbook_id);
  if (!pb) return pb.error();
  auto candidates = opted_in(c, proposal_id, version);
  if (!candidates) return candidates.error();

  const std::string link = mail_.options().link_origin + "/proposals/" + std::to_string(proposal_id);
  const std::string markdown = review_markdown(p, *pb, link);
  int queued = 0;
  for (const Candidate& m : *candidates) {
    const auth::Actor actor = auth::Actor::of(m.who, membership_.cohorts_of(c, m.who.user_id));
    if (!playbooks::can_read_playbooks(actor) || !playbooks::can_review_proposal(actor, p.author_id)) continue;
    Preferences to;
    to.address = m.address;
    Draft d = mail_.draft_for_member(m.who.user_id, "review_requests", to);
    d.subject = "Review requested: " + plain_line(pb->title, 120);
    d.markdown = markdown;
    auto prepared = prepare_message(d, mail_.options().identity, now);
    if (!prepared) {  // cannot happen with a checked address; never stop the proposal for it
      std::fprintf(stderr, "{\"level\":\"warn\",\"what\":\"mail: a review request could not be mailed\","
                           "\"proposal_id\":%lld}\n", static_cast<long long>(proposal_id));
      continue;
    }
    if (auto s = enqueue(c, *prepared, now * 1000); !s) return s.error();
    ++queued;
  }
  return queued;
}

void ReviewMailer::wake() const { mail_.wake(); }

}  // namespace hub::mail
