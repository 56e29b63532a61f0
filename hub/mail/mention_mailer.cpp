#include "hub/mail/mention_mailer.hpp"

#include <cstdio>
#include <optional>
#include <vector>

#include "hub/auth/policy.hpp"
#include "hub/discussion/policy.hpp"
#include "hub/mail/mail_module.hpp"
#include "hub/mail/outbox.hpp"

namespace hub::mail {
namespace {

constexpr int kBatchMessages = 500;
constexpr std::size_t kQuoteBytes = 1500;

struct Mention {
  std::int64_t message_id = 0;
  std::int64_t channel_id = 0;
  std::string channel_name;
  std::string author;
  std::string body;
  std::int64_t user_id = 0;
  Preferences to;
};

struct Scan {
  std::optional<std::int64_t> cursor;  // nullopt: never started
  std::int64_t until = 0;              // the newest message id looked at
  std::vector<Mention> mentions;       // only those the recipient may read and wants mailed
};

Result<std::optional<std::int64_t>> read_cursor(Connection& db) {
  auto st = db.prepare("SELECT value FROM mail_cursors WHERE name = 'mentions'");
  auto row = st.step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(st.int64(0));
}

}  // namespace

MentionMailer::MentionMailer(store::Executor& db, const MailModule& mail, auth::Membership& membership)
    : db_(db), mail_(mail), membership_(membership) {}

int MentionMailer::run_once() {
  auto scan_job = [this](Connection& c) -> Result<Scan> {
    Scan scan;
    auto cursor = read_cursor(c);
    if (!cursor) return cursor.error();
    scan.cursor = *cursor;
    const std::int64_t from = cursor->value_or(0);
    auto newest = c.prepare("SELECT max(id) FROM (SELECT id FROM messages WHERE id > ? ORDER BY id LIMIT ?)");
    newest.bind(1, from).bind(2, std::int64_t{kBatchMessages});
    if (auto row = newest.step(); !row) return row.error();
    scan.until = newest.optional_int64(0).value_or(from);
    if (!*cursor || scan.until == from) return scan;
    auto st = c.prepare(
        "SELECT m.id, m.channel_id, ch.name, ch.cohort_id, a.handle, m.body, u.id, u.role, p.address "
        "FROM message_mentions x JOIN messages m ON m.id = x.message_id JOIN channels ch ON ch.id = m.channel_id "
        "JOIN users a ON a.id = m.author_id JOIN users u ON u.id = x.user_id "
        "JOIN mail_preferences p ON p.user_id = x.user_id "
        "WHERE x.message_id > ? AND x.message_id <= ? AND m.deleted_at IS NULL AND p.mentions = 1 AND "
        "p.address != '' AND u.disabled = 0 AND x.user_id != m.author_id ORDER BY m.id, u.id");
    st.bind(1, from).bind(2, scan.until);
    struct Row {
      Mention mention;
      std::string role;
      std::optional<std::int64_t> cohort;
    };
    std::vector<Row> rows;
    auto s = st.each_row([&] {
      Mention m;
      m.message_id = st.int64(0);
      m.channel_id = st.int64(1);
      m.channel_name = st.text(2);
      m.author = st.text(4);
      m.body = st.text(5);
      m.user_id = st.int64(6);
      m.to.address = st.text(8);
      rows.push_back({std::move(m), st.text(7), st.optional_int64(3)});
    });
    if (!s) return s.error();
    for (auto& row : rows) {
      http::Principal who;
      who.user_id = row.mention.user_id;
      who.role = row.role;
      const auth::Actor actor = auth::Actor::of(who, membership_.cohorts_of(c, who.user_id));
      if (discussion::policy::see_channel(actor, {row.cohort}) != discussion::Verdict::allowed) continue;
      scan.mentions.push_back(std::move(row.mention));
    }
    return scan;
  };
  auto scan = db_.read_now(scan_job);
  if (!scan) return 0;
  if (!scan->cursor) {  // mail just turned on: start from now, never mail the past
    auto start_job = [until = scan->until](Connection& c) -> Result<bool> {
      auto st = c.prepare("INSERT OR IGNORE INTO mail_cursors (name, value) VALUES ('mentions', ?)");
      st.bind(1, until);
      if (auto s = st.run(); !s) return s.error();
      return true;
    };
    (void)db_.write_now(start_job);
    return 0;
  }
  if (scan->until == *scan->cursor) return 0;

  std::vector<Prepared> messages;
  const std::int64_t now = mail_.now();
  for (const Mention& m : scan->mentions) {
    Draft d = mail_.draft_for_member(m.user_id, "mentions", m.to);
    d.subject = "@" + m.author + " mentioned you in #" + m.channel_name;
    d.markdown = "**@" + m.author + "** mentioned you in **#" + m.channel_name + "**:\n\n" + markdown_quote(m.body, kQuoteBytes) +
                 "\n\n[Open the conversation](<" + mail_.options().link_origin + "/channels/" +
                 std::to_string(m.channel_id) + ">)\n";
    auto prepared = prepare_message(d, mail_.options().identity, now);
    if (!prepared) {
      std::fprintf(stderr, "{\"level\":\"warn\",\"what\":\"mail: a mention could not be mailed\",\"message_id\":%lld}\n",
                   static_cast<long long>(m.message_id));
      continue;
    }
    messages.push_back(std::move(*prepared));
  }
  auto queue_job = [from = *scan->cursor, until = scan->until, messages, now](Connection& c) -> Result<int> {
    auto cursor = read_cursor(c);
    if (!cursor) return cursor.error();
    if (*cursor != from) return 0;  // someone else moved it: their batch, not ours
    for (const auto& m : messages)
      if (auto s = enqueue(c, m, now * 1000); !s) return s.error();
    auto st = c.prepare("UPDATE mail_cursors SET value = ? WHERE name = 'mentions'");
    st.bind(1, until);
    if (auto s = st.run(); !s) return s.error();
    return static_cast<int>(messages.size());
  };
  auto queued = db_.write_now(queue_job);
  return queued ? *queued : 0;
}

}  // namespace hub::mail
