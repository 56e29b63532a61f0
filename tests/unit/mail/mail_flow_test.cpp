// Mail through a whole hub (no sockets): preferences, one-click unsubscribe, mailed invites, and
// the outbox delivering through a fake transport with a driven clock.
#include <catch2/catch.hpp>

#include <deque>
#include <set>

#include "hub/auth/secrets.hpp"
#include "hub/mail/outbox.hpp"
#include "hub/sharing/vocabulary.hpp"
#include "tests/unit/app/hub_fixture.hpp"

using namespace hub;
using hub::http::Method;
using hub::testing::HubFixture;
using nlohmann::json;

namespace {

const std::map<std::string, std::string> kMailOn = {{"COHORTHUB_MAIL_SMTP_URL", "smtp://127.0.0.1:1"},
                                                   {"COHORTHUB_MAIL_FROM", "hub@example.org"},
                                                   {"COHORTHUB_MAIL_LINK_ORIGIN", "https://hub.example.org"},
                                                   {"COHORTHUB_MAIL_RETRY_BASE_MS", "1000"},
                                                   {"COHORTHUB_MAIL_MAX_ATTEMPTS", "3"}};

// Records what it is given; fails while `failures` has entries.
struct FakeTransport final : mail::Transport {
  struct Sent {
    std::string from, to, mime;
  };
  std::vector<Sent> sent;
  std::deque<std::string> failures;
  int calls = 0;
  http::Status send(const std::string& from, const std::string& to, const std::string& mime) override {
    ++calls;
    if (!failures.empty()) {
      auto why = failures.front();
      failures.pop_front();
      return http::ApiError::unavailable(why);
    }
    sent.push_back({from, to, mime});
    return http::Ok{};
  }
};

struct MailHub : HubFixture {
  MailHub() : HubFixture(kMailOn) {}
  FakeTransport transport;
  std::unique_ptr<mail::MailSender> sender() {
    return std::make_unique<mail::MailSender>(
        hub->db(), transport, "hub@example.org", mail::RetryPolicy{1000, 3'600'000, 3},
        [this] { return clock.now() * 1000; }, 1000);
  }
  std::int64_t in_state(const std::string& state) {
    return *hub->db().read_now([state](store::Connection& c) -> http::Result<std::int64_t> {
      auto st = c.prepare("SELECT count(*) FROM mail_outbox WHERE state = ?");
      st.bind(1, std::string_view(state));
      auto row = st.step();
      if (!row) return row.error();
      return st.int64(0);
    });
  }
  // Queues a message to `to` directly, as another module's write job would.
  void queue(const std::string& to) {
    mail::Draft d;
    d.kind = "test";
    d.to_address = to;
    d.subject = "hello";
    d.markdown = "body";
    auto m = mail::prepare_message(d, {"hub@example.org", "Hub"}, clock.now());
    REQUIRE(m.ok());
    const std::int64_t now_ms = clock.now() * 1000;
    auto s = hub->db().write_now([&](store::Connection& c) { return mail::enqueue(c, *m, now_ms); });
    REQUIRE(s.ok());
  }
  std::string token_url(const std::string& mime) {
    auto at = mime.find("List-Unsubscribe: <https://hub.example.org");
    REQUIRE(at != std::string::npos);
    auto start = mime.find("/api/unsubscribe", at);
    return mime.substr(start, mime.find('>', start) - start);
  }
};

// ada (admin), sam, lee and kim (members), a cohort with sam in it, the hub-wide #general and
// #secret-inner, readable in that cohort only.
struct ChannelsHub : MailHub {
  ChannelsHub() {
    add_user("ada", "admin");
    sam_id = add_user("sam", "member");
    add_user("lee", "member");
    add_user("kim", "member");
    ada = login("ada"), sam = login("sam"), lee = login("lee"), kim = login("kim");
    cohort = call(Method::post, "/api/cohorts", json{{"name", "A"}, {"starts_on", "2026-01-05"}}.dump(), ada)
                 .json()["cohort"]["id"].get<std::int64_t>();
    REQUIRE(call(Method::post, "/api/cohorts/" + std::to_string(cohort) + "/members", json{{"handle", "sam"}}.dump(), ada).status == 200);
    general = call(Method::post, "/api/channels", json{{"name", "general"}}.dump(), ada).json()["channel"]["id"].get<std::int64_t>();
    inner = call(Method::post, "/api/channels", json{{"name", "secret-inner"}, {"cohort_id", cohort}}.dump(), ada)
                .json()["channel"]["id"].get<std::int64_t>();
  }
  // ada posts `body` in `channel`, as a reply to `reply` when given; returns the message's id.
  std::int64_t post(std::int64_t channel, const std::string& body, std::optional<std::int64_t> reply = {}) {
    json b{{"body", body}};
    if (reply) b["thread_root"] = *reply;
    auto r = call(Method::post, "/api/channels/" + std::to_string(channel) + "/messages", b.dump(), ada);
    REQUIRE(r.status == 201);
    return r.json()["message"]["id"].get<std::int64_t>();
  }
  std::int64_t sam_id = 0, cohort = 0, general = 0, inner = 0;
  std::string ada, sam, lee, kim;
};

// The decoded text part of a message as the transport received it.
std::string text_part(const std::string& mime) {
  auto at = mime.find("Content-Type: text/plain");
  auto start = mime.find("\r\n\r\n", at) + 4, end = mime.find("--=_cohorthub_", start);
  std::string b64;
  for (char ch : mime.substr(start, end - start))
    if (ch != '\r' && ch != '\n') b64 += ch == '+' ? '-' : ch == '/' ? '_' : ch;
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  std::string decoded;
  REQUIRE(auth::base64url_decode(b64, decoded));
  return decoded;
}

http::Headers one_click_headers() {
  http::Headers h;
  h.set("Origin", "");  // a mail provider: no Origin, no cookie, a form body
  h.set("Content-Type", "application/x-www-form-urlencoded");
  return h;
}

}  // namespace

TEST_CASE("mail preferences: defaults, a change per kind, and bad input refused with nothing saved") {
  MailHub f;
  f.add_user("sam", "member");
  auto sam = f.login("sam");
  auto got = f.call(Method::get, "/api/me/mail", "", sam);
  REQUIRE(got.status == 200);
  CHECK(got.json()["enabled"] == true);
  CHECK(got.json()["digest"] == "weekly");
  CHECK(got.json()["address"] == "");
  auto put = f.call(Method::put, "/api/me/mail", json{{"address", "sam@example.org"}, {"digest", "daily"}, {"mentions", false}}.dump(), sam);
  REQUIRE(put.status == 200);
  CHECK(put.json()["digest"] == "daily");
  CHECK(put.json()["mentions"] == false);
  CHECK(put.json()["reviews"] == true);
  CHECK(f.call(Method::put, "/api/me/mail", json{{"address", "not an address"}}.dump(), sam).json()["error"]["field"] == "address");
  CHECK(f.call(Method::put, "/api/me/mail", json{{"address", std::string(250, 'a') + "@example.org"}}.dump(), sam).json()["error"]["field"] == "address");
  CHECK(f.call(Method::put, "/api/me/mail", json{{"digest", "hourly"}}.dump(), sam).json()["error"]["field"] == "digest");
  CHECK(f.call(Method::put, "/api/me/mail", json{{"digest", "off"}, {"reviews", "no"}}.dump(), sam).json()["error"]["field"] == "reviews");
  auto after = f.call(Method::get, "/api/me/mail", "", sam).json();
  CHECK(after["address"] == "sam@example.org");
  CHECK(after["digest"] == "daily");  // the refused PUT changed nothing
  CHECK(f.call(Method::get, "/api/me/mail", "", "").status == 401);
}

TEST_CASE("mail: without [mail] the hub works and says mail is off, mailed invites are refused") {
  HubFixture f;
  f.add_user("ada", "admin");
  auto ada = f.login("ada");
  CHECK(f.call(Method::get, "/api/me/mail", "", ada).json()["enabled"] == false);
  auto r = f.call(Method::post, "/api/invites", json{{"email", "new@example.org"}, {"role", "member"}}.dump(), ada);
  CHECK(r.status == 409);
  CHECK(f.count("invites") == 0);
  CHECK(f.count("mail_outbox") == 0);
}

TEST_CASE("mailed invites: invite and message in one transaction, bad addresses and refusals queue nothing") {
  MailHub f;
  f.add_user("ada", "admin");
  f.add_user("sam", "member");
  auto ada = f.login("ada"), sam = f.login("sam");
  auto invite = [&](const std::string& cookie, json body) {
    return f.call(Method::post, "/api/invites", body.dump(), cookie);
  };
  CHECK(invite(ada, {{"email", "not-an-address"}, {"role", "member"}}).json()["error"]["field"] == "email");
  CHECK(invite(ada, {{"email", "new@example.org"}, {"name", "Eve\r\nBcc: x@evil.example"}, {"role", "member"}}).json()["error"]["field"] == "name");
  CHECK(invite(ada, {{"email", std::string(250, 'a') + "@example.org"}, {"role", "member"}}).status == 400);
  CHECK(invite(sam, {{"email", "new@example.org"}, {"role", "member"}}).status == 403);
  CHECK(invite(ada, {{"email", "new@example.org"}, {"role", "member"}, {"cohort_id", 99}}).json()["error"]["field"] == "cohort_id");
  CHECK(f.count("invites") == 0);
  CHECK(f.count("mail_outbox") == 0);

  auto ok = invite(ada, {{"email", "new@example.org"}, {"name", "Nia"}, {"role", "member"}});
  REQUIRE(ok.status == 201);
  CHECK(f.count("invites") == 1);
  CHECK(f.in_state("queued") == 1);
  auto sender = f.sender();
  CHECK(sender->deliver_due() == 1);
  REQUIRE(f.transport.sent.size() == 1);
  const auto& m = f.transport.sent[0];
  CHECK(m.to == "new@example.org");
  CHECK(m.mime.find("Message-ID: <" + ok.json()["message_id"].get<std::string>() + ">") != std::string::npos);
  CHECK(m.mime.find("List-Unsubscribe") == std::string::npos);  // an invitation is not a subscription
}

TEST_CASE("mail outbox: failures retry with backoff, are parked after the last attempt, and shown to admins") {
  MailHub f;
  f.add_user("ada", "admin");
  auto ada = f.login("ada");
  auto sender = f.sender();
  f.queue("one@example.org");
  f.transport.failures = {"451 try later", "timeout"};
  CHECK(sender->deliver_due() == 1);  // fails; next try in 1 s
  CHECK(sender->deliver_due() == 0);  // not due yet
  f.clock.advance(1);
  CHECK(sender->deliver_due() == 1);  // fails; next try in 2 s
  f.clock.advance(1);
  CHECK(sender->deliver_due() == 0);
  f.clock.advance(1);
  CHECK(sender->deliver_due() == 1);  // delivered
  CHECK(f.transport.sent.size() == 1);
  CHECK(f.in_state("sent") == 1);
  CHECK(sender->deliver_due() == 0);  // never again
  // The log keeps no body once sent.
  auto bodies = f.hub->db().read_now([](store::Connection& c) -> http::Result<std::int64_t> {
    auto st = c.prepare("SELECT sum(length(mime)) FROM mail_outbox");
    auto row = st.step();
    if (!row) return row.error();
    return st.int64(0);
  });
  CHECK(*bodies == 0);

  f.queue("two@example.org");
  f.transport.failures = {"550 no", "550 no", "550 no"};
  for (int i = 0; i < 3; ++i) {
    CHECK(sender->deliver_due() == 1);
    f.clock.advance(10);
  }
  CHECK(f.in_state("parked") == 1);
  CHECK(sender->deliver_due() == 0);
  auto outbox = f.call(Method::get, "/api/admin/mail/outbox", "", ada);
  REQUIRE(outbox.status == 200);
  CHECK(outbox.json()["sent"] == 1);
  REQUIRE(outbox.json()["parked"].size() == 1);
  CHECK(outbox.json()["parked"][0]["recipient"] == "two@example.org");
  CHECK(outbox.json()["parked"][0]["last_error"] == "550 no");
  CHECK(outbox.body.find("Content-Type") == std::string::npos);  // no body in the admin view
  f.add_user("sam", "member");
  CHECK(f.call(Method::get, "/api/admin/mail/outbox", "", f.login("sam")).status == 403);

  const auto id = outbox.json()["parked"][0]["id"].get<std::int64_t>();
  CHECK(f.call(Method::post, "/api/admin/mail/outbox/" + std::to_string(id) + "/retry", "", ada).status == 200);
  CHECK(f.call(Method::post, "/api/admin/mail/outbox/" + std::to_string(id) + "/retry", "", ada).status == 404);
  CHECK(sender->deliver_due() == 1);
  CHECK(f.transport.sent.size() == 2);
}

TEST_CASE("mail outbox: a message in flight when the hub died is parked at start, never sent twice") {
  MailHub f;
  f.queue("one@example.org");
  f.queue("two@example.org");
  const std::int64_t now_ms = f.clock.now() * 1000;
  // The previous process claimed one (committed "in flight") and died before recording the outcome.
  auto claimed = f.hub->db().write_now([&](store::Connection& c) { return mail::claim_due(c, now_ms); });
  REQUIRE(claimed.ok());
  REQUIRE(claimed->has_value());
  auto sender = f.sender();
  sender->recover_interrupted();  // what start() does first
  CHECK(sender->deliver_due() == 1);
  CHECK(f.in_state("parked") == 1);
  CHECK(f.in_state("sent") == 1);
  REQUIRE(f.transport.sent.size() == 1);
  CHECK(f.transport.sent[0].to == "two@example.org");
}

TEST_CASE("one-click unsubscribe: works without login, once, and only for its own preference") {
  MailHub f;
  auto sam_id = f.add_user("sam", "member");
  auto sam = f.login("sam");
  REQUIRE(f.call(Method::put, "/api/me/mail", json{{"address", "sam@example.org"}}.dump(), sam).status == 200);
  mail::Preferences prefs;
  prefs.address = "sam@example.org";
  auto draft = f.hub->mail().draft_for_member(sam_id, "mentions", prefs);
  draft.subject = "mentioned";
  draft.markdown = "hi";
  auto m = mail::prepare_message(draft, {"hub@example.org", "Hub"}, f.clock.now());
  REQUIRE(m.ok());
  const std::string url = f.token_url(m->mime);

  auto look = f.call(Method::get, url, "");
  REQUIRE(look.status == 200);
  CHECK(look.json()["kind"] == "mentions");
  CHECK(look.json()["used"] == false);
  CHECK(f.call(Method::get, "/api/me/mail", "", sam).json()["mentions"] == true);  // GET changes nothing

  auto first = f.call(Method::post, url, "List-Unsubscribe=One-Click", "", one_click_headers());
  REQUIRE(first.status == 200);
  auto after = f.call(Method::get, "/api/me/mail", "", sam).json();
  CHECK(after["mentions"] == false);
  CHECK(after["digest"] == "weekly");
  CHECK(after["reviews"] == true);
  CHECK(after["address"] == "sam@example.org");
  auto again = f.call(Method::post, url, "List-Unsubscribe=One-Click", "", one_click_headers());
  CHECK(again.status == 409);
  CHECK(f.call(Method::get, url, "").json()["used"] == true);

  // Forged, altered to another kind, or expired: refused, and nothing changes.
  REQUIRE(f.call(Method::put, "/api/me/mail", json{{"mentions", true}}.dump(), sam).status == 200);
  auto digest_url = url;
  digest_url.replace(digest_url.find(".mentions."), 10, ".digest.");
  CHECK(f.call(Method::post, digest_url, "", "", one_click_headers()).status == 400);
  CHECK(f.call(Method::post, "/api/unsubscribe?token=v1.2.digest.9999999999.00.AAAA", "", "", one_click_headers()).status == 400);
  CHECK(f.call(Method::post, "/api/unsubscribe", "", "", one_click_headers()).status == 400);
  auto digest = f.hub->mail().draft_for_member(sam_id, "digest", prefs);
  f.clock.advance(91 * 86400);
  auto expired = "/api/unsubscribe?token=" + digest.unsubscribe_url.substr(digest.unsubscribe_url.find("token=") + 6);
  auto late = f.call(Method::post, expired, "", "", one_click_headers());
  CHECK(late.status == 400);
  CHECK(late.body.find("expired") != std::string::npos);
  auto final_prefs = f.call(Method::get, "/api/me/mail", "", f.login("sam")).json();
  CHECK(final_prefs["mentions"] == true);
  CHECK(final_prefs["digest"] == "weekly");
}

TEST_CASE("mention mail: once per mention, only to members who asked and can read the channel") {
  ChannelsHub f;
  auto &sam = f.sam, &lee = f.lee, &kim = f.kim;
  const auto general = f.general, inner = f.inner;
  f.post(general, "before mail was on: @sam");
  CHECK(f.hub->mail().mentions().run_once() == 0);  // starts the cursor; the past is not mailed
  for (auto* cookie : {&sam, &lee})
    REQUIRE(f.call(Method::put, "/api/me/mail", json{{"address", "x@example.org"}}.dump(), *cookie).status == 200);
  REQUIRE(f.call(Method::put, "/api/me/mail", json{{"address", "kim@example.org"}, {"mentions", false}}.dump(), kim).status == 200);

  f.post(general, "hello @sam and @lee and @kim");  // kim turned mentions off
  f.post(inner, "cohort only: @sam @lee");         // lee cannot read this channel
  CHECK(f.hub->mail().mentions().run_once() == 3);
  CHECK(f.hub->mail().mentions().run_once() == 0);  // each mention once
  auto sender = f.sender();
  CHECK(sender->deliver_due() == 3);
  std::map<std::string, int> subjects;
  for (const auto& m : f.transport.sent) {
    auto s = m.mime.find("Subject: ");
    subjects[m.mime.substr(s + 9, m.mime.find("\r\n", s) - s - 9)]++;
    CHECK(m.mime.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click") != std::string::npos);
  }
  CHECK(subjects["@ada mentioned you in #general"] == 2);
  CHECK(subjects["@ada mentioned you in #secret-inner"] == 1);
}

TEST_CASE("review request mail: at once, to the members the policy lets review who asked, for each new version") {
  MailHub f;
  f.add_user("ada", "admin");
  f.add_user("sam", "member");
  f.add_user("lee", "member");
  f.add_user("kim", "member");
  auto ada = f.login("ada"), sam = f.login("sam"), lee = f.login("lee"), kim = f.login("kim");
  // ada, sam and kim ask for it; lee keeps the default (off).
  CHECK(f.call(Method::get, "/api/me/mail", "", lee).json()["review_requests"] == false);
  for (auto [cookie, address] : {std::pair{&ada, "ada@example.org"}, std::pair{&sam, "sam@example.org"},
                                 std::pair{&kim, "kim@example.org"}})
    REQUIRE(f.call(Method::put, "/api/me/mail", json{{"address", address}, {"review_requests", true}}.dump(), *cookie).status == 200);
  REQUIRE(f.call(Method::put, "/api/me/mail", json{{"address", "lee@example.org"}}.dump(), lee).status == 200);
  for (auto [slug, approvals] : {std::pair{"pitching", 2}, std::pair{"notes", 0}})
    REQUIRE(f.call(Method::post, "/api/playbooks", json{{"slug", slug}, {"title", std::string("T ") + slug}, {"content", "a\n"},
                                                        {"required_approvals", approvals}}.dump(), ada).status == 201);
  auto propose = [&](const std::string& slug, const std::string& content) {
    return f.call(Method::post, "/api/playbooks/" + slug + "/proposals",
                  json{{"base_revision", 1}, {"content", content}, {"summary", "Say *why* first"}}.dump(), kim);
  };
  // A refused proposal queues nothing; neither does one on a playbook that requires no review.
  CHECK(propose("pitching", "a\n").status == 400);
  REQUIRE(propose("notes", "a\nb\n").status == 201);
  CHECK(f.count("mail_outbox") == 0);

  auto opened = propose("pitching", "a\nb\n");
  REQUIRE(opened.status == 201);
  const auto id = opened.json()["proposal"]["id"].get<std::int64_t>();
  CHECK(f.in_state("queued") == 2);  // in the proposal's own transaction: ada and sam, not kim (the author) nor lee
  auto sender = f.sender();
  CHECK(sender->deliver_due() == 2);
  std::set<std::string> to;
  for (const auto& m : f.transport.sent) {
    to.insert(m.to);
    CHECK(m.mime.find("Subject: Review requested: T pitching\r\n") != std::string::npos);
    CHECK(m.mime.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click") != std::string::npos);
    CHECK(m.mime.find(".review_requests.") != std::string::npos);  // its own unsubscribe token
    const auto text = text_part(m.mime);
    CHECK(text.find("**@kim** asks for your review of a change to **T pitching**.") != std::string::npos);
    CHECK(text.find("> Say *why* first") != std::string::npos);
    CHECK(text.find("2 approvals") != std::string::npos);
    CHECK(text.find("https://hub.example.org/proposals/" + std::to_string(id)) != std::string::npos);
  }
  CHECK(to == std::set<std::string>{"ada@example.org", "sam@example.org"});

  // sam approves version 1: asked again for it (as a retried request would), only ada is mailed.
  REQUIRE(f.call(Method::post, "/api/proposals/" + std::to_string(id) + "/reviews", json{{"verdict", "approve"}}.dump(), sam).status == 201);
  auto again = f.hub->db().write_now([&](store::Connection& c) {
    return f.hub->mail().review_requests().queue(c, id, 1, f.clock.now());
  });
  CHECK(*again == 1);
  CHECK(*f.hub->db().write_now([&](store::Connection& c) {  // an outdated version: nothing
    return f.hub->mail().review_requests().queue(c, id, 2, f.clock.now());
  }) == 0);
  sender->deliver_due();
  CHECK(f.transport.sent.back().to == "ada@example.org");

  // A new version awaits review again, from sam too; sam then turns this mail off.
  f.transport.sent.clear();
  REQUIRE(f.call(Method::put, "/api/proposals/" + std::to_string(id), json{{"base_revision", 1}, {"content", "a\nc\n"}}.dump(), kim).status == 200);
  CHECK(sender->deliver_due() == 2);
  REQUIRE(f.transport.sent.size() == 2);
  CHECK(text_part(f.transport.sent[0].mime).find("version 2: earlier approvals no longer count") != std::string::npos);
  REQUIRE(f.call(Method::put, "/api/me/mail", json{{"review_requests", false}}.dump(), sam).status == 200);
  REQUIRE(f.call(Method::put, "/api/proposals/" + std::to_string(id), json{{"base_revision", 1}, {"content", "a\nd\n"}}.dump(), kim).status == 200);
  CHECK(f.in_state("queued") == 1);  // ada only
}

TEST_CASE("digests: what the member's pages would show them, once per period, and nothing when there is nothing") {
  ChannelsHub f;
  auto &ada = f.ada, &sam = f.sam, &lee = f.lee, &kim = f.kim;
  const auto general = f.general, inner = f.inner;
  auto root = f.post(general, "Pricing a first retainer");
  f.post(general, "reply one @lee", root);
  f.post(general, "reply two", root);
  f.post(inner, "cohort news for @sam and @lee");
  REQUIRE(f.call(Method::put, "/api/me/mail", json{{"address", "sam@example.org"}, {"digest", "daily"}}.dump(), sam).status == 200);
  REQUIRE(f.call(Method::put, "/api/me/mail", json{{"address", "lee@example.org"}, {"digest", "weekly"}}.dump(), lee).status == 200);
  REQUIRE(f.call(Method::put, "/api/me/mail", json{{"address", "kim@example.org"}, {"digest", "off"}}.dump(), kim).status == 200);
  // lee releases a template: news for sam, not for lee.
  const std::string note =
      "---\ntitle: Renewal note\nkind: reminder\nfields:\n  - {name: client, type: text, label: Client, required: true}\n"
      "---\nDear {{client}}, your retainer renews soon.\n";
  auto made = f.call(Method::post, "/api/templates", json{{"slug", "renewal-note"}, {"content", note}, {"license", "CC-BY-4.0"}}.dump(), lee);
  INFO(made.body);
  REQUIRE(made.status == 201);
  auto released = f.call(Method::post, "/api/templates/renewal-note/releases", json{{"version", "1.0.0"}, {"summary", "First"}}.dump(), lee);
  INFO(released.body);
  REQUIRE(released.status == 201);
  // kim proposes a change to a reviewed playbook: awaiting sam's review; lee turned reviews off.
  REQUIRE(f.call(Method::post, "/api/playbooks", json{{"slug", "pitching"}, {"title", "Pitching"}, {"content", "a\n"},
                                                      {"required_approvals", 1}}.dump(), ada).status == 201);
  REQUIRE(f.call(Method::post, "/api/playbooks/pitching/proposals",
                 json{{"base_revision", 1}, {"content", "a\nb\n"}, {"summary", "better"}}.dump(), kim).status == 201);
  REQUIRE(f.call(Method::put, "/api/me/mail", json{{"reviews", false}}.dump(), lee).status == 200);

  auto& digests = f.hub->mail().digests();
  auto daily = digests.build({"daily", "daily:test", f.clock.now() - 86400});
  REQUIRE(daily.ok());
  CHECK(*daily == 1);  // sam only: lee is weekly, kim off
  CHECK(*digests.build({"daily", "daily:test", f.clock.now() - 86400}) == 0);  // once per period
  CHECK(*digests.build({"weekly", "weekly:test", f.clock.now() - 7 * 86400}) == 1);  // lee
  CHECK(f.call(Method::post, "/api/admin/mail/digests", "", ada).json()["queued"] == 2);
  CHECK(f.call(Method::post, "/api/admin/mail/digests", "", sam).status == 403);

  auto sender = f.sender();
  sender->deliver_due();
  std::map<std::string, std::string> text;  // recipient -> decoded text part (first digest each)
  for (const auto& m : f.transport.sent) {
    text.emplace(m.to, text_part(m.mime));
    CHECK(m.mime.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click") != std::string::npos);
  }
  REQUIRE(text.count("sam@example.org"));
  REQUIRE(text.count("lee@example.org"));
  CHECK_FALSE(text.count("kim@example.org"));
  const auto& s = text["sam@example.org"];
  CHECK(s.find("#general") != std::string::npos);
  CHECK(s.find("3 unread") != std::string::npos);
  CHECK(s.find("Pricing a first retainer") != std::string::npos);
  CHECK(s.find("2 replies") != std::string::npos);
  CHECK(s.find("#secret-inner") != std::string::npos);  // sam is in the cohort
  CHECK(s.find("Mentions of you") != std::string::npos);
  CHECK(s.find("New template releases") != std::string::npos);
  CHECK(s.find("Renewal note") != std::string::npos);
  CHECK(s.find("1.0.0") != std::string::npos);
  CHECK(s.find("Proposals awaiting your review") != std::string::npos);
  CHECK(s.find("Pitching") != std::string::npos);
  const auto& l = text["lee@example.org"];
  CHECK(l.find("Proposals awaiting your review") == std::string::npos);  // lee turned "reviews" off
  CHECK(l.find("Renewal note") == std::string::npos);  // their own release is no news to them
  CHECK(l.find("#general") != std::string::npos);
  CHECK(l.find("secret-inner") == std::string::npos);  // lee may not read it: not even its name
  CHECK(l.find("cohort news") == std::string::npos);
  CHECK(l.find("1 mention") != std::string::npos);     // the one in #general only
}

TEST_CASE("digests: a member's own renewals due within 30 days and clients gone quiet, for them alone") {
  MailHub f;
  f.add_user("sam", "member");
  f.add_user("lee", "member");
  auto sam = f.login("sam"), lee = f.login("lee");
  const std::int64_t today = f.clock.now() / 86400;
  const auto day = [today](std::int64_t offset) { return sharing::date_of_day(today + offset); };
  auto add = [&](const std::string& cookie, const std::string& label, const std::string& stage, json extra) {
    json e = {{"label", label}, {"stage", stage}, {"tier", "sustaining"}, {"annual_amount", 24000}, {"currency", "EUR"},
              {"ecosystem", "rust"}, {"region", "europe"}, {"hours_per_month", 8}, {"channel", "champion"},
              {"first_contact_on", day(-400)}, {"shared", false}};
    e.update(extra);
    auto r = f.call(Method::post, "/api/engagements", e.dump(), cookie);
    INFO(r.body);
    REQUIRE(r.status == 201);
  };
  // Due in 15 days (signed 350 days ago, 12 months); due in 75 days; talked to 60 days ago;
  // contacted last week; lost long ago. The label carries Markdown that must show as written.
  add(sam, "Initech *GmbH*", "active", {{"signed_on", day(-350)}, {"last_contact_on", day(-3)}});
  add(sam, "Later Corp", "active", {{"signed_on", day(-290)}, {"last_contact_on", day(-3)}});
  add(sam, "Silent Ltd", "talking", {{"first_contact_on", day(-60)}});
  add(sam, "Fresh Inc", "talking", {{"first_contact_on", day(-20)}, {"last_contact_on", day(-7)}});
  add(sam, "Gone AG", "lost", {{"first_contact_on", day(-200)}});
  add(lee, "Lee's Client", "talking", {{"first_contact_on", day(-10)}});
  REQUIRE(f.call(Method::put, "/api/me/mail", json{{"address", "sam@example.org"}, {"digest", "daily"}}.dump(), sam).status == 200);
  REQUIRE(f.call(Method::put, "/api/me/mail", json{{"address", "lee@example.org"}, {"digest", "daily"}}.dump(), lee).status == 200);

  auto& digests = f.hub->mail().digests();
  REQUIRE(*digests.build({"daily", "daily:pipeline", f.clock.now() - 86400}) == 1);  // lee has nothing to hear
  f.sender()->deliver_due();
  REQUIRE(f.transport.sent.size() == 1);
  CHECK(f.transport.sent[0].to == "sam@example.org");
  std::string s = text_part(f.transport.sent[0].mime);
  std::erase(s, '\r');  // the text part's lines end in CRLF
  INFO(s);
  CHECK(s.find("## Your renewals in the next 30 days\n\n- Initech \\*GmbH\\*: due " + day(15)) != std::string::npos);
  CHECK(s.find("Later Corp") == std::string::npos);
  CHECK(s.find("## Clients gone quiet\n\n- Silent Ltd: last contact " + day(-60)) != std::string::npos);
  CHECK(s.find("Fresh Inc") == std::string::npos);
  CHECK(s.find("Gone AG") == std::string::npos);
  CHECK(s.find("Lee's Client") == std::string::npos);

  // Turning the renewals preference off leaves them out of the next digest.
  REQUIRE(f.call(Method::put, "/api/me/mail",
                 json{{"address", "sam@example.org"}, {"digest", "daily"}, {"renewals", false}}.dump(), sam)
              .status == 200);
  CHECK(*digests.build({"daily", "daily:pipeline-2", f.clock.now() - 86400}) == 0);
}

TEST_CASE("digests: a mentee's checklist items due, and a mentor's weekly summary of current mentees only") {
  MailHub f;
  f.add_user("ada", "admin");
  auto mira_id = f.add_user("mira", "mentor");
  auto sam_id = f.add_user("sam", "member");
  auto lee_id = f.add_user("lee", "member");
  auto ada = f.login("ada"), mira = f.login("mira"), sam = f.login("sam"), lee = f.login("lee");
  auto post = [&](const std::string& path, json body, const std::string& cookie) {
    auto r = f.call(Method::post, path, body.dump(), cookie);
    INFO(path << " " << r.body);
    REQUIRE(r.status / 100 == 2);
    return r.json();
  };
  auto cohort = post("/api/cohorts", {{"name", "spring"}, {"starts_on", "2027-01-01"}}, ada)["cohort"]["id"].get<std::int64_t>();
  for (const char* h : {"mira", "sam", "lee"}) post("/api/cohorts/" + std::to_string(cohort) + "/members", {{"handle", h}}, ada);
  post("/api/playbooks", {{"slug", "vendor"}, {"title", "Vendor onboarding"},
                          {"content", "# Vendor onboarding\n\n- [ ] Send the quote\n- [ ] Fill in the form\n"}}, sam);
  post("/api/mentorships", {{"mentor_id", mira_id}, {"mentee_id", sam_id}}, mira);
  post("/api/mentorships", {{"mentor_id", mira_id}, {"mentee_id", lee_id}}, mira);
  const std::string soon = format_date(f.clock.now() + 2 * 86400);
  post("/api/assignments", {{"mentee_id", sam_id}, {"playbook", "vendor"}, {"due_on", soon}}, mira);
  post("/api/assignments", {{"mentee_id", lee_id}, {"playbook", "vendor"}}, mira);
  REQUIRE(f.call(Method::delete_, "/api/mentorships/" + std::to_string(mira_id) + "/" + std::to_string(lee_id), "", mira).status == 204);
  for (auto* c : {&sam, &mira})
    REQUIRE(f.call(Method::put, "/api/me/mail", json{{"address", "x@example.org"}, {"digest", "weekly"}}.dump(), *c).status == 200);
  (void)lee;

  auto& digests = f.hub->mail().digests();
  CHECK(*digests.build({"weekly", "weekly:t", f.clock.now() - 7 * 86400}) == 1);    // sam: a checklist due; mira: nothing
  CHECK(*digests.build({"mentees", "mentees:t", f.clock.now() - 7 * 86400}) == 1);  // mira
  CHECK(*digests.build({"mentees", "mentees:t", f.clock.now() - 7 * 86400}) == 0);
  auto sender = f.sender();
  REQUIRE(sender->deliver_due() == 2);
  const std::string digest = text_part(f.transport.sent[0].mime), summary = text_part(f.transport.sent[1].mime);
  CHECK(digest.find("Your checklist items due") != std::string::npos);
  CHECK(digest.find("Vendor onboarding") != std::string::npos);
  CHECK(digest.find("2 open, due " + soon) != std::string::npos);
  CHECK(f.transport.sent[1].mime.find("Subject: Your mentees this week") != std::string::npos);
  CHECK(summary.find("@sam: ") != std::string::npos);
  CHECK(summary.find("@lee") == std::string::npos);  // no longer paired: the mentor no longer sees it
  CHECK(f.transport.sent[1].mime.find(".mentees.") != std::string::npos);  // its own unsubscribe
}
