#include "hub/mail/digest.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <vector>

#include "hub/discussion/policy.hpp"
#include "hub/mail/mail_module.hpp"
#include "hub/mail/outbox.hpp"

namespace hub::mail {
namespace {

constexpr std::size_t kWriteBatch = 500;

struct PeriodMessage {
  std::int64_t id, author_id, thread_root;
};

struct ChannelActivity {
  std::string name;
  std::optional<std::int64_t> cohort_id;
  std::vector<PeriodMessage> messages;            // in id order
  std::vector<std::pair<std::int64_t, int>> top;  // thread roots by replies in the period, best first
};

struct Recipient {
  std::int64_t user_id = 0;
  std::string role;
  Preferences prefs;
  std::vector<std::int64_t> cohorts;
  std::unordered_map<std::int64_t, std::int64_t> last_read;  // channel -> last read message id
  OwnPipeline pipeline;  // the recipient's own, only when they want it (prefs.renewals)
};

struct Proposal {
  std::int64_t id, author_id, version;
  std::string title;
};

struct TemplateRelease {
  std::string slug, title, version;
  std::int64_t released_by;
};

struct Assignment {
  std::int64_t id, mentor_id, mentee_id;
  std::string title, due_on, mentee;  // due_on may be empty
  std::int64_t open, done_in_period;
  bool paired;  // the pairing still stands: a mentor sees only the assignments of current mentees
};

struct Activity {
  std::map<std::int64_t, ChannelActivity> channels;
  std::unordered_map<std::int64_t, std::vector<std::pair<std::int64_t, std::int64_t>>> mentions;  // user -> (channel, message)
  std::unordered_map<std::int64_t, std::string> thread_titles;  // root id -> its first line
  std::vector<Proposal> proposals;
  std::unordered_map<std::int64_t, std::vector<std::pair<std::int64_t, std::int64_t>>> reviewed;  // user -> (proposal, version)
  std::vector<Assignment> assignments;
  std::vector<TemplateRelease> releases;  // released by members in the period, newest first
  std::vector<Recipient> recipients;
};

// A member's own text (a client label) as Markdown that shows it as written: what Markdown or
// HTML would interpret is escaped, and a line break cannot start a new block.
std::string plain_text(std::string_view text) {
  std::string out;
  for (char ch : text) {
    if (ch == '\r' || ch == '\n') ch = ' ';
    if (std::string_view("\\`*_[]<>&~!|#").find(ch) != std::string_view::npos) out += '\\';
    out += ch;
  }
  return out;
}

Result<Activity> load_activity(Connection& c, auth::Membership& membership, const DigestRun& run,
                               const PipelineReader* pipelines, const std::string& today) {
  Activity a;
  auto ch = c.prepare("SELECT id, name, cohort_id FROM channels");
  if (auto s = ch.each_row([&] { a.channels[ch.int64(0)] = {ch.text(1), ch.optional_int64(2), {}, {}}; }); !s)
    return s.error();
  auto msgs = c.prepare(
      "SELECT id, channel_id, author_id, coalesce(thread_root, id), body, thread_root IS NULL FROM messages "
      "WHERE created_at > ? AND deleted_at IS NULL ORDER BY id");
  msgs.bind(1, run.since);
  std::unordered_map<std::int64_t, std::unordered_map<std::int64_t, int>> replies;  // channel -> root -> n
  if (auto s = msgs.each_row([&] {
        auto it = a.channels.find(msgs.int64(1));
        if (it == a.channels.end()) return;
        const std::int64_t root = msgs.int64(3);
        it->second.messages.push_back({msgs.int64(0), msgs.int64(2), root});
        if (msgs.int64(5)) a.thread_titles[root] = plain_line(msgs.text(4));
        else ++replies[it->first][root];
      });
      !s)
    return s.error();
  for (auto& [id, counts] : replies) {
    auto& top = a.channels[id].top;
    top.assign(counts.begin(), counts.end());
    std::sort(top.begin(), top.end(), [](auto& x, auto& y) { return x.second != y.second ? x.second > y.second : x.first < y.first; });
    if (top.size() > 3) top.resize(3);
  }
  auto men = c.prepare(
      "SELECT x.user_id, m.channel_id, m.id FROM message_mentions x JOIN messages m ON m.id = x.message_id "
      "WHERE m.created_at > ? AND m.deleted_at IS NULL AND x.user_id != m.author_id");
  men.bind(1, run.since);
  if (auto s = men.each_row([&] { a.mentions[men.int64(0)].emplace_back(men.int64(1), men.int64(2)); }); !s)
    return s.error();
  auto props = c.prepare(
      "SELECT p.id, p.author_id, p.version, b.title FROM playbook_proposals p JOIN playbooks b ON b.id = p.playbook_id "
      "WHERE p.state = 'open' AND b.required_approvals > 0 ORDER BY p.id");
  if (auto s = props.each_row([&] { a.proposals.push_back({props.int64(0), props.int64(1), props.int64(2), props.text(3)}); }); !s)
    return s.error();
  auto revs = c.prepare(
      "SELECT r.reviewer_id, r.proposal_id, r.proposal_version FROM playbook_reviews r JOIN playbook_proposals p "
      "ON p.id = r.proposal_id WHERE p.state = 'open'");
  if (auto s = revs.each_row([&] { a.reviewed[revs.int64(0)].emplace_back(revs.int64(1), revs.int64(2)); }); !s)
    return s.error();
  // Every signed-in member may read every template (playbooks/templates/policy), so a release is
  // news for all; the starter templates `init` releases (no author) are not.
  auto rel = c.prepare(
      "SELECT t.slug, t.title, r.major || '.' || r.minor || '.' || r.patch, r.created_by FROM template_releases r "
      "JOIN templates t ON t.id = r.template_id WHERE r.created_at > ? AND r.created_by IS NOT NULL "
      "ORDER BY r.created_at DESC, t.id LIMIT 20");
  rel.bind(1, run.since);
  if (auto s = rel.each_row([&] { a.releases.push_back({rel.text(0), rel.text(1), rel.text(2), rel.int64(3)}); }); !s)
    return s.error();
  auto as = c.prepare(
      "SELECT a.id, a.mentor_id, a.mentee_id, b.title, coalesce(a.due_on, ''), u.handle, "
      "(SELECT count(*) FROM assignment_items i WHERE i.assignment_id = a.id AND i.done = 0), "
      "(SELECT count(*) FROM assignment_items i WHERE i.assignment_id = a.id AND i.done = 1 AND i.done_at > ?), "
      "EXISTS (SELECT 1 FROM mentorships m WHERE m.mentor_id = a.mentor_id AND m.mentee_id = a.mentee_id) "
      "FROM assignments a JOIN playbooks b ON b.id = a.playbook_id JOIN users u ON u.id = a.mentee_id ORDER BY a.id");
  as.bind(1, run.since);
  if (auto s = as.each_row([&] {
        a.assignments.push_back({as.int64(0), as.int64(1), as.int64(2), as.text(3), as.text(4), as.text(5), as.int64(6),
                                 as.int64(7), as.int64(8) != 0});
      });
      !s)
    return s.error();
  // Mentor summaries go to mentors and admins who want them; digests to whoever chose a frequency.
  const bool mentees = run.frequency == "mentees";
  auto who = c.prepare(mentees
      ? "SELECT u.id, u.role, p.address, p.digest, 0, 0 FROM mail_preferences p JOIN users u ON u.id = p.user_id "
        "WHERE p.address != '' AND p.mentees = 1 AND u.role IN ('mentor', 'admin') AND u.disabled = 0 AND ? = ? AND "
        "NOT EXISTS (SELECT 1 FROM mail_digest_runs r WHERE r.user_id = u.id AND r.period = ?) ORDER BY u.id"
      : "SELECT u.id, u.role, p.address, p.digest, p.renewals, p.reviews FROM mail_preferences p JOIN users u ON u.id = p.user_id "
        "WHERE p.address != '' AND p.digest != 'off' AND (? = 'any' OR p.digest = ?) AND u.disabled = 0 AND NOT EXISTS "
        "(SELECT 1 FROM mail_digest_runs r WHERE r.user_id = u.id AND r.period = ?) ORDER BY u.id");
  who.bind(1, std::string_view(run.frequency)).bind(2, std::string_view(run.frequency)).bind(3, std::string_view(run.period));
  if (auto s = who.each_row([&] {
        Recipient r;
        r.user_id = who.int64(0);
        r.role = who.text(1);
        r.prefs.address = who.text(2);
        r.prefs.digest = who.text(3);
        r.prefs.renewals = who.int64(4) != 0;
        r.prefs.reviews = who.int64(5) != 0;
        a.recipients.push_back(std::move(r));
      });
      !s)
    return s.error();
  auto reads = c.prepare("SELECT channel_id, last_read_id FROM channel_reads WHERE user_id = ?");
  for (auto& r : a.recipients) {
    r.cohorts = membership.cohorts_of(c, r.user_id);
    reads.bind(1, r.user_id);
    if (auto s = reads.each_row([&] { r.last_read[reads.int64(0)] = reads.int64(1); }); !s) return s.error();
    if (pipelines && r.prefs.renewals) {
      auto own = pipelines->own_pipeline(c, r.user_id, today);
      if (!own) return own.error();
      r.pipeline = std::move(*own);
    }
  }
  return a;
}

// The digest's Markdown for `r`, or empty when there is nothing to tell.
std::string checklist_line(const Assignment& x, const std::string& origin, const std::string& today) {
  std::string line = "[" + plain_line(x.title) + "](<" + origin + "/assignments/" + std::to_string(x.id) + ">): " +
                     std::to_string(x.open) + " open";
  if (!x.due_on.empty()) line += (x.due_on < today ? ", overdue since " : ", due ") + x.due_on;
  return line;
}

// A mentor's weekly summary for `r`: progress and overdue items of the assignments they set for
// mentees they are still paired with (what /mentoring shows them); empty when there are none.
std::string mentor_markdown(const Activity& a, const Recipient& r, const std::string& origin, const std::string& today) {
  std::string out;
  for (const auto& x : a.assignments) {
    if (x.mentor_id != r.user_id || !x.paired) continue;
    out += "- @" + x.mentee + ": " + checklist_line(x, origin, today) + "; " + std::to_string(x.done_in_period) +
           " done this week\n";
  }
  return out.empty() ? "" : "## Your mentees this week\n\n" + out;
}

std::string digest_markdown(const Activity& a, const Recipient& r, const std::string& origin, const std::string& today,
                            const std::string& week_ahead) {
  http::Principal who;
  who.user_id = r.user_id;
  who.role = r.role;
  const auth::Actor actor = auth::Actor::of(who, r.cohorts);
  std::string channels, threads, mentions, reviews;
  for (const auto& [id, ch] : a.channels) {
    if (ch.messages.empty()) continue;
    if (discussion::policy::see_channel(actor, {ch.cohort_id}) != discussion::Verdict::allowed) continue;
    auto read = r.last_read.find(id);
    const std::int64_t after = read == r.last_read.end() ? 0 : read->second;
    auto first = std::upper_bound(ch.messages.begin(), ch.messages.end(), after,
                                  [](std::int64_t v, const PeriodMessage& m) { return v < m.id; });
    const auto unread = std::count_if(first, ch.messages.end(), [&](const PeriodMessage& m) { return m.author_id != r.user_id; });
    const std::string link = "(<" + origin + "/channels/" + std::to_string(id) + ">)";
    if (unread > 0) channels += "- [#" + ch.name + "]" + link + ": " + std::to_string(unread) + " unread\n";
    for (const auto& [root, n] : ch.top) {
      auto title = a.thread_titles.find(root);
      threads += "- [#" + ch.name + "]" + link + " " + (title == a.thread_titles.end() ? "a thread" : "“" + title->second + "”") +
                 ": " + std::to_string(n) + (n == 1 ? " reply\n" : " replies\n");
    }
  }
  if (auto m = a.mentions.find(r.user_id); m != a.mentions.end()) {
    std::map<std::int64_t, int> per_channel;
    for (const auto& [channel, message] : m->second) {
      auto ch = a.channels.find(channel);
      if (ch == a.channels.end()) continue;
      if (discussion::policy::see_channel(actor, {ch->second.cohort_id}) != discussion::Verdict::allowed) continue;
      ++per_channel[channel];
    }
    for (const auto& [channel, n] : per_channel)
      mentions += "- [#" + a.channels.at(channel).name + "](<" + origin + "/channels/" + std::to_string(channel) + ">): " +
                  std::to_string(n) + (n == 1 ? " mention\n" : " mentions\n");
  }
  const auto reviewed = a.reviewed.find(r.user_id);
  int listed = 0;
  for (const auto& p : a.proposals) {
    if (!r.prefs.reviews || p.author_id == r.user_id || listed == 5) continue;
    if (reviewed != a.reviewed.end() &&
        std::find(reviewed->second.begin(), reviewed->second.end(), std::pair{p.id, p.version}) != reviewed->second.end())
      continue;
    reviews += "- [" + plain_line(p.title) + "](<" + origin + "/proposals/" + std::to_string(p.id) + ">)\n";
    ++listed;
  }
  std::string releases;
  listed = 0;
  for (const auto& t : a.releases) {
    if (t.released_by == r.user_id || listed == 5) continue;
    releases += "- [" + plain_line(t.title) + "](<" + origin + "/templates/" + t.slug + ">) " + t.version + "\n";
    ++listed;
  }
  std::string checklists;
  for (const auto& x : a.assignments)  // a mentee's own checklists: due within a week, or overdue
    if (x.mentee_id == r.user_id && x.open > 0 && !x.due_on.empty() && x.due_on <= week_ahead)
      checklists += "- " + checklist_line(x, origin, today) + "\n";
  // The recipient's own clients: their private labels, for their eyes only. A label is the
  // member's own text: shown as written, but never as Markdown.
  std::string renewals, quiet;
  for (const auto& n : r.pipeline.renewals)
    renewals += "- " + plain_text(n.label) + ": due " + n.date + "\n";
  for (const auto& n : r.pipeline.quiet)
    quiet += "- " + plain_text(n.label) + ": last contact " + n.date + "\n";
  if (!renewals.empty() || !quiet.empty()) {
    const std::string pipeline = "(<" + origin + "/pipeline>)";
    if (!renewals.empty()) renewals += "\nSee [your pipeline]" + pipeline + ".\n";
    if (!quiet.empty()) quiet += "\nA client who never hears from you may not renew: see [your pipeline]" + pipeline + ".\n";
  }
  if (channels.empty() && threads.empty() && mentions.empty() && reviews.empty() && checklists.empty() &&
      releases.empty() && renewals.empty() && quiet.empty())
    return "";
  std::string out;
  if (!renewals.empty()) out += "## Your renewals in the next 30 days\n\n" + renewals + "\n";
  if (!quiet.empty()) out += "## Clients gone quiet\n\n" + quiet + "\n";
  if (!checklists.empty()) out += "## Your checklist items due\n\n" + checklists + "\n";
  if (!mentions.empty()) out += "## Mentions of you\n\n" + mentions + "\n";
  if (!channels.empty()) out += "## Unread in your channels\n\n" + channels + "\n";
  if (!threads.empty()) out += "## Top threads\n\n" + threads + "\n";
  if (!reviews.empty()) out += "## Proposals awaiting your review\n\n" + reviews + "\n";
  if (!releases.empty()) out += "## New template releases\n\n" + releases + "\n";
  return out;
}

}  // namespace

DigestBuilder::DigestBuilder(store::Executor& db, const MailModule& mail, auth::Membership& membership)
    : db_(db), mail_(mail), membership_(membership) {}

http::Result<int> DigestBuilder::build(const DigestRun& run) {
  const std::int64_t now = mail_.now();
  const std::string today = format_date(now), week_ahead = format_date(now + 7 * 86400);
  auto load_job = [this, run, &today](Connection& c) { return load_activity(c, membership_, run, pipelines_, today); };
  auto activity = db_.read_now(load_job);
  if (!activity) return activity.error();
  int queued = 0;
  std::vector<Prepared> batch;
  auto flush = [&]() -> http::Status {
    if (batch.empty()) return http::Ok{};
    auto write_job = [&batch, period = run.period, now](Connection& c) -> Result<int> {
      auto mark = c.prepare("INSERT OR IGNORE INTO mail_digest_runs (user_id, period) VALUES (?, ?)");
      int n = 0;
      for (const auto& m : batch) {
        mark.bind(1, *m.user_id).bind(2, std::string_view(period));
        if (auto s = mark.run(); !s) return s.error();
        if (c.changes() == 0) continue;  // already queued for this period
        if (auto s = enqueue(c, m, now * 1000); !s) return s.error();
        ++n;
      }
      return n;
    };
    auto n = db_.write_now(write_job);
    if (!n) return n.error();
    queued += *n;
    batch.clear();
    return http::Ok{};
  };
  const std::string& origin = mail_.options().link_origin;
  const bool mentees = run.frequency == "mentees";
  for (const Recipient& r : activity->recipients) {
    std::string body = mentees ? mentor_markdown(*activity, r, origin, today)
                               : digest_markdown(*activity, r, origin, today, week_ahead);
    if (body.empty()) continue;
    Draft d = mail_.draft_for_member(r.user_id, mentees ? "mentees" : "digest", r.prefs);
    d.subject = mentees ? "Your mentees this week"
                        : std::string(r.prefs.digest == "daily" ? "Your daily" : "Your weekly") + " cohorthub digest";
    d.markdown = std::move(body);
    auto m = prepare_message(d, mail_.options().identity, now);
    if (!m) continue;
    batch.push_back(std::move(*m));
    if (batch.size() == kWriteBatch)
      if (auto s = flush(); !s) return s.error();
  }
  if (auto s = flush(); !s) return s.error();
  return queued;
}

int DigestBuilder::run_scheduled(std::int64_t now, int hour_utc) {
  const std::int64_t day = now / 86400, start_of_day = day * 86400;
  if (now < start_of_day + std::int64_t{hour_utc} * 3600) return 0;
  int queued = 0;
  const std::string date = format_date(now);
  if (date == done_date_) return 0;
  done_date_ = date;
  if (auto n = build({"daily", "daily:" + date, now - 86400}); n) queued += *n;
  if ((day + 3) % 7 == 0) {  // 1970-01-01 was a Thursday: day + 3 ≡ 0 (mod 7) on Mondays
    if (auto n = build({"weekly", "weekly:" + date, now - 7 * 86400}); n) queued += *n;
    if (auto n = build({"mentees", "mentees:" + date, now - 7 * 86400}); n) queued += *n;
  }
  return queued;
}

}  // namespace hub::mail
